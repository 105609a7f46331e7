"""The map editor's Python side (ui/mapcomponent/payload.py), without Streamlit or a browser:
edits applied incrementally as one undoable step, refusals that change nothing, the view state
sent once and then only as changes."""

from __future__ import annotations

import json

import pytest

from geo.context import load_grid_data, load_plan, plan_path
from scenarios.evaluate import evaluator_for
from scenarios.rules import load_rule_set, rule_set_ids
from ui.editor import Editor
from ui.mapcomponent.payload import (
    Edit,
    LiveState,
    SentStates,
    apply_edit,
    assignment_of,
    diff_state,
    payload_bytes,
    view_state,
)

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def world(data_dir):
    gd = load_grid_data(2025, 2022, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    ev = evaluator_for(gd, None)
    names = gd.units["name"].to_dict()
    return gd, plan, ev, names


def fresh(world):
    gd, plan, ev, names = world
    ed = Editor.start(plan, gd.adjacency)
    ed.active = "antwerpen"
    return ed, ev, LiveState(), names


def state_for(ed, ev, live):
    rs = load_rule_set(rule_set_ids()[0])
    st = live.get(ev, ed.plan)
    evaluation = ev.evaluate(st, rs, None)
    return view_state(
        ed.plan, ed.colours, evaluation, assignment=assignment_of(st)[0], active=ed.active,
        grid=2025, geometry="/g.json", meta_token="2025-2022", outlines={},
    ), evaluation  # fmt: skip


def test_a_stroke_is_one_undoable_edit_and_matches_a_full_rebuild(world) -> None:
    ed, ev, live, names = fresh(world)
    free = [c for c in ev.codes if c not in ed.plan.assignment.index][:20]
    before = ed.pos
    out = apply_edit(ed, ev, live, Edit(1, tuple(free), "antwerpen", "brush"), names)
    assert out.ok and out.message == "20 gemeenten zitten nu in Stad Antwerpen."
    assert ed.pos == before + 1  # one step in the history
    assert all(ed.cluster_of(c) == "antwerpen" for c in free)
    # the incremental state (Evaluator.move) equals the state built from scratch
    inc = live.get(ev, ed.plan)
    full = ev.state(ed.plan)
    assert inc.coverage == full.coverage
    assert inc.facts["antwerpen"].population == full.facts["antwerpen"].population
    assert assignment_of(inc)[0] == ed.plan.assignment.to_dict()
    ed.undo()
    assert all(ed.cluster_of(c) is None for c in free)
    assert live.get(ev, ed.plan).coverage == ev.state(ed.plan).coverage  # rebuilt after undo


def test_refused_edits_change_nothing(world) -> None:
    ed, ev, live, names = fresh(world)
    pos, plan = ed.pos, ed.plan
    out = apply_edit(ed, ev, live, Edit(1, ("99999",), "antwerpen"), names)
    assert not out.ok and "99999" in out.reason
    out = apply_edit(ed, ev, live, Edit(2, ("11040",), "gone"), names)
    assert not out.ok and "bestaat niet meer" in out.reason
    out = apply_edit(ed, ev, live, Edit(3, ("11002",), None, "erase"), names, locked={"antwerpen"})
    assert (
        not out.ok and out.reason == "Stad Antwerpen is vergrendeld: Antwerpen blijft waar ze is."
    )
    out = apply_edit(ed, ev, live, Edit(4, ("11040",), "antwerpen"), names, locked={"antwerpen"})
    assert not out.ok and "vergrendeld" in out.reason
    assert ed.pos == pos and ed.plan is plan
    out = apply_edit(ed, ev, live, Edit(5, ("11040",), "antwerpen"), names, lang="en")
    assert out.ok and out.message == "Schoten is now in Stad Antwerpen."


def test_edit_values_from_the_browser() -> None:
    e = Edit.from_value({"seq": 7, "codes": ["11040"], "cluster": "", "gesture": "erase"})
    assert e == Edit(7, ("11040",), None, "erase", None)
    assert Edit.from_value({"codes": []}) is None
    assert Edit.from_value("nonsense") is None


def test_after_the_first_payload_only_changes_travel(world) -> None:
    ed, ev, live, names = fresh(world)
    sent = SentStates()
    state, _ = state_for(ed, ev, live)
    state["m"] = {c: [names[c], 1, 0, 51.0, 4.0] for c in ev.codes}
    first = sent.payload(state, full=False, extra={"f": 1})
    assert first["base"] is None and len(first["a"]) == len(ed.plan.assignment)
    assert payload_bytes(first) > 10_000
    again = sent.payload(dict(state), full=False, extra={"f": 1})
    assert again is first  # nothing changed: the same data, the browser is not called again
    old = ed.cluster_of("11040")
    apply_edit(ed, ev, live, Edit(1, ("11040",), "antwerpen"), names)
    state2, _ = state_for(ed, ev, live)
    state2["m"] = state["m"]
    patch = sent.payload(state2, full=False, extra={"f": 2})
    assert patch["base"] == first["rev"] and patch["rev"] == first["rev"] + 1
    assert patch["a"] == {"11040": "antwerpen"}
    assert set(patch["c"]) == {"antwerpen", old} - {None}  # the touched clusters only
    assert "m" not in patch and "geo" not in patch
    assert payload_bytes(patch) < 1_000
    full = sent.payload(state2, full=True, extra={"f": 2})
    assert full["base"] is None and full["rev"] > patch["rev"] and "m" in full
    other_grid = sent.payload({**state2, "grid": 2019}, full=False, extra={"f": 2})
    assert other_grid["base"] is None  # another grid: a full state, nothing kept from the last


def test_diff_state_marks_removed_entries() -> None:
    old = {"grid": 2025, "a": {"1": "x", "2": "y"}, "c": {"x": [1], "y": [2]}, "active": "x"}
    new = {"grid": 2025, "a": {"1": "x"}, "c": {"x": [1]}, "active": "x"}
    assert diff_state(old, new) == {"a": {"2": None}, "c": {"y": None}}
    assert diff_state(None, new) == new
    assert diff_state({**old, "grid": 2019}, new) == new
    json.dumps(diff_state(old, new))
