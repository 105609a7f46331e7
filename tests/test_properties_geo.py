"""Property tests (hypothesis) for plan and coverage invariants on the synthetic grid."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.contiguity import build_adjacency, components
from geo.coverage import coverage
from geo.plans import Plan, move_plan
from tests.conftest import toy_population, toy_units
from tests.test_plans_coverage import CODES_2018, toy_crosswalk

UNITS = toy_units()
POP = toy_population(UNITS)
ADJ = build_adjacency(UNITS)
CODES = list(UNITS.index)

assignments = st.dictionaries(st.sampled_from(CODES), st.sampled_from(["a", "b", "c"]))


@settings(max_examples=60, deadline=None)
@given(assignments)
def test_coverage_invariants(assign):
    cov = coverage(Plan.from_assignment(2018, assign), UNITS, POP, ADJ)
    assert cov.n_municipalities_covered == len(assign)
    assert 0 <= cov.population_covered <= cov.population_total
    assert cov.clusters["population"].sum() == cov.population_covered
    assert cov.clusters["n_municipalities"].sum() == len(assign)
    assert len(cov.uncovered) + cov.n_municipalities_covered == len(UNITS)
    assert 0.0 <= cov.population_share <= 1.0
    assert (cov.clusters["n_parts"] <= cov.clusters["n_municipalities"]).all()


@settings(max_examples=60, deadline=None)
@given(assignments, st.randoms(use_true_random=False))
def test_coverage_independent_of_row_order(assign, rnd):
    items = list(assign.items())
    rnd.shuffle(items)
    a = coverage(Plan.from_assignment(2018, assign), UNITS, POP, ADJ).to_dict()
    b = coverage(Plan.from_assignment(2018, dict(items)), UNITS, POP, ADJ).to_dict()
    assert a == b


@settings(max_examples=60, deadline=None)
@given(assignments, st.sampled_from(CODES), st.sampled_from(["a", "b", None]))
def test_assign_then_coverage(assign, code, cluster):
    plan = Plan.from_assignment(2018, assign).assign(code, cluster)
    expected = dict(assign)
    if cluster is None:
        expected.pop(code, None)
    else:
        expected[code] = cluster
    assert dict(plan.assignment) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(CODES_2018), st.sampled_from(["a", "b"])),
    st.lists(st.integers(1, 10_000), min_size=len(CODES_2018), max_size=len(CODES_2018)),
)
def test_move_plan_preserves_weighted_cluster_totals(assign, weights):
    w = pd.Series(weights, index=CODES_2018, dtype=float)
    plan = Plan.from_assignment(2018, assign)
    cw = toy_crosswalk()
    moved = move_plan(plan, 2019, cw, w)
    w19 = w.groupby(w.index.map(cw.mapping(2018, 2019))).sum()
    for cl in ("a", "b"):
        before = sum(w[c] for c, k in assign.items() if k == cl)
        m = moved.frame[moved.frame["cluster"] == cl]
        after = float((m["nis_code"].map(w19).astype(float) * m["share"]).sum())
        assert abs(before - after) < 1e-6 * max(1.0, before)
    assert (moved.frame.groupby("nis_code")["share"].sum() <= 1 + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(CODES)))
def test_components_partition_members(members):
    parts = components(members, ADJ)
    flat = [c for p in parts for c in p]
    assert sorted(flat) == sorted(members) and len(flat) == len(set(flat))
