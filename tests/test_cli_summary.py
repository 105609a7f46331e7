"""`regiokaart summary`: the app's one-page printable summary from the command line."""

from __future__ import annotations

import html
import json
import re

import pytest

from cli import main
from scenarios.model import fmt_nl

pytestmark = pytest.mark.realdata

# The seed report's 5,092,811 inhabitants minus its two documented differences (Stadsregio
# Turnhout +6,916, ISOM +7; see README "Grids, population and the seed figures").
SEED_COVERED = 5_092_811 - 6_916 - 7


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def figures(page: str) -> list[str]:
    return re.findall(r"<b>([^<]*)</b>", page)


def test_summary_of_the_2017_partnerships(capsys, tmp_path, data_dir):
    out = tmp_path / "samenvatting.html"
    args = ["--plan", "partnerships-2017", "--grid", "2018", "--population-year", "2016",
            "--scenario", "bestuursregisseur", "--data-dir", data_dir]  # fmt: skip
    code, o, err = run(capsys, "summary", *args, "--out", out)
    assert code == 0 and o == "" and err == f"written: {out}\n"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "<title>partnerships_2017_2019</title>" in page
    assert "Scenario: bestuursregisseur" in page and "Gemeentegrid: 2018" in page

    # the same evaluation through the other evaluator (scenarios.evaluate.evaluate)
    code, o, _ = run(capsys, "evaluate", *args, "--format", "json")
    assert code == 0
    ev = json.loads(o)
    total = fmt_nl(ev["total_subsidy_eur"])
    assert figures(page) == [
        "204 / 308 (66,2 %)",  # the seed report: 204 of 308 municipalities
        f"{fmt_nl(SEED_COVERED)} (78,5 %)",
        f"€ {total} / € {fmt_nl(ev['total_funded_eur'])}",
    ]
    rows = re.findall(r"<tr><td><span class=\"sw\" style=\"background:(#[0-9A-F]{6})\"></span></td>"
                      r"<td[^>]*>([^<]*)</td><td[^>]*>(\d+)</td><td[^>]*>([\d.]+)</td>", page)  # fmt: skip
    assert len(rows) == len(ev["clusters"]) == 32
    by_name = {html.unescape(name): (int(n), pop) for _, name, n, pop in rows}
    for c in ev["clusters"]:
        assert by_name[c["name"]] == (c["n_municipalities"], fmt_nl(c["population"]))
    # the map: one path per municipality of the 2018 grid, members in their cluster colour
    assert page.count("<path ") == 308
    assert "Geen overtredingen." in page or "Overtredingen" in page


def test_summary_of_a_plan_file_in_english(capsys, tmp_path, data_dir):
    from geo.population import load_population

    plan = tmp_path / "mijn plan.csv"
    plan.write_text(
        "nis_code,cluster,cluster_name\n"
        "44021,gent,Stad Gent\n44084,meetjesland,Meetjesland\n43005,meetjesland,Meetjesland\n"
    )
    out = tmp_path / "summary.html"
    code, _, err = run(
        capsys, "summary", "--plan", plan, "--grid", "2019", "--population-year", "2019",
        "--lang", "en", "--data-dir", data_dir, "--out", out,
    )  # fmt: skip
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    pop = load_population(2019, 2019, data_dir)
    covered = int(pop[["44021", "44084", "43005"]].sum())
    share = covered / int(pop.sum())
    figs = figures(page)
    assert figs[0] == f"3 / 300 ({100 * 3 / 300:.1f}%)"
    assert figs[1] == f"{covered:,} ({100 * share:.1f}%)"
    assert "Stad Gent" in page and "Meetjesland" in page and "(no scenario)" in page
    assert "<h2" in page and "Violations" in page


def test_summary_needs_out(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["summary", "--plan", "partnerships-2017", "--grid", "2018"])
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_summary_bad_scenario_is_a_clear_error(capsys, tmp_path, data_dir):
    code, o, err = run(
        capsys, "summary", "--plan", "partnerships-2017", "--grid", "2018",
        "--scenario", "nope", "--data-dir", data_dir, "--out", tmp_path / "s.html",
    )  # fmt: skip
    assert code == 2 and o == "" and err.startswith("regiokaart: ") and "nope" in err
    assert not (tmp_path / "s.html").exists()
