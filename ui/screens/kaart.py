"""Kaart: the map editor with its editing panel, figures, cluster table and violations."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import RegiokaartError
from ui import cache
from ui.actions import guard
from ui.colours import PALETTE, UNASSIGNED, safe_colour
from ui.editor import Editor
from ui.i18n import count
from ui.mapcomponent import map_editor, trigger
from ui.mapcomponent.payload import (
    LABELS,
    Edit,
    Outcome,
    SentStates,
    apply_edit,
    assignment_of,
    view_state,
)
from ui.mapview import OSM_ATTRIBUTION, OSM_TILES
from ui.model import cluster_rows, fmt, pct, violation_rows
from ui.screens import Ctx
from ui.state import (
    Settings,
    T,
    current_evaluation,
    editor,
    flash,
    focus,
    lang,
    layer_evaluator,
    layer_options,
    live,
    locked,
    outline_url,
    seq,
)
from ui.text import md_escape


@guard
def cb_set_active(ed: Editor, cluster: str | None = None) -> None:
    value = cluster if cluster is not None else st.session_state.get("active_select")
    if value in ed.plan.cluster_names:
        ed.active = value


@guard
def cb_new(ed: Editor) -> None:
    ed.new_cluster(st.session_state.get("new_name", ""))
    st.session_state["new_name"] = ""


@guard
def cb_rename(ed: Editor) -> None:
    if ed.active:
        ed.rename(ed.active, st.session_state.get("rename_text", ""))


@guard
def cb_colour(ed: Editor, key: str) -> None:
    if ed.active:
        ed.recolour(ed.active, str(st.session_state.get(key, "")).upper())


@guard
def cb_merge(ed: Editor) -> None:
    target = st.session_state.get("merge_target")
    if ed.active and target:
        ed.merge(ed.active, target)


@guard
def cb_delete(ed: Editor) -> None:
    """Delete the active cluster; one with members asks first (its municipalities become free)."""
    if not ed.active:
        return
    n = int((ed.plan.assignment == ed.active).sum())
    if n and st.session_state.get("confirm_cluster_delete") != ed.active:
        st.session_state["confirm_cluster_delete"] = ed.active
        return
    st.session_state.pop("confirm_cluster_delete", None)
    ed.delete(ed.active)


def cb_cancel_cluster_delete() -> None:
    st.session_state.pop("confirm_cluster_delete", None)


@guard
def cb_assign(ed: Editor, add: bool) -> None:
    code = st.session_state.get("kb_municipality")
    if not code:
        return
    if add:
        if ed.active is None:
            flash("warning", T("no_active"))
            return
        ed.assign(code, ed.active)
    else:
        ed.assign(code, None)


@guard
def cb_undo(ed: Editor) -> None:
    ed.undo()


@guard
def cb_redo(ed: Editor) -> None:
    ed.redo()


def cb_show(ed: Editor, cluster: str) -> None:
    """A violation's "Toon" and "Zoom naar cluster": the cluster becomes active, the map zooms
    to it and highlights it."""
    if cluster in ed.plan.cluster_names:
        ed.active = cluster
        focus(cluster=cluster)


def cb_show_pill(ed: Editor) -> None:
    cluster = st.session_state.get("viol_show")
    st.session_state["viol_show"] = None
    if cluster:
        cb_show(ed, cluster)


def cb_lock(ed: Editor, cluster: str) -> None:
    if st.session_state.get(f"lock-{cluster}"):
        locked(ed).add(cluster)
    else:
        locked(ed).discard(cluster)


MAP_KEY = "rk-map"
EDITOR_FIRST_S = 0.03


def map_callbacks(ed: Editor, s: Settings) -> dict[str, Any]:
    """The component's callbacks (run before the fragment reruns)."""
    gd = cache.grid_data(s.grid, s.year)
    ev = layer_evaluator(s.grid, s.year, s.alignment_layer)

    def on_edit() -> None:
        edit = Edit.from_value(trigger(MAP_KEY, "edit"))
        if edit is None:
            return
        t0 = time.perf_counter()
        try:
            out = apply_edit(ed, ev, live(), edit, gd.units["name"].to_dict(), locked(ed), lang())
        except RegiokaartError as exc:
            out = Outcome(edit.seq, False, str(exc))
        st.session_state["click_ms"] = (time.perf_counter() - t0) * 1000
        acks = st.session_state.setdefault("rk_acks", [])
        acks.append(out.to_json())
        del acks[:-5]
        if out.message:
            st.session_state["rk_msg"] = {"seq": edit.seq, "text": out.message}

    def on_search() -> None:
        value = trigger(MAP_KEY, "search")
        if not isinstance(value, dict) or not str(value.get("text", "")).strip():
            return
        from geo.names import name_index

        text = str(value["text"])
        try:
            code = name_index(s.grid, cache.data_dir()).resolve(text)
        except RegiokaartError as exc:
            st.session_state["rk_msg"] = {"seq": seq(), "text": str(exc), "error": True}
            return
        name = str(gd.units.loc[code, "name"])
        focus(code=code, text=f"{name} ({code})")

    def on_resync() -> None:
        st.session_state["rk_force_full"] = True

    return {"on_edit": on_edit, "on_search": on_search, "on_resync": on_resync}


def figures(ed: Editor, evaluation: Any) -> dict[str, Any]:
    lng = lang()
    cov = evaluation.coverage
    items: list[list[str]] = []
    if cov is not None:
        items.append(
            [
                T("cov_munis"),
                f"{cov.n_municipalities_covered} / {cov.n_municipalities_total}",
                pct(cov.municipality_share, lng),
            ]
        )
        items.append(
            [T("cov_pop"), fmt(cov.population_covered, lng), pct(cov.population_share, lng)]
        )
    items.append(
        [
            T("subsidy_total"),
            f"€ {fmt(evaluation.total_subsidy_eur, lng)}",
            f"€ {fmt(evaluation.total_funded_eur, lng)}",
        ]
    )
    if ed.active:
        try:
            r = evaluation.cluster(ed.active)
            pop, n = r.facts.population, r.facts.n_municipalities
        except KeyError:
            pop, n = 0, 0
        items.append(
            [
                T("active_pop", cluster=ed.plan.display_name(ed.active)),
                fmt(pop, lng),
                count("munis", n, lng),
            ]
        )
    return {
        "pop": int(cov.population_covered) if cov is not None else 0,
        "munis": int(cov.n_municipalities_covered) if cov is not None else 0,
        "items": items,
    }


def editor_map(ed: Editor, s: Settings, evaluation: Any, dashed: tuple[str, ...]) -> None:
    """The map editor: sends the view state's changes since the last run, the figures and the
    outcome of the latest edits."""
    layers = layer_options(s.grid)
    outlines = {
        "prov": cache.outline_url("provinces", s.grid) if s.provinces else None,
        "cmp": outline_url(s.outline, s.grid, s.year) if s.outline else None,
        "cmp_label": layers.get(s.outline, ""),
        "cs": cache.outline_url("centrumsteden", s.grid) if s.centrumsteden else None,
        "tiles": s.tiles,
        "tile_url": OSM_TILES if s.tiles else "",
        "tile_attr": OSM_ATTRIBUTION if s.tiles else "",
    }
    ev = layer_evaluator(s.grid, s.year, s.alignment_layer)
    assignment = assignment_of(live().get(ev, ed.plan))[0]
    state = view_state(
        ed.plan, ed.colours, evaluation, assignment=assignment, active=ed.active, grid=s.grid,
        geometry=cache.geometry_url(s.grid) or "", meta_token=f"{s.grid}-{s.year}",
        outlines=outlines, dashed=dashed, lang=lang(),
    )  # fmt: skip
    state["m"] = cache.map_meta(s.grid, s.year)
    state["lab"] = LABELS["en" if lang() == "en" else "nl"]
    state["un"] = UNASSIGNED
    sent: SentStates = st.session_state.setdefault("rk_sent", SentStates())
    extra = {
        "f": figures(ed, evaluation),
        "ack": list(st.session_state.get("rk_acks", [])),
        "msg": st.session_state.get("rk_msg"),
        "focus": st.session_state.get("rk_focus"),
    }
    data = sent.payload(state, full=bool(st.session_state.pop("rk_force_full", False)), extra=extra)
    map_editor(data, key=MAP_KEY, **map_callbacks(ed, s))


def panel_signature(ed: Editor) -> tuple[Any, ...]:
    """What the (static) editing panel shows; when an edit on the map changes it, the page
    reruns whole."""
    return (ed.active, tuple(ed.plan.cluster_names.items()), tuple(sorted(ed.colours.items())))


@st.fragment
def editor_area(s: Settings, dashed: tuple[str, ...]) -> None:
    """The map with its figures, undo/redo and the tables: reruns alone after an edit on the
    map, so nothing that does not change is sent again."""
    ed = editor(s.grid, s.year)
    if st.session_state.get("rk_panel") != panel_signature(ed):
        st.rerun(scope="app")  # e.g. "Toon" or undo changed the active cluster or the clusters
    evaluation = current_evaluation(s, ed.plan)
    editor_map(ed, s, evaluation, dashed)
    # let Streamlit send the editor's answer on its own, so the browser paints the figures
    # before it gets (and renders) the tables below; measured: click → figures 190 → 120-165 ms
    time.sleep(EDITOR_FIRST_S)
    history = (
        ("undo", "↶", cb_undo, ed.can_undo, ed.undo_label),
        ("redo", "↷", cb_redo, ed.can_redo, ed.redo_label),
    )
    for col, (key, arrow, cb, able, label) in zip(st.columns(2), history, strict=True):
        col.button(
            f"{arrow} {T(key)}", on_click=cb, args=(ed,), disabled=not able, key=key,
            width="stretch", help=label or None,
        )  # fmt: skip
    if "click_ms" in st.session_state:
        ms = f"{st.session_state['click_ms']:.0f}"
        st.caption(f"{count('edits', ed.pos, lang())} · {T('click_ms', ms=ms)}")
    tables(ed, evaluation, cache.grid_data(s.grid, s.year).units["name"].to_dict(), s)


def render(ctx: Ctx) -> None:
    """The map screen: the editor (a fragment) and its panel."""
    from ui.screens.vergelijken import changed_on_map

    st.caption(ctx.T("subtitle"))
    map_tab(ctx.editor, ctx.settings, ctx.evaluation, changed_on_map(ctx))


def map_tab(ed: Editor, s: Settings, evaluation: Any, dashed: list[str]) -> None:
    gd = cache.grid_data(s.grid, s.year)
    col_map, col_side = st.columns([5, 3], gap="medium")
    st.session_state["rk_panel"] = panel_signature(ed)
    with col_map:  # first: the map's element (and its code) reaches the browser before the panel
        editor_area(s, tuple(dashed))
    with col_side:
        edit_panel(ed, evaluation)
        keyboard = st.expander(T("keyboard"), key="keyboard_open", on_change="rerun")
        with keyboard:
            if not keyboard.open:  # drawn when opened: 285 names less on the first page
                return
            names = gd.units["name"].to_dict()
            st.selectbox(
                T("municipality"), sorted(names, key=lambda c: names[c]), key="kb_municipality",
                index=None, format_func=lambda c: f"{names[c]} ({c})", placeholder=T("choose"),
            )  # fmt: skip
            pairs = (("add_to_active", True, "kb_add"), ("unassign", False, "kb_remove"))
            for col, (label, add, key) in zip(st.columns(2), pairs, strict=True):
                col.button(T(label), on_click=cb_assign, args=(ed, add), key=key, width="stretch")


def edit_panel(ed: Editor, evaluation: Any) -> None:
    """Active cluster, new cluster, zoom to it, manage it (lock, rename, colour, merge, delete).
    Outside the editor's fragment: it changes only with the page (an edit on the map that
    changes what it shows reruns the page; see :func:`editor_area`)."""
    plan = ed.plan
    st.session_state["rk_panel"] = panel_signature(ed)
    if plan.clusters:
        st.session_state["active_select"] = ed.active
        st.selectbox(
            T("active"), plan.clusters, key="active_select", on_change=cb_set_active, args=(ed,),
            format_func=lambda c: f"{plan.display_name(c)}",
        )  # fmt: skip
    else:
        st.info(T("no_active"))
    new = st.popover(f"+ {T('new_cluster')}", width="stretch", key="new_open", on_change="rerun")
    with new:
        if new.open:  # drawn when opened: no text field's code on the first page
            st.text_input(T("new_cluster_name"), key="new_name")
            st.button(T("create"), on_click=cb_new, args=(ed,), key="new_button")
    if ed.active:
        st.button(
            T("zoom_cluster"), on_click=cb_show, args=(ed, ed.active), key="zoom_cluster",
            width="stretch",
        )  # fmt: skip
        manage = st.expander(
            f"{T('manage')}: {md_escape(plan.display_name(ed.active))}",
            key="manage_open",
            on_change="rerun",
        )
        with manage:
            if not manage.open:  # drawn when opened: no field code on the first page
                return
            st.checkbox(
                T("lock"), value=ed.active in locked(ed), key=f"lock-{ed.active}",
                on_change=cb_lock, args=(ed, ed.active),
            )  # fmt: skip
            if (  # the field follows the cluster
                st.session_state.get("rename_for") != ed.active
                or "rename_text" not in st.session_state
            ):
                st.session_state["rename_for"] = ed.active
                st.session_state["rename_text"] = plan.display_name(ed.active)
            st.text_input(T("rename"), key="rename_text")
            st.button(T("rename_button"), on_click=cb_rename, args=(ed,), key="rename_button")
            ckey = f"colour-{ed.active}-{ed.pos}"
            st.color_picker(
                T("colour"),
                value=safe_colour(ed.colours.get(ed.active), PALETTE[0]),
                key=ckey,
                on_change=cb_colour,
                args=(ed, ckey),
            )
            others = [c for c in plan.clusters if c != ed.active]
            if others:
                st.selectbox(
                    T("merge_into"), others, key="merge_target", format_func=plan.display_name
                )
                st.button(T("merge_button"), on_click=cb_merge, args=(ed,), key="merge_button")
            st.button(T("delete_button"), on_click=cb_delete, args=(ed,), key="delete_button")
            if st.session_state.get("confirm_cluster_delete") == ed.active:
                n = int((plan.assignment == ed.active).sum())
                st.warning(
                    T("confirm_delete_cluster", name=md_escape(plan.display_name(ed.active)), n=n)
                )
                d1, d2 = st.columns(2)
                d1.button(T("delete_yes"), key="delete_cluster_yes", on_click=cb_delete, args=(ed,))
                d2.button(
                    T("delete_no"), key="delete_cluster_no", on_click=cb_cancel_cluster_delete
                )


def cluster_table(rows: pd.DataFrame, lng: str) -> pd.DataFrame:
    """The cluster table as text in the language's number formats (a light st.table: no data
    grid to load on the first screen; the active cluster is picked in the panel)."""
    out = rows.drop(columns=["id"]).copy()
    for col in (T("col_munis"), T("col_pop"), T("col_viol")):
        out[col] = [fmt(v, lng) for v in out[col]]
    for col in (T("col_subsidy"), T("col_funded")):
        out[col] = [f"EUR {fmt(v, lng)}" for v in out[col]]
    return out.set_index(T("col_cluster"))


def markdown_table(frame: pd.DataFrame) -> str:
    """A table as one markdown element (the page then loads no Arrow table code: about 0.9 MB
    less script on the first screen); names escaped."""

    def cell(v: object) -> str:
        return md_escape(str(v)).replace("|", "\\|").replace("\n", " ")

    cols = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        lines.append("| " + " | ".join(cell(v) for v in [idx, *row.tolist()]) + " |")
    return "\n".join(lines)


def province_part(plan: Any, s: Settings) -> Any:
    """With the sidebar's province filter: a caption with the province's covered inhabitants and
    the clusters that cross its border; returns the :class:`geo.province.ProvinceView` (or None)."""
    if not s.province:
        return None
    from geo.province import province_view

    gd = cache.grid_data(s.grid, s.year)
    try:
        pv = province_view(plan, gd.units, gd.population, s.province)
    except RegiokaartError as exc:
        st.warning(md_escape(exc))
        return None
    lng = lang()
    pop, share = fmt(pv.population_covered, lng), pct(pv.population_share, lng)
    text = T("province_caption", province=s.province, pop=pop, share=share, n=len(pv.clusters))
    st.caption(md_escape(text))
    if pv.crossing:
        names = ", ".join(plan.display_name(c) for c in pv.crossing)
        st.caption(md_escape(T("ov_crossing", names=names)))
    return pv


def tables(ed: Editor, evaluation: Any, names: dict[str, str], s: Settings) -> None:
    lng = lang()
    st.subheader(T("clusters"))
    pv = province_part(ed.plan, s)
    rows = cluster_rows(evaluation, lng)
    if pv is not None and not rows.empty:  # the province's clusters; border-crossers marked ↔
        crossing = set(pv.crossing)
        rows = rows[rows["id"].isin(set(pv.clusters["cluster"].astype(str)))].copy()
        col = T("col_cluster")
        rows[col] = [
            f"{n} ↔" if c in crossing else n for c, n in zip(rows["id"], rows[col], strict=True)
        ]
    if not rows.empty:
        with st.container(height=min(420, 60 + 36 * len(rows)), border=False):
            st.markdown(markdown_table(cluster_table(rows, lng)))
    st.subheader(T("violations"))
    vs = violation_rows(evaluation, lng, names, dict(ed.plan.cluster_names))
    if not vs:
        st.success(T("no_violations"))
        return
    lines = []
    for v in vs:
        icon = "⛔" if v["severity"] == "error" else "⚠️"
        where = f"**{md_escape(v['cluster_name'])}** · " if v["cluster_name"] else ""
        lines.append(f"- {icon} {where}{md_escape(v['text'])} `{v['rule_id']}`")
    with st.container(height=min(360, 40 + 30 * len(vs))):
        st.markdown("\n".join(lines))  # one element: cheap to resend after each click
    shown = [
        c
        for c in dict.fromkeys(v["cluster"] for v in vs if v["cluster"])
        if c in ed.plan.cluster_names
    ]
    if shown:
        st.pills(
            T("show"), shown, format_func=lambda c: md_escape(ed.plan.display_name(c)), key="viol_show",
            on_change=cb_show_pill, args=(ed,), selection_mode="single",
        )  # fmt: skip
    if evaluation.notes:
        with st.expander(T("plan_notes")):
            st.markdown("\n".join(f"- {md_escape(n)}" for n in evaluation.notes))
