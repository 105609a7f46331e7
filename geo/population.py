"""Population on 1 January per municipality, from Statbel's own formats.

Which years exist, on which municipality grid and in which file, is one table: the ``[[population]]``
rows of the source manifest (``data/boundaries/sources.toml``), read by :func:`population_catalogue`.
Years a user may look for but that are not available (2024) are its ``[[population_gap]]`` rows.

Formats:

* ``statbel-workbook``: Statbel's "Bevolking per gemeente" workbook, one sheet per year
  ("Bevolking in 2016"), columns NIS code / Woonplaats / Mannen / Vrouwen / Totaal, with region,
  province and arrondissement subtotal rows (which are not municipalities and are dropped).
* ``columns``: a CSV with a code column and a value column (wide Statbel tables with subtotal rows,
  or long tables with one row per municipality); subtotal rows are dropped.

What a year means on a grid: the figures of a year are published on the grid in force on 1 January of
that year. They can be used on that grid and on every later grid (moved forward with the crosswalk: sums,
totals preserved); a newer grid's figures cannot be split back to an older grid. So on the 2025 grid the
years are 1992-2023 (moved) and 2025-2026; on the 2019 grid 1992-2023; on the 2018 grid 1992-2018.
:func:`default_population_year` is the latest year for a grid.

:func:`load_population` returns a Series ``population`` indexed by ``nis_code`` for the Flemish
municipalities of a grid, with ``attrs`` ``grid``, ``year``, ``moved_from_grid`` and ``source``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.codes import is_flemish, is_municipality_code, load_crosswalk, move_table, normalise_code
from geo.errors import DataDirError, GridError
from geo.grids import check_grid
from geo.settings import MANIFEST_PATH, grid_for_year
from geo.sources import checked_path

WORKBOOK = "population/Bevolking_per_gemeente.xlsx"
CSV_2022 = "population/bevolkingsaantal_per_gemeente_2022.csv"
_SHEET_RE = re.compile(r"^Bevolking in (\d{4})$")
FORMATS = ("statbel-workbook", "columns")


@dataclass(frozen=True)
class PopulationSource:
    """One row of the manifest's population table: years ``first``..``last`` on ``grid`` in ``file``."""

    first: int
    last: int
    grid: int
    file: str
    format: str
    code_column: str = ""
    value_column: str = ""

    def covers(self, year: int) -> bool:
        return self.first <= year <= self.last


@dataclass(frozen=True)
class PopulationCatalogue:
    sources: tuple[PopulationSource, ...]
    #: year -> why it is not available
    gaps: dict[int, str]

    def source(self, year: int) -> PopulationSource | None:
        return next((s for s in self.sources if s.covers(year)), None)

    def years(self, grid: int | None = None) -> list[int]:
        """Every year with figures; with ``grid``: the years that can be used on that grid (figures
        of that grid or of an earlier one)."""
        return sorted(
            y
            for s in self.sources
            if grid is None or s.grid <= grid
            for y in range(s.first, s.last + 1)
        )


@lru_cache(maxsize=4)
def population_catalogue(path: Path = MANIFEST_PATH) -> PopulationCatalogue:
    """The ``[[population]]`` and ``[[population_gap]]`` tables of the source manifest."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataDirError(f"Cannot read the source manifest {path}: {exc}") from exc
    sources: list[PopulationSource] = []
    for row in raw.get("population", []):
        first, last = (int(y) for y in row["years"])
        src = PopulationSource(
            first, last, int(row["grid"]), row["file"], row["format"],
            row.get("code_column", ""), row.get("value_column", ""),
        )  # fmt: skip
        if src.format not in FORMATS:
            raise DataDirError(f"{path.name}: population format '{src.format}' is unknown.")
        if any(s.covers(y) for s in sources for y in (first, last)):
            raise DataDirError(f"{path.name}: population years {first}-{last} listed twice.")
        sources.append(src)
    gaps = {int(g["year"]): str(g["reason"]) for g in raw.get("population_gap", [])}
    return PopulationCatalogue(tuple(sorted(sources, key=lambda s: s.first)), gaps)


def year_ranges(years: list[int]) -> str:
    """``[1992, ..., 2023, 2025, 2026]`` -> ``"1992-2023, 2025-2026"``."""
    parts: list[str] = []
    for y in sorted(years):
        if parts and int(parts[-1].split("-")[-1]) == y - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{y}"
        else:
            parts.append(str(y))
    return ", ".join(parts)


def population_years(grid: int | None = None) -> list[int]:
    """The population years (1 January) that can be used on ``grid`` (all years when None)."""
    return population_catalogue().years(None if grid is None else check_grid(grid))


def default_population_year(grid: int) -> int:
    """The latest population year for ``grid``: 2026 on the 2025 grid, 2023 on the 2019 grid,
    2018 on the 2018 grid."""
    years = population_years(grid)
    if not years:
        raise DataDirError(f"No population year can be used on the {grid} grid.")
    return years[-1]


def gap_notes() -> list[str]:
    """Plain-language notes on years that are not available (e.g. 2024), for listings and help."""
    return [f"{y}: {r}" for y, r in sorted(population_catalogue().gaps.items())]


def check_population_year(year: int, grid: int) -> int:
    """``year`` if it can be used on ``grid``; otherwise an error listing the years that can."""
    grid = check_grid(grid)
    cat = population_catalogue()
    usable = cat.years(grid)
    if year in usable:
        return year
    listing = (
        f"Years on the {grid} grid: {year_ranges(usable)} (default: the latest, {usable[-1]})."
    )
    src = cat.source(year)
    if src is not None:
        raise GridError(
            f"Population of {year} is on the {src.grid} grid and cannot be split back to the {grid} "
            f"grid. {listing}"
        )
    why = f" {cat.gaps[year]}." if year in cat.gaps else ""
    raise DataDirError(f"No population for 1 January {year}.{why} {listing}")


@dataclass(frozen=True)
class YearChoice:
    """The population year an analysis uses, and whether it was the grid's default."""

    year: int
    grid: int
    default: bool

    def describe(self) -> str:
        """Text for outputs, e.g. "1 January 2026 (latest year for the 2025 grid)"."""
        how = f" (latest year for the {self.grid} grid)" if self.default else ""
        return f"1 January {self.year}{how}"


def resolve_population_year(year: int | None, grid: int) -> YearChoice:
    """The year asked for (checked against ``grid``), or the grid's latest year when ``None``."""
    grid = check_grid(grid)
    if year is None:
        return YearChoice(default_population_year(grid), grid, True)
    return YearChoice(check_population_year(int(year), grid), grid, False)


def data_grid_for_year(year: int) -> int:
    """The municipality grid the figures of ``year`` are on (the grid in force on 1 January)."""
    src = population_catalogue().source(year)
    return src.grid if src is not None else grid_for_year(year)


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


def read_code_value_csv(path: Path, code_column: str, value_column: str) -> pd.Series:
    """Municipal rows (Belgium) of a CSV with a code column and a value column, as ``population``
    indexed by NIS code; region/province/arrondissement subtotal rows are dropped."""
    try:
        df = pd.read_csv(path, dtype=str)
        codes = df[code_column].map(normalise_code)
        keep = codes.map(is_municipality_code)
        s = pd.Series(
            pd.to_numeric(df.loc[keep, value_column], errors="raise").astype("int64").to_numpy(),
            index=pd.Index(codes[keep].to_numpy(), name="nis_code"),
            name="population",
        )
    except (KeyError, ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataDirError(f"Cannot read population CSV {path.name}: {exc}") from exc
    if s.index.duplicated().any():
        dups = sorted(set(s.index[s.index.duplicated()]))[:5]
        raise DataDirError(f"Duplicate NIS codes in {path.name}: {', '.join(dups)}.")
    return s


def read_population_csv(path: Path) -> pd.Series:
    """The 2022 CSV (columns Gemeente, NSI-code, Aantal)."""
    return read_code_value_csv(path, "NSI-code", "Aantal")


def available_years(data_dir: Path | None = None) -> list[int]:
    """Every population year of the manifest's table (``data_dir`` is not read; kept for callers)."""
    return population_years()


@lru_cache(maxsize=32)
def _raw_population(data_dir: Path, year: int) -> pd.Series:
    src = population_catalogue().source(year)
    if src is None:
        raise DataDirError(f"No population for 1 January {year}.")
    path = checked_path(data_dir, src.file)
    if src.format == "statbel-workbook":
        return read_statbel_workbook(path, year)
    return read_code_value_csv(path, src.code_column, src.value_column)


def load_population(year: int, grid: int, data_dir: Path) -> pd.Series:
    """Population on 1 January ``year`` for the Flemish municipalities of ``grid``.

    Raises :class:`GridError` when the year's data is on a later grid than requested, and
    :class:`DataDirError` when the year is not available; both list the years that are.
    """
    grid = check_grid(grid)
    data_dir = Path(data_dir)
    check_population_year(int(year), grid)
    src_grid = data_grid_for_year(year)
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
    source = population_catalogue().source(year)
    s.attrs = {
        "grid": grid,
        "year": year,
        "moved_from_grid": src_grid if src_grid != grid else None,
        "source": source.file if source else "",
    }
    return s
