"""The evaluator on a synthetic grid (tests/conftest.py toy_units): facts, violations, budget,
moves, alignment and coverage against the geo functions."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.contiguity import build_adjacency
from geo.coverage import coverage
from geo.errors import GridError
from geo.layers import Layer, make_layer
from geo.overlap import cluster_alignment
from geo.plans import Plan
from scenarios.definitions import load_scenario, with_scenario_overrides
from scenarios.evaluate import Evaluator, evaluate_facts
from scenarios.model import ClusterFacts, Violation
from scenarios.rules import load_rule_set, with_overrides
from tests.conftest import toy_population, toy_units

RS = load_rule_set("regierol-2012")
# populations: 11001..11009 = 10k..90k, 31001 = 100k, 31002 = 110k; 11005 (50k) is a centrumstad


def make_ev(unemployment=None, comparison=None) -> Evaluator:
    u = toy_units()
    return Evaluator(
        2018, u["name"].to_dict(), toy_population(u), u.index[u["centrumstad"]],
        build_adjacency(u), unemployment=unemployment, comparison=comparison,
    )  # fmt: skip


def rates() -> pd.Series:
    s = pd.Series({"11001": 5.0, "11002": 10.0, "11003": float("nan"), "11004": 4.0,
                   "11005": 8.0, "11006": 3.0, "11007": 2.0, "11008": 6.0, "11009": 1.0,
                   "31001": 7.0, "31002": 9.0})  # fmt: skip
    s.attrs = {"grid": 2018}
    return s


def layer() -> Layer:
    reg = {c: ("Noord" if c in ("11001", "11002", "11003", "31001") else "Zuid")
           for c in toy_units().index if c != "31002"}  # fmt: skip
    df = pd.DataFrame({"nis_code": list(reg), "region": list(reg.values()), "weight": 1.0})
    return make_layer(df, 2018, "vervoerregio", "vervoerregio", False, "table")


PLAN = Plan.from_assignment(
    2018,
    {"11001": "a", "11002": "a", "11003": "a",  # 60k, contiguous, no centrumstad
     "11004": "b", "11005": "b",  # 90k with centrumstad (50k alone -> 25k)
     "11007": "c", "11009": "c"},  # 160k, two parts, no centrumstad
    {"a": "Noord", "b": "Midden", "c": "Zuid"},
)  # fmt: skip


def test_facts_and_subsidy():
    ev = make_ev(rates())
    res = ev.evaluate(ev.state(PLAN), RS, load_scenario("terreinregisseur"))
    a, b, c = (res.cluster(x) for x in "abc")
    assert (a.facts.population, a.subsidy.amount_eur, a.eligible) == (60_000, 25_000, True)
    assert (b.facts.population, b.subsidy.amount_eur) == (90_000, 50_000)
    assert [cs.name for cs in b.facts.centrumsteden] == ["Gem5"]
    assert b.subsidy.cap_eur == 75_000
    assert (c.facts.population, c.subsidy.band_amount_eur, c.subsidy.amount_eur) == (
        160_000, 75_000, 50_000)  # fmt: skip
    assert c.facts.n_parts == 2
    assert res.total_subsidy_eur == 125_000 and res.within_budget
    # unemployment: 11003 missing -> weighted over 11001, 11002 only
    assert a.facts.unemployment_missing == ("11003",)
    assert math.isclose(a.facts.unemployment_rate, (10_000 * 5 + 20_000 * 10) / 30_000)
    assert any("11003" in n for n in res.notes)
    # structured violations
    rules = {v.rule_id for v in c.violations}
    assert {"contiguity", "scale_max_population"} <= rules
    assert all(isinstance(v, Violation) and v.message_nl and v.message_en for v in res.violations)
    cov = [v for v in res.plan_violations if v.rule_id == "coverage"]
    assert cov and cov[0].observed == 7 and cov[0].limit == 11
    assert res.violation_counts["contiguity"] == 1


def test_below_minimum_is_ineligible_error():
    plan = Plan.from_assignment(2018, {"11001": "x", "11002": "x"})
    ev = make_ev()
    res = ev.evaluate(ev.state(plan), RS, None)
    x = res.cluster("x")
    assert not x.eligible and x.subsidy.amount_eur == 0
    (v,) = x.violations
    assert (v.rule_id, v.severity, v.observed, v.limit) == ("min_population", "error", 30_000,
                                                            60_000)  # fmt: skip
    assert res.to_dict()["clusters"][0]["violations"][0]["rule_id"] == "min_population"


def test_budget_ranking_centrumstad_first_then_unemployment():
    ev = make_ev(rates())
    # three clusters of 25k/50k: budget 60k -> b (centrumstad) first, then highest unemployment
    plan = Plan.from_assignment(
        2018, {"11004": "b", "11005": "b", "11001": "a", "11002": "a", "11003": "a",
               "11009": "d"},  # d: 90k, rate 1.0 -> 50k
    )  # fmt: skip
    st = ev.state(plan)
    res = ev.evaluate(st, RS, None, budget=60_000)
    assert res.total_subsidy_eur == 125_000 and not res.within_budget
    assert res.cluster("b").rank == 1 and res.cluster("b").funded_eur == 50_000
    assert res.cluster("a").rank == 2 and res.cluster("a").funded_eur == 10_000  # partial
    assert res.cluster("d").rank == 3 and res.cluster("d").funded_eur == 0
    assert res.total_funded_eur == 60_000
    assert res.violation_counts["budget"] == 3  # plan-level + a + d
    none = with_overrides(RS, budget_marginal="none")
    res2 = ev.evaluate(st, none, None, budget=60_000)
    assert res2.cluster("a").funded_eur == 0 and res2.total_funded_eur == 50_000
    # rule set budget parameter works too
    assert ev.evaluate(st, with_overrides(RS, budget_eur=60_000), None).budget_eur == 60_000


def test_unknown_unemployment_ranked_last():
    ev = make_ev()  # no rates at all
    plan = Plan.from_assignment(2018, {"11006": "a", "11009": "d"})
    res = ev.evaluate(ev.state(plan), RS, None, budget=30_000)
    assert res.cluster("a").facts.unemployment_rate is None
    assert [res.cluster(c).rank for c in "ad"] == [1, 2]  # tie on unknown: by id


def test_move_equals_fresh_state():
    ev = make_ev(rates(), layer())
    st = ev.state(PLAN)
    moved = ev.move(st, "11008", "c")
    fresh = ev.state(PLAN.assign("11008", "c"))
    assert moved.facts == fresh.facts
    sc = load_scenario("beleidsregisseur")
    assert ev.evaluate(moved, RS, sc) == ev.evaluate(fresh, RS, sc)
    moved2 = ev.move(moved, "11001", None)
    assert moved2.facts["a"].members == ("11002", "11003")
    with pytest.raises(GridError):
        ev.move(st, "99999", "a")


def test_alignment_matches_geo_overlap():
    ev = make_ev(comparison=layer())
    u = toy_units()
    pop = toy_population(u)
    plan = PLAN.assign("11004", "a").assign("31002", "c")
    st = ev.state(plan)
    ref = cluster_alignment(plan, layer(), pop).set_index("cluster")
    for cl, f in st.facts.items():
        assert f.dominant_region == ref.at[cl, "dominant_region"]
        assert math.isclose(f.dominant_share, ref.at[cl, "dominant_share"])
        assert f.regions_touched == ref.at[cl, "regions_touched"]
    sc = with_scenario_overrides(load_scenario("beleidsregisseur"), alignment_threshold=0.95)
    res = ev.evaluate(st, RS, sc)
    al = [v for v in res.violations if v.rule_id == "alignment"]
    assert {v.cluster for v in al} == {"a", "c"}
    assert res.cluster("b").aligned is True and res.cluster("a").aligned is False


def test_coverage_matches_geo_coverage():
    u = toy_units()
    pop = toy_population(u)
    ev = make_ev()
    cov = coverage(PLAN, u, pop, build_adjacency(u))
    mine = ev.coverage(ev.state(PLAN))
    assert mine.n_municipalities_covered == cov.n_municipalities_covered
    assert mine.population_covered == cov.population_covered
    assert list(mine.uncovered) == cov.uncovered


def test_split_unit_reports_unique_membership():
    m = pd.DataFrame({"nis_code": ["11007", "11008", "11008", "11009"],
                      "cluster": ["c", "c", "d", "d"], "share": [1.0, 0.4, 0.6, 1.0]})  # fmt: skip
    plan = Plan.from_frame(2018, m, {"c": "C", "d": "D"})
    ev = make_ev()
    st = ev.state(plan)
    assert st.facts["c"].population == 70_000 + 32_000
    res = ev.evaluate(st, RS, None)
    (v,) = [v for v in res.plan_violations if v.rule_id == "unique_membership"]
    assert v.severity == "error" and v.observed == 2 and v.limit == 1 and "11008" in v.message_en
    assert not res.passes


def test_population_override_and_evaluate_facts():
    ev = make_ev()
    st = ev.state(PLAN, population_override={"a": 80_000})
    res = ev.evaluate(st, RS, None)
    assert res.cluster("a").subsidy.amount_eur == 50_000
    with pytest.raises(GridError):
        ev.state(PLAN, population_override={"zz": 1})
    f = [ClusterFacts("x", "X", ("1", "2"), 517_042), ClusterFacts("y", "Y", ("3",), 59_999)]
    out = evaluate_facts(f, RS)
    assert [c.subsidy.amount_eur for c in out.clusters] == [50_000, 0]
    assert out.scenario_id is None and out.coverage is None


def test_order_of_rows_does_not_matter():
    ev = make_ev(rates(), layer())
    m = PLAN.frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    shuffled = Plan.from_frame(2018, m, dict(reversed(list(PLAN.cluster_names.items()))))
    sc = load_scenario("bestuursregisseur")
    assert ev.evaluate(ev.state(shuffled), RS, sc) == ev.evaluate(ev.state(PLAN), RS, sc)


def test_grid_mismatch():
    ev = make_ev()
    with pytest.raises(GridError):
        ev.state(Plan.from_assignment(2019, {"11001": "a"}))


def test_partly_assigned_unit_is_a_warning():
    m = pd.DataFrame({"nis_code": ["11007", "11008"], "cluster": ["c", "c"], "share": [1.0, 0.25]})
    ev = make_ev()
    res = ev.evaluate(ev.state(Plan.from_frame(2018, m, {"c": "C"})), RS, None)
    (v,) = res.plan_violations
    assert (v.rule_id, v.severity, v.observed, v.limit) == ("partial_membership", "warning", 0.25,
                                                            1.0)  # fmt: skip
    assert res.cluster("c").facts.population == 70_000 + 20_000 and res.cluster("c").eligible


def test_evaluate_populations_without_grid():
    from scenarios.evaluate import evaluate_populations

    res = evaluate_populations(
        {"w13": 305_000, "kina": 298_423, "turnhout": 43_000, "ecompas": 62_605, "klein": 50_000},
        RS,
        n_municipalities={"turnhout": 1, "klein": 3},
        centrumsteden={"w13": [("Kortrijk", 75_000)], "turnhout": [("Turnhout", 43_000)]},
        unemployment={"kina": 4.0, "ecompas": 5.0},
        budget=150_000,
    )
    got = {c.cluster: c.subsidy.amount_eur for c in res.clusters}
    assert got == {"w13": 75_000, "kina": 50_000, "turnhout": 25_000, "ecompas": 25_000,
                   "klein": 0}  # fmt: skip
    assert res.total_subsidy_eur == 175_000 and not res.within_budget
    funded = {c.cluster: c.funded_eur for c in res.clusters}
    # centrumsteden first (turnhout, w13), then ecompas (5.0%) before kina (4.0%)
    assert funded == {"turnhout": 25_000, "w13": 75_000, "ecompas": 25_000, "kina": 25_000,
                      "klein": 0}  # fmt: skip


def test_budget_messages_keep_cluster_names_intact():
    ev = make_ev(rates())
    plan = Plan.from_assignment(2018, {"11006": "a", "11009": "d"}, {"d": "Stad A, Gemeente B"})
    res = ev.evaluate(ev.state(plan), RS, None, budget=30_000)
    v = next(v for v in res.cluster("d").violations if v.rule_id == "budget")
    assert v.message_nl.startswith("Stad A, Gemeente B: 5.000 van 50.000 EUR")
    assert v.message_en.startswith("Stad A, Gemeente B: EUR 5,000 of 50,000")


def test_incremental_coverage_and_split_units_follow_moves():
    m = pd.DataFrame({"nis_code": ["11007", "11008", "11008", "11009", "31001"],
                      "cluster": ["c", "c", "d", "d", "d"],
                      "share": [1.0, 0.4, 0.6, 1.0, 0.3]})  # fmt: skip
    plan = Plan.from_frame(2018, m, {"c": "C", "d": "D"})
    ev = make_ev()
    st = ev.state(plan)
    assert [x[0] for x in st.irregular] == ["11008", "31001"]
    for code, cl in [("11008", "c"), ("31001", None), ("11001", "d"), ("11007", None)]:
        st = ev.move(st, code, cl)
        plan = plan.assign(code, cl)
        fresh = ev.state(plan)
        assert ev.coverage(st) == ev.coverage(fresh)
        assert st.irregular == fresh.irregular
        assert ev.evaluate(st, RS, load_scenario("terreinregisseur")).violations == ev.evaluate(
            fresh, RS, load_scenario("terreinregisseur")).violations  # fmt: skip
    assert st.irregular == ()
    bare = type(st)(st.grid, st.names, st.members, st.facts)  # a state not made by the evaluator
    assert ev.evaluate(bare, RS, None).coverage == ev.coverage(fresh)
