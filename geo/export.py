"""Exports of coverage statistics and cluster geometry (CSV, XLSX, JSON, GeoPackage, GeoJSON).

Writers build the whole output in memory (or in a temporary file) and then move it into place, so an
interrupted export never leaves a half-written file behind.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.cells import csv_text, neutralise_cell, safe_frame

__all__ = ["csv_text", "neutralise_cell", "safe_frame", "xlsx_bytes"]
from geo.coverage import Coverage
from geo.membership import GEOJSON_MEMBERSHIP
from geo.plans import Plan
from geo.settings import CRS_WEB


def _listy(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].map(lambda v: isinstance(v, list | tuple)).any():
            out[c] = out[c].map(
                lambda v: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    return out


def coverage_frames(cov: Coverage, units: gpd.GeoDataFrame) -> dict[str, pd.DataFrame]:
    """Tables of a coverage result: summary, clusters, provinces, uncovered municipalities."""
    d = cov.to_dict()
    summary = pd.DataFrame(
        [(k, v) for k, v in d.items() if not isinstance(v, list | dict)], columns=["key", "value"]
    )
    clusters = _listy(cov.clusters)
    prov = cov.by_province.reset_index()
    unc = units.loc[cov.uncovered, ["name", "province"]].reset_index()
    return {"summary": summary, "clusters": clusters, "provinces": prov, "uncovered": unc}


def xlsx_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """An XLSX with one sheet per frame. Text cells are neutralised (:func:`safe_frame`) and every
    text cell is written as a string cell, never a formula (``data_type`` ``'s'``)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in frames.items():
            safe_frame(_listy(df)).to_excel(xw, sheet_name=name[:31], index=False)
        for ws in xw.book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # cannot happen after safe_frame; never let it
                        cell.value = "'" + str(cell.value)
                        cell.data_type = "s"
    return buf.getvalue()


def json_text(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, set | frozenset | tuple):
        return sorted(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


#: Top-level member of an exported GeoJSON holding the plan's membership with shares (RFC 7946
#: foreign member: GIS software ignores it; Regiokaart reads the plan back from it).
MEMBERSHIP_COLUMNS = ["nis_code", "municipality", "cluster", "cluster_name", "share"]


def membership_frame(
    plan: Plan, units: gpd.GeoDataFrame | None = None, population: pd.Series | None = None
) -> pd.DataFrame:
    """One row per (municipality, cluster) of the plan, with its share (a plan-file table).

    Columns ``nis_code``, ``municipality`` (when ``units`` is given), ``cluster``,
    ``cluster_name``, ``share`` and, when ``population`` is given, ``population`` (inhabitants of
    the share, rounded).
    """
    m = plan.frame.copy()
    m["municipality"] = m["nis_code"].map(units["name"]) if units is not None else ""
    m["cluster_name"] = m["cluster"].map(plan.display_name)
    cols = list(MEMBERSHIP_COLUMNS)
    if population is not None:
        m["population"] = (m["nis_code"].map(population) * m["share"]).round().astype("int64")
        cols.append("population")
    return m[cols]


def membership_geodata(plan: Plan, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every municipality of ``units`` with its membership rows (a split municipality once per
    cluster, with its share; an unassigned one once, with an empty cluster and share 0)."""
    m = membership_frame(plan, units).drop(columns="municipality")
    g = units[["name", "province", "geometry"]].reset_index()
    out = g.merge(m, on="nis_code", how="left")
    out["share"] = out["share"].fillna(0.0)
    out = out.rename(columns={"name": "municipality"})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)


def cluster_polygons(plan: Plan, units: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """One (multi)polygon per non-empty cluster, in EPSG:31370, with the cluster statistics.

    Built from the membership: a municipality split between clusters lies in each of them
    (``n_split`` counts such municipalities per cluster; the figures count only their shares).
    """
    m = plan.frame
    g = gpd.GeoDataFrame(
        {"cluster": m["cluster"].to_numpy(), "split": (m["share"] < 1.0).to_numpy()},
        geometry=units.geometry.reindex(m["nis_code"]).to_numpy(),
        crs=units.crs,
    )
    dissolved = g.dissolve(by="cluster", aggfunc={"split": "sum"}).rename(
        columns={"split": "n_split"}
    )
    dissolved["n_split"] = dissolved["n_split"].astype("int64")
    stats = _listy(table).set_index("cluster")
    out = dissolved.join(stats, how="left").reset_index()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)


def plan_geojson(clusters: gpd.GeoDataFrame, plan: Plan) -> str:
    """Cluster polygons as GeoJSON (WGS 84) carrying the plan's membership with shares in the
    top-level member :data:`GEOJSON_MEMBERSHIP`, so that the file reads back as the same plan."""
    doc = json.loads(geojson_text(clusters))
    doc[GEOJSON_MEMBERSHIP] = {
        "grid": plan.grid,
        "columns": ["nis_code", "cluster", "cluster_name", "share"],
        "rows": [[c, g, plan.display_name(g), s] for c, g, s in plan.membership.rows],
    }
    return json.dumps(doc, ensure_ascii=False)


def gpkg_bytes(layers: Mapping[str, gpd.GeoDataFrame]) -> bytes:
    """A GeoPackage with one layer per entry (written to a temporary file, returned as bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "out.gpkg"
        for name, gdf in layers.items():
            gdf.to_file(p, layer=name, driver="GPKG")
        return p.read_bytes()


def geojson_text(gdf: gpd.GeoDataFrame) -> str:
    """GeoJSON (RFC 7946: WGS 84 longitude/latitude)."""
    return gdf.to_crs(CRS_WEB).to_json(drop_id=True)
