"""Everything one analysis needs about a grid, loaded once: :class:`GridData`.

``load_grid_data(grid, population_year)`` bundles the unit table, the population of that year on
that grid, the adjacency graph and the crosswalk. ``load_plan`` reads a plan file (or a shipped
partnerships file) and moves it to the grid of the ``GridData`` when it was made on an older grid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.codes import Crosswalk, load_crosswalk
from geo.contiguity import build_adjacency
from geo.coverage import Coverage, coverage
from geo.errors import GridError, PlanError
from geo.grids import check_grid, load_units
from geo.names import name_index, own_code
from geo.plans import Plan, move_plan, read_plan
from geo.population import (
    available_years,
    data_grid_for_year,
    default_population_year,
    load_population,
    resolve_population_year,
)
from geo.settings import PARTNERSHIPS_DIR, resolve_data_dir


@dataclass(frozen=True)
class GridData:
    grid: int
    population_year: int
    units: gpd.GeoDataFrame
    population: pd.Series
    adjacency: dict[str, frozenset[str]]
    crosswalk: Crosswalk
    data_dir: Path

    def coverage(self, plan: Plan) -> Coverage:
        return coverage(plan, self.units, self.population, self.adjacency)

    def resolve_name(self, name: str) -> str:
        return name_index(self.grid, self.data_dir).resolve(name)

    def own_code(self, name: str, grid: int, suggest: bool = True) -> tuple[str, int, str | None]:
        """Name resolver for :func:`geo.membership.parse_table` (see :func:`geo.names.own_code`)."""
        return own_code(name, grid, self.data_dir, suggest)

    @property
    def display(self) -> dict[str, str]:
        """Municipality name per code of this grid."""
        return dict(zip(self.units.index, self.units["name"], strict=True))


@lru_cache(maxsize=16)
def _adjacency(grid: int, data_dir: Path) -> dict[str, frozenset[str]]:
    return build_adjacency(load_units(grid, data_dir))


@lru_cache(maxsize=16)
def _grid_data(grid: int, year: int, data_dir: Path) -> GridData:
    return GridData(
        grid=grid,
        population_year=year,
        units=load_units(grid, data_dir),
        population=load_population(year, grid, data_dir),
        adjacency=_adjacency(grid, data_dir),
        crosswalk=load_crosswalk(data_dir),
        data_dir=data_dir,
    )


def load_grid_data(
    grid: int, population_year: int | None = None, data_dir: str | os.PathLike[str] | None = None
) -> GridData:
    """Units, population, adjacency and crosswalk for one grid and population year (cached;
    ``None``: the latest year for the grid, :func:`geo.population.default_population_year`)."""
    dd = resolve_data_dir(data_dir).path
    year = resolve_population_year(population_year, grid).year
    return _grid_data(check_grid(grid), year, dd)


def weights_year(year: int, grid: int, data_dir: Path) -> int:
    """The population year used to weight a plan of ``grid``: ``year`` itself when it is on that
    grid, else the latest available year of that grid."""
    if data_grid_for_year(year) == grid:
        return year
    candidates = [y for y in available_years(data_dir) if data_grid_for_year(y) == grid]
    if not candidates:
        raise GridError(f"No population on the {grid} grid to weight a plan move.")
    return max(candidates)


def carry_plan(plan: Plan, gd: GridData) -> Plan:
    """Move ``plan`` to ``gd.grid`` with population-weighted shares (the one carry between grids).

    The weights are the population on the plan's grid of ``gd.population_year`` or, when that year
    is on another grid, of the latest year of the plan's grid (a note says so).

    Raises
    ------
    GridError
        ``gd.grid`` is older than the plan's grid.
    """
    if plan.grid == gd.grid:
        return plan
    if plan.grid > gd.grid:
        raise GridError(
            f"A plan on the {plan.grid} grid cannot be moved back to the {gd.grid} grid (merged "
            "municipalities cannot be split); choose a later grid."
        )
    wy = weights_year(gd.population_year, plan.grid, gd.data_dir)
    weights = load_population(wy, plan.grid, gd.data_dir).astype(float)
    moved = move_plan(plan, gd.grid, gd.crosswalk, weights)
    if wy != gd.population_year:
        moved = replace(moved, notes=(*moved.notes, f"split shares weighted by population of {wy}"))
    return moved


def load_plan(path: str | os.PathLike[str], gd: GridData) -> Plan:
    """Read a plan file and, when its codes are of an older grid, move it to ``gd.grid``."""
    plan = read_plan(Path(path), gd.grid, gd.crosswalk, gd.own_code, gd.display)
    return carry_plan(plan, gd)


def move(
    spec: str,
    to_grid: int,
    data_dir: str | os.PathLike[str] | None = None,
    population_year: int | None = None,
) -> Plan:
    """The domain of ``regiokaart move``: a plan file or shipped id, moved to ``to_grid``.

    Parameters
    ----------
    spec : str
        A plan file or a shipped plan id (``partnerships-2017``).
    to_grid : int
        The grid to move to.
    data_dir : path, optional
        The data directory.
    population_year : int, optional
        Year whose population weights the split shares (default: as ``coverage`` on ``to_grid``
        with :func:`geo.population.default_population_year`).

    Returns
    -------
    Plan
        On ``to_grid``; write it with :meth:`Plan.to_csv_text` (a ``share`` column when split).
    """
    year = population_year if population_year is not None else default_population_year(to_grid)
    gd = load_grid_data(to_grid, year, data_dir)
    return load_plan(plan_path(spec), gd)


SHIPPED_PLANS = {
    "partnerships-2017": "partnerships_2017_2019.csv",
    "partnerships-2020": "partnerships_2020_2025.csv",
}


def plan_path(spec: str) -> Path:
    """A plan path, or the id of a shipped partnerships file (``partnerships-2017``)."""
    if spec in SHIPPED_PLANS:
        return PARTNERSHIPS_DIR / SHIPPED_PLANS[spec]
    p = Path(spec)
    if not p.exists():
        known = ", ".join(SHIPPED_PLANS)
        raise PlanError(f"Plan file not found: {spec} (shipped plans: {known}).")
    return p
