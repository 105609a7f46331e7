"""Inputs besides the plan and the grid: unemployment rates.

``load_unemployment`` reads the 2024 unemployment rate (ages 15-64, %, 2025 grid);
``unemployment_on_grid`` gives every municipality of an older grid the rate of its 2025 successor.
Suppressed rates (Herstappe) stay missing (NaN): the evaluator leaves them out of the weighted mean
and lists them, it never fills them in.

Comparison layers come from the one layer registry, :func:`geo.layers.load_layer`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.codes import Crosswalk, normalise_code
from geo.sources import checked_path
from scenarios.errors import InputError

UNEMPLOYMENT_FILE = "labour/unemployment_rate_2024.csv"
#: The grid of the rates in that file (2024 rates, municipalities of 1 January 2025).
UNEMPLOYMENT_GRID = 2025


def read_unemployment_csv(path: Path) -> pd.Series:
    df = pd.read_csv(path, dtype=str)
    need = {"nis", "werkloosheidsgraad_15_64_pct"}
    if not need <= set(df.columns):
        raise InputError(f"{path.name}: expected columns {', '.join(sorted(need))}.")
    codes = df["nis"].map(normalise_code)
    rates = pd.to_numeric(df["werkloosheidsgraad_15_64_pct"], errors="coerce")
    s = pd.Series(rates.to_numpy(), index=pd.Index(codes, name="nis_code"), name="rate")
    s.attrs = {"grid": UNEMPLOYMENT_GRID, "year": 2024, "unit": "%"}
    return s


def load_unemployment(data_dir: Path) -> pd.Series:
    """Unemployment rate 2024 (%) per 2025-grid municipality; NaN where suppressed."""
    return read_unemployment_csv(checked_path(data_dir, UNEMPLOYMENT_FILE))


def unemployment_on_grid(rates: pd.Series, grid: int, crosswalk: Crosswalk) -> pd.Series:
    """Rates for the municipalities of ``grid``: each takes the rate of its successor on the
    rates' grid (NaN when that successor's rate is missing)."""
    src = int(rates.attrs.get("grid", UNEMPLOYMENT_GRID))
    if src == grid:
        out = rates.copy()
    else:
        mapping = crosswalk.mapping(grid, src)
        out = pd.Series(
            [rates.get(mapping[c], float("nan")) for c in mapping],
            index=pd.Index(list(mapping), name="nis_code"),
            name="rate",
            dtype=float,
        )
    out.attrs = {**rates.attrs, "grid": grid, "rates_grid": src}
    return out
