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
    s = load_population(year, data_grid_for_year(year), data_dir)
    assert s.sum() == total
    assert s.attrs["year"] == year


def test_moved_population_keeps_total(data_dir):
    base = load_population(2016, 2018, data_dir)
    for grid, n in ((2019, 300), (2025, 285)):
        moved = load_population(2016, grid, data_dir)
        assert len(moved) == n and moved.sum() == base.sum() and moved.attrs["grid"] == grid
    # Lievegem 2019 = Lovendegem + Waarschoot + Zomergem in 2016
    assert load_population(2016, 2019, data_dir)["44085"] == base[["44036", "44072", "44080"]].sum()


def test_newer_population_cannot_go_back(data_dir):
    with pytest.raises(GridError, match="cannot be split back"):
        load_population(2020, 2018, data_dir)
    with pytest.raises(DataDirError, match="No population for 1 January 2030"):
        load_population(2030, 2025, data_dir)
