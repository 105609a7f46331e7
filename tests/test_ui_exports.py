"""Exports and plan comparison on the real data: files that open, figures that match."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyogrio
import pytest

from geo.context import load_grid_data, load_plan, plan_path
from scenarios.definitions import load_scenario
from scenarios.evaluate import evaluator_for
from scenarios.rules import load_rule_set
from ui.compare import diff
from ui.editor import Editor
from ui.exports import (
    clusters_geojson,
    clusters_gpkg,
    downloads,
    statistics_xlsx,
    summary_page,
)
from ui.mapview import display_geometry
from ui.model import cluster_rows, evaluate_plan, violation_rows

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def setup(data_dir):
    gd = load_grid_data(2018, 2016, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    ev = evaluator_for(gd, "vervoerregio")
    rs = load_rule_set("regierol-2012")
    return gd, plan, ev, rs


def test_statistics_and_geometry_exports(setup, tmp_path) -> None:
    gd, plan, ev, rs = setup
    evaluation = evaluate_plan(ev, plan, rs, None)
    assert evaluation.total_subsidy_eur == 1_875_000  # the seed's total
    book = pd.read_excel(
        io.BytesIO(statistics_xlsx(plan, evaluation, gd.units, gd.population)), sheet_name=None
    )
    assert set(book) == {"summary", "clusters", "violations", "municipalities"}
    assert len(book["municipalities"]) == 204
    ed = Editor.start(plan, gd.adjacency)
    gpkg = tmp_path / "p.gpkg"
    gpkg.write_bytes(clusters_gpkg(plan, evaluation, gd.units, ed.colours, gd.population))
    layers = dict(pyogrio.list_layers(gpkg))
    assert set(layers) == {"clusters", "municipalities"}
    clusters = pyogrio.read_dataframe(gpkg, layer="clusters")
    assert len(clusters) == 32 and clusters.crs.to_epsg() == 31370
    assert clusters["population"].sum() == evaluation.coverage.population_covered
    gj = json.loads(clusters_geojson(plan, evaluation, gd.units, ed.colours))
    assert len(gj["features"]) == 32
    coords = gj["features"][0]["geometry"]["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    lon, lat = coords[:2]
    assert 2 < lon < 6 and 50 < lat < 52  # WGS 84


def test_summary_page_is_one_printable_html(setup) -> None:
    gd, plan, ev, rs = setup
    evaluation = evaluate_plan(ev, plan, rs, load_scenario("beleidsregisseur"))
    ed = Editor.start(plan, gd.adjacency)
    page = summary_page(
        plan, evaluation, display_geometry(gd.units), ed.colours, [("Grid", "2018")]
    )
    assert page.startswith("<!doctype html>") and "<svg" in page and "@page" in page
    assert page.count("<path") == 308
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "1.875.000" in page


def test_compare_lists_changed_municipalities_and_differences(setup) -> None:
    gd, plan, ev, rs = setup
    ed = Editor.start(plan, gd.adjacency)
    ed.active = ed.cluster_of("44021")  # Gent's partnership
    ed.toggle("44081")  # Zulte joins it (was unassigned or elsewhere)
    e0, e1 = evaluate_plan(ev, plan, rs, None), evaluate_plan(ev, ed.plan, rs, None)
    d = diff(plan, ed.plan, e0, e1, gd.units["name"].to_dict())
    assert d.changed_codes == ["44081"]
    fig = d.figures.set_index("measure")
    pop = int(gd.population["44081"])
    before_cluster = plan.assignment.get("44081")
    if before_cluster is None:
        assert fig.loc["population_covered", "difference"] == pop
        assert fig.loc["municipalities_covered", "difference"] == 1
    assert fig.loc["total_subsidy_eur", "before"] == 1_875_000


def test_tables_for_the_app(setup) -> None:
    _gd, plan, ev, rs = setup
    evaluation = evaluate_plan(ev, plan, rs, load_scenario("bestuursregisseur"))
    rows = cluster_rows(evaluation, "nl")
    assert len(rows) == 32 and rows["Inwoners"].is_monotonic_decreasing
    en = cluster_rows(evaluation, "en")
    assert "Inhabitants" in en.columns
    vs = violation_rows(evaluation, "nl")
    assert vs and all(v["text"] for v in vs)
    severities = [v["severity"] for v in vs]
    assert severities == sorted(severities, key=lambda s: s != "error")


def test_every_download_builds(setup) -> None:
    gd, plan, ev, rs = setup
    evaluation = evaluate_plan(ev, plan, rs, load_scenario("bestuursregisseur"))
    ed = Editor.start(plan, gd.adjacency)
    files = downloads(
        plan, evaluation, gd.units, gd.population, ed.colours, display_geometry(gd.units), []
    )
    assert [d.key for d in files] == [
        "dl_plan",
        "dl_xlsx",
        "dl_csv",
        "dl_viol",
        "dl_gpkg",
        "dl_geojson",
        "dl_summary",
    ]
    for d in files:
        data = d.data()
        assert len(data) > 100, d.key
        assert d.file_name.startswith(plan.name.replace(" ", "_"))
    assert files[0].data().startswith("nis_code,cluster,cluster_name")
