"""The proposal engine on k x k grids of squares (hypothesis) and on the real 2019 grid."""

from __future__ import annotations

import json
from collections.abc import Collection

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.contiguity import n_parts
from geo.layers import make_layer
from geo.plans import Plan
from scenarios.definitions import Scenario, load_scenario, with_scenario_overrides
from scenarios.evaluate import Evaluator
from scenarios.propose import ProposalResult, propose, repair
from scenarios.propose.adapter import plan_rows
from scenarios.rules import RuleSet, load_rule_set, with_overrides

RS = load_rule_set("regierol-2012")
BESTUUR = load_scenario("bestuursregisseur")
BELEID = load_scenario("beleidsregisseur")


def square_evaluator(
    k: int, populations: list[int], centra: Collection[int] = (), halves: bool = False
) -> Evaluator:
    """k x k squares 10001.. row by row, rook neighbours; ``halves``: a comparison layer with
    the left and the right half of the grid as regions."""
    codes = [f"1{i + 1:04d}" for i in range(k * k)]
    adj: dict[str, frozenset[str]] = {}
    for i, c in enumerate(codes):
        r, q = divmod(i, k)
        nb = [(r + dr, q + dq) for dr, dq in ((-1, 0), (1, 0), (0, -1), (0, 1))]
        adj[c] = frozenset(codes[a * k + b] for a, b in nb if 0 <= a < k and 0 <= b < k)
    comparison = None
    if halves:
        comparison = make_layer(
            pd.DataFrame(
                {
                    "nis_code": codes,
                    "region": ["west" if i % k < (k + 1) // 2 else "oost" for i in range(k * k)],
                    "weight": 1.0,
                }
            ),
            2019, "halves", "halves", False, "table",
        )  # fmt: skip
    return Evaluator(
        2019,
        {c: f"G{i}" for i, c in enumerate(codes)},
        dict(zip(codes, populations, strict=True)),
        [codes[i] for i in sorted(centra)],
        adj,
        comparison=comparison,
    )


def run(ev: Evaluator, rs: RuleSet, sc: Scenario, **kw: object) -> ProposalResult:
    return propose(None, rs, sc, evaluator=ev, time_limit=5.0, **kw)  # type: ignore[arg-type]


def check_result(ev: Evaluator, rs: RuleSet, sc: Scenario, res: ProposalResult) -> None:
    """Every cluster contiguous and within bounds, or the broken rule is in ``unmet``."""
    unmet = {(u.rule_id, u.cluster) for u in res.unmet}
    members: dict[str, list[str]] = {}
    for code, cl, _ in plan_rows(res.plan):
        members.setdefault(cl, []).append(code)
    for cl, ms in members.items():
        pop = round(sum(ev.pop[c] for c in ms))
        n = len(ms)
        alone_cs = n == 1 and ms[0] in ev.centrumsteden
        single = sc.single_municipality_fits and n == 1
        if n_parts(ms, ev.adjacency) != 1:
            assert ("contiguity", cl) in unmet
        if pop < rs.min_population and not alone_cs:
            assert ("min_population", cl) in unmet
        if sc.max_population and pop > sc.max_population and not single:
            assert ("scale_max_population", cl) in unmet
        if sc.min_population and pop < sc.min_population and not single:
            assert ("scale_min_population", cl) in unmet
        if sc.max_municipalities and n > sc.max_municipalities:
            assert ("scale_max_municipalities", cl) in unmet
    for u in res.unmet:
        assert u.reason
        assert u.municipalities or u.cluster is None


populations = st.integers(min_value=2_000, max_value=90_000)


@st.composite
def grids(draw: st.DrawFn) -> tuple[int, list[int], set[int]]:
    k = draw(st.integers(min_value=2, max_value=6))
    pops = draw(st.lists(populations, min_size=k * k, max_size=k * k))
    centra = set(draw(st.lists(st.integers(0, k * k - 1), max_size=2)))
    return k, pops, centra


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids(), st.booleans(), st.integers(0, 3))
def test_bounds_hold_or_are_reported(
    grid: tuple[int, list[int], set[int]], halves: bool, seed: int
) -> None:
    k, pops, centra = grid
    ev = square_evaluator(k, pops, centra, halves)
    for sc in (BESTUUR, BELEID):
        if not halves:
            sc = with_scenario_overrides(sc, comparison_layer="")
        res = run(ev, RS, sc, seed=seed)
        check_result(ev, RS, sc, res)
        covered = [code for code, _, _ in plan_rows(res.plan)]
        assert sorted(covered) == sorted(ev.codes)  # every municipality in exactly one cluster


@settings(max_examples=15, deadline=None)
@given(grids(), st.integers(0, 10))
def test_same_seed_same_plan(grid: tuple[int, list[int], set[int]], seed: int) -> None:
    k, pops, centra = grid
    ev = square_evaluator(k, pops, centra, halves=True)
    a = run(ev, RS, BESTUUR, seed=seed)
    b = run(ev, RS, BESTUUR, seed=seed)
    assert a.csv_text() == b.csv_text()


def test_infeasible_is_reported() -> None:
    ev = square_evaluator(3, [5_000] * 9)  # 45,000 inhabitants in all: no cluster reaches 60,000
    res = run(ev, RS, with_scenario_overrides(BESTUUR, comparison_layer=""))
    assert res.unmet
    assert {u.rule_id for u in res.unmet} == {"min_population"}
    assert "45,000" in res.unmet[0].reason
    assert len(plan_rows(res.plan)) == 9


def test_max_municipalities_infeasible_is_reported() -> None:
    # 16 municipalities of 9,000: at most 6 per cluster gives 54,000 < 60,000
    ev = square_evaluator(4, [9_000] * 16)
    res = run(ev, RS, with_scenario_overrides(BESTUUR, comparison_layer=""))
    assert any(u.rule_id in ("min_population", "scale_max_municipalities") for u in res.unmet)
    check_result(ev, RS, BESTUUR, res)


def test_feasible_grid_meets_everything() -> None:
    ev = square_evaluator(4, [20_000] * 16, halves=True)  # 3 of 20,000 = 60,000
    res = run(ev, RS, BESTUUR)
    assert not res.unmet
    assert res.n_clusters == 5 or res.n_clusters == 4


def test_start_clusters_that_meet_everything_are_kept() -> None:
    ev = square_evaluator(4, [20_000] * 16, halves=True)
    codes = list(ev.codes)
    good = {codes[0]: "a", codes[1]: "a", codes[4]: "a"}  # west half, 60,000, contiguous
    bad = {codes[2]: "b", codes[3]: "b"}  # 40,000: below the minimum
    start = Plan.from_assignment(2019, {**good, **bad}, {"a": "A", "b": "B"}, "start")
    res = run(ev, RS, BESTUUR, start=start)
    assert res.kept == ("a",)
    rows = {code for code, cl, _ in plan_rows(res.plan) if cl == "a"}
    assert rows == set(good)
    assert not res.unmet
    # repair touches only failing clusters and covers only the plan's municipalities
    rep = repair(None, start, RS, BESTUUR, evaluator=ev)
    assert {code for code, _, _ in plan_rows(rep.plan)} == set(good) | set(bad)
    assert rep.kept == ("a",)
    assert any(u.rule_id == "min_population" for u in rep.unmet)  # 40,000 alone cannot be fixed


def test_progress_is_reported() -> None:
    ev = square_evaluator(3, [30_000] * 9)
    seen: list[float] = []
    run(
        ev,
        RS,
        with_scenario_overrides(BESTUUR, comparison_layer=""),
        progress=lambda f, m: seen.append(f),
    )
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_lowered_minimum_is_used() -> None:
    ev = square_evaluator(3, [30_000] * 9)
    rs = with_overrides(RS, min_population=30_000)
    res = run(ev, rs, with_scenario_overrides(BESTUUR, comparison_layer=""))
    assert not res.unmet


# ============================================================================ real data
@pytest.fixture(scope="module")
def real(data_dir):
    from geo.context import load_grid_data, load_plan, plan_path

    gd = load_grid_data(2019, 2020, data_dir)
    return gd, load_plan(plan_path("partnerships-2017"), gd)


def _kept_identical(res: ProposalResult, start: Plan) -> None:
    """Kept clusters have the same municipalities; a share changes only where the cluster took
    the rest of a municipality the start plan split (noted)."""
    start_rows = plan_rows(start)
    out_rows = plan_rows(res.plan)
    for cl in res.kept:
        before = {c: s for c, k, s in start_rows if k == cl}
        after = {c: s for c, k, s in out_rows if k == cl}
        assert set(before) == set(after)
        for c in before:
            if before[c] != after[c]:
                assert any(n.startswith(f"split municipality {c}") for n in res.plan.notes)
                assert after[c] == 1.0


@pytest.mark.realdata
def test_real_bestuursregisseur(real) -> None:
    gd, start = real
    res = propose(gd, RS, BESTUUR, layer="referentieregio", start=start, time_limit=8)
    assert res.elapsed_s < 10
    assert len({c for c, _, _ in plan_rows(res.plan)}) == 300
    assert res.kept
    _kept_identical(res, start)
    ev = Evaluator.from_grid_data(gd)
    check_result(ev, RS, BESTUUR, res)
    counted = {(u.rule_id, u.cluster) for u in res.unmet}
    for v in res.evaluation.violations:
        if v.rule_id not in ("budget", "coverage"):
            assert (v.rule_id, v.cluster) in counted


@pytest.mark.realdata
def test_real_beleidsregisseur(real) -> None:
    gd, start = real
    res = propose(gd, RS, BELEID, layer="vervoerregio", start=start, time_limit=8)
    assert res.elapsed_s < 10
    _kept_identical(res, start)
    unmet = {(u.rule_id, u.cluster) for u in res.unmet}
    for c in res.evaluation.clusters:
        if c.facts.population < 150_000:
            assert ("scale_min_population", c.cluster) in unmet
        if c.facts.dominant_share is not None and c.facts.dominant_share < 0.9:
            assert ("alignment", c.cluster) in unmet


@pytest.mark.realdata
def test_cli_propose_and_repair(data_dir, tmp_path, capsys) -> None:
    from regiokaart_cli import main

    out = tmp_path / "voorstel.csv"
    args = ["--grid", "2019", "--population-year", "2020", "--data-dir", str(data_dir)]
    code = main(
        ["propose", *args, "--scenario", "beleidsregisseur", "--start", "partnerships-2017",
         "--seed", "1", "--time-limit", "5", "--out", str(out), "--format", "json"]
    )  # fmt: skip
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    for key in ("n_clusters", "n_changed", "elapsed_s", "violations", "unmet"):
        assert key in d
    text = out.read_text()
    assert text.startswith("nis_code,cluster,cluster_name")
    assert code == 0
    out2 = tmp_path / "hersteld.csv"
    code = main(
        ["repair", *args, "--scenario", "bestuursregisseur", "--plan", "partnerships-2020",
         "--out", str(out2)]
    )  # fmt: skip
    assert code == 0
    assert "unmet:" in capsys.readouterr().out
    assert main(["repair", *args, "--scenario", "bestuursregisseur", "--plan", str(out2),
                 "--out", str(out2)]) == 2  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(grids(), st.integers(0, 5))
def test_kept_start_clusters_stay_identical(
    grid: tuple[int, list[int], set[int]], seed: int
) -> None:
    """Start plan: one cluster per row of the grid; rows that meet everything are kept."""
    k, pops, centra = grid
    ev = square_evaluator(k, pops, centra, halves=True)
    codes = list(ev.codes)
    start = Plan.from_assignment(2019, {c: f"row{i // k}" for i, c in enumerate(codes)})
    res = run(ev, RS, BESTUUR, start=start, seed=seed)
    for cl in res.kept:
        assert {c for c, k2, _ in plan_rows(res.plan) if k2 == cl} == set(start.members(cl))
    check_result(ev, RS, BESTUUR, res)


def test_cover_start_only_places_the_start_municipalities() -> None:
    ev = square_evaluator(4, [20_000] * 16, halves=True)
    codes = list(ev.codes)
    start = Plan.from_assignment(2019, {c: "a" for c in codes[:8]})  # two rows, 160,000
    res = run(ev, RS, BESTUUR, start=start, cover="start")
    assert {c for c, _, _ in plan_rows(res.plan)} == set(codes[:8])
    assert not res.kept  # 8 municipalities, 160,000: too big for a small cluster
    assert not res.unmet
    assert not res.added


@pytest.mark.realdata
def test_cli_layer_file(data_dir, tmp_path, capsys) -> None:
    from regiokaart_cli import main

    layer = tmp_path / "provincie.csv"
    from geo.context import load_grid_data

    gd = load_grid_data(2019, 2020, data_dir)
    pd.DataFrame({"nis_code": gd.units.index, "region": gd.units["province"]}).to_csv(
        layer, index=False
    )
    out = tmp_path / "v.csv"
    code = main(
        ["propose", "--grid", "2019", "--population-year", "2020", "--data-dir", str(data_dir),
         "--scenario", "beleidsregisseur", "--layer", str(layer), "--out", str(out),
         "--format", "json"]
    )  # fmt: skip
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert d["layer"] == "provincie"
    assert d["n_changed"] == 0 and d["n_added"] == 300
    assert all(u["rule_id"] != "alignment" for u in d["unmet"])


def test_unblock_releases_kept_clusters_around_a_pocket() -> None:
    pops = [20_000] * 9
    pops[2] = 5_000  # the top-right corner, between the two kept clusters
    ev = square_evaluator(3, pops)
    codes = list(ev.codes)
    start = Plan.from_assignment(
        2019, {**{codes[i]: "a" for i in (0, 1, 3, 4)}, **{codes[i]: "b" for i in (5, 6, 7, 8)}}
    )
    sc = with_scenario_overrides(BESTUUR, comparison_layer="")
    kept = run(ev, RS, sc, start=start)
    assert kept.kept == ("a", "b")
    assert [u.municipalities for u in kept.unmet] == [(codes[2],)]
    assert "fewer than 60,000" in kept.unmet[0].reason
    seen: list[float] = []
    free = run(ev, RS, sc, start=start, keep="unblock", progress=lambda f, m: seen.append(f))
    assert free.released == ("a", "b")
    assert not free.unmet
    assert seen == sorted(seen) and seen[-1] == 1.0
    check_result(ev, RS, sc, free)


@settings(max_examples=30, deadline=None)
@given(
    grids(),
    st.integers(0, 200_000),
    st.integers(0, 400_000),
    st.integers(0, 8),
    st.booleans(),
    st.integers(0, 100_000),
)
def test_any_parameters_terminate_and_report(
    grid: tuple[int, list[int], set[int]],
    min_pop: int,
    max_pop: int,
    max_mun: int,
    single: bool,
    rule_min: int,
) -> None:
    k, pops, centra = grid
    ev = square_evaluator(k, pops, centra, halves=True)
    sc = with_scenario_overrides(
        BESTUUR,
        min_population=min_pop,
        max_population=0 if max_pop < min_pop else max_pop,
        max_municipalities=max_mun,
        single_municipality_fits=single,
    )
    rs = with_overrides(RS, min_population=rule_min)
    res = propose(None, rs, sc, evaluator=ev, time_limit=2.0)
    check_result(ev, rs, sc, res)
    assert sorted(c for c, _, _ in plan_rows(res.plan)) == sorted(ev.codes)


def test_split_municipality_joins_its_kept_cluster() -> None:
    from scenarios.propose.adapter import build_plan

    ev = square_evaluator(3, [20_000] * 9)
    codes = list(ev.codes)
    # "a": 3 x 20,000 + 0.6 of codes[4] = 72,000, meets everything
    rows = [(codes[0], "a", 1.0), (codes[1], "a", 1.0), (codes[3], "a", 1.0), (codes[4], "a", 0.6)]
    rows += [(codes[4], "b", 0.4), (codes[5], "b", 1.0)]  # 'b': 28,000, below the minimum
    start = build_plan(2019, rows, {"a": "A", "b": "B"}, "start")
    res = run(ev, RS, with_scenario_overrides(BESTUUR, comparison_layer=""), start=start)
    assert res.kept == ("a",)
    out = plan_rows(res.plan)
    assert (codes[4], "a", 1.0) in out
    assert sum(1 for c, _, _ in out if c == codes[4]) == 1  # in one cluster only
    assert not any(u.rule_id == "unique_membership" for u in res.unmet)


def test_layer_covering_part_of_the_grid() -> None:
    """Municipalities the layer has no region for are grouped among themselves; their alignment
    is reported with the reason."""
    ev0 = square_evaluator(4, [50_000] * 16)
    codes = list(ev0.codes)
    comparison = make_layer(
        pd.DataFrame({"nis_code": codes[:4], "region": "noord", "weight": 1.0}),
        2019, "noord", "noord", True, "table",
    )  # fmt: skip
    ev = Evaluator(2019, ev0.names, ev0.pop, [], ev0.adjacency, comparison=comparison)
    res = run(ev, RS, BELEID)
    # the 4 municipalities of "noord" form their own cluster; the other 12 one more
    assignment = pd.Series(res.plan.assignment)
    noord = set(assignment[codes[:4]])
    assert len(noord) == 1 and set(assignment[assignment == noord.pop()].index) == set(codes[:4])
    assert res.n_clusters == 2
    for u in res.unmet:
        assert u.rule_id == "alignment"
        assert u.reason == "the comparison layer has no region for these municipalities"
    check_result(ev, RS, BELEID, res)
