"""Real data: the 32 partnerships of 2017-2019 against the seed table's subsidies (EUR 1,875,000),
with the seed's own inhabitant figures and with Statbel population of 1 January 2016."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.context import load_grid_data, load_plan, plan_path
from geo.layers import load_layer
from geo.overlap import cluster_alignment
from geo.settings import PARTNERSHIPS_DIR
from scenarios.definitions import load_scenario
from scenarios.evaluate import Evaluator, evaluate
from scenarios.inputs import load_unemployment
from scenarios.rules import load_rule_set, with_overrides

pytestmark = pytest.mark.realdata

RS = load_rule_set("regierol-2012")
# the seed ../shared/seeds/002_f9a1f878afa8c9a6.txt, last line of the partnerships table: "1.875.000 €"
SEED_TOTAL_EUR = 1_875_000
# Statbel 1 Jan 2016 differs from the seed table's inhabitants for two partnerships (see
# data/partnerships/partnerships_2017_2019.meta.toml); neither difference crosses a band boundary.
# (Statbel, seed): the Statbel figures are recomputed from the raw workbook in the test; the seed's
# are its table rows ("ISOM ... 7 102.499"; Stadsregio Turnhout 91.952).
POPULATION_DIFFERENCES = {"turnhout": (85_036, 91_952), "isom": (102_492, 102_499)}


def raw_cluster_population_2016(data_dir) -> dict[str, int]:
    """1 Jan 2016 inhabitants per 2017-2019 partnership, from the raw Statbel workbook and the
    shipped plan CSV, read with pandas only (an independent path from geo/ and scenarios/)."""
    sheet = pd.read_excel(
        data_dir / "population" / "Bevolking_per_gemeente.xlsx",
        sheet_name="Bevolking in 2016",
        header=None,
        dtype=str,
    )
    pop = sheet.dropna(subset=[0]).set_index(sheet[0].dropna().str.strip())[4]
    members = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.csv", dtype=str)
    members["population"] = members["nis_code"].map(pop).astype(int)
    return {str(k): int(v) for k, v in members.groupby("cluster")["population"].sum().items()}


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    return pd.read_csv(
        PARTNERSHIPS_DIR / "partnerships_2017_2019.clusters.csv", dtype={"cluster": str}
    ).set_index("cluster")


@pytest.fixture(scope="module")
def gd(data_dir):
    return load_grid_data(2018, 2016, data_dir)


@pytest.fixture(scope="module")
def plan(gd):
    return load_plan(plan_path("partnerships-2017"), gd)


@pytest.fixture(scope="module")
def unemployment(data_dir):
    return load_unemployment(data_dir)


def test_seed_populations_reproduce_every_subsidy(seed, gd, plan, unemployment):
    override = {c: int(p) for c, p in seed["seed_population"].items()}
    ev = evaluate(plan, RS, load_scenario("terreinregisseur"), gd, unemployment=unemployment,
                  population_override=override)  # fmt: skip
    assert len(ev.clusters) == 32
    got = {c.cluster: c.subsidy.amount_eur for c in ev.clusters}
    assert got == {c: int(a) for c, a in seed["seed_subsidy_eur"].items()}
    assert {c.cluster: c.facts.population for c in ev.clusters} == override
    assert ev.total_subsidy_eur == SEED_TOTAL_EUR == ev.budget_eur
    assert ev.within_budget and ev.total_funded_eur == SEED_TOTAL_EUR
    assert all(c.eligible for c in ev.clusters)
    flags = {c.cluster: c.facts.has_centrumstad for c in ev.clusters}
    assert flags == {c: str(v).lower() == "true" for c, v in seed["has_centrumstad"].items()}


def test_statbel_2016_gives_the_same_amounts(seed, gd, plan, unemployment, data_dir):
    ev = evaluate(plan, RS, load_scenario("beleidsregisseur"), gd, unemployment=unemployment)
    got = {c.cluster: c.subsidy.amount_eur for c in ev.clusters}
    assert got == {c: int(a) for c, a in seed["seed_subsidy_eur"].items()}
    assert ev.total_subsidy_eur == SEED_TOTAL_EUR
    pops = {c.cluster: c.facts.population for c in ev.clusters}
    assert pops == raw_cluster_population_2016(data_dir)
    diffs = {c: (pops[c], int(seed.at[c, "seed_population"])) for c in pops
             if pops[c] != int(seed.at[c, "seed_population"])}  # fmt: skip
    assert diffs == POPULATION_DIFFERENCES
    for c, (statbel, table) in diffs.items():  # same band either way
        assert RS.band_index(statbel) == RS.band_index(table), c


def test_caps_and_bands_that_decide_the_seed_table(gd, plan):
    # amounts: the seed's table ("W13 (Kortrijk) 13 305.000 OCMW vereniging 75.000 €", "KINA p.v.
    # 20 298.423 ... 50.000 €", "regio Brugge 10 280.456 ... 100.000 €", "Stad Antwerpen 1 517.042
    # Centrumstad 200.000 €"); the 125,000 band: scenarios/config/rules/regierol-2012.toml
    # (290,000-360,000, "[S1] band 5")
    ev = evaluate(plan, RS, None, gd)
    w13 = ev.cluster("w13")  # Kortrijk alone (< 80k) -> 25k; band 125k capped at 75k
    assert (w13.subsidy.band_amount_eur, w13.subsidy.cap_eur, w13.subsidy.amount_eur) == (
        125_000, 75_000, 75_000)  # fmt: skip
    kina = ev.cluster("kina")  # no centrumstad: band 125k capped at 50k
    assert (kina.subsidy.band_amount_eur, kina.subsidy.amount_eur) == (125_000, 50_000)
    brugge = ev.cluster("regio-brugge")  # Brugge alone 50k -> cap 100k = band
    assert brugge.subsidy.amount_eur == 100_000 and not brugge.subsidy.capped
    assert ev.cluster("antwerpen").subsidy.amount_eur == 200_000
    assert ev.violation_counts == {}  # no scenario: no rule of the rule set is broken


def test_budget_short_ranks_centrumsteden_first(gd, plan, unemployment):
    ev = evaluate(plan, RS, None, gd, unemployment=unemployment, budget=1_500_000)
    assert not ev.within_budget and ev.total_funded_eur == 1_500_000
    ranked = sorted((c for c in ev.clusters if c.rank), key=lambda c: c.rank)
    n_cs = sum(c.facts.has_centrumstad for c in ranked)
    assert all(c.facts.has_centrumstad for c in ranked[:n_cs])
    rest = [c.facts.unemployment_rate for c in ranked[n_cs:]]
    assert rest == sorted(rest, reverse=True)
    assert all(c.funded_eur == c.subsidy.amount_eur for c in ranked[:n_cs])
    short = [c for c in ranked if c.funded_eur < c.subsidy.amount_eur]
    # the requests exceed the budget by exactly what the lowest-ranked clusters do not get
    assert sum(c.subsidy.amount_eur - c.funded_eur for c in short) == SEED_TOTAL_EUR - 1_500_000
    assert [c.rank for c in short] == list(range(len(ranked) - len(short) + 1, len(ranked) + 1))
    # one plan-level violation plus one per cluster not funded in full
    assert ev.violation_counts["budget"] == 1 + len(short) == 9


def test_herstappe_missing_unemployment_is_reported(gd, plan, unemployment):
    assert math.isnan(unemployment["73028"])
    ev = Evaluator.from_grid_data(gd, unemployment=unemployment)
    assert any("Herstappe (73028)" in n for n in ev.notes)
    state = ev.state(plan)
    holders = [f for f in state.facts.values() if "73028" in f.members]
    for f in holders:
        assert f.unemployment_missing == ("73028",) and f.unemployment_rate is not None


def test_minimum_100000_changes_eligibility(gd, plan, seed, data_dir):
    ev = evaluate(plan, with_overrides(RS, min_population=100_000), None, gd)
    small = {c.cluster for c in ev.clusters if not c.eligible}
    # independent: the partnerships below 100,000 inhabitants on 1 Jan 2016 (raw workbook)
    raw = raw_cluster_population_2016(data_dir)
    # a centrumstad applying alone has no minimum (rules/regierol-2012.toml: Leuven, Mechelen)
    alone = {
        c
        for c, row in seed.iterrows()
        if row["seed_n_municipalities"] == 1 and str(row["has_centrumstad"]).lower() == "true"
    }
    assert small == {c for c, p in raw.items() if p < 100_000} - alone
    assert "ecompas" in small and "antwerpen" not in small and "mechelen" not in small
    assert ev.violation_counts["min_population"] == len(small) == 10
    # the others keep the seed's amounts; the small ones get nothing
    assert all(c.subsidy.amount_eur == 0 for c in ev.clusters if c.cluster in small)
    kept = int(seed.loc[sorted(set(seed.index) - small), "seed_subsidy_eur"].sum())
    assert ev.total_subsidy_eur == kept == 1_475_000


def test_alignment_with_real_vervoerregio_matches_geo_overlap(data_dir):
    gd19 = load_grid_data(2019, 2019, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd19)
    layer = load_layer("vervoerregio", 2019, data_dir)
    raw = pd.read_csv(data_dir / "regions" / "vervoerregio.csv", dtype=str)
    n19 = raw.loc[raw["region_layer"] == "vervoerregio_gem2019", "nis_code"].nunique()
    assert layer["nis_code"].nunique() == n19 == 300  # complete on the 2019 grid
    ev = Evaluator.from_grid_data(gd19, comparison=layer)
    state = ev.state(plan)
    ref = cluster_alignment(plan, layer, gd19.population).set_index("cluster")
    for cl, f in state.facts.items():
        assert f.dominant_region == ref.at[cl, "dominant_region"]
        assert math.isclose(f.dominant_share, ref.at[cl, "dominant_share"], rel_tol=1e-9)
    cov = gd19.coverage(plan)
    summary = ev.coverage(state)
    assert summary.population_covered == cov.population_covered
    assert summary.n_municipalities_covered == cov.n_municipalities_covered
    l18 = load_layer("vervoerregio", 2018, data_dir)
    # every municipality of the 2018 grid (the members of the raw 2016 sheet of Statbel's workbook)
    sheet = pd.read_excel(
        data_dir / "population" / "Bevolking_per_gemeente.xlsx",
        sheet_name="Bevolking in 2016",
        header=None,
        dtype=str,
    )
    c = sheet[0].dropna().str.strip()
    n18 = c[(c.str[0].isin(list("1347")) | c.str[:2].isin(["23", "24"])) & ~c.str.endswith("000")]
    assert l18["nis_code"].nunique() == n18.nunique() == 308 and l18.attrs["grid"] == 2018


def test_evaluator_for_is_cached_and_matches_evaluate(gd, plan, unemployment, data_dir):
    from scenarios.evaluate import evaluator_for

    sc = load_scenario("beleidsregisseur")
    ev = evaluator_for(gd, sc.comparison_layer)
    assert evaluator_for(gd, sc.comparison_layer) is ev
    layer = load_layer("vervoerregio", 2018, data_dir)
    direct = evaluate(plan, RS, sc, gd, comparison=layer, unemployment=unemployment)
    assert ev.evaluate(ev.state(plan), RS, sc) == direct


def test_moved_plan_reports_split_municipality(data_dir):
    """On the 2019 grid Oudsbergen (72042) merges Meeuwen-Gruitrode and Opglabbeek, which were in
    different 2017-2019 partnerships: the moved plan splits it, and the rule reports it."""
    gd19 = load_grid_data(2019, 2019, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd19)
    ev = evaluate(plan, RS, None, gd19)
    split = [v for v in ev.plan_violations if v.rule_id == "unique_membership"]
    assert len(split) == 1 and "72042" in split[0].message_en
    assert split[0].severity == "error" and split[0].cluster is None
    partial = {v.message_en.split()[1] for v in ev.plan_violations
               if v.rule_id == "partial_membership"}  # fmt: skip
    two = set(plan.split_units.groupby("nis_code").filter(lambda g: len(g) > 1)["nis_code"])
    assert partial == set(plan.split_units["nis_code"]) - two == {"44084", "44085"}
    assert not ev.passes
