"""The overlap screen: a plan's clusters against any comparison layer, shipped or the user's own,
for all of Flanders or one province. :func:`render` is the app's screen (the sidebar's province
filter); :func:`render_overlap` takes explicit arguments (its own session keys).

Session keys (all owned here):

* ``user_layers``: ``{id: ui.userlayers.UserLayer}``, the session's own layers (``user:<slug>``).
  Read it with :func:`user_layers`; every layer picker of the app lists them
  (:func:`ui.userlayers.choices`).
* ``ov_upload`` (file uploader), ``ov_region_column`` (region column when the file has several
  candidates), ``ov_add`` (button), ``ov_error`` / ``ov_info`` (message of the last upload),
  ``ov_layer`` (chosen layer id), ``ov_province`` (the screen's province filter), ``ov_xlsx``.

Every user text (file, layer, region, cluster names, error messages) is escaped
(:mod:`ui.text`) before it is rendered as Markdown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import altair as alt
import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.errors import CRSError, LimitError, RegiokaartError
from geo.layers import Layer, load_layer
from geo.overlap import OverlapView, overlap_view
from geo.plans import Plan
from geo.province import ProvinceView, province_codes, province_view, provinces
from ui import userlayers
from ui.i18n import t, yes_no
from ui.model import pct
from ui.text import md_escape
from ui.userlayers import UserLayer

USER_LAYERS = "user_layers"
ALL = ""  # the province filter's "all" option


def user_layers() -> dict[str, UserLayer]:
    """The session's own layers (``st.session_state["user_layers"]``), created empty."""
    layers: dict[str, UserLayer] = st.session_state.setdefault(USER_LAYERS, {})
    return layers


def _num(n: float, lang: str) -> str:
    s = f"{round(n):,}"
    return s.replace(",", ".") if lang == "nl" else s


def _pct(x: float | None, lang: str) -> str:
    return "–" if x is None else pct(x, lang)  # 78,4 % / 78.4%, as everywhere in the app


# ------------------------------------------------------------------------------ province filter
def province_filter(
    units: gpd.GeoDataFrame, key: str = "ov_province", lang: str = "nl", container: Any = None
) -> str | None:
    """A select box "Provincie: alle / Antwerpen / …"; returns the chosen province or None (all).

    ``container``: where to draw it (``st.sidebar``; default the main area). Zoom the map to
    :attr:`geo.province.ProvinceView.bounds` of the choice."""
    where = container if container is not None else st
    options = [ALL, *provinces(units)]
    choice = where.selectbox(
        t("ov_province", lang),
        options,
        key=key,
        format_func=lambda p: t("ov_all", lang) if p == ALL else p,
    )
    return None if choice in (ALL, None) else str(choice)


# ------------------------------------------------------------------------------ upload
def error_hint(exc: RegiokaartError) -> str | None:
    """The i18n key of a plain-language explanation of a layer error (the CLI's messages are in
    English; the app says what went wrong in the UI's language first), or None."""
    text = str(exc)
    if isinstance(exc, CRSError):
        return "ov_err_crs"
    if isinstance(exc, LimitError):
        return "ov_err_limit"
    if "pair(s) of regions overlap" in text:
        return "ov_err_overlap"
    if "cannot tell which column names the region" in text or "no column '" in text:
        return "ov_err_column"
    if "problem(s) in the table" in text:
        return "ov_err_table"
    if "not a valid zip" in text or "broken zip" in text or "Cannot read" in text:
        return "ov_err_unreadable"
    if "empty" in text or "no rows" in text or "no features" in text or "no polygons" in text:
        return "ov_err_empty"
    if "no polygon overlaps a Flemish municipality" in text:
        return "ov_err_nowhere"
    return None


def _error_text(exc: RegiokaartError, lang: str) -> str:
    """The message to show (escaped Markdown): a lead in the UI's language with an explanation,
    then the CLI's message (every quoted name escaped)."""
    lead = t("ov_upload_failed", lang)
    hint = error_hint(exc)
    if hint:
        lead += ". " + t(hint, lang)
    return f"**{md_escape(lead)}**\n\n{t('ov_err_detail', lang)}:\n\n{md_escape(exc)}"


def _add_upload(grid: int, data_dir: str, lang: str) -> None:
    """Callback of ``ov_add``: read the uploaded file for ``grid`` into ``user_layers``."""
    st.session_state.pop("ov_error", None)
    st.session_state.pop("ov_info", None)
    f = st.session_state.get("ov_upload")
    if f is None:
        return
    column = st.session_state.get("ov_region_column") or None
    try:
        ul = add_user_layer(f.getvalue(), f.name, grid, data_dir, column)
    except RegiokaartError as exc:
        st.session_state["ov_error"] = _error_text(exc, lang)
        return
    st.session_state["ov_layer"] = ul.id
    st.session_state["ov_info"] = t("ov_added", lang, name=md_escape(ul.name))


def add_user_layer(
    data: bytes,
    file_name: str,
    grid: int,
    data_dir: str | os.PathLike[str],
    region_column: str | None = None,
) -> UserLayer:
    """Read an upload into the session's ``user_layers`` (what the upload button does); returns it.

    Raises
    ------
    RegiokaartError
        What the CLI would refuse, with its message."""
    layers = user_layers()
    ul = userlayers.from_upload(data, file_name, grid, data_dir, region_column, layers)
    layers[ul.id] = ul
    return ul


def upload_panel(grid: int, data_dir: str | os.PathLike[str], lang: str = "nl") -> None:
    """The upload of an own layer: file, region column when there is a choice, add button."""
    f = st.file_uploader(
        t("ov_upload", lang),
        type=list(userlayers.UPLOAD_TYPES),
        key="ov_upload",
        help=t("ov_upload_help", lang),
    )
    if f is not None:
        try:
            cands = userlayers.upload_candidates(f.getvalue(), f.name)
        except RegiokaartError as exc:
            st.error(_error_text(exc, lang))
            cands = None
        if cands is not None:
            if len(cands) > 1:
                st.selectbox(t("ov_region_column", lang), cands, key="ov_region_column")
            else:
                st.session_state.pop("ov_region_column", None)
            st.button(
                t("ov_add", lang),
                key="ov_add",
                on_click=_add_upload,
                args=(grid, str(data_dir), lang),
                type="primary",
            )
    if st.session_state.get("ov_error"):
        st.error(st.session_state["ov_error"])
    if st.session_state.get("ov_info"):
        st.success(st.session_state["ov_info"])


# ------------------------------------------------------------------------------ figures
def resolve_layer(
    layer_id: str,
    grid: int,
    data_dir: str | os.PathLike[str],
    user: Mapping[str, UserLayer],
) -> Layer:
    """The :class:`geo.layers.Layer` of a picker's id on ``grid``: a shipped layer or an own one
    (read again for ``grid`` when uploaded on another)."""
    if layer_id in user:
        return userlayers.on_grid(user[layer_id], grid, data_dir).layer
    return load_layer(layer_id, grid, data_dir)


def compute(
    plan: Plan,
    units: gpd.GeoDataFrame,
    population: pd.Series,
    layer: Layer,
    province: str | None = None,
) -> tuple[OverlapView, ProvinceView | None]:
    """The overlap view (as the CLI computes it: area-weighted layers get the municipalities' areas)
    for Flanders or ``province``'s municipalities, and the province's view of the plan."""
    areas = units["area_km2"] if layer.weighting == "area" else None
    if province is None:
        return overlap_view(plan, layer, population, areas), None
    codes = province_codes(units, province)
    return (
        overlap_view(plan, layer, population, areas, codes),
        province_view(plan, units, population, province),
    )


def cluster_table(view: OverlapView, pv: ProvinceView | None, lang: str) -> pd.DataFrame:
    """Per cluster, for display (shares as fractions; the column config shows percentages)."""
    c = view.clusters
    dom = c["dominant_region_name"] if "dominant_region_name" in c else c["dominant_region"]
    out = pd.DataFrame(
        {
            t("col_cluster", lang): c["cluster_name"].astype(str),
            t("ov_col_regions_touched", lang): c["regions_touched"].astype(int),
            t("ov_col_dominant", lang): dom.fillna("–").astype(str),
            t("ov_col_dominant_share", lang): c["dominant_share"].astype(float),
            t("ov_col_nested", lang): [yes_no(bool(v), lang) for v in c["nested"]],
            t("ov_col_outside", lang): c["n_outside"].astype(int),
        }
    )
    if pv is not None:
        crossing = set(pv.crossing)
        out[t("ov_col_crosses", lang)] = [yes_no(cl in crossing, lang) for cl in c["cluster"]]
    return out


def region_table(view: OverlapView, plan: Plan, layer: Layer, lang: str) -> pd.DataFrame:
    """Per region: inhabitants, clusters touching it and the share of its inhabitants in each."""
    r = view.regions
    names = layer.region_names

    def shares(row: Any) -> str:
        return "; ".join(
            f"{plan.display_name(c)} {_pct(s, lang)}"
            for c, s in zip(row.clusters, row.cluster_shares, strict=True)
        )

    return pd.DataFrame(
        {
            t("ov_col_region", lang): [str(names.get(x, x)) for x in r["region"]],
            t("col_munis", lang): r["n_municipalities"].astype(int),
            t("col_pop", lang): r["population"].astype(float).round().astype(int),
            t("ov_col_n_clusters", lang): r["clusters_touching"].astype(int),
            t("ov_col_cluster_shares", lang): [shares(row) for row in r.itertuples()],
            t("ov_col_covered", lang): r["covered_share"].astype(float),
        }
    )


def province_table(view: OverlapView, lang: str) -> pd.DataFrame:
    """The adjusted Rand index per province."""
    p = view.provinces
    if p.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            t("ov_col_province", lang): p["province"].astype(str),
            t("ov_ari", lang): pd.to_numeric(p["ari"], errors="coerce"),
            t("ov_col_common", lang): p["n_common"].astype(int),
            t("ov_col_clusters_covered", lang): p["n_clusters_covered"].astype(int),
            t("ov_col_nested_n", lang): p["n_nested"].astype(int),
        }
    )


def heat_map(view: OverlapView, plan: Plan, layer: Layer, lang: str) -> alt.Chart | None:
    """Inhabitants per cluster (rows) and region (columns) as a heat map (vega-lite, offline)."""
    m = view.matrix
    m = m.loc[m.sum(axis=1) > 0, m.sum(axis=0) > 0]
    if m.empty:
        return None
    names = layer.region_names
    cl, rg, inh = t("col_cluster", lang), t("ov_col_region", lang), t("col_pop", lang)
    long = m.stack().rename(inh).reset_index()
    long[cl] = [plan.display_name(str(c)) for c in long["cluster"]]
    long[rg] = [str(names.get(r, r)) for r in long["region"]]
    long[inh] = long[inh].round().astype(int)
    long = long[long[inh] > 0]
    return (
        alt.Chart(long[[cl, rg, inh]])
        .mark_rect()
        .encode(
            x=alt.X(f"{rg}:N", title=rg, sort=None),
            y=alt.Y(f"{cl}:N", title=cl, sort=None),
            color=alt.Color(f"{inh}:Q", title=inh, scale=alt.Scale(scheme="blues")),
            tooltip=[alt.Tooltip(f"{cl}:N"), alt.Tooltip(f"{rg}:N"), alt.Tooltip(f"{inh}:Q")],
        )
        .properties(height=max(160, 18 * m.shape[0]))
    )


def outline_chart(geojson: str, lang: str) -> alt.Chart:
    """A layer's outline (GeoJSON text of :func:`ui.userlayers.outline_geojson`) as a small map
    with the region names in tooltips (vega-lite, offline)."""
    feats = json.loads(geojson)["features"]
    name = t("ov_col_region", lang)
    return (
        alt.Chart(alt.Data(values=feats))
        .mark_geoshape(stroke="#7B2D8E", strokeWidth=1.5, fill="#7B2D8E", fillOpacity=0.08)
        .encode(tooltip=[alt.Tooltip("properties.region_name:N", title=name)])
        .project(type="mercator")
        .properties(height=320)
    )


def _outline_text(
    layer_id: str, layer: Layer, grid: int, units: gpd.GeoDataFrame, user: Mapping[str, UserLayer]
) -> str:
    from ui import cache

    ul = user.get(layer_id)
    key = f"{layer_id}:{grid}:{ul.digest if ul is not None else 'shipped'}"
    return cache.layer_outline_geojson(key, layer, units)


def _figures(
    view: OverlapView,
    pv: ProvinceView | None,
    plan: Plan,
    layer: Layer,
    lang: str,
) -> None:
    rep = view.report
    cols = st.columns(4)
    ari_help = t("ov_ari_help", lang, n=rep["n_common"])
    cols[0].metric(
        t("ov_ari", lang),
        "–" if view.ari is None else f"{view.ari:.3f}".replace(".", "," if lang == "nl" else "."),
        help=ari_help,
    )
    cols[1].metric(
        t("ov_nested", lang),
        t("ov_nested_value", lang, n=rep["n_nested"], m=rep["n_clusters_covered"]),
    )
    cols[2].metric(t("ov_completeness", lang), _pct(rep["layer_completeness"], lang))
    if pv is not None:
        cols[3].metric(
            t("cov_pop", lang),
            _num(pv.population_covered, lang),
            help=f"{_pct(pv.population_share, lang)} / {_num(pv.population_total, lang)}",
        )
    if rep.get("layer_partial"):
        st.warning(t("ov_partial", lang))
    if view.area_note:
        st.info(t("ov_area_note", lang))
    pct = st.column_config.NumberColumn(format="percent")
    st.subheader(t("ov_clusters", lang))
    ct = cluster_table(view, pv, lang)
    st.dataframe(
        ct,
        hide_index=True,
        key="ov_clusters_table",
        column_config={t("ov_col_dominant_share", lang): pct},
    )
    st.subheader(t("ov_regions", lang))
    st.dataframe(
        region_table(view, plan, layer, lang),
        hide_index=True,
        key="ov_regions_table",
        column_config={t("ov_col_covered", lang): pct},
    )
    st.subheader(t("ov_by_province", lang))
    st.dataframe(
        province_table(view, lang),
        hide_index=True,
        key="ov_provinces_table",
        column_config={t("ov_ari", lang): st.column_config.NumberColumn(format="%.3f")},
    )
    chart = heat_map(view, plan, layer, lang)
    if chart is not None:
        st.subheader(t("ov_matrix", lang))
        st.altair_chart(chart, width="stretch")


def render_overlap(
    plan: Plan,
    units: gpd.GeoDataFrame,
    population: pd.Series,
    grid: int,
    data_dir: str | os.PathLike[str],
    lang: str,
    user: Mapping[str, UserLayer] | None = None,
    layer_options: Mapping[str, str] | None = None,
    *,
    province: str | None = None,
    show_province_filter: bool = True,
    show_upload: bool = True,
) -> None:
    """The overlap screen.

    Parameters
    ----------
    plan : Plan
        The current plan (on ``grid``).
    units : GeoDataFrame
        The municipalities of ``grid`` (EPSG:31370, with ``province`` and ``area_km2``).
    population : Series
        Inhabitants per municipality (``attrs['year']``).
    grid : int
        The grid.
    data_dir : path
        The data directory (layers are read from it).
    lang : str
        ``nl`` or ``en``.
    user : mapping, optional
        The session's own layers (default: :func:`user_layers`).
    layer_options : mapping, optional
        Shipped layer id -> label in ``lang`` (``ui.cache.layer_choices``); default: none.
    province : str, optional
        The province to restrict to when ``show_province_filter`` is False (e.g. the sidebar's
        :func:`province_filter`).
    show_province_filter : bool
        Draw the screen's own province filter (``ov_province``).
    show_upload : bool
        Draw the upload of an own layer.
    """
    st.subheader(t("ov_title", lang))
    st.caption(t("ov_intro", lang))
    if show_upload:
        upload_panel(grid, data_dir, lang)
    own = dict(user) if user is not None else user_layers()
    options = userlayers.choices(dict(layer_options or {}), own, lang)
    if not options:
        st.info(t("ov_no_layer", lang))
        return
    if st.session_state.get("ov_layer") not in options:
        st.session_state.pop("ov_layer", None)
    layer_id = st.selectbox(
        t("ov_layer", lang),
        list(options),
        key="ov_layer",
        format_func=lambda i: options.get(i, i),
    )
    if show_province_filter:
        province = province_filter(units, "ov_province", lang)
    try:
        layer = resolve_layer(str(layer_id), grid, data_dir, own)
        view, pv = compute(plan, units, population, layer, province)
    except RegiokaartError as exc:
        st.error(f"{md_escape(t('error', lang))}: {md_escape(exc)}")
        return
    if pv is not None:
        st.caption(t("ov_province_caption", lang, province=md_escape(province)))
        if pv.crossing:
            names = ", ".join(plan.display_name(c) for c in pv.crossing)
            st.caption(t("ov_crossing", lang, names=md_escape(names)))
    _figures(view, pv, plan, layer, lang)
    with st.expander(t("ov_outline", lang)):
        try:
            text = _outline_text(str(layer_id), layer, grid, units, own)
            st.altair_chart(outline_chart(text, lang), width="stretch")
        except RegiokaartError as exc:
            st.warning(md_escape(exc))
    notes = view.report.get("notes") or []
    if notes:
        with st.expander(t("ov_notes", lang)):
            st.markdown("\n".join(f"- {md_escape(n)}" for n in notes))
    stem = userlayers.slug(Path(str(layer.id)).stem)
    where = f"-{userlayers.slug(province)}" if province else ""
    st.download_button(
        t("ov_xlsx", lang),
        data=view.xlsx,
        file_name=f"overlap-{stem}{where}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="ov_xlsx",
    )


def render(ctx: Any) -> None:
    """The app's overlap screen: the editor's plan, every layer (shipped and own), restricted to
    the sidebar's province."""
    from ui import cache

    s, gd = ctx.settings, ctx.grid_data
    i = 0 if ctx.lang == "nl" else 1
    shipped = {k: v[i] for k, v in cache.layer_choices().items()}
    render_overlap(
        ctx.editor.plan, gd.units, gd.population, s.grid, gd.data_dir, ctx.lang, user_layers(),
        shipped, province=s.province, show_province_filter=False,
    )  # fmt: skip
