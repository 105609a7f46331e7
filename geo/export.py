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


def cluster_polygons(plan: Plan, units: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """One (multi)polygon per non-empty cluster, in EPSG:31370, with the cluster statistics.

    A municipality split between clusters (moved plans) is drawn in its majority cluster.
    """
    assignment = plan.assignment
    g = units.loc[assignment.index, ["geometry"]].copy()
    g["cluster"] = assignment
    dissolved = g.dissolve(by="cluster")
    stats = _listy(table).set_index("cluster")
    out = dissolved.join(stats, how="left").reset_index()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)


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
