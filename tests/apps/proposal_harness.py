"""A tiny page around the "Voorstel" screen for AppTest (independent of ui/views.py): an editor
on the 2019 grid (population 2020) holding the 2017-2019 partnerships, an undo button, and
:func:`ui.screens.proposal.render_proposal` with scenario bestuursregisseur."""

import streamlit as st

from ui import cache
from ui.editor import Editor
from ui.screens.proposal import render_proposal

GRID, YEAR = 2019, 2020
gd = cache.grid_data(GRID, YEAR)
if "editor" not in st.session_state:
    plan = cache.shipped_plan("partnerships-2017", GRID, YEAR)
    ed = Editor.start(plan, gd.adjacency, source="partnerships-2017")
    ed.meta["start_plan"] = plan
    st.session_state["editor"] = ed
ed = st.session_state["editor"]
lang = str(st.session_state.get("lang", "nl"))
st.button("undo", key="undo", on_click=ed.undo, disabled=not ed.can_undo)
render_proposal(
    ed,
    GRID,
    YEAR,
    cache.rule_sets()["regierol-2012"],
    cache.scenarios()["bestuursregisseur"],
    lang,
    {},
    {k: v[0 if lang == "nl" else 1] for k, v in cache.layer_choices().items()},
)
