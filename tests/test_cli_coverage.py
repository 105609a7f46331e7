"""`regiokaart coverage`: formats, and bad input giving one clear message (never a traceback)."""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import pandas as pd
import pytest

from cli import main

pytestmark = pytest.mark.realdata


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def small_plan(tmp_path):
    p = tmp_path / "plan.csv"
    p.write_text(
        "nis_code,cluster,cluster_name\n"
        "44021,gent,Stad Gent\n"
        "44084,meetjesland,Meetjesland\n"
        "43005,meetjesland,Meetjesland\n"
    )
    return p


def coverage_args(plan: object) -> list[str]:
    return ["coverage", "--plan", str(plan), "--grid", "2019", "--population-year", "2019"]


def raw_2019(data_dir) -> pd.Series:
    """1 Jan 2019 inhabitants by code (municipalities and subtotals), from the raw workbook."""
    sheet = pd.read_excel(
        data_dir / "population" / "Bevolking_per_gemeente.xlsx",
        sheet_name="Bevolking in 2019",
        header=None,
        dtype=str,
    ).dropna(subset=[0])
    codes = sheet[0].str.strip()
    sheet = sheet[codes.str.fullmatch(r"\d{5}")]
    return sheet.set_index(sheet[0].str.strip())[4].astype(int)


def test_json_output(capsys, small_plan, data_dir):
    code, out, err = run(
        capsys,
        *coverage_args(small_plan),
        "--format",
        "json",
    )
    assert code == 0, err
    d = json.loads(out)
    # independent: the raw Statbel workbook (1 Jan 2019) read with pandas
    pop = raw_2019(data_dir)
    gent, meetjesland = pop["44021"], pop["44084"] + pop["43005"]
    covered, total = gent + meetjesland, pop["02000"]  # 02000: the Flemish Region row
    n_total = sum(
        1
        for c in pop.index
        if (c[0] in "1347" or c[:2] in ("23", "24")) and not c.endswith("000") and len(c) == 5
    )
    assert n_total == 300
    assert d["n_clusters"] == 2 and d["n_municipalities_covered"] == 3
    assert d["n_municipalities_total"] == n_total
    assert d["population_covered"] == covered and d["population_total"] == total
    assert d["population_share"] == pytest.approx(covered / total, abs=5e-6)
    assert d["municipality_share"] == pytest.approx(3 / n_total)
    assert d["mean_cluster_population"] == d["median_cluster_population"] == covered / 2
    assert d["mean_cluster_municipalities"] == 1.5
    by_cluster = {c["cluster"]: c for c in d["clusters"]}
    assert set(by_cluster) == {"gent", "meetjesland"}
    assert {k: by_cluster["gent"][k] for k in ("name", "n_municipalities", "population")} == {
        "name": "Stad Gent", "n_municipalities": 1, "population": gent,
    }  # fmt: skip
    assert by_cluster["gent"]["n_parts"] == 1 and by_cluster["gent"]["members"] == ["44021"]
    m = by_cluster["meetjesland"]
    assert (m["name"], m["n_municipalities"], m["population"]) == ("Meetjesland", 2, meetjesland)
    assert m["n_parts"] == 2 and m["members"] == ["43005", "44084"]  # Eeklo and Aalter do not touch
    assert d["uncovered"] == sorted(
        c
        for c in pop.index
        if (c[0] in "1347" or c[:2] in ("23", "24"))
        and not c.endswith("000")
        and c not in ("44021", "44084", "43005")
    )


def test_table_csv_xlsx_gpkg(capsys, small_plan, tmp_path):
    args = coverage_args(small_plan)
    code, out, _ = run(capsys, *args)
    assert code == 0 and "municipalities covered: 3 / 300" in out
    code, out, _ = run(capsys, *args, "--format", "csv")
    assert code == 0 and out.startswith("cluster,name,n_municipalities,population")
    x = tmp_path / "o.xlsx"
    assert run(capsys, *args, "--format", "xlsx", "--out", str(x))[0] == 0
    assert set(pd.ExcelFile(x).sheet_names) == {"summary", "clusters", "provinces", "uncovered"}
    g = tmp_path / "o.gpkg"
    assert run(capsys, *args, "--format", "gpkg", "--out", str(g))[0] == 0
    gdf = gpd.read_file(g, layer="clusters")
    assert len(gdf) == 2 and gdf.crs.to_epsg() == 31370
    code, _, err = run(capsys, *args, "--format", "xlsx")
    assert code == 2 and "needs --out" in err


def test_plan_by_names(capsys, tmp_path):
    p = tmp_path / "names.csv"
    p.write_text("municipality,cluster\nSt.-Niklaas,waas\nbeveren,waas\nZomergem,meetjesland\n")
    code, out, err = run(
        capsys,
        *coverage_args(p),
        "--format",
        "json",
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["n_municipalities_covered"] == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("municipality,cluster\nLo-Ringe,a\n", "Closest: Lo-Reninge (32030)"),
        ("nis_code,cluster\n99999,a\n", "99999 is not a Flemish municipality"),
        (
            "nis_code,cluster\n44021,a\n44021,a\n",
            "44021 (Gent) is listed twice: row 2 (a), row 3 (a)",
        ),
        (
            "nis_code,cluster\n44021,a\n44021,b\n",
            "44021 (Gent) is assigned to more than one cluster",
        ),
        ("nis_code,cluster\n21004,a\n", "Brussels is context only"),
        ("nis_code,cluster\n46030,a\n", "use --grid 2025"),
        ("foo,bar\n1,2\n", "needs the columns"),
        ("", "is empty"),
        ("nis_code,cluster\n", "no rows"),
    ],
)
def test_bad_plans(capsys, tmp_path, content, expected):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    code, out, err = run(
        capsys, "coverage", "--plan", str(p), "--grid", "2019", "--population-year", "2019"
    )
    assert code == 2
    assert expected in err
    assert "Traceback" not in err and out == ""


def test_binary_plan_file(capsys, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    code, _, err = run(
        capsys, "coverage", "--plan", str(p), "--grid", "2019", "--population-year", "2019"
    )
    assert code == 2 and "not UTF-8" in err


def test_missing_plan_wrong_grid_wrong_year(capsys, small_plan):
    code, _, err = run(
        capsys, "coverage", "--plan", "nope.csv", "--grid", "2019", "--population-year", "2019"
    )
    assert code == 2 and "Plan file not found: nope.csv" in err
    code, _, err = run(
        capsys, "coverage", "--plan", str(small_plan), "--grid", "2020", "--population-year", "2019"
    )
    assert code == 2 and "Unknown grid '2020'" in err
    code, _, err = run(
        capsys, "coverage", "--plan", str(small_plan), "--grid", "2018", "--population-year", "2019"
    )
    assert code == 2 and "cannot be split back" in err


def test_checksum_mismatch_and_missing_data(capsys, tmp_path, small_plan, data_dir):
    dd = tmp_path / "data"
    shutil.copytree(data_dir, dd)
    (dd / "boundaries" / "gemeente2024.dbf").write_bytes(b"corrupt")
    coverage = [
        *coverage_args(small_plan),
    ]
    code, _, err = run(capsys, *coverage, "--data-dir", str(dd))
    assert code == 2 and "Checksum mismatch for boundaries/gemeente2024.dbf" in err
    (dd / "boundaries" / "gemeente2024.dbf").unlink()
    code, _, err = run(capsys, *coverage, "--data-dir", str(dd))
    assert code == 2 and "Data file missing: boundaries/gemeente2024.dbf" in err
    code, _, err = run(capsys, "data", "verify", "--data-dir", str(dd))
    assert code == 2


def test_data_where(capsys, monkeypatch, data_dir):
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    code, out, _ = run(capsys, "data", "where")
    assert code == 0 and "REGIOKAART_DATA_DIR" in out


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("grid", "year", "total"), [("2025", "2026", 6_898_350), ("2019", "2023", 6_774_807)]
)
def test_coverage_new_years_and_default_year_named(capsys, grid, year, total):
    # totals: the raw files' Flemish sums, recomputed in tests/test_population.py
    # (test_new_years_flemish_totals) and quoted in ../shared/data/PROVENANCE.md
    base = ["coverage", "--plan", "partnerships-2017", "--grid", grid, "--format", "json"]
    assert main([*base, "--population-year", year]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["population_total"] == total and d["population_year"] == int(year)
    assert d["population_year_default"] is False
    assert main(base) == 0  # without --population-year: the grid's latest year, named
    d = json.loads(capsys.readouterr().out)
    assert d["population_total"] == total and d["population_year"] == int(year)
    assert d["population_year_default"] is True
    assert main(base[:-2]) == 0
    assert (
        f"population 1 January {year} (latest year for the {grid} grid)" in capsys.readouterr().out
    )


def test_coverage_2024_says_why(capsys):
    code = main(
        ["coverage", "--plan", "partnerships-2017", "--grid", "2019", "--population-year", "2024"]
    )
    err = capsys.readouterr().err
    assert (
        code == 2 and "2024 is not available for all municipalities" in err and "1992-2023" in err
    )


def test_data_years_listing(capsys):
    assert main(["data", "years"]) == 0
    out = capsys.readouterr().out
    assert "2025 grid: 1992-2023, 2025-2026 (default 2026)" in out
    assert (
        "2019 grid: 1992-2023 (default 2023)" in out
        and "2024: 1 January 2024 is not available" in out
    )
