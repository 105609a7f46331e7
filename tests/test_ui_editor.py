"""The plan editor: clicks toggle, every edit can be undone and redone, bad edits are refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import PlanError
from geo.plans import Plan
from ui.colours import PALETTE, assign_colours, cluster_neighbours
from ui.editor import Editor, unique_id

CODES = [f"110{k:02d}" for k in range(1, 10)]


def start() -> Editor:
    plan = Plan.from_assignment(
        2018, {"11001": "a", "11002": "a", "11004": "b"}, {"a": "Alfa", "b": "Beta"}
    )
    return Editor.start(plan)


def test_click_adds_to_active_and_second_click_removes() -> None:
    ed = start()
    ed.active = "b"
    assert ed.toggle("11005") == "b"
    assert ed.cluster_of("11005") == "b"
    assert ed.toggle("11005") is None
    assert ed.cluster_of("11005") is None
    # a municipality of another cluster moves to the active one
    assert ed.toggle("11001") == "b"
    assert ed.plan.members("a") == ["11002"]


def test_click_without_active_cluster_is_a_clear_error() -> None:
    ed = Editor.start(Plan.empty(2018))
    assert ed.active is None
    with pytest.raises(PlanError, match="actieve cluster"):
        ed.toggle("11001")


def test_undo_redo_walk_the_history() -> None:
    ed = start()
    p0 = ed.plan
    ed.toggle("11003")
    p1 = ed.plan
    ed.new_cluster("Gamma")
    ed.toggle("11009")
    assert ed.undo() and ed.undo() and ed.undo()
    assert ed.plan is p0 and not ed.can_undo
    assert ed.redo()
    assert ed.plan is p1
    ed.toggle("11008")  # a new edit drops the redo branch
    assert not ed.can_redo
    assert "gamma" not in ed.plan.cluster_names


def test_new_rename_recolour_merge_delete() -> None:
    ed = start()
    cid = ed.new_cluster("Zuid-Oost")
    assert cid == "zuid-oost" and ed.active == cid
    with pytest.raises(PlanError):
        ed.new_cluster("Alfa")
    with pytest.raises(PlanError):
        ed.new_cluster("  ")
    ed.toggle("11009")
    ed.rename(cid, "Zuidoost")
    assert ed.plan.display_name(cid) == "Zuidoost"
    with pytest.raises(PlanError):
        ed.rename(cid, "Beta")
    ed.recolour(cid, "#123456")
    assert ed.colours[cid] == "#123456"
    with pytest.raises(PlanError):
        ed.recolour(cid, "red")
    ed.merge(cid, "a")
    assert cid not in ed.plan.cluster_names and "11009" in ed.plan.members("a")
    assert ed.active == "a"
    with pytest.raises(PlanError):
        ed.merge("a", "a")
    ed.delete("b")
    assert ed.cluster_of("11004") is None
    for _ in range(6):
        ed.undo()
    assert ed.plan.cluster_names == {"a": "Alfa", "b": "Beta"}


def test_unique_ids() -> None:
    assert unique_id("Één regio!", {}) == "een-regio"
    assert unique_id("A", {"a": "x", "a-2": "y"}) == "a-3"
    assert unique_id("???", {}) == "cluster"


def test_neighbouring_clusters_get_different_colours(adjacency) -> None:
    assignment = {"11001": "a", "11002": "b", "11003": "c", "11004": "d", "11005": "e"}
    nb = cluster_neighbours(assignment, adjacency)
    colours = assign_colours(sorted(set(assignment.values())), nb)
    for c, others in nb.items():
        for o in others:
            assert colours[c] != colours[o]
    assert set(colours.values()) <= set(PALETTE)
    # a kept (user) colour is not changed
    assert assign_colours(["a", "b"], nb, {"a": "#000001"})["a"] == "#000001"


edits = st.lists(
    st.tuples(
        st.sampled_from(["toggle", "new", "active", "delete"]),
        st.sampled_from(CODES),
        st.integers(0, 5),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(edits)
def test_undo_all_restores_start_and_redo_all_restores_end(ops) -> None:
    ed = start()
    first = ed.plan
    for op, code, k in ops:
        try:
            if op == "toggle":
                ed.toggle(code)
            elif op == "new":
                ed.new_cluster(f"N{k}")
            elif op == "active":
                ed.active = (
                    ed.plan.clusters[k % len(ed.plan.clusters)] if ed.plan.clusters else None
                )
            elif op == "delete" and ed.plan.clusters:
                ed.delete(ed.plan.clusters[k % len(ed.plan.clusters)])
        except PlanError:
            pass
    last = ed.plan
    n = ed.pos
    while ed.undo():
        pass
    assert ed.plan is first
    for _ in range(n):
        assert ed.redo()
    assert ed.plan is last
    # every municipality is in at most one cluster whatever the edits
    assert not ed.plan.frame["nis_code"].duplicated().any()
