"""The page: the sidebar (language, settings, start, map layers), the messages, the link and the
screen switch; only the screen on view is built (``ui.screens``). The session state is owned by
``ui.state``; callbacks change the plan only through the :class:`ui.editor.Editor`.
"""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

from geo.context import carry_plan
from geo.errors import RegiokaartError
from geo.plans import Plan
from geo.population import year_ranges
from geo.settings import GRID_INFO
from scenarios.definitions import Scenario, with_scenario_overrides
from scenarios.params import parameter_rows
from scenarios.rules import RuleSet, with_overrides
from ui import cache
from ui.actions import checked_upload, guard
from ui.i18n import LANGS, error_text, t
from ui.screens import DEFAULT, SCREENS, Ctx, by_id
from ui.screens.overlap import province_filter
from ui.state import (
    GRIDS,
    Settings,
    T,
    current_evaluation,
    dismiss,
    editor,
    editors,
    flash,
    flashes,
    focus,
    lang,
    layer_options,
    layer_plan,
    put,
    user_layers,
)  # fmt: skip
from ui.store import plan_from_bytes
from ui.text import md_escape

GRID_COUNTS = ", ".join(f"{g}: {info.n_flemish}" for g, info in GRID_INFO.items())
RULE_PARAMS = ("min_population", "budget_eur", "cap_without_centrumstad", "cap_centrumstad_extra")


@guard
def start_plan(choice: str, s_grid: int, s_year: int) -> None:
    """Callback of the start button: replace the plan (undoable)."""
    if True:
        gd = cache.grid_data(s_grid, s_year)
        ed = editor(s_grid, s_year)
        if choice in ("partnerships-2017", "partnerships-2020"):
            plan = cache.shipped_plan(choice, s_grid, s_year)
            label = T("start_2017" if choice.endswith("2017") else "start_2020")
        elif choice == "layer":
            # the select box shows the first layer until the user picks another
            lid = str(st.session_state.get("start_layer_id") or next(iter(cache.layer_choices())))
            plan = layer_plan(lid, s_grid)
            label = layer_options(s_grid)[lid]
        elif choice == "upload":
            f = st.session_state.get("start_upload")
            if f is None:
                flash("warning", T("upload_first"))
                return
            plan = plan_from_bytes(checked_upload(f), f.name, gd)
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


# ============================================================================ sidebar
def sidebar() -> Settings:
    sb = st.sidebar
    # a segmented control, not a radio: its code is on the first page anyway (the screen switch)
    if st.session_state.get("lang") not in LANGS:
        put("lang", "nl")
    sb.segmented_control(
        T("language"), list(LANGS), format_func=LANGS.__getitem__, key="lang", required=True,
    )  # fmt: skip
    sb.header(T("settings"))
    lng = lang()  # bound into the labels below (a label never reads the session)
    nl = lng == "nl"
    tr = functools.partial(t, lang=lng)
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
        format_func=lambda i: f"{sets[i].title_nl if nl else sets[i].title_en}",
    )
    scen = cache.scenarios()
    sc_id = sb.selectbox(
        T("scenario"), ["", *scen], key="scenario",
        format_func=lambda i: tr("no_scenario") if not i else (scen[i].name_nl if nl else scen[i].name_en),
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
        format_func=lambda o: labels.get(o) or f"{tr('grid')} {o.split(':')[1]} → {grid}",
    )  # fmt: skip
    layers = layer_options(grid)
    if choice == "layer":
        sb.selectbox(
            T("start_layer_pick"),
            list(layers),
            key="start_layer_id",
            format_func=lambda i: layers.get(i, i),
            placeholder=T("choose"),
        )
        if st.session_state.get("start_layer_id"):
            sb.caption(completeness(st.session_state["start_layer_id"], grid))
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
    if st.session_state.get("outline") not in ("", None, *layers):
        put("outline", "")  # e.g. an own layer of another session (a link)
    outline = sb.selectbox(
        T("outline_layer"), ["", *layers], key="outline",
        format_func=lambda i: tr("none") if not i else layers.get(i, i),
    )  # fmt: skip
    if outline:
        sb.caption(completeness(outline, grid))
    st.session_state.setdefault("show_provinces", True)
    st.session_state.setdefault("show_cs", True)
    provinces = sb.checkbox(T("provinces"), key="show_provinces")
    cs = sb.checkbox(T("centrumsteden"), key="show_cs")
    tiles = sb.checkbox(T("tiles"), key="tiles")
    units = cache.grid_data(grid, year).units
    if st.session_state.get("province") not in ("", None, *units["province"].unique()):
        put("province", "")  # e.g. a misspelt link
    province = province_filter(units, "province", lng, sb)
    if province != st.session_state.get("_province_shown"):
        st.session_state["_province_shown"] = province
        if province:  # the map zooms to the chosen province
            from geo.province import bounds_wgs84, province_codes

            focus(bounds=list(bounds_wgs84(units, province_codes(units, province))))
    return Settings(
        grid, year, rule_set, scenario, outline, provinces, cs, tiles, overrides, province
    )


def completeness(layer_id: str, grid: int) -> str:
    """The caption under a layer choice: a shipped layer's completeness, or an own layer's size."""
    ul = user_layers().get(layer_id)
    if ul is None:
        return cache.layer_completeness(layer_id, lang())
    n = len(ul.layer.membership.codes)
    return T("own_layer_caption", name=ul.name, n=n, regions=len(ul.layer.region_names))


def parameters(
    sb: Any, rule_set: RuleSet, scenario: Scenario | None
) -> tuple[RuleSet, Scenario | None, dict[str, dict[str, Any]]]:
    """Number inputs for the rule set's and the scenario's parameters; changed values re-evaluate
    at once. Parameters the sources do not give are labelled as assumptions. Also returns the
    changed values (kept with a saved plan)."""
    keys: dict[str, Any] = {}  # widget key → default
    # the fields are drawn only while the expander is open (their code is not on the first
    # page); closed, their values come from the session (kept by ui.state.keep_widgets)
    box = sb.expander(T("parameters"), key="params_open", on_change="rerun")
    shown = bool(box.open)
    changes: dict[str, Any] = {}
    schanges: dict[str, Any] = {}
    with box:
        v: bool | int | float  # a widget's value: a number or (scenario switches) a checkbox
        for name in RULE_PARAMS:
            p = rule_set.meta.get(name)
            if p is None:
                continue
            key = f"rp-{rule_set.id}-{name}"
            default_i = int(getattr(rule_set, name))
            keys[key] = default_i
            label = (p.label_nl if lang() == "nl" else p.label_en) + (
                f" ({T('assumption')})" if p.assumption else ""
            )
            if shown:
                v = st.number_input(
                    label, min_value=0, value=default_i, step=5000, key=key, help=p.source
                )
            else:
                v = st.session_state.get(key, default_i)
            if v != getattr(rule_set, name):
                changes[name] = int(v)
        if scenario is not None:
            for row in parameter_rows(scenario):
                name, default = row["name"], getattr(scenario, row["name"])
                key = f"sp-{scenario.id}-{name}"
                label = (row["label_nl"] if lang() == "nl" else row["label_en"]) + (
                    f" ({T('assumption')})" if row["assumption"] else ""
                )
                help_ = row["reason"] or row["source"]
                if not isinstance(default, bool | int | float):
                    continue
                keys[key] = default
                if not shown:
                    v = st.session_state.get(key, default)
                elif isinstance(default, bool):
                    v = st.checkbox(label, value=default, key=key, help=help_)
                elif isinstance(default, int):
                    v = st.number_input(
                        label,
                        min_value=0,
                        value=default,
                        step=5000 if default >= 1000 else 1,
                        key=key,
                        help=help_,
                    )
                else:
                    v = st.number_input(
                        label,
                        min_value=0.0,
                        max_value=1.0,
                        value=default,
                        step=0.05,
                        key=key,
                        help=help_,
                    )
                if v != default:
                    schanges[name] = v
        st.button(T("reset_params"), on_click=_reset, args=(keys,))
    try:
        if changes:
            rule_set = with_overrides(rule_set, **changes)
        if scenario is not None and schanges:
            scenario = with_scenario_overrides(scenario, **schanges)
    except RegiokaartError as exc:
        sb.error(md_escape(error_text(str(exc), lang())))
    return rule_set, scenario, {"rule_set": changes, "scenario": schanges}


@guard
def _reset(keys: dict[str, Any]) -> None:
    """ "Standaardwaarden herstellen": every field back to its default (not only the figures)."""
    for k, default in keys.items():
        put(k, default)


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


def messages() -> None:
    """The messages of the last action: they stay until the next action or until dismissed."""
    shown = flashes()
    with st.container():  # always there, so messages never shift (and remount) the map
        for kind, text in shown:
            getattr(st, kind)(text)
        if shown:
            st.button(T("dismiss"), key="flash_dismiss", on_click=dismiss, type="tertiary")


def screen_switch() -> str:
    """The screen on view (a segmented control; only that screen is built)."""
    ids = [sc.id for sc in SCREENS]
    labels = {i: T(f"screen_{i}") for i in ids}
    if st.session_state.get("screen") not in ids:
        put("screen", DEFAULT)
    choice = st.segmented_control(
        T("screen"), ids, key="screen", format_func=labels.__getitem__,
        label_visibility="collapsed", selection_mode="single",
    )  # fmt: skip
    return str(choice or DEFAULT)


def link(s: Settings) -> None:
    """ "Kopieer link": shows the URL of this view (grid, year, rules, scenario, outline, language,
    screen and the open saved plan) with a copy button. Drawn only when asked (st.code's
    highlighter is not loaded with the first page)."""
    from urllib.parse import urlencode

    from ui.state import link_params

    st.button(T("copy_link"), key="copy_link", on_click=toggle_link, width="stretch")
    if st.session_state.get("show_link"):
        try:
            base = str(st.context.url or "").split("?")[0]
        except Exception:
            base = ""
        st.code(f"{base or 'http://localhost:8501/'}?{urlencode(link_params(s))}", language=None)
        st.caption(T("link_help"))


def toggle_link() -> None:
    st.session_state["show_link"] = not st.session_state.get("show_link")


def open_linked_plan() -> None:
    """A link with ``plan`` (and ``version``): open that saved plan once, on the first run."""
    pending = st.session_state.pop("_link_plan", None)
    if pending:
        from ui.screens.bewaren import cb_open

        cb_open(*pending)


def main() -> None:
    st.set_page_config(page_title="Regiokaart", layout="wide", initial_sidebar_state="expanded")
    from ui.state import keep_widgets, read_link, write_link

    read_link()
    keep_widgets()
    first_start()
    open_linked_plan()
    try:
        s = sidebar()
        ed = editor(s.grid, s.year)
    except RegiokaartError as exc:
        st.error(md_escape(f"{T('error')}: {error_text(str(exc), lang())}"))
        st.stop()
    st.title(T("title"))
    head, share = st.columns([6, 1], vertical_alignment="bottom")
    with head:
        current = screen_switch()
    with share:
        link(s)
    write_link(s)
    messages()
    ctx = Ctx(
        settings=s, editor=ed, grid_data=cache.grid_data(s.grid, s.year),
        evaluation=current_evaluation(s, ed.plan), T=T, lang=lang(),
    )  # fmt: skip
    by_id(current).render(ctx)
