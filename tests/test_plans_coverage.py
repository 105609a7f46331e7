import pandas as pd
import pytest

from geo.codes import Crosswalk
from geo.coverage import coverage
from geo.errors import GridError, PlanError
from geo.membership import parse_table
from geo.plans import Plan, move_plan, write_plan_atomic

# A toy crosswalk: on "2019", 11001+11002 merged into 11010; everything else unchanged.
CODES_2018 = [f"110{k:02d}" for k in range(1, 10)] + ["31001", "31002"]


def toy_crosswalk() -> Crosswalk:
    s18 = {c: c for c in CODES_2018}
    s18["11001"] = s18["11002"] = "11010"
    codes19 = sorted(set(s18.values()))
    return Crosswalk({(2018, 2019): s18, (2019, 2025): {c: c for c in codes19}}, {})


def parse_plan_table(df, grid, _codes, crosswalk):
    """(grid, membership frame, cluster names) of a validated plan table."""
    parsed = parse_table(df, grid, crosswalk)
    return parsed.membership.grid, parsed.membership.frame, parsed.names


def table(rows, cols=("nis_code", "cluster")):
    return pd.DataFrame(rows, columns=list(cols), dtype=str)


def test_parse_valid_plan_with_names():
    df = table(
        [("11001", "a", "Alfa"), ("11002", "a", "Alfa"), ("11009", "b", "")],
        ("nis_code", "cluster", "cluster_name"),
    )
    grid, m, names = parse_plan_table(df, 2018, CODES_2018, toy_crosswalk())
    assert grid == 2018
    assert list(m["nis_code"]) == ["11001", "11002", "11009"]
    assert names == {"a": "Alfa", "b": "b"}


def test_parse_reports_every_problem_with_rows():
    df = table([("11001", "a"), ("abc", "a"), ("11002", "")])
    with pytest.raises(PlanError) as e:
        parse_plan_table(df, 2018, CODES_2018, toy_crosswalk())
    msg = str(e.value)
    assert "row 3" in msg and "abc" in msg and "row 4: empty cluster" in msg


def test_parse_municipality_in_two_clusters_and_duplicates():
    df = table([("11001", "a"), ("11001", "b"), ("11003", "a"), ("11003", "a")])
    with pytest.raises(PlanError) as e:
        parse_plan_table(df, 2018, CODES_2018, toy_crosswalk())
    msg = str(e.value)
    assert "11001 is assigned to more than one cluster: row 2 (a), row 3 (b)" in msg
    assert "11003 is listed twice: row 4 (a), row 5 (a)" in msg


def test_parse_brussels_and_unknown_codes():
    df = table([("21004", "a"), ("99999", "a")])
    with pytest.raises(PlanError) as e:
        parse_plan_table(df, 2018, CODES_2018, toy_crosswalk())
    assert "Brussels" in str(e.value) and "99999 is not a Flemish" in str(e.value)


def test_parse_later_grid_codes_say_which_grid():
    df = table([("11010", "a")])
    with pytest.raises(PlanError) as e:
        parse_plan_table(df, 2018, CODES_2018, toy_crosswalk())
    assert "use --grid 2019" in str(e.value)


def test_parse_older_grid_codes_are_detected():
    cw = toy_crosswalk()
    grid, _, _ = parse_plan_table(table([("11001", "a")]), 2019, cw.codes(2019), cw)
    assert grid == 2018


def test_missing_columns_and_empty():
    with pytest.raises(PlanError, match="needs the columns"):
        parse_plan_table(table([("x",)], ("foo",)), 2018, CODES_2018, toy_crosswalk())
    with pytest.raises(PlanError, match="no rows"):
        parse_plan_table(table([]), 2018, CODES_2018, toy_crosswalk())


def test_unknown_grid():
    with pytest.raises(GridError):
        parse_plan_table(table([("11001", "a")]), 2020, CODES_2018, toy_crosswalk())


def test_move_plan_preserves_weighted_totals_and_reports_split():
    plan = Plan.from_assignment(2018, {"11001": "a", "11002": "b", "11003": "a"})
    w = pd.Series({c: 1.0 for c in CODES_2018})
    w["11001"], w["11002"] = 30.0, 10.0
    moved = move_plan(plan, 2019, toy_crosswalk(), w)
    m = moved.frame.set_index(["nis_code", "cluster"])["share"]
    assert m[("11010", "a")] == pytest.approx(0.75)
    assert m[("11010", "b")] == pytest.approx(0.25)
    assert moved.assignment["11010"] == "a"
    assert any("split" in n for n in moved.notes)


def test_move_to_earlier_grid_refused():
    plan = Plan.from_assignment(2019, {"11010": "a"})
    with pytest.raises(GridError, match="back"):
        move_plan(plan, 2018, toy_crosswalk())


def test_coverage_figures(units, population, adjacency):
    plan = Plan.from_assignment(
        2018, {"11001": "a", "11002": "a", "11005": "b", "11009": "a"}, {"a": "Alfa"}
    )
    cov = coverage(plan, units, population, adjacency)
    assert cov.n_clusters == 2
    assert cov.n_municipalities_covered == 4
    assert cov.n_municipalities_total == 11
    assert cov.population_covered == 10_000 + 20_000 + 50_000 + 90_000
    assert cov.population_total == sum(10_000 * (i + 1) for i in range(11))
    a = cov.clusters.set_index("cluster").loc["a"]
    assert a["n_parts"] == 2 and a["population"] == 120_000 and a["name"] == "Alfa"
    b = cov.clusters.set_index("cluster").loc["b"]
    assert b["centrumsteden"] == ["Gem5"] and b["n_parts"] == 1
    assert cov.median_cluster_population == pytest.approx((120_000 + 50_000) / 2)
    assert cov.uncovered == ["11003", "11004", "11006", "11007", "11008", "31001", "31002"]
    assert any("2 parts" in n for n in cov.notes)
    prov = cov.by_province.loc["Antwerpen"]
    assert prov["n_covered"] == 4 and prov["n_municipalities"] == 9


def test_coverage_grid_mismatch(units, population, adjacency):
    plan = Plan.from_assignment(2019, {"11001": "a"})
    with pytest.raises(GridError):
        coverage(plan, units, population, adjacency)


def test_plan_edits_are_pure():
    p0 = Plan.from_assignment(2018, {"11001": "a", "11002": "b"})
    p1 = p0.assign("11003", "a").assign("11002", None)
    assert dict(p0.assignment) == {"11001": "a", "11002": "b"}
    assert dict(p1.assignment) == {"11001": "a", "11003": "a"}
    p2 = p0.merge("b", "a")
    assert set(p2.clusters) == {"a"} and dict(p2.assignment) == {"11001": "a", "11002": "a"}
    p3 = p0.delete("a").rename("b", "Beta")
    assert p3.display_name("b") == "Beta" and list(p3.assignment.index) == ["11002"]
    with pytest.raises(PlanError):
        p0.add_cluster("a")


def test_write_plan_atomic_roundtrip(tmp_path):
    plan = Plan.from_assignment(2018, {"11001": "a", "11009": "b"}, {"a": "Alfa"})
    out = write_plan_atomic(plan, tmp_path / "sub" / "plan.csv")
    text = out.read_text()
    assert text.splitlines() == ["nis_code,cluster,cluster_name", "11001,a,Alfa", "11009,b,b"]
    assert [p.name for p in out.parent.iterdir()] == ["plan.csv"]  # no temp file left


def test_write_plan_atomic_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "plan.csv"
    target.write_text("old")
    plan = Plan.from_assignment(2018, {"11001": "a"})

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        write_plan_atomic(plan, target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]
