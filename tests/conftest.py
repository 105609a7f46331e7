"""Shared fixtures: tiny synthetic grids for unit tests, and the real data directory."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, box

from geo.contiguity import build_adjacency

REPO = Path(__file__).resolve().parents[1]
#: The real reference data: ``REGIOKAART_DATA_DIR`` when set, else ``../shared/data`` beside the checkout.
REAL_DATA = Path(os.environ.get("REGIOKAART_DATA_DIR") or REPO.parent / "shared" / "data").resolve()
LEAFLET = REPO / "static" / "vendor" / "leaflet" / "leaflet.js"


def pytest_configure(config: pytest.Config) -> None:
    """Fail at once, with the fix, when the map assets are missing (the app tests need them)."""
    if not LEAFLET.is_file():
        pytest.exit(
            f"Map assets missing ({LEAFLET.relative_to(REPO)}). Run `make assets` (or `make test`, "
            "which fetches them from the npm registry) and try again.",
            returncode=4,
        )


@pytest.fixture(autouse=True)
def _real_data_only_when_marked(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A test reads the real data only when it carries the ``realdata`` marker.

    Every other test sees an empty data directory (no mirror, an empty ``REGIOKAART_DATA_DIR``),
    so a real-data read in an unmarked test fails with ``Data file missing``: the marker is
    enforced, not just documented.
    """
    if request.node.get_closest_marker("realdata") is not None:
        monkeypatch.setenv("REGIOKAART_DATA_DIR", str(REAL_DATA))
        return
    empty = tmp_path_factory.mktemp("no-real-data")
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(empty))
    monkeypatch.setattr("geo.settings.local_mirror", lambda: empty / "no-mirror")


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
        f"real data expected at {REAL_DATA} (REGIOKAART_DATA_DIR or ../shared/data)"
    )
    return REAL_DATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for the real ``data_dir`` fixture is a real-data test."""
    for item in items:
        if (
            "data_dir" in getattr(item, "fixturenames", ())
            and item.get_closest_marker("realdata") is None
        ):
            item.add_marker(pytest.mark.realdata)
