"""Municipality grids as one unit table per grid, keyed by NIS code.

``load_units(2025)`` returns a GeoDataFrame with one row per Flemish municipality of the 2025 grid
(285 rows), indexed by ``nis_code`` (5-character string), with ``name``, ``province``,
``arrondissement``, ``centrumstad`` (bool), ``area_km2`` (computed in EPSG:31370) and ``geometry``
(EPSG:31370). ``units.attrs["grid"]`` holds the grid. Brussels is context only: it is never a unit, and
:func:`load_context` gives its outline for maps.

Statistics (population) and membership (plans) are separate tables, joined by the index.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.codes import (
    arrondissement_of,
    is_brussels,
    is_flemish,
    load_crosswalk,
    normalise_code,
    province_of,
)
from geo.errors import CRSError, DataDirError, GridError
from geo.settings import CRS_METRIC, GRID_INFO, GRIDS
from geo.sources import checked_path, load_manifest


def check_grid(grid: int) -> int:
    try:
        g = int(grid)
    except (TypeError, ValueError):
        g = -1
    if g not in GRIDS:
        raise GridError(f"Unknown grid '{grid}'. Choose one of {', '.join(map(str, GRIDS))}.")
    return g


def _read_boundaries(data_dir: Path, grid: int) -> gpd.GeoDataFrame:
    ds = load_manifest()[GRID_INFO[grid].boundaries]
    shp = next(f.path for f in ds.files if f.path.endswith(".shp"))
    for f in ds.files:
        checked_path(data_dir, f.path)
    try:
        gdf = gpd.read_file(data_dir / shp)
    except Exception as exc:  # pyogrio raises several types for broken files
        raise DataDirError(f"Cannot read {shp}: {exc}") from exc
    if gdf.crs is None or gdf.crs.to_epsg() != 31370:
        raise CRSError(f"{shp} must be in {CRS_METRIC}, found {gdf.crs}.")
    assert ds.key is not None
    gdf["nis_code"] = gdf[ds.key].map(normalise_code)
    if ds.name and ds.name.startswith("xlsx:"):
        xlsx = next(f.path for f in ds.files if f.path.endswith(".xlsx"))
        names = pd.read_excel(data_dir / xlsx, dtype=str)
        lookup = dict(zip(names["geoitem code"].map(normalise_code), names["name"], strict=True))
        gdf["name"] = gdf["nis_code"].map(lookup)
    else:
        gdf["name"] = gdf[ds.name]
    if gdf["name"].isna().any():
        missing = gdf.loc[gdf["name"].isna(), "nis_code"].tolist()
        raise DataDirError(f"No name for codes {missing} in the {grid} grid files.")
    return gdf[["nis_code", "name", "geometry"]]


def _centrumsteden(data_dir: Path, grid: int) -> set[str]:
    df = pd.read_csv(checked_path(data_dir, "regions/centrumsteden.csv"), dtype=str)
    codes = {normalise_code(c) for c in df["nis_code"]}
    cw = load_crosswalk(data_dir)
    # the file lists codes of the 2019 grid (older files: 2018)
    source = next(g for g in (2019, 2018, 2025) if codes <= set(cw.codes(g)))
    if grid >= source:
        return {cw.mapping(source, grid)[c] for c in codes}
    back = cw.mapping(grid, source)
    return {old for old, new in back.items() if new in codes and old in codes}


@lru_cache(maxsize=8)
def _load_units_cached(data_dir: Path, grid: int) -> gpd.GeoDataFrame:
    raw = _read_boundaries(data_dir, grid)
    fl = raw[raw["nis_code"].map(is_flemish)].copy()
    expected = GRIDS[grid]
    if len(fl) != expected or fl["nis_code"].duplicated().any():
        raise DataDirError(
            f"The {grid} grid should have {expected} unique Flemish municipalities, found {len(fl)}."
        )
    cs = _centrumsteden(data_dir, grid)
    fl["province"] = fl["nis_code"].map(province_of)
    fl["arrondissement"] = fl["nis_code"].map(arrondissement_of)
    fl["centrumstad"] = fl["nis_code"].isin(cs)
    fl["area_km2"] = fl.geometry.area / 1e6
    units = gpd.GeoDataFrame(
        fl.set_index("nis_code").sort_index()[
            ["name", "province", "arrondissement", "centrumstad", "area_km2", "geometry"]
        ],
        geometry="geometry",
        crs=CRS_METRIC,
    )
    units.attrs["grid"] = grid
    return units


def load_units(grid: int, data_dir: Path) -> gpd.GeoDataFrame:
    """The unit table of ``grid`` (see module docstring). Cached; returns a copy."""
    units = _load_units_cached(Path(data_dir), check_grid(grid)).copy()
    units.attrs["grid"] = grid
    return units


@lru_cache(maxsize=8)
def load_context(grid: int, data_dir: Path) -> gpd.GeoDataFrame:
    """Brussels municipalities of ``grid``, for map context only (never units)."""
    raw = _read_boundaries(Path(data_dir), check_grid(grid))
    bxl = raw[raw["nis_code"].map(is_brussels)].set_index("nis_code")
    return gpd.GeoDataFrame(bxl, geometry="geometry", crs=CRS_METRIC)


def require_same_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    """Raise :class:`CRSError` unless all frames have the same, defined CRS."""
    crss = [f.crs for f in frames]
    if any(c is None for c in crss):
        raise CRSError(
            "A layer has no coordinate reference system (CRS); set it before overlaying."
        )
    first = crss[0]
    for c in crss[1:]:
        if not first.equals(c):
            raise CRSError(
                f"CRS mismatch: {first.to_string()} vs {c.to_string()}. Reproject first."
            )
