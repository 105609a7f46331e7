"""CLI: regiokaart evaluate / rules / scenarios (real data for evaluate)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from geo.settings import PARTNERSHIPS_DIR
from scenarios.definitions import load_scenario, scenario_ids
from scenarios.rules import load_rule_set

BASE = ["evaluate", "--plan", "partnerships-2017", "--grid", "2018", "--population-year", "2016"]


def run_json(capsys, data_dir, *extra: str) -> dict:
    code = main([*BASE, "--data-dir", str(data_dir), "--format", "json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


@pytest.mark.realdata
def test_evaluate_json(capsys, data_dir):
    d = run_json(capsys, data_dir, "--scenario", "beleidsregisseur")
    # the seed: "1.875.000 €" (partnerships table); "Stad Antwerpen 1 517.042 Centrumstad 200.000 €"
    assert d["total_subsidy_eur"] == 1_875_000 and d["budget_eur"] == 1_875_000
    assert d["within_budget"] is True
    assert len(d["clusters"]) == 32
    c = {x["cluster"]: x for x in d["clusters"]}
    assert c["antwerpen"]["subsidy_eur"] == 200_000 and c["antwerpen"]["eligible"] is True
    assert c["antwerpen"]["population"] == 517_042
    assert d["comparison_layer"] == "vervoerregio"
    v = next(x for x in d["clusters"] if x["violations"])["violations"][0]
    assert set(v) == {"rule_id", "cluster", "observed", "limit", "severity", "message_nl",
                      "message_en"}  # fmt: skip


@pytest.mark.realdata
def test_evaluate_budget_and_minimum(capsys, data_dir):
    d = run_json(capsys, data_dir, "--scenario", "terreinregisseur", "--budget", "1500000",
                 "--min-population", "80000")  # fmt: skip
    assert d["budget_eur"] == 1_500_000 and d["within_budget"] is False
    assert d["parameters"]["rule_set"] == {"budget_eur": 1_500_000, "min_population": 80_000}
    # the four 60k-80k partnerships of the seed's table (no Statbel difference crosses 80,000)
    seed = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.clusters.csv")
    n_small = int(seed["seed_population"].between(60_000, 80_000, inclusive="left").sum())
    assert d["violation_counts"]["min_population"] == n_small == 4
    d = run_json(capsys, data_dir, "--scenario", "terreinregisseur", "--budget", "2020-2025")
    # [S3] of scenarios/config/rules/regierol-2012.toml: "37 lokale regisseurs" (budget 2,225,000)
    assert d["budget_eur"] == 2_225_000 and d["within_budget"] is True


@pytest.mark.realdata
def test_evaluate_table_and_xlsx(capsys, data_dir, tmp_path):
    assert main([*BASE, "--data-dir", str(data_dir), "--scenario", "bestuursregisseur"]) == 0
    out = capsys.readouterr().out
    assert "total subsidy: EUR 1,875,000" in out and "antwerpen" in out
    target = tmp_path / "e.xlsx"
    code = main([*BASE, "--data-dir", str(data_dir), "--scenario", "bestuursregisseur",
                 "--format", "xlsx", "--out", str(target)])  # fmt: skip
    assert code == 0
    capsys.readouterr()
    # the workbook holds the same evaluation as the JSON output of the same command
    d = run_json(capsys, data_dir, "--scenario", "bestuursregisseur")
    sheets = pd.read_excel(target, sheet_name=None, dtype={"cluster": str})
    assert set(sheets) == {"summary", "clusters", "violations"}
    summary = sheets["summary"].set_index("key")["value"]
    assert (summary["rule_set"], summary["scenario"]) == ("regierol-2012", "bestuursregisseur")
    clusters = sheets["clusters"].set_index("cluster")
    assert len(clusters) == len(d["clusters"]) == 32
    for c in d["clusters"]:
        row = clusters.loc[c["cluster"]]
        assert (row["population"], row["subsidy_eur"]) == (c["population"], c["subsidy_eur"])
    # the seed's amounts (data/partnerships/partnerships_2017_2019.clusters.csv, the seed's table)
    seed = pd.read_csv(
        PARTNERSHIPS_DIR / "partnerships_2017_2019.clusters.csv", dtype={"cluster": str}
    ).set_index("cluster")["seed_subsidy_eur"]
    assert clusters["subsidy_eur"].to_dict() == seed.to_dict()
    assert len(sheets["violations"]) == sum(d["violation_counts"].values())
    assert main([*BASE, "--scenario", "bestuursregisseur", "--format", "xlsx"]) == 2
    assert "needs --out" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--scenario", "nope"], "Known scenarios: bestuursregisseur, terreinregisseur"),
        (["--scenario", "terreinregisseur", "--rules", "nope"], "Known rule sets: regierol-2012"),
        (["--scenario", "terreinregisseur", "--budget", "lots"], "call-2013"),
        (["--scenario", "terreinregisseur", "--min-population", "-5"], "min_population"),
    ],
)
def test_evaluate_errors_exit_2(capsys, args, expected):
    assert main([*BASE, *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_rules_lists_every_parameter_with_source(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    rs = load_rule_set("regierol-2012")
    for name in rs.meta:
        assert f"  {name} = " in out
    assert "aanname" in out and "source:" in out
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["id"] == "regierol-2012"
    assert {p["name"] for p in data[0]["parameters"]} == set(rs.meta)


def test_scenarios_lists_every_parameter(capsys):
    assert main(["scenarios", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in data] == scenario_ids()
    for s in data:
        names = {p["name"] for p in s["parameters"]}
        assert names == set(load_scenario(s["id"]).meta)
        assert any(p["assumption"] for p in s["parameters"])
    assert main(["scenarios"]) == 0
    assert "beleidsregisseur: Beleidsregisseur" in capsys.readouterr().out


@pytest.mark.realdata
def test_evaluate_default_year_is_the_grids_latest_and_named(capsys, data_dir):
    argv = ["evaluate", "--plan", "partnerships-2017", "--grid", "2025", "--scenario",
            "beleidsregisseur", "--data-dir", str(data_dir)]  # fmt: skip
    assert main([*argv, "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["population_year"] == 2026 and d["population_year_default"] is True
    assert main(argv) == 0
    assert "population 1 January 2026 (latest year for the 2025 grid)" in capsys.readouterr().out
