"""A user's own comparison layers in the app (pure: no Streamlit).

A :class:`UserLayer` is an uploaded layer file read for one grid: a membership table (CSV/XLSX:
municipality name or NIS code -> region) or polygons (GeoPackage, GeoJSON, zipped Shapefile), with
the same validation, limits and messages as ``regiokaart overlap --layer FILE``
(:func:`geo.layers.read_user_layer_bytes`). Its id is ``user:<slug>`` so it never clashes with a
shipped layer id; the app keeps the session's layers as ``{id: UserLayer}`` (see
:mod:`ui.screens.overlap`, session key ``user_layers``).

Functions:

* :func:`upload_candidates`: the columns that could name the region (ask when more than one);
* :func:`from_upload`: a :class:`UserLayer` from the upload's bytes and file name;
* :func:`on_grid`: the layer read again for another grid (from the kept file);
* :func:`choices`: ``{id: label}`` for a layer picker (shipped first, then own layers);
* :func:`outline_geojson`: the outline for the map (EPSG:4326; region names in tooltips);
* :func:`to_stored` / :func:`from_stored`: to keep it with a saved plan version
  (:class:`geo.planstore.StoredLayer`).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import shapely

from geo.errors import LayerError
from geo.layers import (
    Layer,
    display_outlines,
    read_user_layer_bytes,
    region_column_candidates,
)
from geo.planstore import StoredLayer, layer_from_stored, stored_layer

#: Prefix of a user layer's id (shipped layer ids never contain a colon).
PREFIX = "user:"
#: File types the upload accepts (``st.file_uploader(type=...)``): membership tables and polygons.
UPLOAD_TYPES = ("csv", "txt", "xlsx", "xls", "gpkg", "geojson", "json", "zip")
_LABEL_SUFFIX = {"nl": "eigen laag", "en": "own layer"}


@dataclass(frozen=True, eq=False)
class UserLayer:
    """One uploaded layer, read for one grid.

    Attributes
    ----------
    id : str
        ``user:<slug>`` (slug of the file name; made unique within a session).
    name : str
        Shown in pickers: the file name without its suffix.
    layer : geo.layers.Layer
        The layer on ``layer.grid`` (``layer.id`` is the file stem, as in the CLI's report).
    file_name : str
        The uploaded file's name.
    file_bytes : bytes
        The uploaded file (kept to read it again on another grid and to store a polygon layer).
    region_column : str or None
        The region column chosen when the file had more than one candidate.
    kind : str
        ``polygons`` or ``table``.
    """

    id: str
    name: str
    layer: Layer = field(repr=False)
    file_name: str
    file_bytes: bytes = field(repr=False)
    region_column: str | None = None
    kind: str = "table"

    @property
    def grid(self) -> int:
        return self.layer.grid

    @property
    def digest(self) -> str:
        """Content key: the file, the region column and the grid (for caches and static files)."""
        h = hashlib.sha256(self.file_bytes)
        h.update(f"\0{self.region_column or ''}\0{self.grid}\0{self.kind}".encode())
        if not self.file_bytes:  # restored table layer: its rows are the content
            h.update(repr(self.layer.membership.rows).encode())
        return h.hexdigest()[:16]

    def label(self, lang: str = "nl") -> str:
        return f"{self.name} ({_LABEL_SUFFIX.get(lang, _LABEL_SUFFIX['nl'])})"


def slug(text: str) -> str:
    """A short ASCII slug of ``text`` (lower case, ``-`` between words; ``layer`` if empty)."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40].strip("-")
    return s or "layer"


def new_id(file_name: str, taken: Iterable[str] = ()) -> str:
    """``user:<slug of the file stem>``, with ``-2``, ``-3``... when already taken."""
    base = PREFIX + slug(Path(file_name).stem)
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def upload_candidates(data: bytes, file_name: str) -> list[str]:
    """The columns of an upload that could name the region, most likely first
    (:func:`geo.layers.region_column_candidates`; checked against the limits first).

    Raises
    ------
    LayerError
        An unsupported, unreadable or over-limit file.
    """
    return region_column_candidates(data, file_name)


def from_upload(
    data: bytes,
    file_name: str,
    grid: int,
    data_dir: str | os.PathLike[str],
    region_column: str | None = None,
    taken: Mapping[str, UserLayer] | Iterable[str] = (),
) -> UserLayer:
    """A :class:`UserLayer` from an upload (bytes and the original file name, whose suffix tells
    the format), read for ``grid`` exactly as the CLI reads a layer file.

    ``taken``: the session's layers (or ids). The same file with the same region column replaces
    its earlier entry (same id); another file with the same name gets a new id.

    Raises
    ------
    LayerError, CRSError, GridError
        Anything the CLI would refuse (``str(error)`` is the CLI's message).
    """
    layer = read_user_layer_bytes(data, file_name, grid, data_dir, region_column)
    kind = "polygons" if layer.kind == "polygons" else "table"
    name = Path(file_name).stem or "layer"
    existing = dict(taken) if isinstance(taken, Mapping) else dict.fromkeys(taken)
    for uid, other in existing.items():
        if (
            isinstance(other, UserLayer)
            and other.file_bytes == data
            and other.file_name == file_name
            and other.region_column == region_column
        ):
            return UserLayer(uid, name, layer, file_name, bytes(data), region_column, kind)
    uid = new_id(file_name, existing)
    return UserLayer(uid, name, layer, file_name, bytes(data), region_column, kind)


def on_grid(ul: UserLayer, grid: int, data_dir: str | os.PathLike[str]) -> UserLayer:
    """``ul`` read for ``grid`` (itself when already on it), from the kept file.

    Raises
    ------
    LayerError
        A layer restored from a stored table (no file kept) on another grid.
    """
    if ul.grid == grid:
        return ul
    if not ul.file_bytes:
        raise LayerError(
            f"Layer '{ul.name}' was stored on the {ul.grid} grid without its file; it cannot be "
            f"read for the {grid} grid. Upload the file again."
        )
    layer = read_user_layer_bytes(ul.file_bytes, ul.file_name, grid, data_dir, ul.region_column)
    return replace(ul, layer=layer)


def choices(
    shipped: Mapping[str, str], user_layers: Mapping[str, UserLayer], lang: str = "nl"
) -> dict[str, str]:
    """``{id: label}`` for a layer picker: the shipped layers (``shipped``: id -> label in the UI's
    language) first, then the session's own layers labelled "<name> (eigen laag)"."""
    out = dict(shipped)
    out.update({uid: ul.label(lang) for uid, ul in user_layers.items()})
    return out


def user_choices(user_layers: Mapping[str, UserLayer], lang: str = "nl") -> dict[str, str]:
    """``{id: label}`` of the own layers only."""
    return {uid: ul.label(lang) for uid, ul in user_layers.items()}


def outline_frame(ul: UserLayer | Layer, units: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The layer's outlines in EPSG:4326 (:func:`geo.layers.display_outlines`): its own polygons,
    or its municipalities dissolved by region (a table; needs ``units`` of the layer's grid)."""
    return display_outlines(ul.layer if isinstance(ul, UserLayer) else ul, units)


def outline_geojson(ul: UserLayer | Layer, units: gpd.GeoDataFrame | None = None) -> str:
    """The outline (of an own layer, or any :class:`~geo.layers.Layer`) as GeoJSON text for the map (EPSG:4326, 5 decimals, simplified for display).

    Each feature has ``region``, ``region_name`` (as given: plain text) and ``t`` (the region
    name HTML-escaped, for a tooltip that renders HTML, as :func:`ui.mapview.outline_geojson`).
    The text is safe inside a ``<script>`` element (``<`` as ``\\u003c``).
    """
    g = outline_frame(ul, units)
    feats = [
        {
            "type": "Feature",
            "properties": {"region": str(r), "region_name": str(n), "t": html.escape(str(n))},
            "geometry": json.loads(shapely.to_geojson(geom)),
        }
        for r, n, geom in zip(g["region"], g["region_name"], g.geometry, strict=True)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def to_stored(ul: UserLayer) -> StoredLayer:
    """The layer to keep with a saved plan version (``record_from_plan(..., layer=...)``): its
    rows (authoritative), and for polygons the file (to draw its own polygons again)."""
    return stored_layer(ul.layer, ul.file_bytes, ul.file_name, ul.region_column)


def from_stored(
    stored: StoredLayer,
    grid: int,
    data_dir: str | os.PathLike[str] | None = None,
    taken: Iterable[str] = (),
) -> UserLayer:
    """The :class:`UserLayer` of a stored layer, on the record's ``grid`` (figures from the
    stored rows; with ``data_dir`` a polygon layer's own polygons are read again from its file).
    A table layer comes back without its file (:func:`on_grid` then refuses another grid)."""
    layer = layer_from_stored(stored, grid, data_dir)
    file_name = stored.file_name or f"{stored.name}.csv"
    return UserLayer(
        id=new_id(file_name, taken),
        name=stored.name,
        layer=layer,
        file_name=file_name,
        file_bytes=stored.file_bytes or b"",
        region_column=stored.region_column,
        kind=stored.kind,
    )
