"""The one module that owns Streamlit caching: everything loaded once per server process.

Each function wraps a pure loader of ``geo``/``scenarios``/``ui``; the arguments are plain values
(grid, year, layer id) so the caches key cleanly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.context import GridData, load_grid_data, load_plan, plan_path
from geo.grids import load_units
from geo.layers import completeness_text, layer_outlines, layer_plan, load_layer, registry
from geo.plans import Plan
from geo.planstore import ImportReport, PlanStore
from geo.population import population_years
from geo.settings import resolve_data_dir
from scenarios.definitions import Scenario, load_scenario, scenario_ids
from scenarios.evaluate import Evaluator, evaluator_for
from scenarios.rules import RuleSet, load_rule_set, rule_set_ids
from ui.mapview import (
    DisplayGeometry,
    display_geometry,
    geometry_collection,
    outline_geojson,
    point_features,
    write_geometry_file,
)


@st.cache_resource(show_spinner=False)
def data_dir() -> Path:
    return resolve_data_dir(None).path


@st.cache_resource(show_spinner="Gemeenten en bevolking laden…")
def grid_data(grid: int, year: int) -> GridData:
    return load_grid_data(grid, year, data_dir())


@st.cache_resource(show_spinner="Kaart voorbereiden…")
def display(grid: int) -> DisplayGeometry:
    return display_geometry(load_units(grid, data_dir()))


@st.cache_resource(show_spinner=False)
def evaluator(grid: int, year: int, layer: str) -> Evaluator:
    return evaluator_for(grid_data(grid, year), layer or None)


@st.cache_resource(show_spinner=False, max_entries=8)
def user_evaluator(grid: int, year: int, digest: str, _layer: Any) -> Evaluator:
    """An evaluator with one of the user's own layers as comparison layer (on ``grid``), cached
    by the layer's content (:attr:`ui.userlayers.UserLayer.digest`)."""
    from scenarios.inputs import load_unemployment

    gd = grid_data(grid, year)
    rates = load_unemployment(gd.data_dir)
    return Evaluator.from_grid_data(gd, unemployment=rates, comparison=_layer)


@st.cache_resource(show_spinner=False)
def province_outlines(grid: int) -> str:
    units = load_units(grid, data_dir())
    prov = units[["province", "geometry"]].dissolve(by="province").reset_index()
    return outline_geojson(gpd.GeoDataFrame(prov, geometry="geometry", crs=units.crs), "province")


@st.cache_resource(show_spinner="Laag laden…")
def comparison_outlines(grid: int, layer_id: str) -> str:
    gdf = layer_outlines(layer_id, grid, data_dir())
    return outline_geojson(gdf, "region_name")


@st.cache_resource(show_spinner=False)
def centrumsteden(grid: int) -> str:
    units = load_units(grid, data_dir())
    dg = display(grid)
    cs = units.index[units["centrumstad"].astype(bool)]
    return point_features((*dg.points[c], str(units.loc[c, "name"])) for c in cs)


@st.cache_resource(show_spinner=False)
def layer_completeness(layer_id: str, lang: str = "nl") -> str:
    """How much of its grid a shipped layer covers (shown under the layer pickers)."""
    return completeness_text(layer_id, data_dir(), lang)


@st.cache_resource(show_spinner=False)
def layer_choices() -> dict[str, tuple[str, str]]:
    """Layer id -> (Dutch label, English label)."""
    return {k: (v.label("nl"), v.label("en")) for k, v in registry().items()}


@st.cache_resource(show_spinner="Plan laden…")
def shipped_plan(spec: str, grid: int, year: int) -> Plan:
    return load_plan(plan_path(spec), grid_data(grid, year))


@st.cache_resource(show_spinner="Laag laden…")
def layer_as_plan(layer_id: str, grid: int) -> Plan:
    return layer_plan(load_layer(layer_id, grid, data_dir()))


@st.cache_resource(show_spinner=False)
def rule_sets() -> dict[str, RuleSet]:
    return {i: load_rule_set(i) for i in rule_set_ids()}


@st.cache_resource(show_spinner=False)
def scenarios() -> dict[str, Scenario]:
    return {i: load_scenario(i) for i in scenario_ids()}


@st.cache_data(show_spinner=False, max_entries=8)
def population_table(grid: int, year: int) -> pd.Series:
    return grid_data(grid, year).population


STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@st.cache_resource(show_spinner=False)
def geometry_url(grid: int) -> str | None:
    """URL of the grid's display geometry under Streamlit's static folder (written once per
    content version), or None when that folder is not writable (the map then inlines it)."""
    try:
        return write_geometry_file(display(grid), STATIC_DIR)
    except OSError:
        return None


@st.cache_resource(show_spinner=False)
def geometry_inline(grid: int) -> str:
    return geometry_collection(display(grid))


@st.cache_resource(show_spinner=False)
def map_meta(grid: int, year: int) -> dict[str, list[Any]]:
    """Per municipality, for the map editor: name, inhabitants, centrumstad (0/1), and a point
    inside it (lat, lng)."""
    gd = grid_data(grid, year)
    dg = display(grid)
    names = gd.units["name"].to_dict()
    cs = gd.units["centrumstad"].astype(bool).to_dict()
    pop = gd.population.to_dict()
    return {c: [str(names[c]), int(pop.get(c, 0)), int(cs[c]), *dg.points[c]] for c in dg.codes}


@st.cache_resource(show_spinner=False)
def outline_url(kind: str, grid: int, layer: str = "") -> str | None:
    """A static, content-named GeoJSON file of the map's outlines (``provinces``,
    ``comparison`` of ``layer``, ``centrumsteden``), or None when it cannot be written."""
    from ui.mapcomponent import write_static

    text = {
        "provinces": lambda: province_outlines(grid),
        "comparison": lambda: comparison_outlines(grid, layer),
        "centrumsteden": lambda: centrumsteden(grid),
    }[kind]()
    try:
        return write_static(text, f"{kind}-{grid}", "json", STATIC_DIR)
    except OSError:
        return None


@st.cache_resource(show_spinner=False)
def years(grid: int) -> list[int]:
    """Population years that can be used on ``grid`` (the last is the default)."""
    return population_years(grid)


@st.cache_resource(show_spinner=False)
def plan_store(path: str) -> tuple[PlanStore, ImportReport]:
    """The plan store at ``path``, with the app's earlier JSON plans imported on first start
    (once per store; see :meth:`geo.planstore.PlanStore.import_json_once`)."""
    store = PlanStore(path)
    return store, store.import_json_once()


@st.cache_resource(show_spinner=False, max_entries=32)
def layer_outline_geojson(key: str, _layer: Any, _units: gpd.GeoDataFrame) -> str:
    """A layer's outline as GeoJSON text (:func:`ui.userlayers.outline_geojson`), cached by
    ``key`` (layer id, grid and, for an own layer, :attr:`ui.userlayers.UserLayer.digest`)."""
    from ui.userlayers import outline_geojson

    return outline_geojson(_layer, None if _layer.polygons is not None else _units)


def user_outline_url(ul: Any, units: gpd.GeoDataFrame) -> str | None:
    """A static, content-named GeoJSON file of an own layer's outline for the map editor (like
    :func:`outline_url`), or None when it cannot be written (then inline the text)."""
    from ui.mapcomponent import write_static

    text = layer_outline_geojson(f"{ul.id}:{ul.grid}:{ul.digest}", ul.layer, units)
    try:
        return write_static(text, f"userlayer-{ul.grid}", "json", STATIC_DIR)
    except OSError:
        return None
