"""Population on 1 January per municipality, from Statbel's own formats.

* ``Bevolking_per_gemeente.xlsx``: Statbel's "Bevolking per gemeente" workbook, one sheet per year
  ("Bevolking in 2016"), columns NIS code / Woonplaats / Mannen / Vrouwen / Totaal, with region,
  province and arrondissement subtotal rows (which are not municipalities and are dropped).
* ``bevolkingsaantal_per_gemeente_2022.csv``: 1 January 2022 (2019 grid).

:func:`load_population` returns a Series ``population`` indexed by ``nis_code`` for the Flemish
municipalities of a grid, with ``attrs`` ``grid``, ``year`` and ``source``. Data of an older grid is moved
forward with the crosswalk (sums, totals preserved); data of a newer grid cannot be split and raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.codes import is_flemish, is_municipality_code, load_crosswalk, move_table, normalise_code
from geo.errors import DataDirError, GridError
from geo.grids import check_grid
from geo.settings import GRID_INFO, grid_for_year
from geo.sources import checked_path

WORKBOOK = "population/Bevolking_per_gemeente.xlsx"
CSV_2022 = "population/bevolkingsaantal_per_gemeente_2022.csv"
_SHEET_RE = re.compile(r"^Bevolking in (\d{4})$")


def data_grid_for_year(year: int) -> int:
    """The municipality grid in force on 1 January of ``year``."""
    return grid_for_year(year)


def workbook_years(path: Path) -> list[int]:
    """Years available in a Statbel "Bevolking per gemeente" workbook."""
    try:
        sheets = pd.ExcelFile(path).sheet_names
    except Exception as exc:
        raise DataDirError(f"Cannot read population workbook {path}: {exc}") from exc
    return sorted(int(m.group(1)) for s in sheets if (m := _SHEET_RE.match(str(s))))


def read_statbel_workbook(path: Path, year: int) -> pd.Series:
    """All municipal rows (Belgium) of one year's sheet, as ``population`` indexed by NIS code."""
    years = workbook_years(path)
    if year not in years:
        raise DataDirError(
            f"No sheet for {year} in {path.name}; available years: {years[0]}-{years[-1]}."
        )
    raw = pd.read_excel(path, sheet_name=f"Bevolking in {year}", header=None, dtype=str)
    header_row = next(
        (i for i, v in enumerate(raw.iloc[:, 0]) if str(v).strip().lower() == "nis code"), None
    )
    if header_row is None:
        raise DataDirError(f"Sheet 'Bevolking in {year}' has no 'NIS code' header row.")
    header = [str(h).strip() for h in raw.iloc[header_row]]
    body = raw.iloc[header_row + 1 :].copy()
    body.columns = header
    if "Totaal" not in body.columns:
        raise DataDirError(f"Sheet 'Bevolking in {year}' has no 'Totaal' column.")
    codes = body["NIS code"].fillna("").astype(str).str.strip()
    keep = codes.str.fullmatch(r"\d{5}") & codes.map(is_municipality_code)
    s = pd.Series(
        pd.to_numeric(body.loc[keep, "Totaal"], errors="raise").astype("int64").to_numpy(),
        index=pd.Index(codes[keep].to_numpy(), name="nis_code"),
        name="population",
    )
    if s.index.duplicated().any():
        raise DataDirError(f"Duplicate NIS codes in sheet 'Bevolking in {year}'.")
    return s


def read_population_csv(path: Path) -> pd.Series:
    """The 2022 CSV (columns Gemeente, NSI-code, Aantal)."""
    try:
        df = pd.read_csv(path, dtype=str)
        s = pd.Series(
            pd.to_numeric(df["Aantal"]).astype("int64").to_numpy(),
            index=pd.Index(df["NSI-code"].map(normalise_code), name="nis_code"),
            name="population",
        )
    except (KeyError, ValueError, OSError) as exc:
        raise DataDirError(f"Cannot read population CSV {path}: {exc}") from exc
    return s[s.index.map(is_municipality_code)]


def available_years(data_dir: Path) -> list[int]:
    years = set(workbook_years(checked_path(Path(data_dir), WORKBOOK)))
    years.add(2022)
    return sorted(years)


@lru_cache(maxsize=32)
def _raw_population(data_dir: Path, year: int) -> pd.Series:
    if year == 2022:
        return read_population_csv(checked_path(data_dir, CSV_2022))
    return read_statbel_workbook(checked_path(data_dir, WORKBOOK), year)


def load_population(year: int, grid: int, data_dir: Path) -> pd.Series:
    """Population on 1 January ``year`` for the Flemish municipalities of ``grid``.

    Raises :class:`GridError` when the year's data is on a later grid than requested, and
    :class:`DataDirError` when the year is not available.
    """
    grid = check_grid(grid)
    data_dir = Path(data_dir)
    years = available_years(data_dir)
    if year not in years:
        raise DataDirError(
            f"No population for 1 January {year}. Available: {', '.join(map(str, years))}."
        )
    src_grid = data_grid_for_year(year)
    if src_grid > grid:
        raise GridError(
            f"Population of {year} is on the {src_grid} grid and cannot be split back to the {grid} "
            f"grid. Use a population year up to {GRID_INFO[grid].last_year or 'any'}, or a later grid."
        )
    raw = _raw_population(data_dir, year)
    flemish = raw[raw.index.map(is_flemish)]
    cw = load_crosswalk(data_dir)
    expected = set(c for c in cw.codes(src_grid) if is_flemish(c))
    missing = expected - set(flemish.index)
    extra = set(flemish.index) - expected
    if missing or extra:
        raise GridError(
            f"Population {year} does not match the {src_grid} grid: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(extra)[:5]}."
        )
    s = flemish.sort_index().copy()
    s.attrs = {"grid": src_grid, "year": year}
    if src_grid != grid:
        s = move_table(s, src_grid, grid, cw)
    s.name = "population"
    s.attrs = {
        "grid": grid,
        "year": year,
        "moved_from_grid": src_grid if src_grid != grid else None,
    }
    return s
