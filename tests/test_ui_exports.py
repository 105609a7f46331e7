"""Exports and plan comparison on the real data: files that open, figures that match."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyogrio
import pytest

from geo.context import load_grid_data, load_plan, plan_path
from geo.settings import PARTNERSHIPS_DIR
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
    # the shipped plan's rows (the seed: "Totaal 204")
    shipped = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.csv", dtype=str)
    assert len(book["municipalities"]) == len(shipped) == 204
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
    assert page.count("<path") == len(gd.units) == 308  # one path per municipality, 2018 grid
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
    # Zulte is in no 2017-2019 partnership (data/partnerships/partnerships_2017_2019.csv)
    shipped = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.csv", dtype=str)
    assert "44081" not in set(shipped["nis_code"]) and plan.assignment.get("44081") is None
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


def test_every_download_builds(setup, tmp_path) -> None:
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
        assert d.file_name.startswith(plan.name.replace(" ", "_"))
    data = {d.key: d.data() for d in files}

    def text(key: str) -> str:
        v = data[key]
        return v.decode("utf-8") if isinstance(v, bytes) else v

    # every file opened and read back: the plan, its clusters and its violations
    shipped = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.csv", dtype=str)
    plan_csv = pd.read_csv(io.StringIO(text("dl_plan")), dtype=str)
    assert sorted(plan_csv["nis_code"]) == sorted(shipped["nis_code"])
    assert dict(zip(plan_csv["nis_code"], plan_csv["cluster"], strict=True)) == dict(
        zip(shipped["nis_code"], shipped["cluster"], strict=True)
    )
    book = pd.read_excel(io.BytesIO(data["dl_xlsx"]), sheet_name=None)
    assert set(book) == {"summary", "clusters", "violations", "municipalities"}
    assert len(book["clusters"]) == 32 and len(book["municipalities"]) == len(shipped)
    clusters = pd.read_csv(io.StringIO(text("dl_csv")), dtype={"cluster": str})
    assert sorted(clusters["cluster"]) == sorted(shipped["cluster"].unique())
    assert clusters["subsidy_eur"].sum() == evaluation.total_subsidy_eur == 1_875_000
    assert clusters["population"].sum() == evaluation.coverage.population_covered
    viol = pd.read_csv(io.StringIO(text("dl_viol")))
    assert len(viol) == len(evaluation.violations) and len(viol) > 0
    assert list(viol["rule_id"]) == [v.rule_id for v in evaluation.violations]
    gpkg = tmp_path / "d.gpkg"
    gpkg.write_bytes(data["dl_gpkg"])
    assert set(dict(pyogrio.list_layers(gpkg))) == {"clusters", "municipalities"}
    assert len(pyogrio.read_dataframe(gpkg, layer="clusters")) == 32
    gj = json.loads(text("dl_geojson"))
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 32
    page = text("dl_summary")
    assert page.startswith("<!doctype html>") and "1.875.000" in page
    assert files[0].data().startswith("nis_code,cluster,cluster_name")
