"""Rule sets and scenarios: config loading, bands and caps, boundaries, overrides."""

from __future__ import annotations

import pytest

from geo.errors import RegiokaartError
from scenarios.definitions import load_scenario, scenario_ids, with_scenario_overrides
from scenarios.model import Centrumstad, ClusterFacts
from scenarios.params import parameter_rows
from scenarios.rules import (
    CLUSTER_RULES,
    PLAN_RULES,
    Band,
    load_rule_set,
    rule_set_ids,
    subsidy,
    with_overrides,
)


@pytest.fixture
def rs():
    return load_rule_set("regierol-2012")


def facts(pop: int, n: int = 3, cs: tuple[int, ...] = ()) -> ClusterFacts:
    members = tuple(f"1100{i}" for i in range(n))
    centra = tuple(Centrumstad(members[i], f"Stad{i}", p) for i, p in enumerate(cs))
    return ClusterFacts("c", "C", members, pop, centra)


def test_shipped_ids():
    assert "regierol-2012" in rule_set_ids()
    assert scenario_ids() == ["bestuursregisseur", "terreinregisseur", "beleidsregisseur"]


def test_bands_match_source(rs):
    assert [(b.min, b.max, b.amount) for b in rs.bands] == [
        (60000, 80000, 25000), (80000, 150000, 50000), (150000, 220000, 75000),
        (220000, 290000, 100000), (290000, 360000, 125000), (360000, 430000, 150000),
        (430000, 500000, 175000), (500000, None, 200000),
    ]  # fmt: skip
    assert rs.budget_eur == 1_875_000
    assert dict(rs.budgets) == {"call-2013": 1_850_000, "2017-2019": 1_875_000,
                                "2020-2025": 2_225_000}  # fmt: skip


@pytest.mark.parametrize(
    ("pop", "amount"),
    [(59_999, 0), (60_000, 25_000), (79_999, 25_000), (80_000, 50_000), (149_999, 50_000),
     (150_000, 50_000), (500_000, 50_000)],
)  # fmt: skip
def test_boundaries_without_centrumstad(rs, pop, amount):
    assert subsidy(facts(pop), rs).amount_eur == amount


def test_exactly_80000_is_band_2(rs):
    s = subsidy(facts(80_000), rs)
    assert (s.band, s.band_amount_eur, s.amount_eur) == (2, 50_000, 50_000)
    s = subsidy(facts(79_999), rs)
    assert (s.band, s.amount_eur) == (1, 25_000)


def test_upper_inclusive_alternative(rs):
    up = with_overrides(rs, band_boundaries="upper-inclusive")
    assert subsidy(facts(80_000), up).amount_eur == 25_000
    assert subsidy(facts(60_000), up).amount_eur == 25_000
    assert subsidy(facts(80_001), up).amount_eur == 50_000


def test_centrumstad_alone_no_minimum(rs):
    alone = ClusterFacts("t", "Turnhout", ("13040",), 43_000,
                         (Centrumstad("13040", "Turnhout", 43_000),))  # fmt: skip
    s = subsidy(alone, rs)
    assert s.amount_eur == 25_000 and s.cap_rule is None
    assert CLUSTER_RULES["min_population"](alone, rs) is None
    assert subsidy(replace_pop(alone, 517_042), rs).amount_eur == 200_000


def replace_pop(f: ClusterFacts, pop: int) -> ClusterFacts:
    cs = tuple(Centrumstad(c.nis_code, c.name, pop) for c in f.centrumsteden)
    return ClusterFacts(f.cluster, f.name, f.members, pop, cs)


def test_cap_with_centrumstad(rs):
    # Kortrijk ~75k alone -> 25k; W13 305k -> band 125k, capped at 25k + 50k
    s = subsidy(facts(305_000, 13, (75_000,)), rs)
    assert (s.band_amount_eur, s.cap_eur, s.amount_eur, s.capped) == (125_000, 75_000, 75_000, True)
    assert s.cap_rule == "cap_centrumstad_extra"
    # Brugge ~118k alone -> 50k; 280k -> band 100k, cap 100k
    assert subsidy(facts(280_456, 10, (118_000,)), rs).amount_eur == 100_000


def test_cap_without_centrumstad(rs):
    s = subsidy(facts(298_423, 20), rs)
    assert (s.band_amount_eur, s.amount_eur, s.cap_rule) == (125_000, 50_000,
                                                             "cap_without_centrumstad")  # fmt: skip


def test_two_centrumsteden_largest_and_warning(rs):
    f = facts(280_000, 10, (118_000, 71_000))
    assert subsidy(f, rs).cap_eur == 100_000  # largest (50k) + 50k
    v = CLUSTER_RULES["multiple_centrumsteden"](f, rs)
    assert v is not None and v.severity == "warning" and v.observed == 2
    summed = with_overrides(rs, multiple_centrumsteden="sum")
    assert subsidy(f, summed).cap_eur == 125_000


def test_centrumstad_with_others_below_minimum_is_not_exempt(rs):
    f = facts(55_000, 2, (43_000,))
    v = CLUSTER_RULES["min_population"](f, rs)
    assert v is not None and v.severity == "error" and v.limit == 60_000


def test_override_min_population(rs):
    rs100 = with_overrides(rs, min_population=100_000)
    assert rs100.min_population == 100_000 and rs.min_population == 60_000
    assert dict(rs100.overrides) == {"min_population": 100_000}
    assert subsidy(facts(90_000), rs100).amount_eur == 0
    assert subsidy(facts(100_000), rs100).amount_eur == 50_000
    low = with_overrides(rs, min_population=50_000)  # below band 1: band 1 applies
    assert subsidy(facts(55_000), low).amount_eur == 25_000


def test_override_bands_and_errors(rs):
    new = with_overrides(rs, bands=[(60_000, 100_000, 30_000), (100_000, None, 60_000)])
    assert subsidy(facts(120_000), new).amount_eur == 50_000  # capped
    with pytest.raises(RegiokaartError, match="Unknown parameter"):
        with_overrides(rs, minimum=1)
    with pytest.raises(RegiokaartError, match="min_population"):
        with_overrides(rs, min_population=-1)
    with pytest.raises(RegiokaartError, match="consecutive"):
        with_overrides(rs, bands=[(60_000, 90_000, 1), (100_000, None, 2)])


def test_unknown_ids_list_known():
    with pytest.raises(RegiokaartError, match="regierol-2012"):
        load_rule_set("nope")
    with pytest.raises(RegiokaartError, match="beleidsregisseur"):
        load_scenario("nope")


def test_every_parameter_has_a_source_and_assumptions_a_reason(rs):
    objs = [rs, *(load_scenario(s) for s in scenario_ids())]
    for obj in objs:
        rows = parameter_rows(obj)
        assert rows
        for r in rows:
            assert r["source"], f"{obj.id}.{r['name']} has no source"
            assert r["label_nl"] and r["label_en"]
            if r["assumption"]:
                assert len(r["reason"]) > 20, f"{obj.id}.{r['name']}"
    assert set(rs.rules) <= {*CLUSTER_RULES, *PLAN_RULES}


def test_scenarios_content():
    b = load_scenario("beleidsregisseur")
    assert b.comparison_layer == "vervoerregio" and not b.single_municipality_fits
    assert "Subregio" in b.scale_nl
    for sid in ("bestuursregisseur", "terreinregisseur"):
        s = load_scenario(sid)
        assert s.single_municipality_fits and "kleine cluster" in s.scale_nl
        assert s.meta["max_municipalities"].assumption
        assert s.meta["max_population"].assumption
    s = with_scenario_overrides(load_scenario("terreinregisseur"), max_municipalities=8)
    assert s.max_municipalities == 8 and s.overrides == {"max_municipalities": 8}
    with pytest.raises(RegiokaartError, match="comparison_layer"):
        with_scenario_overrides(b, comparison_layer="no-such-layer")


def test_band_contains():
    b = Band(80_000, 150_000, 50_000)
    assert b.contains(80_000) and not b.contains(150_000)
