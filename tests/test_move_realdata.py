"""A plan keeps its figures: `regiokaart move` then `coverage` equals coverage of the original; every
file the tool writes reads back as the same plan (identical coverage, inhabitants, subsidy); names
("Beveren (Roeselare)", pre-merger names) resolve as codes do. Real data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.context import load_grid_data, load_plan, plan_path
from geo.errors import PlanError
from geo.names import name_index
from geo.planstore import PlanStore, plan_from_record, record_from_plan
from geo.population import default_population_year
from regiokaart_cli import main
from scenarios.evaluate import evaluator_for
from scenarios.rules import load_rule_set
from ui.editor import Editor
from ui.exports import clusters_geojson, clusters_gpkg, statistics_xlsx
from ui.model import evaluate_plan
from ui.store import plan_from_bytes

pytestmark = pytest.mark.realdata


def coverage_json(capsys, plan: str, grid: int, year: int) -> dict:
    args = ["coverage", "--plan", plan, "--grid", str(grid), "--population-year", str(year)]
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("given", [None, 2022])
def test_move_then_coverage_equals_coverage_of_the_original(capsys, tmp_path, data_dir, given):
    year = given or default_population_year(2025)
    out = tmp_path / "x.csv"
    args = ["move", "--plan", "partnerships-2017", "--to-grid", "2025", "--out", str(out)]
    assert main(args + (["--population-year", str(given)] if given else [])) == 0
    capsys.readouterr()
    assert out.read_text().splitlines()[0] == "nis_code,cluster,cluster_name,share"
    moved = coverage_json(capsys, str(out), 2025, year)
    original = coverage_json(capsys, "partnerships-2017", 2025, year)
    notes_moved, notes_original = moved.pop("notes"), original.pop("notes")
    assert moved == original  # every figure, every cluster
    # the original's notes add only how it was moved (the moved file carries its shares instead)
    assert set(notes_moved) <= set(notes_original)
    assert any("split" in n for n in set(notes_original) - set(notes_moved))
    if year == 2022:  # the figures quoted in issue 9 (population of 1 January 2022)
        assert original["population_covered"] == 5_250_518
        (antwerpen,) = [c for c in original["clusters"] if c["cluster"] == "antwerpen"]
        assert antwerpen["population"] == 531_012


def test_move_refuses_out_equal_to_plan_and_backwards(capsys, tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("nis_code,cluster\n46030,a\n")
    assert main(["move", "--plan", str(p), "--to-grid", "2025", "--out", str(p)]) == 2
    assert "is an input of this command" in capsys.readouterr().err
    assert p.read_text() == "nis_code,cluster\n46030,a\n"


def figures(evaluation) -> tuple:
    cov = evaluation.coverage
    clusters = evaluation.cluster_frame()[["cluster", "population", "subsidy_eur"]]
    return (
        cov.population_covered,
        cov.n_municipalities_covered,
        evaluation.total_subsidy_eur,
        sorted(map(tuple, clusters.to_numpy().tolist())),
    )


def test_every_writer_reads_back_with_identical_figures(tmp_path, data_dir):
    gd = load_grid_data(2025, default_population_year(2025), data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    assert plan.is_split  # 11002, 44084, 44085, 72042 ... are split on the 2025 grid
    ev = evaluator_for(gd, None)
    rs = load_rule_set("regierol-2012")
    evaluation = evaluate_plan(ev, plan, rs, None)
    want = figures(evaluation)
    colours = Editor.start(plan, gd.adjacency).colours
    files = {
        "plan.csv": plan.to_csv_text().encode(),
        "stats.xlsx": statistics_xlsx(plan, evaluation, gd.units, gd.population),
        "plan.gpkg": clusters_gpkg(plan, evaluation, gd.units, colours, gd.population),
        "plan.geojson": clusters_geojson(plan, evaluation, gd.units, colours).encode(),
    }
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(data)
        back = load_plan(p, gd)
        assert back.membership == plan.membership, name
        assert figures(evaluate_plan(ev, back, rs, None)) == want, name
    store = PlanStore(tmp_path / "plans.sqlite")
    store.save("split plan", record_from_plan(plan, colours=colours))
    back = plan_from_record(store.load("split plan"), "split plan")
    assert back.membership == plan.membership
    assert figures(evaluate_plan(ev, back, rs, None)) == want
    exported = tmp_path / "exported.csv"  # `regiokaart plans export` writes the record's CSV
    exported.write_text(store.load("split plan").to_csv_text(), "utf-8")
    back = plan_from_bytes(exported.read_bytes(), "exported.csv", gd)
    assert back.membership == plan.membership
    assert figures(evaluate_plan(ev, back, rs, None)) == want


def test_gpkg_polygons_follow_the_membership(tmp_path, data_dir):
    import pyogrio

    gd = load_grid_data(2025, default_population_year(2025), data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    ev = evaluator_for(gd, None)
    evaluation = evaluate_plan(ev, plan, load_rule_set("regierol-2012"), None)
    p = tmp_path / "p.gpkg"
    p.write_bytes(clusters_gpkg(plan, evaluation, gd.units, {}, gd.population))
    munis = pyogrio.read_dataframe(p, layer="municipalities", read_geometry=False)
    oud = munis[munis["nis_code"] == "72042"].set_index("cluster")["share"]
    csv_rows = [r for r in plan.to_csv_text().splitlines() if r.startswith("72042,")]
    assert set(oud.index) == {"gaoz", "noord-limburg"} and len(csv_rows) == 2
    assert oud.sum() == pytest.approx(1.0)
    clusters = pyogrio.read_dataframe(p, layer="clusters")
    both = clusters.set_index("cluster").loc[["gaoz", "noord-limburg"], "n_split"]
    # n_split: the cluster's municipalities held with a share below 1 (from the file's own
    # municipalities layer); Oudsbergen 72042 is one of them in both
    split = munis[munis["share"] < 1].groupby("cluster")["nis_code"].nunique()
    assert both.to_dict() == split.loc[["gaoz", "noord-limburg"]].to_dict()
    assert (both >= 1).all()


# ------------------------------------------------------------------------------ names
def test_section_in_parentheses_resolves_to_its_municipality(data_dir):
    for grid in (2019, 2025):
        idx = name_index(grid, data_dir)
        code, note = idx.lookup("Beveren (Roeselare)")
        assert code == idx.resolve("Roeselare") and note and "Roeselare" in note
        assert idx.lookup("Beveren (Sint-Niklaas)") == (idx.resolve("Beveren"), None)


def test_pre_merger_names_in_one_cluster_are_one_membership(tmp_path, data_dir):
    gd = load_grid_data(2025, default_population_year(2025), data_dir)
    by_name = tmp_path / "names.csv"
    by_name.write_text("municipality,cluster\nBeveren,waas\nKruibeke,waas\nZwijndrecht,waas\n")
    by_code = tmp_path / "codes.csv"
    by_code.write_text("nis_code,cluster\n46003,waas\n46013,waas\n11056,waas\n")
    a, b = load_plan(by_name, gd), load_plan(by_code, gd)
    assert a.membership == b.membership and a.membership.rows == (("46030", "waas", 1.0),)
    # in different clusters: shares by population, as codes do
    by_name.write_text("municipality,cluster\nBeveren,a\nKruibeke,b\nZwijndrecht,b\n")
    by_code.write_text("nis_code,cluster\n46003,a\n46013,b\n11056,b\n")
    a, b = load_plan(by_name, gd), load_plan(by_code, gd)
    assert a.membership == b.membership and a.is_split


def test_problems_of_names_and_codes_are_reported_together(tmp_path, data_dir):
    gd = load_grid_data(2025, default_population_year(2025), data_dir)
    p = tmp_path / "bad.csv"
    p.write_text("nis_code,municipality,cluster\n,Gentt,a\n21004,,a\n44021,,\n44021,,b\n")
    with pytest.raises(PlanError) as e:
        load_plan(p, gd)
    d = e.value.details
    assert any(x.startswith("row 2: Unknown municipality 'Gentt'") and "Gent" in x for x in d)
    assert any(x.startswith("row 3:") and "Brussels" in x for x in d)
    assert "row 4: empty cluster" in d


def test_a_long_bad_table_is_reported_quickly(tmp_path, data_dir):
    import time

    gd = load_grid_data(2025, default_population_year(2025), data_dir)
    p = tmp_path / "bad.csv"
    p.write_text("nis_code,cluster\n" + "\n".join(f"4{i:04d},a" for i in range(10_000)) + "\n")
    t = time.perf_counter()
    with pytest.raises(PlanError) as e:
        load_plan(p, gd)
    assert time.perf_counter() - t < 10  # the bound for any bad input
    # one problem per row whose code is not a municipality of the 2025 grid: 10,000 rows less
    # the 2025 municipalities with codes 40000-49999 (counted in the raw 2025 population file)
    raw = pd.read_csv(data_dir / "population" / "population_2025_gem2025.csv", dtype=str)
    codes = raw["public_geography_id"].str.strip()
    n_valid = int((codes.str.fullmatch(r"4\d{4}") & ~codes.str.endswith("000")).sum())
    assert len(e.value.details) == 10_000 - n_valid == 9_945
    assert "closest" in e.value.details[0]
    assert "closest" not in e.value.details[-1]
