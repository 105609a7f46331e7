"""Property tests (hypothesis) on tiny synthetic grids: a path of municipalities 10001, 10002, ...
where each touches the next."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.plans import Plan
from scenarios.definitions import load_scenario, with_scenario_overrides
from scenarios.evaluate import Evaluator
from scenarios.model import Centrumstad, ClusterFacts
from scenarios.rules import load_rule_set, subsidy, with_overrides

RS = load_rule_set("regierol-2012")
SC = load_scenario("terreinregisseur")

pops = st.integers(min_value=1_000, max_value=400_000)


def path_evaluator(populations: list[int], centra: set[int]) -> Evaluator:
    codes = [f"1{i + 1:04d}" for i in range(len(populations))]
    adj = {
        c: frozenset(codes[j] for j in (i - 1, i + 1) if 0 <= j < len(codes))
        for i, c in enumerate(codes)
    }
    return Evaluator(
        2018,
        {c: f"G{i}" for i, c in enumerate(codes)},
        dict(zip(codes, populations, strict=True)),
        [codes[i] for i in centra if i < len(codes)],
        adj,
    )


@st.composite
def grid_and_plan(draw, max_n: int = 10):
    n = draw(st.integers(min_value=1, max_value=max_n))
    populations = draw(st.lists(pops, min_size=n, max_size=n))
    centra = set(draw(st.lists(st.integers(0, n - 1), max_size=3)))
    labels = draw(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=n, max_size=n))
    ev = path_evaluator(populations, centra)
    assignment = {c: lab for c, lab in zip(ev.codes, labels, strict=True) if lab is not None}
    return ev, Plan.from_assignment(2018, assignment)


@settings(max_examples=150, deadline=None)
@given(
    base=st.lists(pops, min_size=1, max_size=6),
    extra=pops,
    min_pop=st.sampled_from([60_000, 80_000, 100_000]),
)
def test_adding_a_municipality_never_lowers_subsidy_without_centrumstad(base, extra, min_pop):
    rs = with_overrides(RS, min_population=min_pop)
    members = tuple(f"m{i}" for i in range(len(base)))
    before = ClusterFacts("c", "C", members, sum(base))
    after = ClusterFacts("c", "C", (*members, "new"), sum(base) + extra)
    s0, s1 = subsidy(before, rs), subsidy(after, rs)
    assert s1.amount_eur >= s0.amount_eur
    assert s1.amount_eur <= rs.cap_without_centrumstad


@settings(max_examples=100, deadline=None)
@given(data=grid_and_plan(), extra_code=st.integers(0, 9))
def test_adding_via_move_never_lowers_subsidy_without_centrumstad(data, extra_code):
    ev, plan = data
    state = ev.state(plan)
    code = ev.codes[extra_code % len(ev.codes)]
    if code in ev.centrumsteden:
        return
    for cl, parts in state.members.items():
        f = state.facts[cl]
        if f.has_centrumstad or code in parts:
            continue
        before = ev.evaluate(state, RS).cluster(cl).subsidy.amount_eur
        moved = ev.move(state, code, cl)
        assert ev.evaluate(moved, RS).cluster(cl).subsidy.amount_eur >= before


@settings(max_examples=200, deadline=None)
@given(
    pop=st.integers(0, 1_200_000),
    n=st.integers(1, 20),
    cs=st.lists(st.integers(1_000, 600_000), max_size=3),
    extra=st.integers(0, 120_000),
    sum_rule=st.booleans(),
)
def test_caps_always_hold(pop, n, cs, extra, sum_rule):
    rs = with_overrides(
        RS, cap_centrumstad_extra=extra, multiple_centrumsteden="sum" if sum_rule else "largest"
    )
    n = max(n, len(cs))
    members = tuple(f"m{i}" for i in range(n))
    centra = tuple(Centrumstad(members[i], f"S{i}", p) for i, p in enumerate(cs))
    s = subsidy(ClusterFacts("c", "C", members, pop, centra), rs)
    assert 0 <= s.amount_eur <= s.band_amount_eur or s.amount_eur == 0
    assert s.amount_eur <= max(b.amount for b in rs.bands)
    if not centra:
        assert s.amount_eur <= rs.cap_without_centrumstad
    elif n > 1:
        alone = [rs.alone_amount(p) for p in cs]
        base = sum(alone) if sum_rule else max(alone)
        assert s.amount_eur <= base + rs.cap_centrumstad_extra


@settings(max_examples=100, deadline=None)
@given(data=grid_and_plan(), budget=st.integers(0, 600_000))
def test_budget_never_exceeded_and_funded_within_entitlement(data, budget):
    ev, plan = data
    res = ev.evaluate(ev.state(plan), RS, SC, budget=budget)
    assert res.total_funded_eur <= budget
    assert res.total_funded_eur == min(budget, res.total_subsidy_eur)
    for c in res.clusters:
        assert 0 <= c.funded_eur <= c.subsidy.amount_eur
        assert c.eligible == (c.subsidy.amount_eur > 0)
        assert c.eligible == (
            c.facts.n_municipalities > 0 and not any(v.severity == "error" for v in c.violations)
        )


@st.composite
def passing_plan(draw):
    """Every municipality 60k-70k inhabitants; clusters are runs of 1-2 neighbours covering the
    whole path with at most one centrumstad each: must pass every rule and scenario check."""
    n = draw(st.integers(1, 12))
    populations = draw(st.lists(st.integers(60_000, 70_000), min_size=n, max_size=n))
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(draw(st.integers(1, 2)), n - sum(sizes)))
    centra: set[int] = set()
    assignment: dict[str, str] = {}
    start = 0
    for k, size in enumerate(sizes):
        if draw(st.booleans()):
            centra.add(start)
        for i in range(start, start + size):
            assignment[f"1{i + 1:04d}"] = f"k{k}"
        start += size
    return path_evaluator(populations, centra), Plan.from_assignment(2018, assignment)


@settings(max_examples=100, deadline=None)
@given(data=passing_plan())
def test_a_plan_that_meets_every_rule_has_no_violations(data):
    ev, plan = data
    sc = with_scenario_overrides(SC, comparison_layer="")
    res = ev.evaluate(ev.state(plan), RS, sc, budget=10_000_000)
    assert res.passes, [v.message_en for v in res.violations]
    assert res.violations == [] and res.violation_counts == {}
    assert all(c.eligible for c in res.clusters)


@settings(max_examples=100, deadline=None)
@given(data=grid_and_plan(), seed=st.integers(0, 10_000))
def test_evaluation_is_independent_of_row_order(data, seed):
    ev, plan = data
    m = plan.frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    names = dict(sorted(plan.cluster_names.items(), reverse=True))
    shuffled = Plan.from_frame(2018, m, names)
    sc = with_scenario_overrides(SC, comparison_layer="")
    a = ev.evaluate(ev.state(plan), RS, sc, budget=100_000)
    b = ev.evaluate(ev.state(shuffled), RS, sc, budget=100_000)
    assert a == b


@settings(max_examples=100, deadline=None)
@given(
    data=grid_and_plan(),
    moves=st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["a", "b", "d", None]))),
)
def test_incremental_moves_equal_fresh_evaluation(data, moves):
    ev, plan = data
    state = ev.state(plan)
    for i, cl in moves:
        code = ev.codes[i % len(ev.codes)]
        state = ev.move(state, code, cl)
        plan = plan.assign(code, cl)
    fresh = ev.state(plan)
    nonempty = {c: f for c, f in state.facts.items() if f.n_municipalities}
    assert nonempty == {c: f for c, f in fresh.facts.items() if f.n_municipalities}
    a = ev.evaluate(state, RS, SC)
    b = ev.evaluate(fresh, RS, SC)
    assert a.total_subsidy_eur == b.total_subsidy_eur
    assert sorted(map(repr, a.violations)) == sorted(map(repr, b.violations))


def test_pandas_is_only_used_for_input():
    # guards the hot path: a state holds plain dicts, not DataFrames
    ev = path_evaluator([70_000, 80_000], set())
    state = ev.state(Plan.from_assignment(2018, {"10001": "a"}))
    assert not any(isinstance(v, pd.DataFrame) for v in vars(state).values())
