"""The "Voorstel" screen: propose a plan, or repair the current one, and open it in the editor.

The page calls :func:`render` (a screen of :data:`ui.screens.SCREENS`), which passes the
editor and settings to :func:`render_proposal`. Everything
that is not drawing is in :mod:`ui.proposal`; caching is :mod:`ui.cache`'s. Session keys are
prefixed ``pr_``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from geo.errors import RegiokaartError
from geo.plans import Plan
from scenarios.definitions import Scenario
from scenarios.rules import RuleSet
from ui import cache
from ui.editor import Editor
from ui.i18n import t
from ui.proposal import (
    COVER_CHOICES,
    DEFAULT_SEED,
    DEFAULT_TIME_LIMIT,
    KEEP_CHOICES,
    NO_LAYER,
    ChoiceError,
    Kind,
    build_request,
    compare_plan,
    default_layer,
    default_start_options,
    follow_default,
    layer_choice_options,
    run_request,
    summary_rows,
    undo_label,
    unmet_rows,
)
from ui.state import layer_evaluator
from ui.text import md_escape

LAST = "pr_last"  # the last result shown under the buttons
log = logging.getLogger(__name__)


def render_proposal(
    ed: Editor,
    grid: int,
    year: int,
    rule_set: RuleSet,
    scenario: Scenario | None,
    lang: str,
    start_options: Mapping[str, str],
    layer_options: Mapping[str, str],
    saved_plan_loader: Callable[[str], Plan] | None = None,
) -> None:
    """Draw the screen for the editor ``ed`` of ``grid``/``year``.

    ``rule_set``/``scenario``: the page's (with its parameter overrides; the scenario is the
    default choice). ``start_options``: start plan key -> label (``current`` = ``ed.plan``,
    ``none``, a shipped plan id such as ``partnerships-2017``, or ``saved:<name>`` loaded with
    ``saved_plan_loader(name)``); empty: :func:`ui.proposal.default_start_options`.
    ``layer_options``: layer id -> label. After a run the script reruns, so that the map shows
    the new plan."""
    ss = st.session_state

    def T(key: str, **values: object) -> str:
        return t(key, lang, **values)

    st.caption(T("pr_intro"))
    scens = cache.scenarios()
    follow_default(ss, "pr_scenario", scenario.id if scenario is not None else next(iter(scens)))
    if ss["pr_scenario"] not in scens:
        ss["pr_scenario"] = next(iter(scens))
    sc_id = st.selectbox(
        T("pr_scenario"), list(scens), key="pr_scenario",
        format_func=lambda i: scens[i].name_nl if lang == "nl" else scens[i].name_en,
    )  # fmt: skip
    sc = scenario if scenario is not None and scenario.id == sc_id else scens[sc_id]
    layers = layer_choice_options(layer_options, sc, lang)
    follow_default(ss, "pr_layer", default_layer(sc))
    if ss["pr_layer"] not in layers:
        ss["pr_layer"] = NO_LAYER
    layer = st.selectbox(
        T("pr_layer"), list(layers), key="pr_layer", format_func=lambda k: layers[k]
    )
    starts = dict(start_options) or default_start_options(lang)
    if ss.get("pr_start") not in starts:
        ss["pr_start"] = next(iter(starts))
    start_key = st.selectbox(
        T("pr_start"), list(starts), key="pr_start", format_func=lambda k: starts[k]
    )
    keep = st.radio(
        T("pr_keep"), KEEP_CHOICES, key="pr_keep", format_func=lambda k: T(f"pr_keep_{k}")
    )
    cover = st.radio(
        T("pr_cover"), COVER_CHOICES, key="pr_cover", horizontal=True,
        format_func=lambda k: T(f"pr_cover_{k}"),
    )  # fmt: skip
    ss.setdefault("pr_seed", DEFAULT_SEED)
    ss.setdefault("pr_time_limit", DEFAULT_TIME_LIMIT)
    c1, c2 = st.columns(2)
    seed = c1.number_input(T("pr_seed"), min_value=0, step=1, key="pr_seed")
    limit = c2.number_input(
        T("pr_time_limit"), min_value=0.5, max_value=600.0, step=0.5, key="pr_time_limit"
    )
    b1, b2 = st.columns(2)
    kind: Kind | None = None
    if b1.button(T("pr_propose"), key="pr_propose", type="primary", width="stretch"):
        kind = "propose"
    if b2.button(T("pr_repair"), key="pr_repair", help=T("pr_repair_help"), width="stretch"):
        kind = "repair"
    if kind is not None:
        choices = {
            "layer": layer, "start_key": start_key, "cover": cover, "keep": keep,
            "seed": seed, "time_limit": limit,
        }  # fmt: skip
        if _run(kind, ed, grid, year, rule_set, sc, lang, choices, saved_plan_loader):
            st.rerun()
    _show_last(ed, grid, year, lang)


def _run(
    kind: Kind,
    ed: Editor,
    grid: int,
    year: int,
    rule_set: RuleSet,
    scenario: Scenario,
    lang: str,
    choices: dict[str, Any],
    saved_plan_loader: Callable[[str], Plan] | None,
) -> bool:
    """Run and open the result in the editor as one undoable step; False (and a message) when it
    could not run."""

    def load_start(key: str) -> Plan | None:
        if key.startswith("saved:"):
            if saved_plan_loader is None:
                raise ChoiceError(key)
            return saved_plan_loader(key.split(":", 1)[1])
        return cache.shipped_plan(key, grid, year)

    bar = st.progress(0.0, text=t("pr_running", lang, pct="0%"))

    def progress(fraction: float, message: str) -> None:
        f = min(max(float(fraction), 0.0), 1.0)
        text = t("pr_running", lang, pct=f"{f:.0%}")
        bar.progress(f, text=f"{text} · {message}" if lang == "en" else text)

    try:
        gd = cache.grid_data(grid, year)
        req = build_request(
            kind, rule_set, scenario, current=ed.plan, load_start=load_start, lang=lang,
            **choices,
        )  # fmt: skip
        ev = layer_evaluator(grid, year, "" if req.layer == NO_LAYER else req.layer)
        result = run_request(req, gd, progress=progress, evaluator=ev)
    except Exception as exc:  # shown as a message, never a traceback
        if not isinstance(exc, (RegiokaartError, ChoiceError)):
            log.exception("proposal failed")
        bar.empty()
        st.error(md_escape(f"{t('error', lang)}: {exc}"))
        return False
    before = ed.plan
    label = undo_label(kind, req.scenario.id, lang)
    ed.replace(result.plan, label, gd.adjacency, source=f"{kind}:{req.scenario.id}")
    ed.meta["start_plan"] = compare_plan(req, before)
    st.session_state[LAST] = {
        "grid": grid, "year": year, "kind": kind, "label": label, "result": result,
        "start": req.start is not None,
    }  # fmt: skip
    return True


def _show_last(ed: Editor, grid: int, year: int, lang: str) -> None:
    last = st.session_state.get(LAST)
    if not last or last["grid"] != grid:
        return
    result = last["result"]
    if ed.plan is result.plan:
        st.success(t(f"pr_done_{last['kind']}", lang, label=md_escape(last["label"])))
    else:
        st.info(t("pr_not_open", lang))
    rows = summary_rows(result, lang, start=last["start"])
    for col, (label, value) in zip(st.columns(len(rows)), rows, strict=True):
        col.metric(label, value)
    if result.timed_out:
        st.caption(t("pr_timed_out", lang))
    if result.released:
        names = ", ".join(result.plan.display_name(c) for c in result.released)
        st.caption(md_escape(t("pr_released", lang, names=names)))
    names = cache.grid_data(grid, last["year"]).units["name"].to_dict()
    unmet = unmet_rows(result, names, lang)
    if not unmet:
        st.info(t("pr_unmet_none", lang))
        return
    st.markdown(f"**{t('pr_unmet', lang, n=len(unmet))}**")
    for u in unmet:
        st.markdown(
            f"**{md_escape(u.rule)}**: {md_escape(u.message)}  \n"
            f"{t('pr_munis', lang)}: {md_escape(', '.join(u.municipalities))}  \n"
            f"{t('pr_why', lang)}: {md_escape(u.reason)}"
        )


def render(ctx: Any) -> None:
    """The "Voorstel" screen of the app: the editor on view, the sidebar's settings, every layer
    (shipped and own) and the saved plans as start plans."""
    from ui.actions import plan_store, saved_plan_on_grid
    from ui.proposal import default_start_options
    from ui.state import layer_options

    s = ctx.settings
    starts = default_start_options(ctx.lang)
    with contextlib.suppress(RegiokaartError):
        starts.update({f"saved:{p.name}": p.name for p in plan_store().list()})
    render_proposal(
        ctx.editor, s.grid, s.year, s.rule_set, s.scenario, ctx.lang, starts,
        layer_options(s.grid),
        saved_plan_loader=lambda name: saved_plan_on_grid(name, None, s.grid, s.year),
    )  # fmt: skip
