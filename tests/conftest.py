"""Shared fixtures: tiny synthetic grids for unit tests, and the real data directory."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, box

from geo.contiguity import build_adjacency

# The real data directory: REGIOKAART_DATA_DIR when set, else the local mirror ../shared/data
# (the same order as the application, geo.settings.resolve_data_dir, without the user cache).
REAL_DATA = (
    Path(os.environ["REGIOKAART_DATA_DIR"]).expanduser()
    if os.environ.get("REGIOKAART_DATA_DIR")
    else Path(__file__).resolve().parents[2] / "shared" / "data"
)


def toy_units(grid: int = 2018) -> gpd.GeoDataFrame:
    """A 3x3 block of 1 km squares (codes 11001..11009, row by row), a municipality with an
    exclave (31001: a square east of the block plus a far-away piece) and an island (31002)."""
    rows = []
    k = 1
    for r in range(3):
        for c in range(3):
            rows.append(
                (f"110{k:02d}", f"Gem{k}", box(c * 1000, r * 1000, (c + 1) * 1000, (r + 1) * 1000))
            )
            k += 1
    exclave = MultiPolygon([box(3000, 0, 4000, 1000), box(9000, 9000, 9500, 9500)])
    rows.append(("31001", "Exclavia", exclave))
    rows.append(("31002", "Eiland", box(20000, 0, 21000, 1000)))
    df = pd.DataFrame(rows, columns=["nis_code", "name", "geometry"]).set_index("nis_code")
    g = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:31370")
    g["province"] = ["Antwerpen"] * 9 + ["West-Vlaanderen"] * 2
    g["arrondissement"] = ["Antwerpen"] * 9 + ["Brugge"] * 2
    g["centrumstad"] = [c == "11005" for c in g.index]
    g["area_km2"] = g.geometry.area / 1e6
    g = g[["name", "province", "arrondissement", "centrumstad", "area_km2", "geometry"]]
    g.attrs["grid"] = grid
    return g


def toy_population(units: gpd.GeoDataFrame, year: int = 2016) -> pd.Series:
    pop = pd.Series(
        [10_000 * (i + 1) for i in range(len(units))], index=units.index, name="population"
    )
    pop.attrs = {"grid": units.attrs["grid"], "year": year}
    return pop


@pytest.fixture
def units() -> gpd.GeoDataFrame:
    return toy_units()


@pytest.fixture
def population(units: gpd.GeoDataFrame) -> pd.Series:
    return toy_population(units)


@pytest.fixture
def adjacency(units: gpd.GeoDataFrame) -> dict[str, frozenset[str]]:
    return build_adjacency(units)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    assert REAL_DATA.is_dir(), (
        f"real data expected at {REAL_DATA} (set REGIOKAART_DATA_DIR or provide ../shared/data)"
    )
    return REAL_DATA
