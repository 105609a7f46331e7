"""A tiny app around the overlap screen (ui/screens/overlap.py) for AppTest: real data, a shipped
plan, no ui/views.py. Settings come from the environment: ``OV_GRID``, ``OV_YEAR`` (default: the
latest year of the grid), ``OV_PLAN`` (a shipped plan id or a plan file, default ``partnerships-2017``), ``OV_LANG``."""

from __future__ import annotations

import os

from geo.context import load_grid_data, load_plan, plan_path
from geo.layers import registry
from ui.screens.overlap import render_overlap, user_layers

grid = int(os.environ.get("OV_GRID", "2019"))
year = int(os.environ["OV_YEAR"]) if os.environ.get("OV_YEAR") else None
lang = os.environ.get("OV_LANG", "nl")
gd = load_grid_data(grid, year)
plan = load_plan(plan_path(os.environ.get("OV_PLAN", "partnerships-2017")), gd)
shipped = {k: v.label(lang) for k, v in registry().items()}
render_overlap(plan, gd.units, gd.population, gd.grid, gd.data_dir, lang, user_layers(), shipped)
