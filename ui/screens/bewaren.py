"""Bewaren en exporteren: save, open, delete and restore plans; import; the downloads."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import RegiokaartError
from geo.planstore import resolve_db_path
from ui import cache, userlayers
from ui.actions import check_codes, checked_upload, guard, plan_store
from ui.editor import Editor
from ui.exports import downloads
from ui.i18n import count, error_text
from ui.screens import Ctx
from ui.state import (
    GRIDS,
    Settings,
    T,
    editor,
    flash,
    forget,
    lang,
    put,
    user_layers,
)
from ui.store import open_state, plan_from_bytes, plan_from_record, record_of
from ui.text import md_escape


def _when(ts: str) -> str:
    return f"{ts[:16].replace('T', ' ')} UTC" if ts else ""


def keep_tab(ed: Editor, s: Settings, evaluation: Any) -> None:
    gd = cache.grid_data(s.grid, s.year)
    left, right = st.columns(2)
    with left:
        st.subheader(T("save"))
        st.text_input(T("plan_name"), key="save_name", value=ed.plan.name or "", max_chars=200)
        st.text_input(T("save_note"), key="save_note", max_chars=2000)
        st.button(
            T("save_button"), on_click=cb_save, args=(ed, s), key="save_button", type="primary"
        )
        saved_plans()
        st.subheader(T("import"))
        st.file_uploader(
            T("upload"),
            type=["csv", "xlsx", "xls", "txt"],
            key="import_upload",
            help=T("upload_help"),
        )
        st.button(T("import_button"), on_click=cb_import, args=(s,), key="import_button")
    with right:
        st.subheader(T("exports"))
        plan = ed.plan
        named = str(st.session_state.get("save_name") or "").strip() or plan.name
        files = downloads(
            replace(plan, name=named), evaluation, gd.units, gd.population, ed.colours, cache.display(s.grid),
            s.describe(), lang(),
        )  # fmt: skip
        for d in files:
            st.download_button(T(d.key), d.data, d.file_name, d.mime, key=d.key, on_click="ignore")
        stem = files[0].file_name.rsplit(".", 1)[0] if files else ""
        st.caption(
            f"{count('munis', len(plan.assignment), lang())} · {T('grid').lower()} {plan.grid}"
            f" · {md_escape(stem)}.*"
        )


def saved_plans() -> None:
    """The saved plans: a table (name, versions, last saved), then one plan and version to open,
    delete (after a confirmation) or look back on; deleted plans can be restored."""
    st.subheader(T("saved_plans"))
    try:
        store, report = cache.plan_store(str(resolve_db_path()))
        plans, gone = store.list(), store.deleted()
    except RegiokaartError as exc:
        st.error(f"{T('error')}: {md_escape(error_text(str(exc), lang()))}")
        return
    for problem in report.problems:
        st.warning(md_escape(problem))
    if not plans:
        st.caption(T("no_saved", folder=md_escape(store.path)))
    else:
        table = [
            {
                T("col_plan"): p.name,
                T("col_versions"): p.versions,
                T("col_last_saved"): _when(p.last_saved),
                T("grid"): p.grid,
                T("clusters"): p.n_clusters,
                T("col_note"): p.last_note,
            }
            for p in plans
        ]
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
        names = [p.name for p in plans]
        if st.session_state.get("saved_pick") not in names:
            st.session_state["saved_pick"] = names[0]
        name = st.selectbox(T("pick_plan"), names, key="saved_pick")
        history = store.history(name)
        labels = {
            v.version: f"{T('version')} {v.version} · {_when(v.created)}"
            + (f" · {v.note}" if v.note else "")
            for v in history
        }
        versions = sorted(labels, reverse=True)
        if st.session_state.get("saved_version") not in versions:
            st.session_state["saved_version"] = versions[0]
        version = st.selectbox(
            T("version"), versions, key="saved_version", format_func=lambda v: labels[v]
        )
        c1, c2 = st.columns(2)
        c1.button(
            T("open"), key="open_plan", on_click=cb_open, args=(name, version), type="primary",
            width="stretch",
        )  # fmt: skip
        c2.button(
            T("delete"), key="ask_delete", on_click=cb_ask_delete, args=(name,), width="stretch"
        )
        pending = st.session_state.get("confirm_delete")
        if pending in names:
            st.warning(T("confirm_delete", name=md_escape(pending)))
            d1, d2 = st.columns(2)
            d1.button(T("delete_yes"), key="delete_yes", on_click=cb_delete_plan, args=(pending,))
            d2.button(T("delete_no"), key="delete_no", on_click=cb_cancel_delete)
        with st.expander(T("history_of", name=md_escape(name))):
            rows = [
                {
                    T("version"): v.version,
                    T("col_saved"): _when(v.created),
                    T("grid"): v.grid,
                    T("year"): v.population_year,
                    T("rule_set"): v.rule_set,
                    T("scenario"): v.scenario or "–",
                    T("col_note"): v.note,
                }
                for v in reversed(history)
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if gone:
        with st.expander(T("deleted_plans", n=len(gone))):
            pick = st.selectbox(T("pick_plan"), [p.name for p in gone], key="deleted_pick")
            st.button(T("restore"), key="restore_plan", on_click=cb_restore_plan, args=(pick,))


@guard
def cb_save(ed: Editor, s: Settings) -> None:
    name = str(st.session_state.get("save_name", "")).strip()
    note = str(st.session_state.get("save_note", "")).strip()
    plan = ed.plan
    named = replace(plan, name=name)
    record = record_of(
        named, ed.colours, grid=s.grid, population_year=s.year, rule_set=s.rule_set.id,
        scenario=s.scenario.id if s.scenario else "", overrides=s.overrides, outline=s.outline,
        layer=own_layer_in_use(s),
    )  # fmt: skip
    version = plan_store().save(name, record, note=note)
    ed.name_plan(name)
    st.session_state["save_note"] = ""
    st.session_state["saved_pick"] = name
    st.session_state.pop("saved_version", None)
    st.session_state["rk_open_plan"] = (name, version)
    flash("success", T("saved", name=name, version=version))


def own_layer_in_use(s: Settings) -> Any:
    """The user's own layer to keep with a saved version (:func:`ui.userlayers.to_stored`): the
    map's outline, else the overlap screen's layer, else the proposal's alignment layer."""
    own = user_layers()
    for lid in (s.outline, st.session_state.get("ov_layer"), st.session_state.get("pr_layer")):
        if lid in own:
            return userlayers.to_stored(userlayers.on_grid(own[lid], s.grid, cache.data_dir()))
    return None


def restore_layer(rec: Any) -> Any:
    """Put a version's own layer back into the session's layers (the same file keeps its id) and
    select it (overlap screen; outline when it was the outline); returns the record with its
    outline pointing at the restored id."""
    if rec.layer is None:
        return rec
    own = user_layers()
    ul = userlayers.from_stored(rec.layer, rec.grid, cache.data_dir(), taken=own)
    same = next(
        (
            uid for uid, o in own.items()
            if o.name == ul.name and o.file_bytes == ul.file_bytes and o.grid == ul.grid
            and o.region_column == ul.region_column
        ),
        None,
    )  # fmt: skip
    if same is not None:
        ul = replace(ul, id=same)
    own[ul.id] = ul
    st.session_state["ov_layer"] = ul.id
    if rec.outline and rec.outline.startswith(userlayers.PREFIX):
        rec = replace(rec, outline=ul.id)
    return rec


@guard
def cb_open(name: str, version: int | None) -> None:
    """Open a version with everything it keeps: plan (shares included), cluster names and
    colours, grid, population year, rule set, scenario, parameter overrides, outline and the
    user's own layer kept with it."""
    rec = restore_layer(plan_store().load(name, version))
    state = open_state(
        rec, GRIDS, cache.years,
        cache.rule_sets(), cache.scenarios(), [*cache.layer_choices(), *user_layers()],
    )  # fmt: skip
    gd = cache.grid_data(state.grid, state.year)
    plan = plan_from_record(rec, name)
    check_codes(plan, gd)
    forget(prefixes=tuple(state.clear_prefixes))
    for key, value in state.session.items():
        put(key, value)
    ed = editor(state.grid, state.year)
    ed.replace(plan, f"open: {name} v{version or ''}", gd.adjacency, source=f"saved:{name}")
    ed.keep_colours(rec.colours)
    ed.meta["start_plan"] = plan
    st.session_state["save_name"] = name
    st.session_state["rk_open_plan"] = (name, version)
    flash("success", T("opened", name=name, version=version or ""))
    if state.notes:
        flash("warning", "\n".join(f"- {md_escape(n)}" for n in state.notes), markdown=True)


def cb_ask_delete(name: str) -> None:
    st.session_state["confirm_delete"] = name


def cb_cancel_delete() -> None:
    st.session_state.pop("confirm_delete", None)


@guard
def cb_delete_plan(name: str) -> None:
    st.session_state.pop("confirm_delete", None)
    plan_store().delete(name)
    st.session_state.pop("saved_pick", None)
    flash("success", T("deleted_done", name=name))


@guard
def cb_restore_plan(name: str) -> None:
    plan_store().restore(name)
    st.session_state["saved_pick"] = name
    flash("success", T("restored", name=name))


@guard
def cb_import(s: Settings) -> None:
    f = st.session_state.get("import_upload")
    if f is None:
        flash("warning", T("upload_first"))
        return
    gd = cache.grid_data(s.grid, s.year)
    plan = plan_from_bytes(checked_upload(f), f.name, gd)
    ed = editor(s.grid, s.year)
    ed.replace(plan, f"import: {f.name}", gd.adjacency, source="upload")
    ed.meta["start_plan"] = plan
    flash("success", T("start_done", what=f.name))


def render(ctx: Ctx) -> None:
    keep_tab(ctx.editor, ctx.settings, ctx.evaluation)
