"""Typed settings: where data lives, which grids exist, which CRS is used for what.

The data directory is resolved in this order (first hit wins):

1. an explicit ``data_dir`` argument (the CLI's ``--data-dir``);
2. the environment variable ``REGIOKAART_DATA_DIR``;
3. a local mirror ``../shared/data`` beside the checkout, if it exists;
4. the user cache (``$XDG_CACHE_HOME/regiokaart/data`` or ``~/.cache/regiokaart/data``), which
   ``regiokaart data fetch`` fills.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from geo.errors import DataDirError

#: CRS for every area and overlap computation (Belgian Lambert 72).
CRS_METRIC = "EPSG:31370"
#: CRS for the web map only.
CRS_WEB = "EPSG:4326"


@dataclass(frozen=True)
class GridInfo:
    """Every fact about one municipality grid, in one place.

    Attributes
    ----------
    grid : int
        The grid's id: the year its municipalities were fixed (2018, 2019, 2025).
    n_flemish : int
        Number of Flemish municipalities on the grid.
    first_year, last_year : int
        Population years (1 January) that belong to this grid; ``last_year`` is ``None`` for the
        grid in force today.
    boundaries : str
        Source-manifest dataset id of the boundary files (``data/boundaries/sources.toml``).
    layer_suffix : str
        Suffix of the ``region_layer`` values of region tables on this grid (``gem2019``); empty
        when region tables have none for this grid.
    """

    grid: int
    n_flemish: int
    first_year: int
    last_year: int | None
    boundaries: str
    layer_suffix: str = ""

    def holds_year(self, year: int) -> bool:
        """True when the population of 1 January ``year`` is on this grid."""
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)


#: The grid registry: every municipality grid Regiokaart knows, oldest first.
GRID_INFO: dict[int, GridInfo] = {
    2018: GridInfo(2018, 308, 1977, 2018, "gemeenten-2018"),
    2019: GridInfo(2019, 300, 2019, 2024, "gemeenten-2019", "gem2019"),
    2025: GridInfo(2025, 285, 2025, None, "gemeenten-2025", "gem2025"),
}
#: Number of Flemish municipalities per grid (a view of :data:`GRID_INFO`).
GRIDS: dict[int, int] = {g: info.n_flemish for g, info in GRID_INFO.items()}
#: The oldest (finest) and the latest grid.
FIRST_GRID: int = min(GRID_INFO)
LATEST_GRID: int = max(GRID_INFO)


def grid_for_year(year: int) -> int:
    """The municipality grid in force on 1 January of ``year``."""
    for info in GRID_INFO.values():
        if info.holds_year(int(year)):
            return info.grid
    return FIRST_GRID if year < GRID_INFO[FIRST_GRID].first_year else LATEST_GRID


REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = REPO_ROOT / "data" / "boundaries" / "sources.toml"
PARTNERSHIPS_DIR = REPO_ROOT / "data" / "partnerships"
ENV_DATA_DIR = "REGIOKAART_DATA_DIR"


def cache_dir() -> Path:
    """The user cache folder that ``regiokaart data fetch`` writes to."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regiokaart" / "data"


def local_mirror() -> Path:
    """``../shared/data`` beside the checkout (the development and CI mirror)."""
    return REPO_ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class DataDir:
    """A resolved data directory and how it was chosen (for messages)."""

    path: Path
    origin: str

    def file(self, relative: str) -> Path:
        """Path of a manifest file inside this data directory; a clear error if it is missing."""
        p = self.path / relative
        if not p.is_file():
            raise DataDirError(
                f"Data file missing: {relative} (data directory {self.path}, chosen by {self.origin}). "
                "Run `regiokaart data fetch`, or point --data-dir / REGIOKAART_DATA_DIR at a folder "
                "that holds the files listed in data/boundaries/sources.toml."
            )
        return p


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> DataDir:
    """Resolve the data directory (see module docstring for the order)."""
    if data_dir is not None:
        p = Path(data_dir).expanduser()
        if not p.is_dir():
            raise DataDirError(f"--data-dir {p} is not a folder.")
        return DataDir(p.resolve(), "--data-dir")
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        p = Path(env).expanduser()
        if not p.is_dir():
            raise DataDirError(f"{ENV_DATA_DIR}={env} is not a folder.")
        return DataDir(p.resolve(), ENV_DATA_DIR)
    mirror = local_mirror()
    if mirror.is_dir():
        return DataDir(mirror.resolve(), "local mirror ../shared/data")
    return DataDir(cache_dir(), "user cache")
