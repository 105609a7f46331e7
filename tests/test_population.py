from pathlib import Path

import pandas as pd
import pytest

from geo.errors import DataDirError, GridError
from geo.population import (
    data_grid_for_year,
    load_population,
    read_population_csv,
    read_statbel_workbook,
    workbook_years,
)


def statbel_workbook(path: Path, years=(2016, 2017)) -> Path:
    """A tiny workbook in Statbel's 'Bevolking per gemeente' layout, subtotal rows included."""
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for y in years:
            rows = [
                [f"Bevolking per gemeente op 1 januari {y}", None, None, None, None],
                ["NIS code", "Woonplaats", "Mannen", "Vrouwen", "Totaal"],
                [None, None, None, None, None],
                ["01000", "België", 3, 3, 6 + y],
                ["02000", "Vlaams Gewest", 3, 3, 6],
                ["10000", "Provincie Antwerpen", 3, 3, 6],
                ["11000", "Arrondissement Antwerpen", 3, 3, 6],
                ["11001", "Aartselaar", 1, 1, 2],
                ["11002", "Antwerpen", 2, 2, y],
                ["20001", "Provincie Vlaams-Brabant", 0, 0, 0],
                [None, None, None, None, None],
                ["Bron: Statbel", None, None, None, None],
            ]
            pd.DataFrame(rows).to_excel(
                xw, sheet_name=f"Bevolking in {y}", header=False, index=False
            )
        pd.DataFrame([["x"]]).to_excel(xw, sheet_name="Census 1991", header=False, index=False)
    return path


def test_workbook_years_and_subtotals_dropped(tmp_path):
    p = statbel_workbook(tmp_path / "b.xlsx")
    assert workbook_years(p) == [2016, 2017]
    s = read_statbel_workbook(p, 2017)
    assert s.to_dict() == {"11001": 2, "11002": 2017}
    assert s.index.name == "nis_code" and s.dtype == "int64"


def test_workbook_missing_year(tmp_path):
    p = statbel_workbook(tmp_path / "b.xlsx")
    with pytest.raises(DataDirError, match="available years: 2016-2017"):
        read_statbel_workbook(p, 2020)


def test_broken_workbook(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"not a zip")
    with pytest.raises(DataDirError, match="Cannot read population workbook"):
        workbook_years(p)


def test_population_csv(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(",Gemeente,NSI-code,Aantal\n0,Aalst,41002,88854\n1,Vlaams Gewest,02000,5\n")
    assert read_population_csv(p).to_dict() == {"41002": 88854}


@pytest.mark.parametrize(
    ("year", "grid"), [(2016, 2018), (2018, 2018), (2019, 2019), (2024, 2019), (2025, 2025)]
)
def test_data_grid_for_year(year, grid):
    assert data_grid_for_year(year) == grid


# ---- real data: Flemish Region totals from PROVENANCE.md
@pytest.mark.parametrize(
    ("year", "total"),
    [
        (2014, 6_410_705),
        (2016, 6_477_804),
        (2018, 6_552_967),
        (2019, 6_589_069),
        (2021, 6_653_062),
        (2022, 6_698_876),
    ],
)
def test_flemish_totals(year, total, data_dir):
    # independent: the raw file's own total, read with pandas (not geo.population)
    if year == 2022:
        raw = _raw_flemish_sum(
            data_dir / "population" / "bevolkingsaantal_per_gemeente_2022.csv", "NSI-code", "Aantal"
        )
    else:  # Statbel's workbook: the "02000 Vlaams Gewest" row of the year's sheet
        sheet = pd.read_excel(
            data_dir / "population" / "Bevolking_per_gemeente.xlsx",
            sheet_name=f"Bevolking in {year}",
            header=None,
            dtype=str,
        )
        raw = int(sheet.loc[sheet[0].str.strip() == "02000", 4].iloc[0])
    assert raw == total  # PROVENANCE.md's figure agrees with the raw file
    s = load_population(year, data_grid_for_year(year), data_dir)
    assert s.sum() == total
    assert s.attrs["year"] == year


def test_moved_population_keeps_total(data_dir):
    base = load_population(2016, 2018, data_dir)
    # independent: the number of Flemish municipalities in the raw files of each grid
    n2019 = _raw_flemish_count(data_dir / "population" / "population_BE_2023.csv", "code_ins")
    n2025 = _raw_flemish_count(
        data_dir / "population" / "population_2025_gem2025.csv", "public_geography_id"
    )
    assert (n2019, n2025) == (300, 285)
    for grid, n in ((2019, n2019), (2025, n2025)):
        moved = load_population(2016, grid, data_dir)
        assert len(moved) == n and moved.sum() == base.sum() and moved.attrs["grid"] == grid
    # Lievegem 2019 = Lovendegem + Waarschoot + Zomergem in 2016
    assert load_population(2016, 2019, data_dir)["44085"] == base[["44036", "44072", "44080"]].sum()


def test_newer_population_cannot_go_back(data_dir):
    with pytest.raises(GridError, match="cannot be split back"):
        load_population(2020, 2018, data_dir)
    with pytest.raises(DataDirError, match="No population for 1 January 2030"):
        load_population(2030, 2025, data_dir)


# ---- the years table (manifest), default year per grid, new years 2023/2025/2026
def test_years_per_grid_and_default():
    from geo.population import default_population_year, population_years, year_ranges

    # the [[population]] tables of data/boundaries/sources.toml: 1992-2018 on the 2018 grid,
    # 2019-2021 + 2022 + 2023 on the 2019 grid, 2025 and 2026 on the 2025 grid (no 2024 file);
    # a year is available on its own grid and, moved forward, on every later one
    assert (default_population_year(2018), default_population_year(2019)) == (2018, 2023)
    assert default_population_year(2025) == 2026
    assert year_ranges(population_years(2019)) == "1992-2023"
    assert year_ranges(population_years(2025)) == "1992-2023, 2025-2026"
    assert 2024 not in population_years(2025)


def test_year_not_on_grid_lists_the_years_that_are():
    from geo.population import check_population_year, resolve_population_year

    with pytest.raises(
        DataDirError, match=r"2024 is not available for all municipalities.*1992-2023"
    ):
        check_population_year(2024, 2019)
    with pytest.raises(GridError, match=r"cannot be split back.*Years on the 2019 grid: 1992-2023"):
        check_population_year(2026, 2019)
    choice = resolve_population_year(None, 2025)
    assert choice.year == 2026 and choice.default
    assert "latest year for the 2025 grid" in choice.describe()
    assert not resolve_population_year(2023, 2025).default


def test_catalogue_agrees_with_the_grid_in_force():
    from geo.population import population_catalogue

    for src in population_catalogue().sources:
        for y in (src.first, src.last):
            # the grid in force on 1 January of the year (2019 grid: 2019-2024)
            assert src.grid == (2018 if y <= 2018 else 2019 if y <= 2024 else 2025), y


def test_code_value_csv_drops_subtotals(tmp_path):
    from geo.population import read_code_value_csv

    p = tmp_path / "p.csv"
    p.write_text(
        "code_ins,lieu_de_residence,total\n02000,Région flamande,7\n11000,Arr,7\n"
        "11001,Aartselaar,3\n11002,Anvers,4\n20001,Prov,0\n"
    )
    assert read_code_value_csv(p, "code_ins", "total").to_dict() == {"11001": 3, "11002": 4}
    with pytest.raises(DataDirError, match="Cannot read population CSV"):
        read_code_value_csv(p, "nope", "total")


def _raw_flemish_rows(path: Path, code: str) -> pd.DataFrame:
    """The Flemish municipality rows of a raw population CSV, read without geo.population."""
    df = pd.read_csv(path, dtype=str)
    codes = df[code].str.strip()
    flemish_prov = codes.str[0].isin(list("1347")) | codes.str[:2].isin(["23", "24"])
    municipal = ~codes.str.endswith("000")
    out = df.loc[flemish_prov & municipal].copy()
    out[code] = out[code].str.strip()
    return out


def _raw_flemish_sum(path: Path, code: str, value: str) -> int:
    """Sum of the Flemish municipality rows of a raw file, computed without geo.population."""
    return int(_raw_flemish_rows(path, code)[value].astype(int).sum())


def _raw_flemish_count(path: Path, code: str) -> int:
    """Number of distinct Flemish municipality codes in a raw file."""
    return int(_raw_flemish_rows(path, code)[code].nunique())


def _raw_value(path: Path, code: str, value: str, nis: str) -> int:
    rows = _raw_flemish_rows(path, code)
    return int(rows.loc[rows[code] == nis, value].astype(int).sum())


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("year", "grid", "file", "code", "value", "total"),
    [
        (2023, 2019, "population_BE_2023.csv", "code_ins", "total", 6_774_807),
        (2025, 2025, "population_2025_gem2025.csv", "public_geography_id", "value", 6_864_766),
        (2026, 2025, "age65_2026_gem2025.csv", "public_geography_id", "population", 6_898_350),
    ],
)
def test_new_years_flemish_totals(year, grid, file, code, value, total, data_dir):
    raw = _raw_flemish_sum(data_dir / "population" / file, code, value)
    assert raw == total  # PROVENANCE.md's figure, from the raw file
    s = load_population(year, grid, data_dir)
    assert s.sum() == raw and len(s) == _raw_flemish_count(data_dir / "population" / file, code)
    assert len(s) == (300 if grid == 2019 else 285)
    assert s.attrs["year"] == year and s.attrs["moved_from_grid"] is None
    if year == 2023:  # the file's own Flemish Region row agrees
        df = pd.read_csv(data_dir / "population" / file, dtype=str)
        assert int(df.loc[df["code_ins"] == "02000", "total"].iloc[0]) == raw
    if year >= 2025:  # Antwerpen incl. Borsbeek: the raw file's row for 11002
        assert s["11002"] == _raw_value(data_dir / "population" / file, code, value, "11002")
        assert s["11002"] == (562_002 if year == 2025 else 565_615)


@pytest.mark.realdata
def test_2023_moves_forward_to_the_2025_grid(data_dir):
    s = load_population(2023, 2025, data_dir)
    assert len(s) == 285 and s.sum() == 6_774_807 and s.attrs["moved_from_grid"] == 2019
    base = load_population(2023, 2019, data_dir)
    assert s["11002"] == base["11002"] + base["11007"]  # Antwerpen + Borsbeek


def test_every_population_file_is_in_the_manifest():
    from geo.population import population_catalogue
    from geo.sources import load_manifest

    m = load_manifest()
    for src in population_catalogue().sources:
        f = m.file_for(src.file)  # raises when missing
        assert len(f.sha256) == 64
    new = ["bevolking-2023", "bevolking-2025", "bevolking-2026"]
    commits = [
        "3561033e7a99182664a0a20f603382b5539941f0",
        "fa1fee02655a322edf9e533a156dfa709feea798",
    ]
    for ds in new:
        (f,) = m[ds].files
        assert f.url and f.url.startswith("https://raw.githubusercontent.com/")
        assert any(c in f.url for c in commits)
