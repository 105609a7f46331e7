"""Map data for the browser: display geometry, the cluster layer and the base map.

Statistics always use the unsimplified EPSG:31370 geometry of :mod:`geo.grids`. For the web map
only, :func:`display_geometry` simplifies the municipalities as a *coverage* (shared borders stay
shared, so no gaps or slivers appear), reprojects to EPSG:4326 and rounds coordinates to 5 decimals
(about 1 m). Each municipality's GeoJSON geometry is serialised once and written to a static file
(:func:`write_geometry_file`) that the browser loads once; on a click only the small
``properties`` (fill colour, outline, tooltip) travel, and the layer joins them to the geometry by
NIS code.

Nothing is fetched from the web: Leaflet comes from ``static/vendor/leaflet`` (served by Streamlit
at ``/app/static/``, filled at install time by ``scripts/fetch_assets.sh``), and base-map tiles are
off unless the user asks for them.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium.template import Template

from geo.settings import CRS_METRIC, CRS_WEB
from ui.colours import OUTLINE, UNASSIGNED, safe_colour

STATIC_URL = "/app/static/vendor/leaflet"
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]
SIMPLIFY_M = 80.0  # coverage simplification tolerance (metres), display only
DECIMALS = 5
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap-bijdragers"


def _round(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, DECIMALS))


def simplified_web(geoms: gpd.GeoSeries, tolerance: float = SIMPLIFY_M) -> np.ndarray:
    """Coverage-simplified (EPSG:31370), then EPSG:4326 with rounded coordinates."""
    if geoms.crs is None or geoms.crs.to_epsg() != int(CRS_METRIC.split(":")[1]):
        raise ValueError(f"display geometry expects {CRS_METRIC}, got {geoms.crs}")
    simple = shapely.coverage_simplify(np.asarray(geoms.values), tolerance)
    web = gpd.GeoSeries(simple, crs=geoms.crs).to_crs(CRS_WEB)
    return _round(np.asarray(web.values))


@dataclass(frozen=True)
class DisplayGeometry:
    """Simplified web geometry of one grid's municipalities (see module docstring)."""

    grid: int
    codes: tuple[str, ...]
    geometry_json: Mapping[str, str]
    shapes: np.ndarray  # shapely geometries in EPSG:4326, same order as codes
    tree: shapely.STRtree
    bounds: tuple[float, float, float, float]  # south, west, north, east
    points: Mapping[str, tuple[float, float]]  # a (lat, lng) inside each municipality

    def locate(self, lat: float, lng: float) -> str | None:
        """The municipality under a clicked point (None outside Flanders)."""
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self.codes[int(min(hits))]

    def payload_bytes(self) -> int:
        return sum(len(v) for v in self.geometry_json.values())


def display_geometry(units: gpd.GeoDataFrame, tolerance: float = SIMPLIFY_M) -> DisplayGeometry:
    codes = tuple(str(c) for c in units.index)
    web = simplified_web(units.geometry, tolerance)
    gj = {c: shapely.to_geojson(g) for c, g in zip(codes, web, strict=True)}
    minx, miny, maxx, maxy = shapely.total_bounds(web)
    inside = shapely.point_on_surface(web)
    pts = {c: (float(p.y), float(p.x)) for c, p in zip(codes, inside, strict=True)}
    return DisplayGeometry(
        int(units.attrs.get("grid", 0)), codes, gj, web, shapely.STRtree(web),
        (float(miny), float(minx), float(maxy), float(maxx)), pts,
    )  # fmt: skip


def outline_geojson(gdf: gpd.GeoDataFrame, label_column: str, tolerance: float = 150.0) -> str:
    """Outlines (e.g. provinces or a comparison layer) as a small GeoJSON string for the map."""
    if gdf.empty:
        return json.dumps({"type": "FeatureCollection", "features": []})
    web = simplified_web(gdf.geometry, tolerance)
    feats = [
        {
            "type": "Feature",
            "properties": {"t": html.escape(str(lbl))},  # tooltips render HTML
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for lbl, g in zip(gdf[label_column], web, strict=True)
    ]
    return _script_safe(
        json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
    )


def _script_safe(js: str) -> str:
    """JSON that can sit inside a ``<script>`` element: ``<`` only as ``\\u003c`` (a name holding
    ``</script>`` cannot end the script)."""
    return js.replace("<", "\\u003c")


# ---------------------------------------------------------------------------------------- layers
class GeoJsonLayer(MacroElement):
    """A Leaflet GeoJSON layer from a ready-made JSON string; style and tooltip come from each
    feature's properties (``f`` fill, ``c`` outline, ``w`` weight, ``d`` dash, ``t`` tooltip)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {{ this.options() }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: str,
        name: str,
        *,
        interactive: bool = False,
        color: str = OUTLINE,
        weight: float = 1.0,
        fill_opacity: float = 0.7,
    ) -> None:
        super().__init__()
        self._name = name
        self.data = data
        self.interactive = "true" if interactive else "false"
        self.color = color
        self.weight = weight
        self.fill_opacity = fill_opacity

    def options(self) -> str:
        return (
            "{interactive: " + self.interactive + ", style: function(f) { var p = f.properties;"
            ' return {fillColor: p.f || "none", fill: !!p.f, color: p.c || "' + self.color + '",'
            f" weight: p.w || {self.weight}, dashArray: p.d || null, fillOpacity: {self.fill_opacity},"
            " opacity: 1}; }, pointToLayer: function(f, latlng) { return L.circleMarker(latlng,"
            " {radius: 4, interactive: false}); }, onEachFeature: function(f, layer) { if ("
            + self.interactive
            + " && f.properties.t) { layer.bindTooltip(f.properties.t, {sticky: true}); } }}"
        )


class ClusterLayer(GeoJsonLayer):
    """The municipalities: per-click *properties* inline (colours, outlines, tooltips; about
    60 kB), geometry from ``geometry_url`` (a static file the browser loads once and keeps; see
    :func:`write_geometry_file`) or, without a URL, inline."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {{ this.options() }}).addTo({{ this._parent.get_name() }});
        (function(layer) {
            var props = {{ this.data }};
            var add = function(gj) {
                gj.features.forEach(function(f) {
                    var p = props[f.properties.n];
                    if (p) { layer.addData({type: "Feature", properties: p, geometry: f.geometry}); }
                });
            };
            {% if this.url %}
            window.__regiokaart = window.__regiokaart || {};
            var url = {{ this.url|tojson }};
            if (window.__regiokaart[url]) { add(window.__regiokaart[url]); }
            else { fetch(url).then(function(r) { return r.json(); }).then(function(gj) {
                window.__regiokaart[url] = gj; add(gj); }); }
            {% else %}
            add({{ this.geometry }});
            {% endif %}
        })({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, props: str, geometry_url: str | None, geometry: str | None = None) -> None:
        super().__init__(props, "municipalities", interactive=True, color="#ffffff", weight=0.6)
        self.url = geometry_url
        self.geometry = geometry


def tooltip_html(name: str, code: str, inhabitants: str, cluster: str, extra: str = "") -> str:
    return (
        f"<b>{html.escape(name)}</b> <small>{html.escape(code)}</small><br>{html.escape(inhabitants)}"
        f"<br>{html.escape(cluster)}{'<br>' + html.escape(extra) if extra else ''}"
    )


def cluster_features(
    dg: DisplayGeometry,
    fills: Mapping[str, str],
    tooltips: Mapping[str, str],
    *,
    strong: Iterable[str] = (),
    dashed: Iterable[str] = (),
) -> str:
    """Per-municipality map properties as one JSON object string keyed by NIS code: ``fills``
    (missing = unassigned grey), a thick outline for ``strong`` (active cluster), a dashed one for
    ``dashed`` (e.g. changed municipalities in a comparison), and the tooltip."""
    strong, dashed = set(strong), set(dashed)
    out: dict[str, dict[str, Any]] = {}
    for code in dg.codes:
        props: dict[str, Any] = {
            "n": code,
            "f": safe_colour(fills.get(code), UNASSIGNED),
            "t": tooltips.get(code, code),
        }
        if code in strong:
            props.update(c="#000000", w=2.5)
        if code in dashed:
            props.update(c="#000000", w=3, d="4 3")
        out[code] = props
    return _script_safe(json.dumps(out, ensure_ascii=False, separators=(",", ":")))


def geometry_collection(dg: DisplayGeometry) -> str:
    """The display geometry as a GeoJSON FeatureCollection (property ``n``: NIS code)."""
    parts = [
        '{"type":"Feature","properties":{"n":"' + c + '"},"geometry":' + dg.geometry_json[c] + "}"
        for c in dg.codes
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def write_geometry_file(dg: DisplayGeometry, folder: Path) -> str:
    """Write the display geometry under ``folder`` (Streamlit's ``static/``), named by content
    hash so browsers may cache it; return its URL under ``/app/static/``. Atomic."""
    from geo.atomic import atomic_write_text

    text = geometry_collection(dg)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    name = f"geometry-{dg.grid}-{digest}.json"
    target = folder / "generated" / name
    if not target.exists():
        atomic_write_text(target, text)
    return f"/app/static/generated/{name}"


def cluster_layer(
    props: str, geometry_url: str | None, geometry: str | None = None
) -> folium.FeatureGroup:
    """The dynamic part of the map (st_folium ``feature_group_to_add``): redrawn on each edit
    without rebuilding the map. Carries only the properties when the geometry has a URL."""
    if geometry_url is None and geometry is None:
        raise ValueError("the cluster layer needs a geometry URL or the geometry itself")
    fg = folium.FeatureGroup(name="clusters")
    ClusterLayer(props, geometry_url, geometry).add_to(fg)
    return fg


def base_map(
    dg: DisplayGeometry,
    *,
    provinces: str | None = None,
    comparison: str | None = None,
    centrumsteden: str | None = None,
    tiles: bool = False,
) -> folium.Map:
    """The static part of the map: view, optional tiles, outlines of provinces and of a comparison
    layer, centrumstad markers. All scripts and styles are served locally."""
    s, w, n, e = dg.bounds
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2], zoom_start=8, tiles=None, zoom_snap=0.25, zoom_delta=0.5,
        control_scale=True, attribution_control=tiles,
    )  # fmt: skip
    m.default_js = LEAFLET_JS
    m.default_css = LEAFLET_CSS
    if tiles:
        folium.TileLayer(OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap").add_to(m)
    if provinces:
        GeoJsonLayer(provinces, "provinces", color="#222222", weight=2.2).add_to(m)
    if comparison:
        GeoJsonLayer(comparison, "comparison", color="#7B2D8E", weight=2.5).add_to(m)
    if centrumsteden:
        GeoJsonLayer(
            centrumsteden, "centrumsteden", color="#000000", weight=1.5, fill_opacity=1
        ).add_to(m)
    return m


def point_features(points: Iterable[tuple[float, float, str]]) -> str:
    feats = [
        {
            "type": "Feature",
            "properties": {"f": "#ffffff", "t": html.escape(str(label))},
            "geometry": {"type": "Point", "coordinates": [lng, lat]},
        }
        for lat, lng, label in points
    ]
    return _script_safe(
        json.dumps({"type": "FeatureCollection", "features": feats}, separators=(",", ":"))
    )


def external_urls(m: folium.Map) -> list[str]:
    """Every script/style address the map would make the browser load (must all be local)."""
    out: list[str] = []

    def walk(el: Any) -> None:
        out.extend(u for _, u in getattr(el, "default_js", []))
        out.extend(u for _, u in getattr(el, "default_css", []))
        for child in getattr(el, "_children", {}).values():
            walk(child)

    walk(m)
    return [u for u in out if "://" in u or u.startswith("//")]


def payload_bytes(m: folium.Map, fg: folium.FeatureGroup, dg: DisplayGeometry | None = None) -> int:
    """Size of what the browser receives for the map: the rendered map with its cluster layer,
    plus the geometry file when the layer loads it by URL (``dg``)."""
    import copy

    mm = copy.deepcopy(m)
    copy.deepcopy(fg).add_to(mm)
    size = len(mm.get_root().render().encode("utf-8"))
    if dg is not None:
        size += len(geometry_collection(dg).encode("utf-8"))
    return size
