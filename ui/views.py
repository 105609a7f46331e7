"""The Streamlit page: sidebar settings, the map with its editing panel, comparison, saving and
export, and the rules. A thin layer: every number comes from ``geo``/``scenarios`` through
``ui.model``; state changes happen in widget callbacks on the :class:`ui.editor.Editor` kept in
``st.session_state``.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st

from geo.context import carry_plan
from geo.errors import PlanError, RegiokaartError
from geo.limits import check_table_file
from geo.plans import Plan
from geo.planstore import PlanStore, resolve_db_path
from geo.population import year_ranges
from geo.settings import GRID_INFO
from scenarios.definitions import Scenario, with_scenario_overrides
from scenarios.params import parameter_rows
from scenarios.rules import RuleSet, with_overrides
from ui import cache
from ui.colours import PALETTE, UNASSIGNED, safe_colour
from ui.compare import diff
from ui.editor import Editor
from ui.exports import downloads
from ui.i18n import LANGS, count, t
from ui.mapcomponent import map_editor, trigger
from ui.mapcomponent.payload import (
    LABELS,
    Edit,
    LiveState,
    Outcome,
    SentStates,
    apply_edit,
    assignment_of,
    view_state,
)
from ui.mapview import OSM_ATTRIBUTION, OSM_TILES
from ui.model import cluster_rows, evaluate_plan, fmt, pct, violation_rows
from ui.store import open_state, plan_from_bytes, plan_from_record, record_of
from ui.summary import settings_rows
from ui.text import md_escape

GRIDS = tuple(sorted(GRID_INFO, reverse=True))
GRID_COUNTS = ", ".join(f"{g}: {info.n_flemish}" for g, info in GRID_INFO.items())
RULE_PARAMS = ("min_population", "budget_eur", "cap_without_centrumstad", "cap_centrumstad_extra")


def L() -> str:
    return str(st.session_state.get("lang", "nl"))


def T(key: str, **values: object) -> str:
    return t(key, L(), **values)


def _checked_upload(f: Any) -> bytes:
    """An uploaded plan file's bytes, after the limits (size, rows, zip bomb; geo.limits)."""
    data = f.getvalue()
    check_table_file(data, f.name, error=PlanError)
    return bytes(data)


def flash(kind: str, text: str, *, markdown: bool = False) -> None:
    """A message for the next run. Text is escaped (it quotes names and file names) unless it is
    ``markdown`` built from escaped parts."""
    st.session_state.setdefault("flash", []).append((kind, text if markdown else md_escape(text)))


@dataclass(frozen=True)
class Settings:
    grid: int
    year: int
    rule_set: RuleSet
    scenario: Scenario | None
    outline: str
    provinces: bool
    centrumsteden: bool
    tiles: bool
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def alignment_layer(self) -> str:
        return self.scenario.comparison_layer if self.scenario else ""

    def describe(self) -> list[tuple[str, str]]:
        sc = self.scenario.id if self.scenario else None
        return settings_rows(self.grid, self.year, self.rule_set.id, sc, L())


# ============================================================================ editors
def editors() -> dict[int, Editor]:
    return st.session_state.setdefault("editors", {})


def editor(grid: int, year: int) -> Editor:
    eds = editors()
    if grid not in eds:
        gd = cache.grid_data(grid, year)
        plan = cache.shipped_plan("partnerships-2017", grid, year)
        ed = Editor.start(plan, gd.adjacency, source="partnerships-2017")
        ed.meta["start_plan"] = plan
        eds[grid] = ed
    return eds[grid]


def start_plan(choice: str, s_grid: int, s_year: int) -> None:
    """Callback of the start button: replace the plan (undoable)."""
    try:
        gd = cache.grid_data(s_grid, s_year)
        ed = editor(s_grid, s_year)
        if choice in ("partnerships-2017", "partnerships-2020"):
            plan = cache.shipped_plan(choice, s_grid, s_year)
            label = T("start_2017" if choice.endswith("2017") else "start_2020")
        elif choice == "layer":
            # the select box shows the first layer until the user picks another
            lid = str(st.session_state.get("start_layer_id") or next(iter(cache.layer_choices())))
            plan = cache.layer_as_plan(lid, s_grid)
            label = cache.layer_choices()[lid][0 if L() == "nl" else 1]
        elif choice == "upload":
            f = st.session_state.get("start_upload")
            if f is None:
                flash("warning", T("upload_first"))
                return
            plan = plan_from_bytes(_checked_upload(f), f.name, gd)
            label = f.name
        elif choice.startswith("carry:"):
            g = int(choice.split(":")[1])
            plan = carry_plan(editors()[g].plan, gd)
            label = f"{T('grid')} {g}"
        else:
            plan = Plan.empty(s_grid, "leeg")
            label = T("start_empty")
        ed.replace(plan, f"start: {label}", gd.adjacency, source=choice)
        ed.meta["start_plan"] = plan
        flash("success", T("start_done", what=label))
        if plan.notes:
            flash("info", "\n".join(f"- {md_escape(n)}" for n in plan.notes), markdown=True)
    except RegiokaartError as exc:
        flash("error", f"{T('error')}: {exc}")


# ============================================================================ sidebar
def sidebar() -> Settings:
    sb = st.sidebar
    sb.radio(T("language"), list(LANGS), format_func=LANGS.get, key="lang", horizontal=True)
    sb.header(T("settings"))
    grid = sb.selectbox(T("grid"), GRIDS, key="grid", help=T("grid_help", counts=GRID_COUNTS))
    years = cache.years(grid)
    # default: the latest year for the grid; kept when the user picked another year that exists
    prev_grid = st.session_state.get("year_grid")
    if st.session_state.get("year") not in years or (
        prev_grid != grid and st.session_state.get("year") == st.session_state.get("year_default")
    ):
        st.session_state["year"] = years[-1]
    st.session_state["year_grid"], st.session_state["year_default"] = grid, years[-1]
    year = sb.selectbox(
        T("year"),
        years[::-1],
        key="year",
        help=T("year_help", default=years[-1], years=year_ranges(years)),
    )

    sets = cache.rule_sets()
    rs_id = sb.selectbox(
        T("rule_set"),
        list(sets),
        key="rule_set",
        format_func=lambda i: f"{sets[i].title_nl if L() == 'nl' else sets[i].title_en}",
    )
    scen = cache.scenarios()
    sc_id = sb.selectbox(
        T("scenario"), ["", *scen], key="scenario",
        format_func=lambda i: T("no_scenario") if not i else (scen[i].name_nl if L() == "nl" else scen[i].name_en),
    )  # fmt: skip
    rule_set, scenario, overrides = parameters(sb, sets[rs_id], scen.get(sc_id) if sc_id else None)

    sb.header(T("start"))
    opts = ["partnerships-2017", "partnerships-2020", "layer", "upload", "empty"]
    opts += [f"carry:{g}" for g in sorted(editors()) if g < grid]
    labels = {
        "partnerships-2017": T("start_2017"), "partnerships-2020": T("start_2020"),
        "layer": T("start_layer"), "upload": T("start_upload"), "empty": T("start_empty"),
    }  # fmt: skip
    choice = sb.selectbox(
        T("start"), opts, key="start_choice", label_visibility="collapsed",
        format_func=lambda o: labels.get(o) or f"{T('grid')} {o.split(':')[1]} → {grid}",
    )  # fmt: skip
    layers = cache.layer_choices()
    if choice == "layer":
        sb.selectbox(
            T("start_layer_pick"),
            list(layers),
            key="start_layer_id",
            format_func=lambda i: layers[i][0 if L() == "nl" else 1],
        )
        if st.session_state.get("start_layer_id"):
            sb.caption(cache.layer_completeness(st.session_state["start_layer_id"]))
    if choice == "upload":
        sb.file_uploader(
            T("upload"),
            type=["csv", "xlsx", "xls", "txt"],
            key="start_upload",
            help=T("upload_help"),
        )
    sb.button(
        T("start_button"),
        on_click=start_plan,
        args=(choice, grid, year),
        key="start_button",
        type="primary",
        width="stretch",
    )

    sb.header(T("map_layers"))
    outline = sb.selectbox(
        T("outline_layer"), ["", *layers], key="outline",
        format_func=lambda i: T("none") if not i else layers[i][0 if L() == "nl" else 1],
    )  # fmt: skip
    if outline:
        sb.caption(cache.layer_completeness(outline))
    provinces = sb.checkbox(T("provinces"), value=True, key="show_provinces")
    cs = sb.checkbox(T("centrumsteden"), value=True, key="show_cs")
    tiles = sb.checkbox(T("tiles"), value=False, key="tiles")
    return Settings(grid, year, rule_set, scenario, outline, provinces, cs, tiles, overrides)


def parameters(
    sb: Any, rule_set: RuleSet, scenario: Scenario | None
) -> tuple[RuleSet, Scenario | None, dict[str, dict[str, Any]]]:
    """Number inputs for the rule set's and the scenario's parameters; changed values re-evaluate
    at once. Parameters the sources do not give are labelled as assumptions. Also returns the
    changed values (kept with a saved plan)."""
    keys: list[str] = []
    with sb.expander(T("parameters")):
        changes: dict[str, Any] = {}
        v: bool | int | float  # a widget's value: a number or (scenario switches) a checkbox
        for name in RULE_PARAMS:
            p = rule_set.meta.get(name)
            if p is None:
                continue
            key = f"rp-{rule_set.id}-{name}"
            keys.append(key)
            label = (p.label_nl if L() == "nl" else p.label_en) + (
                f" ({T('assumption')})" if p.assumption else ""
            )
            v = st.number_input(
                label,
                min_value=0,
                value=int(getattr(rule_set, name)),
                step=5000,
                key=key,
                help=p.source,
            )
            if v != getattr(rule_set, name):
                changes[name] = int(v)
        schanges: dict[str, Any] = {}
        if scenario is not None:
            for row in parameter_rows(scenario):
                name, default = row["name"], getattr(scenario, row["name"])
                key = f"sp-{scenario.id}-{name}"
                label = (row["label_nl"] if L() == "nl" else row["label_en"]) + (
                    f" ({T('assumption')})" if row["assumption"] else ""
                )
                help_ = row["reason"] or row["source"]
                if isinstance(default, bool):
                    keys.append(key)
                    v = st.checkbox(label, value=default, key=key, help=help_)
                elif isinstance(default, int):
                    keys.append(key)
                    v = st.number_input(
                        label,
                        min_value=0,
                        value=default,
                        step=5000 if default >= 1000 else 1,
                        key=key,
                        help=help_,
                    )
                elif isinstance(default, float):
                    keys.append(key)
                    v = st.number_input(
                        label,
                        min_value=0.0,
                        max_value=1.0,
                        value=default,
                        step=0.05,
                        key=key,
                        help=help_,
                    )
                else:
                    continue
                if v != default:
                    schanges[name] = v
        st.button(T("reset_params"), on_click=_reset, args=(keys,))
    try:
        if changes:
            rule_set = with_overrides(rule_set, **changes)
        if scenario is not None and schanges:
            scenario = with_scenario_overrides(scenario, **schanges)
    except RegiokaartError as exc:
        sb.error(md_escape(exc))
    return rule_set, scenario, {"rule_set": changes, "scenario": schanges}


def _reset(keys: list[str]) -> None:
    for k in keys:
        st.session_state.pop(k, None)


# ============================================================================ callbacks
def _guard(fn: Any) -> Any:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except RegiokaartError as exc:
            flash("error", f"{T('error')}: {exc}")

    return run


@_guard
def cb_set_active(ed: Editor, cluster: str | None = None) -> None:
    value = cluster if cluster is not None else st.session_state.get("active_select")
    if value in ed.plan.cluster_names:
        ed.active = value


@_guard
def cb_new(ed: Editor) -> None:
    ed.new_cluster(st.session_state.get("new_name", ""))
    st.session_state["new_name"] = ""


@_guard
def cb_rename(ed: Editor) -> None:
    if ed.active:
        ed.rename(ed.active, st.session_state.get("rename_text", ""))


@_guard
def cb_colour(ed: Editor, key: str) -> None:
    if ed.active:
        ed.recolour(ed.active, str(st.session_state.get(key, "")).upper())


@_guard
def cb_merge(ed: Editor) -> None:
    target = st.session_state.get("merge_target")
    if ed.active and target:
        ed.merge(ed.active, target)


@_guard
def cb_delete(ed: Editor) -> None:
    if ed.active:
        ed.delete(ed.active)


@_guard
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


@_guard
def cb_undo(ed: Editor) -> None:
    ed.undo()


@_guard
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


def cb_table_select(ed: Editor) -> None:
    sel = st.session_state.get("cluster_table")
    ids = st.session_state.get("cluster_table_ids", [])
    rows = (
        (sel or {}).get("selection", {}).get("rows", [])
        if isinstance(sel, dict)
        else getattr(getattr(sel, "selection", None), "rows", [])
    )
    if rows and rows[0] < len(ids):
        ed.active = ids[rows[0]]


# ============================================================================ map tab
MAP_KEY = "rk-map"
EDITOR_FIRST_S = 0.03


def live() -> LiveState:
    """The incremental evaluation state of the plan under edit (``Evaluator.move`` per edit)."""
    return st.session_state.setdefault("rk_live", LiveState())


def current_evaluation(s: Settings, plan: Plan) -> Any:
    ev = cache.evaluator(s.grid, s.year, s.alignment_layer)
    return ev.evaluate(live().get(ev, plan), s.rule_set, s.scenario)


def _seq() -> int:
    return time.time_ns() // 1000


def locked(ed: Editor) -> set[str]:
    value = ed.meta.setdefault("locked", set())
    assert isinstance(value, set)
    return value


def focus(**what: str) -> None:
    """Ask the map to zoom to (and highlight) a municipality (``code``) or a ``cluster``."""
    st.session_state["rk_focus"] = {"seq": _seq(), **what}


def map_callbacks(ed: Editor, s: Settings) -> dict[str, Any]:
    """The component's callbacks (run before the fragment reruns)."""
    gd = cache.grid_data(s.grid, s.year)
    ev = cache.evaluator(s.grid, s.year, s.alignment_layer)

    def on_edit() -> None:
        edit = Edit.from_value(trigger(MAP_KEY, "edit"))
        if edit is None:
            return
        t0 = time.perf_counter()
        try:
            out = apply_edit(ed, ev, live(), edit, gd.units["name"].to_dict(), locked(ed), L())
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
            st.session_state["rk_msg"] = {"seq": _seq(), "text": str(exc), "error": True}
            return
        name = str(gd.units.loc[code, "name"])
        focus(code=code, text=f"{name} ({code})")

    def on_resync() -> None:
        st.session_state["rk_force_full"] = True

    return {"on_edit": on_edit, "on_search": on_search, "on_resync": on_resync}


def figures(ed: Editor, evaluation: Any) -> dict[str, Any]:
    lang = L()
    cov = evaluation.coverage
    items: list[list[str]] = []
    if cov is not None:
        items.append(
            [
                T("cov_munis"),
                f"{cov.n_municipalities_covered} / {cov.n_municipalities_total}",
                pct(cov.municipality_share, lang),
            ]
        )
        items.append(
            [T("cov_pop"), fmt(cov.population_covered, lang), pct(cov.population_share, lang)]
        )
    items.append(
        [
            T("subsidy_total"),
            f"€ {fmt(evaluation.total_subsidy_eur, lang)}",
            f"€ {fmt(evaluation.total_funded_eur, lang)}",
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
                fmt(pop, lang),
                count("munis", n, lang),
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
    layers = cache.layer_choices()
    outlines = {
        "prov": cache.outline_url("provinces", s.grid) if s.provinces else None,
        "cmp": cache.outline_url("comparison", s.grid, s.outline) if s.outline else None,
        "cmp_label": layers[s.outline][0 if L() == "nl" else 1] if s.outline in layers else "",
        "cs": cache.outline_url("centrumsteden", s.grid) if s.centrumsteden else None,
        "tiles": s.tiles,
        "tile_url": OSM_TILES if s.tiles else "",
        "tile_attr": OSM_ATTRIBUTION if s.tiles else "",
    }
    ev = cache.evaluator(s.grid, s.year, s.alignment_layer)
    assignment = assignment_of(live().get(ev, ed.plan))[0]
    state = view_state(
        ed.plan, ed.colours, evaluation, assignment=assignment, active=ed.active, grid=s.grid,
        geometry=cache.geometry_url(s.grid) or "", meta_token=f"{s.grid}-{s.year}",
        outlines=outlines, dashed=dashed, lang=L(),
    )  # fmt: skip
    state["m"] = cache.map_meta(s.grid, s.year)
    state["lab"] = LABELS["en" if L() == "en" else "nl"]
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
    with st.container():  # always there, so messages never shift (and remount) the map
        for kind, text in st.session_state.pop("flash", []):
            getattr(st, kind)(text)
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
        st.caption(f"{count('edits', ed.pos, L())} · {T('click_ms', ms=ms)}")
    tables(ed, evaluation)


def map_tab(ed: Editor, s: Settings, evaluation: Any, dashed: list[str]) -> None:
    gd = cache.grid_data(s.grid, s.year)
    col_map, col_side = st.columns([5, 3], gap="medium")
    with col_side:
        edit_panel(ed, evaluation)
        with st.expander(T("keyboard")):
            names = gd.units["name"].to_dict()
            st.selectbox(
                T("municipality"), sorted(names, key=lambda c: names[c]), key="kb_municipality",
                index=None, format_func=lambda c: f"{names[c]} ({c})", placeholder="…",
            )  # fmt: skip
            pairs = (("add_to_active", True, "kb_add"), ("unassign", False, "kb_remove"))
            for col, (label, add, key) in zip(st.columns(2), pairs, strict=True):
                col.button(T(label), on_click=cb_assign, args=(ed, add), key=key, width="stretch")
    with col_map:
        editor_area(s, tuple(dashed))


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
    with st.popover(f"+ {T('new_cluster')}", width="stretch"):
        st.text_input(T("new_cluster_name"), key="new_name")
        st.button(T("create"), on_click=cb_new, args=(ed,), key="new_button")
    if ed.active:
        st.button(
            T("zoom_cluster"), on_click=cb_show, args=(ed, ed.active), key="zoom_cluster",
            width="stretch",
        )  # fmt: skip
        with st.expander(f"{T('manage')}: {md_escape(plan.display_name(ed.active))}"):
            st.checkbox(
                T("lock"), value=ed.active in locked(ed), key=f"lock-{ed.active}",
                on_change=cb_lock, args=(ed, ed.active),
            )  # fmt: skip
            st.text_input(T("rename"), value=plan.display_name(ed.active), key="rename_text")
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


def tables(ed: Editor, evaluation: Any) -> None:
    lang = L()
    st.subheader(T("clusters"))
    rows = cluster_rows(evaluation, lang)
    if not rows.empty:
        st.session_state["cluster_table_ids"] = list(rows["id"])
        st.dataframe(
            rows.drop(columns=["id"]), hide_index=True, width="stretch", key="cluster_table",
            on_select=functools.partial(cb_table_select, ed), selection_mode="single-row",
            column_config={
                T("col_pop"): st.column_config.NumberColumn(format="localized"),
                T("col_subsidy"): st.column_config.NumberColumn(format="localized"),
                T("col_funded"): st.column_config.NumberColumn(format="localized"),
            },
        )  # fmt: skip
    st.subheader(T("violations"))
    vs = violation_rows(evaluation, lang)
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


# ============================================================================ compare tab
def compare_tab(ed: Editor, s: Settings, evaluation: Any) -> list[str]:
    gd = cache.grid_data(s.grid, s.year)
    try:
        saved = [sp.name for sp in plan_store().list()]
    except RegiokaartError as exc:
        saved = []
        st.warning(md_escape(exc))
    opts = ["start", "partnerships-2017", "partnerships-2020", *[f"saved:{n}" for n in saved]]
    labels = {
        "start": T("cmp_start"),
        "partnerships-2017": T("start_2017"),
        "partnerships-2020": T("start_2020"),
    }
    choice = st.selectbox(
        T("compare_with"),
        opts,
        key="compare_choice",
        format_func=lambda o: labels.get(o) or o.split(":", 1)[1],
    )
    try:
        if choice == "start":
            start = ed.meta.get("start_plan")
            other = start if isinstance(start, Plan) else ed.history[0].plan
        elif choice.startswith("saved:"):
            name = choice.split(":", 1)[1]
            other = saved_plan_on_grid(name, None, s.grid, s.year)
        else:
            other = cache.shipped_plan(choice, s.grid, s.year)
        ev = cache.evaluator(s.grid, s.year, s.alignment_layer)
        e_other = evaluate_plan(ev, other, s.rule_set, s.scenario)
        d = diff(other, ed.plan, e_other, evaluation, gd.units["name"].to_dict())
    except RegiokaartError as exc:
        st.error(md_escape(exc))
        return []
    fig = d.figures.rename(
        columns={
            "measure": T("measure"),
            "before": T("before"),
            "after": T("after"),
            "difference": T("difference"),
        }
    )
    st.dataframe(fig, hide_index=True, width="stretch")
    if d.changed.empty:
        st.info(T("cmp_none"))
        return []
    st.markdown(f"**{T('cmp_changed', n=len(d.changed))}** · {T('cmp_map')}")
    st.dataframe(
        d.changed.rename(columns={"name": T("municipality"), "before": T("before"), "after": T("after")}),
        hide_index=True, width="stretch",
    )  # fmt: skip
    return d.changed_codes


# ============================================================================ keep tab
def plan_store() -> PlanStore:
    """The plan store (``REGIOKAART_PLANS_DB`` or the user data folder), opened once per process
    with the earlier JSON plans imported on first start."""
    return cache.plan_store(str(resolve_db_path()))[0]


def saved_plan_on_grid(name: str, version: int | None, grid: int, year: int) -> Plan:
    """A saved version as a plan on ``grid`` (a plan of an older grid is moved, as a carry)."""
    rec = plan_store().load(name, version)
    gd = cache.grid_data(grid, year)
    plan = plan_from_record(rec, name)
    if rec.grid > grid:
        raise PlanError(f"'{name}' is saved on the {rec.grid} grid; choose that grid.")
    plan = carry_plan(plan, gd)  # a plan of an older grid is moved (population-weighted shares)
    _check_codes(plan, gd)
    return plan


def _check_codes(plan: Plan, gd: Any) -> None:
    unknown = sorted(set(plan.membership.codes) - set(gd.units.index))
    if unknown:
        raise PlanError(
            f"{len(unknown)} code(s) are not on the {gd.grid} grid: {', '.join(unknown[:10])}"
        )


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
        files = downloads(
            plan, evaluation, gd.units, gd.population, ed.colours, cache.display(s.grid),
            s.describe(), L(),
        )  # fmt: skip
        for d in files:
            st.download_button(T(d.key), d.data, d.file_name, d.mime, key=d.key, on_click="ignore")
        st.caption(f"{count('munis', len(plan.assignment), L())} · {T('grid').lower()} {plan.grid}")


def saved_plans() -> None:
    """The saved plans: a table (name, versions, last saved), then one plan and version to open,
    delete (after a confirmation) or look back on; deleted plans can be restored."""
    st.subheader(T("saved_plans"))
    try:
        store, report = cache.plan_store(str(resolve_db_path()))
        plans, gone = store.list(), store.deleted()
    except RegiokaartError as exc:
        st.error(f"{T('error')}: {md_escape(exc)}")
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


def _store_guard(fn: Any) -> Any:
    """Like ``_guard``, for messages that may carry plan names: shown escaped."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except RegiokaartError as exc:
            flash("error", f"{T('error')}: {exc}")

    return run


@_store_guard
def cb_save(ed: Editor, s: Settings) -> None:
    name = str(st.session_state.get("save_name", "")).strip()
    note = str(st.session_state.get("save_note", "")).strip()
    plan = ed.plan
    named = replace(plan, name=name)
    record = record_of(
        named, ed.colours, grid=s.grid, population_year=s.year, rule_set=s.rule_set.id,
        scenario=s.scenario.id if s.scenario else "", overrides=s.overrides, outline=s.outline,
    )  # fmt: skip
    version = plan_store().save(name, record, note=note)
    ed.history[ed.pos] = type(ed.snapshot)(named, ed.colours, ed.snapshot.label)
    st.session_state["save_note"] = ""
    st.session_state["saved_pick"] = name
    st.session_state.pop("saved_version", None)
    flash("success", T("saved", name=name, version=version))


@_store_guard
def cb_open(name: str, version: int | None) -> None:
    """Open a version with everything it keeps: plan (shares included), cluster names and
    colours, grid, population year, rule set, scenario, parameter overrides and outline."""
    rec = plan_store().load(name, version)
    state = open_state(
        rec, GRIDS, cache.years,
        cache.rule_sets(), cache.scenarios(), cache.layer_choices(),
    )  # fmt: skip
    gd = cache.grid_data(state.grid, state.year)
    plan = plan_from_record(rec, name)
    _check_codes(plan, gd)
    for key in [k for k in st.session_state if str(k).startswith(state.clear_prefixes)]:
        del st.session_state[key]
    for key, value in state.session.items():
        st.session_state[key] = value
    ed = editor(state.grid, state.year)
    ed.replace(plan, f"open: {name} v{version or ''}", gd.adjacency, source=f"saved:{name}")
    colours = {**ed.colours, **{k: v for k, v in rec.colours.items() if k in plan.cluster_names}}
    ed.history[ed.pos] = type(ed.snapshot)(plan, colours, ed.snapshot.label)
    ed.meta["start_plan"] = plan
    st.session_state["save_name"] = name
    flash("success", T("opened", name=name, version=version or ""))
    if state.notes:
        flash("warning", "\n".join(f"- {md_escape(n)}" for n in state.notes), markdown=True)


def cb_ask_delete(name: str) -> None:
    st.session_state["confirm_delete"] = name


def cb_cancel_delete() -> None:
    st.session_state.pop("confirm_delete", None)


@_store_guard
def cb_delete_plan(name: str) -> None:
    st.session_state.pop("confirm_delete", None)
    plan_store().delete(name)
    st.session_state.pop("saved_pick", None)
    flash("success", T("deleted_done", name=name))


@_store_guard
def cb_restore_plan(name: str) -> None:
    plan_store().restore(name)
    st.session_state["saved_pick"] = name
    flash("success", T("restored", name=name))


@_guard
def cb_import(s: Settings) -> None:
    f = st.session_state.get("import_upload")
    if f is None:
        flash("warning", T("upload_first"))
        return
    gd = cache.grid_data(s.grid, s.year)
    plan = plan_from_bytes(_checked_upload(f), f.name, gd)
    ed = editor(s.grid, s.year)
    ed.replace(plan, f"import: {f.name}", gd.adjacency, source="upload")
    ed.meta["start_plan"] = plan
    flash("success", T("start_done", what=f.name))


# ============================================================================ rules tab
def rules_tab(s: Settings) -> None:
    lang = L()
    st.caption(T("rules_intro"))
    rs = s.rule_set
    st.subheader(rs.title_nl if lang == "nl" else rs.title_en)
    st.caption(f"{rs.id} · {rs.version} · {rs.source}")
    st.dataframe(_param_frame(rs, lang), hide_index=True, width="stretch")
    if s.scenario is not None:
        sc = s.scenario
        st.subheader(sc.name_nl if lang == "nl" else sc.name_en)
        st.write(sc.description_nl if lang == "nl" else sc.description_en)
        st.caption(sc.scale_nl if lang == "nl" else sc.scale_en)
        st.dataframe(_param_frame(sc, lang), hide_index=True, width="stretch")


def _param_frame(obj: Any, lang: str) -> pd.DataFrame:
    rows = []
    for r in parameter_rows(obj):
        rows.append(
            {
                "parameter": r["label_nl"] if lang == "nl" else r["label_en"],
                "waarde" if lang == "nl" else "value": str(r["value"]),
                "standaard" if lang == "nl" else "default": str(r["default"]),
                T("assumption"): "✔" if r["assumption"] else "",
                "bron" if lang == "nl" else "source": r["reason"] or r["source"],
            }
        )
    return pd.DataFrame(rows)


# ============================================================================ page
def first_start() -> None:
    """When no data directory holds the manifest's files: fetch them into the user cache with one
    progress bar per file (the logic is :func:`geo.firststart.ensure_data`); stop on failure."""
    from geo.firststart import data_status, ensure_data
    from geo.sources import FileProgress

    if st.session_state.get("data_ready"):
        return
    try:
        status = data_status()
        if not status.complete:
            where = str(status.data_dir.path)
            st.info(T("first_start", n=len(status.missing), where=where))
            bars: dict[str, Any] = {}
            box = st.container()

            def on_progress(ev: FileProgress) -> None:
                bar = bars.get(ev.path)
                if bar is None:
                    bar = bars[ev.path] = box.progress(0.0)
                bar.progress(ev.fraction, text=f"{ev.index}/{ev.count} {ev.path}")

            rep = ensure_data(progress=on_progress)
            st.success(T("first_start_done", n=len(rep.downloaded), where=where))
    except RegiokaartError as exc:
        st.error(f"{T('first_start_failed')}: {exc}")
        st.stop()
    st.session_state["data_ready"] = True


def main() -> None:
    st.set_page_config(page_title="Regiokaart", layout="wide", initial_sidebar_state="expanded")
    first_start()
    try:
        s = sidebar()
        ed = editor(s.grid, s.year)
    except RegiokaartError as exc:
        st.error(md_escape(f"{T('error')}: {exc}"))
        st.stop()
    st.title(T("title"))
    st.caption(T("subtitle"))
    with st.container():  # always there, so messages never shift (and remount) the map
        for kind, text in st.session_state.pop("flash", []):
            getattr(st, kind)(text)
    evaluation = current_evaluation(s, ed.plan)
    tab_map, tab_cmp, tab_keep, tab_rules = st.tabs(
        [T("tab_map"), T("tab_compare"), T("tab_keep"), T("tab_rules")]
    )
    # the map first, so that its editor reaches the browser first (the comparison goes first
    # only when its changed municipalities are to be drawn dashed on the map)
    show = bool(st.session_state.get("cmp_on_map", False))
    changed: list[str] = []
    if show:
        with tab_cmp:
            changed = compare_tab(ed, s, evaluation)
            st.toggle(T("cmp_show"), key="cmp_on_map", value=False)
    with tab_map:
        map_tab(ed, s, evaluation, changed)
    if not show:
        with tab_cmp:
            compare_tab(ed, s, evaluation)
            st.toggle(T("cmp_show"), key="cmp_on_map", value=False)
    with tab_keep:
        keep_tab(ed, s, evaluation)
    with tab_rules:
        rules_tab(s)
