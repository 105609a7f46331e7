"""The app's overlap screen (geo.overlap.overlap_view), the province filter (geo.province) and a
polygon layer's own outlines: the same figures as ``regiokaart overlap``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cli import main
from geo.context import GridData
from geo.export import json_text
from geo.layers import display_outlines, make_layer, polygon_layer, read_user_layer
from geo.overlap import AREA_NOTE, overlap_frames, overlap_view
from geo.plans import Plan
from geo.population import YearChoice
from geo.province import (
    ProvinceError,
    province_clusters,
    province_codes,
    province_coverage,
    province_overlap,
    province_view,
    restrict_evaluation,
)
from tests.conftest import toy_population, toy_units


def _toy_plan() -> Plan:
    plan = Plan.from_assignment(
        2018,
        {"11001": "a", "11002": "a", "11004": "a", "11005": "b", "11006": "b", "11009": "b",
         "11003": "c", "31001": "c", "31002": "c"},
    )  # fmt: skip
    from dataclasses import replace

    return replace(plan, name="toy", cluster_names={"a": "Aa", "b": "Bb", "c": "Cc"})


def _toy_gpkg(path: Path) -> Path:
    """Two regions cutting the middle column of the block in half; saved in EPSG:4326."""
    g = gpd.GeoDataFrame(
        {"region": ["West", "East"]},
        geometry=[box(0, 0, 1500, 3000), box(1500, 0, 4000, 3000)],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    g.to_file(path, driver="GPKG")
    return path


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["overlap", *argv, "--format", "json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    rep.pop("population_year_default")
    return rep


def _same(view_report: dict, cli_report: dict) -> None:
    assert json.loads(json_text(view_report)) == cli_report


def test_toy_view_equals_cli_for_a_user_geopackage(tmp_path, monkeypatch, capsys):
    units, plan = toy_units(), _toy_plan()
    pop = toy_population(units)
    gd = GridData(2018, 2016, units, pop, {}, None, tmp_path)  # type: ignore[arg-type]
    monkeypatch.setattr("cli.overlap.year_choice", lambda a: YearChoice(2016, 2018, False))
    monkeypatch.setattr("cli.overlap.grid_data", lambda a: gd)
    monkeypatch.setattr("cli.overlap.plan_from_args", lambda a, g: plan)
    monkeypatch.setattr("geo.layers.load_units", lambda g, d: units)
    gpkg = _toy_gpkg(tmp_path / "areas.gpkg")
    cli = _cli_json(capsys, "--plan", "toy", "--grid", "2018", "--layer", str(gpkg))
    layer = read_user_layer(gpkg, 2018, tmp_path)
    view = overlap_view(plan, layer, pop, units["area_km2"])
    _same(view.report, cli)
    assert view.area_note == AREA_NOTE and "spread evenly by area" in cli["weighting"]
    by = view.clusters.set_index("cluster")
    assert by.loc["a", "regions_touched"] == 2 and not by.loc["a", "nested"]
    # a: 11001 (10k) + 11004 (40k) West, 11002 (20k) half West half East
    assert by.loc["a", "dominant_region"] == "West"
    assert by.loc["a", "dominant_share"] == pytest.approx(60_000 / 70_000, abs=1e-3)
    assert by.loc["c", "n_outside"] == 1  # 31002, the island
    # the matrix: inhabitants per cluster and region, rows add up to what is inside the layer
    assert list(view.matrix.columns) == ["East", "West"] and list(view.matrix.index) == list("abc")
    assert view.matrix.loc["a"].sum() == pytest.approx(70_000, abs=1)
    assert view.matrix.loc["a", "West"] == pytest.approx(60_000, abs=50)
    # per region: share of the region's inhabitants in each cluster, adding up to covered_share
    for r in view.regions.itertuples():
        assert sum(r.cluster_shares) == pytest.approx(r.covered_share)
        assert len(r.cluster_shares) == len(r.clusters) == r.clusters_touching
    # XLSX: the CLI's sheets, from the one builder
    book = pd.ExcelFile(io.BytesIO(view.xlsx()))
    assert book.sheet_names == ["summary", "clusters", "regions", "provinces", "notes"]
    assert set(overlap_frames(cli)) == set(book.sheet_names)


def test_toy_view_of_a_table_layer_has_no_area_note():
    units, plan = toy_units(), _toy_plan()
    pop = toy_population(units)
    table = pd.DataFrame(
        {"nis_code": ["11001", "11002", "11003"], "region": ["R", "R", "S"], "weight": 1.0}
    )
    layer = make_layer(table, 2018, "t", "t", False, "table")
    view = overlap_view(plan, layer, pop)
    assert view.area_note is None
    assert view.matrix.loc["c", "S"] == 30_000 and view.matrix.loc["b"].sum() == 0
    assert view.ari == view.report["agreement"]


def test_toy_province_view_and_restrictions():
    units, plan = toy_units(), _toy_plan()
    pop = toy_population(units)
    with pytest.raises(ProvinceError, match="Antwerpen"):
        province_codes(units, "Antwerp")
    wv = province_view(plan, units, pop, "West-Vlaanderen")
    assert wv.codes == {"31001", "31002"} and wv.n_covered == 2
    assert wv.population_total == wv.population_covered == 100_000 + 110_000
    [row] = wv.clusters.to_dict("records")
    assert row["cluster"] == "c" and row["crosses_border"] is True
    assert (row["population_inside"], row["population"]) == (210_000, 240_000)
    south, west, north, east = wv.bounds
    assert south < north and west < east
    ant = province_view(plan, units, pop, "Antwerpen")
    assert ant.crossing == ["c"] and ant.n_covered == 7 and ant.n_municipalities == 9
    expected = sum(pop[c] for c in ("11001", "11002", "11003", "11004", "11005", "11006", "11009"))
    assert ant.population_covered == expected
    cov = province_coverage(plan, units, pop, {}, ant.codes)
    assert cov.population_covered == expected and cov.n_municipalities_total == 9
    assert sorted(cov.uncovered) == ["11007", "11008"]
    layer = make_layer(
        pd.DataFrame({"nis_code": ["11003", "31001", "31002"], "region": "X", "weight": 1.0}),
        2018, "x", "x", False, "table",
    )  # fmt: skip
    ov = province_overlap(plan, layer, pop, wv.codes)
    [c] = ov.report["clusters"]
    assert c["cluster"] == "c" and c["nested"] is True  # inside the province, c is nested in X
    whole = overlap_view(plan, layer, pop)
    assert whole.clusters.set_index("cluster").loc["c", "nested"]
    # split municipalities count by share
    split = Plan(
        membership=plan.membership.replace_rows(
            [("31001", "c", 0.25), ("31001", "d", 0.75), ("11001", "a", 1.0)]
        ),
        cluster_names={"a": "a", "c": "c", "d": "d"},
    )
    v = province_view(split, units, pop, "West-Vlaanderen")
    assert v.population_covered == 100_000 and v.n_covered == 1
    pc = province_clusters(split, pop, v.codes).set_index("cluster")
    assert pc.loc["c", "population_inside"] == 25_000 and not pc.loc["d", "crosses_border"]


def test_restrict_evaluation_marks_border_clusters():
    from scenarios.evaluate import evaluate_facts
    from scenarios.model import ClusterFacts
    from scenarios.rules import load_rule_set

    plan = _toy_plan()
    facts = [
        ClusterFacts(cluster=c, name=c, population=100_000, members=tuple(plan.members(c)))
        for c in plan.clusters
    ]  # fmt: skip
    ev = evaluate_facts(facts, load_rule_set("regierol-2012"))
    out = restrict_evaluation(ev, plan, {"31001", "31002"})
    assert list(out["cluster"]) == ["c"] and out["crosses_border"].tolist() == [True]
    assert out["n_inside"].tolist() == [2]


def test_polygon_layer_outlines_are_its_own_polygons():
    units = toy_units()
    polys = gpd.GeoDataFrame(
        {"region": ["W", "E"]}, geometry=[box(0, 0, 1500, 3000), box(1500, 0, 4000, 3000)],
        crs="EPSG:31370",
    )  # fmt: skip
    layer = polygon_layer(polys, units, "cut")
    out = display_outlines(layer)
    assert out.crs.to_epsg() == 4326 and list(out["region"]) == ["E", "W"]
    assert list(out["region_name"]) == ["E", "W"]
    back = out.to_crs("EPSG:31370").set_index("region").geometry
    assert back["W"].area == pytest.approx(1500 * 3000, rel=1e-3)  # not the municipalities
    assert back["W"].bounds[2] == pytest.approx(1500, abs=2)
    table = make_layer(
        pd.DataFrame({"nis_code": ["11001", "11002"], "region": "R", "weight": 1.0}),
        2018, "t", "t", False, "table",
    )  # fmt: skip
    with pytest.raises(Exception, match="no polygons"):
        display_outlines(table)
    assert display_outlines(table, units)["region"].tolist() == ["R"]


@pytest.mark.realdata
def test_real_view_equals_cli(capsys, data_dir, tmp_path):
    from geo.context import load_grid_data, load_plan, plan_path
    from geo.grids import load_units
    from geo.layers import load_layer

    dd = str(data_dir)
    gd = load_grid_data(2019, None, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    cli = _cli_json(
        capsys, "--plan", "partnerships-2017", "--grid", "2019", "--layer", "vervoerregio",
        "--data-dir", dd,
    )  # fmt: skip
    view = overlap_view(plan, load_layer("vervoerregio", 2019, data_dir), gd.population)
    _same(view.report, cli)
    assert view.matrix.to_numpy().sum() == pytest.approx(
        sum(r["population"] * r["covered_share"] for r in cli["regions"])
    )
    # a user polygon GeoPackage that cuts municipalities (a band through Gent and Eeklo)
    units = load_units(2019, data_dir)
    sel = units[units["arrondissement"].isin(["Gent", "Eeklo"])]
    x0, y0, x1, y1 = sel.total_bounds
    mid = (x0 + x1) / 2
    g = gpd.GeoDataFrame(
        {"region": ["Oost", "West"]},
        geometry=[box(mid, y0, x1, y1), box(x0, y0, mid, y1)],
        crs="EPSG:31370",
    ).to_crs("EPSG:3857")
    gpkg = tmp_path / "band.gpkg"
    g.to_file(gpkg, driver="GPKG")
    cli = _cli_json(
        capsys, "--plan", "partnerships-2017", "--grid", "2019", "--layer", str(gpkg),
        "--data-dir", dd,
    )  # fmt: skip
    layer = read_user_layer(gpkg, 2019, data_dir)
    view = overlap_view(plan, layer, gd.population, gd.units["area_km2"])
    _same(view.report, cli)
    assert view.area_note == AREA_NOTE and layer.polygons is not None
    web = display_outlines(layer)
    assert sorted(web["region"]) == ["Oost", "West"] and web.crs.to_epsg() == 4326


@pytest.mark.realdata
def test_real_province_covered_population_independent(data_dir):
    from geo.context import load_grid_data, load_plan, plan_path

    gd = load_grid_data(2025, None, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    assert plan.is_split  # moved to the 2025 grid: merged municipalities split by share
    view = province_view(plan, gd.units, gd.population, "Oost-Vlaanderen")
    # independently: the plan's rows of the province's municipalities, population times share
    rows = pd.read_csv(io.StringIO(plan.to_csv_text()), dtype={"nis_code": str})
    prov = set(gd.units.index[gd.units["province"] == "Oost-Vlaanderen"])
    rows = rows[rows["nis_code"].isin(prov)]
    share = rows["share"].astype(float) if "share" in rows else 1.0
    expected = float((rows["nis_code"].map(gd.population).astype(float) * share).sum())
    assert view.population_covered == round(expected)
    assert view.population_total == int(gd.population.loc[sorted(prov)].sum())
    full = gd.coverage(plan).by_province.loc["Oost-Vlaanderen"]
    assert view.population_covered == full["population_covered"]
    cov = province_coverage(plan, gd.units, gd.population, gd.adjacency, view.codes)
    assert cov.population_covered == view.population_covered
    c = view.clusters
    assert (c["crosses_border"] == (c["n_outside"] > 0)).all() and len(c) > 0
    south, west, north, east = view.bounds
    assert 50.5 < south < north < 51.5 and 3.2 < west < east < 4.5


def test_region_column_candidates(tmp_path):
    from geo.layers import region_column_candidates

    csv = b"nis_code,gebied,zone,weight\n11001,A,Z1,1\n"
    assert region_column_candidates(csv, "t.csv") == ["gebied", "zone"]
    g = gpd.GeoDataFrame(
        {"label": ["x"], "region": ["W"], "n": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:31370"
    )
    g.to_file(tmp_path / "g.gpkg", driver="GPKG")
    got = region_column_candidates((tmp_path / "g.gpkg").read_bytes(), "g.gpkg")
    assert got == ["region", "label"]
    with pytest.raises(Exception, match="unsupported"):
        region_column_candidates(b"x", "t.pdf")
