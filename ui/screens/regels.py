"""Regels en scenario's: the rule set's and the scenario's parameters with their sources."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from scenarios.params import parameter_rows
from ui.i18n import yes_no
from ui.model import fmt
from ui.screens import Ctx
from ui.state import (
    Settings,
    T,
    lang,
)


def rules_tab(s: Settings) -> None:
    lng = lang()
    st.caption(T("rules_intro"))
    rs = s.rule_set
    st.subheader(rs.title_nl if lng == "nl" else rs.title_en)
    st.caption(f"{rs.id} · {rs.version} · {rs.source}")
    st.dataframe(_param_frame(rs, lng), hide_index=True, width="stretch")
    if s.scenario is not None:
        sc = s.scenario
        st.subheader(sc.name_nl if lng == "nl" else sc.name_en)
        st.write(sc.description_nl if lng == "nl" else sc.description_en)
        st.caption(sc.scale_nl if lng == "nl" else sc.scale_en)
        st.dataframe(_param_frame(sc, lng), hide_index=True, width="stretch")


def _value(v: Any, lang: str) -> str:
    """A parameter's value in the language's formats (ja/nee, 150.000, 0,25)."""
    if isinstance(v, bool):
        return yes_no(v, lang)
    if isinstance(v, int):
        return fmt(v, lang)
    if isinstance(v, float):
        text = f"{v:g}"
        return text.replace(".", ",") if lang == "nl" else text
    if v is None or v == "":
        return "–"
    return str(v)


def _param_frame(obj: Any, lang: str) -> pd.DataFrame:
    rows = []
    for r in parameter_rows(obj):
        rows.append(
            {
                "parameter": r["label_nl"] if lang == "nl" else r["label_en"],
                "waarde" if lang == "nl" else "value": _value(r["value"], lang),
                "standaard" if lang == "nl" else "default": _value(r["default"], lang),
                T("assumption"): "✔" if r["assumption"] else "",
                "bron" if lang == "nl" else "source": r["reason"] or r["source"],
            }
        )
    return pd.DataFrame(rows)


def render(ctx: Ctx) -> None:
    rules_tab(ctx.settings)
