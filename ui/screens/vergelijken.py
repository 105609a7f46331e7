"""Vergelijken: the plan against its start, the partnerships or a saved plan."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import RegiokaartError
from geo.plans import Plan
from ui import cache
from ui.actions import plan_store, saved_plan_on_grid
from ui.compare import diff
from ui.editor import Editor
from ui.i18n import error_text
from ui.model import evaluate_plan, fmt, pct
from ui.screens import Ctx
from ui.state import (
    Settings,
    T,
    lang,
    layer_evaluator,
    layer_options,
    layer_plan,
    put,
)
from ui.text import md_escape

MEASURES = {  # measure → (Dutch, English, kind: n = count, p = share, e = euro)
    "municipalities_covered": ("Gemeenten gedekt", "Municipalities covered", "n"),
    "municipality_share": ("Aandeel gemeenten", "Share of municipalities", "p"),
    "population_covered": ("Inwoners gedekt", "Inhabitants covered", "n"),
    "population_share": ("Aandeel inwoners", "Share of inhabitants", "p"),
    "clusters": ("Clusters", "Clusters", "n"),
    "eligible_clusters": ("Subsidiabele clusters", "Eligible clusters", "n"),
    "total_subsidy_eur": ("Subsidie", "Subsidy", "e"),
    "total_funded_eur": ("Gefinancierd", "Funded", "e"),
    "violations": ("Overtredingen", "Violations", "n"),
    "errors": ("Fouten", "Errors", "n"),
    "warnings": ("Waarschuwingen", "Warnings", "n"),
}


def _value(kind: str, x: float, lang: str, signed: bool = False) -> str:
    sign = "+" if signed and x > 0 else ""
    if kind == "p":
        return sign + pct(float(x), lang)
    text = sign + fmt(x, lang)
    return f"EUR {text}" if kind == "e" else text


def figure_table(figs: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The comparison's figures with translated labels and numbers formatted for the language
    (531.012, 78,4 %, EUR 1.875.000 in Dutch)."""
    i = 0 if lang == "nl" else 1
    rows = []
    for r in figs.itertuples(index=False):
        nl_en_kind = MEASURES.get(str(r.measure), (str(r.measure), str(r.measure), "n"))
        kind = nl_en_kind[2]
        rows.append(
            {
                T("measure"): nl_en_kind[i],
                T("before"): _value(kind, r.before, lang),
                T("after"): _value(kind, r.after, lang),
                T("difference"): _value(kind, r.difference, lang, signed=True),
            }
        )
    return pd.DataFrame(rows)


def compare_tab(ed: Editor, s: Settings, evaluation: Any, *, draw: bool = True) -> list[str]:
    """The comparison; with ``draw`` false only the changed municipalities (for the map)."""
    gd = cache.grid_data(s.grid, s.year)
    try:
        saved = [sp.name for sp in plan_store().list()]
    except RegiokaartError as exc:
        saved = []
        if draw:
            st.warning(md_escape(error_text(str(exc), lang())))
    opts = ["start", "partnerships-2017", "partnerships-2020", *[f"saved:{n}" for n in saved]]
    labels = {
        "start": T("cmp_start"),
        "partnerships-2017": T("start_2017"),
        "partnerships-2020": T("start_2020"),
    }
    layers = layer_options(s.grid)  # a comparison layer (shipped or own) as clusters
    opts += [f"layer:{lid}" for lid in layers]
    labels.update({f"layer:{lid}": f"{T('start_layer')}: {lab}" for lid, lab in layers.items()})
    if st.session_state.get("compare_choice") not in opts:
        put("compare_choice", "start")
    if draw:
        choice = st.selectbox(
            T("compare_with"),
            opts,
            key="compare_choice",
            format_func=lambda o: labels.get(o) or o.split(":", 1)[1],
        )
    else:
        choice = str(st.session_state["compare_choice"])
    try:
        if choice == "start":
            start = ed.meta.get("start_plan")
            other = start if isinstance(start, Plan) else ed.history[0].plan
        elif choice.startswith("layer:"):
            other = layer_plan(choice.split(":", 1)[1], s.grid)
        elif choice.startswith("saved:"):
            name = choice.split(":", 1)[1]
            other = saved_plan_on_grid(name, None, s.grid, s.year)
        else:
            other = cache.shipped_plan(choice, s.grid, s.year)
        ev = layer_evaluator(s.grid, s.year, s.alignment_layer)
        e_other = evaluate_plan(ev, other, s.rule_set, s.scenario)
        d = diff(other, ed.plan, e_other, evaluation, gd.units["name"].to_dict())
    except RegiokaartError as exc:
        if draw:
            st.error(md_escape(error_text(str(exc), lang())))
        return []
    if not draw:
        return d.changed_codes
    st.table(figure_table(d.figures, lang()).set_index(T("measure")))
    if d.changed.empty:
        st.info(T("cmp_none"))
        return []
    n = len(d.changed)
    st.markdown(f"**{T('cmp_changed', n=n) if n != 1 else T('cmp_changed_1')}** · {T('cmp_map')}")
    none = "–"
    changed = d.changed.replace({"before": {"": none}, "after": {"": none}})
    st.dataframe(
        changed.drop(columns=["nis_code"]).rename(columns={"name": T("municipality"), "before": T("before"), "after": T("after")}),
        hide_index=True, width="stretch",
    )  # fmt: skip
    return d.changed_codes


def render(ctx: Ctx) -> None:
    compare_tab(ctx.editor, ctx.settings, ctx.evaluation)
    st.toggle(ctx.T("cmp_show"), key="cmp_on_map")


def changed_on_map(ctx: Ctx) -> list[str]:
    """The municipalities the comparison found changed, when they are to be drawn dashed on the
    map (the comparison screen's toggle); computed without drawing the comparison."""
    if not st.session_state.get("cmp_on_map"):
        return []
    with st.container(height=1, border=False):
        return compare_tab(ctx.editor, ctx.settings, ctx.evaluation, draw=False)
