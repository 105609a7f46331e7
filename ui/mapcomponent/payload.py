"""What the map editor component receives and sends, without Streamlit.

The browser keeps a *view state* (:func:`view_state`): the cluster of every municipality (``a``),
each cluster's name, colour, inhabitants and size (``c``), the active cluster, dashed (changed)
municipalities, outline layers and labels. Python remembers the states it sent, by revision
(:class:`SentStates`), and sends each time only the difference from the revision the browser
has (:func:`diff_state`): after a click, the touched municipalities and clusters plus the figures.
An edit from the browser (:class:`Edit`: municipalities, target cluster, the gesture) is applied
by :func:`apply_edit` to the :class:`ui.editor.Editor` (one undoable step, however many
municipalities) and to the incremental :class:`scenarios.evaluate.PlanState` with
``Evaluator.move``; it is refused (and the browser rolls its paint back) when a municipality is
not on the grid, the cluster no longer exists, or a cluster it touches is locked.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geo.plans import Plan
from scenarios.evaluate import Evaluation, Evaluator, PlanState
from ui.colours import UNASSIGNED
from ui.editor import Editor

KEEP_REVISIONS = 40

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "click": "Klikken",
        "click_help": "Klik: gemeente in {cluster} (nog eens klikken haalt ze eruit); slepen verschuift de kaart",
        "brush": "Penseel",
        "brush_help": "Slepen kleurt alle gemeenten onder de muis in {cluster}, als één bewerking",
        "erase": "Gum",
        "erase_help": "Klikken of slepen maakt gemeenten vrij",
        "box": "Shift + slepen: een rechthoek",
        "search": "Zoek een gemeente",
        "search_button": "Zoek",
        "zoom_all": "Heel Vlaanderen",
        "legend": "Legende",
        "unassigned": "niet toegewezen",
        "inhabitants": "Inwoners",
        "cluster": "Cluster",
        "active": "actieve cluster (dikke rand)",
        "provinces": "provinciegrenzen",
        "comparison": "vergelijkingslaag",
        "centrumstad": "centrumstad",
        "dashed": "gewijzigd (streepjes)",
        "municipality": "Gemeente",
        "in": "in",
        "no_active": "Kies of maak eerst een actieve cluster.",
        "keys": "Pijltjestoetsen verschuiven de kaart; Tab kiest een gemeente, Enter zet ze in de actieve cluster.",
        "refused": "Niet uitgevoerd",
        "map": "Kaart van de gemeenten",
        "loading": "Kaart laden…",
    },
    "en": {
        "click": "Click",
        "click_help": "Click: municipality into {cluster} (click again to take it out); drag pans the map",
        "brush": "Brush",
        "brush_help": "Dragging paints every municipality under the mouse into {cluster}, as one edit",
        "erase": "Eraser",
        "erase_help": "Click or drag to unassign municipalities",
        "box": "Shift + drag: a box",
        "search": "Find a municipality",
        "search_button": "Find",
        "zoom_all": "All of Flanders",
        "legend": "Legend",
        "unassigned": "unassigned",
        "inhabitants": "Inhabitants",
        "cluster": "Cluster",
        "active": "active cluster (thick outline)",
        "provinces": "province borders",
        "comparison": "comparison layer",
        "centrumstad": "centrumstad",
        "dashed": "changed (dashed)",
        "municipality": "Municipality",
        "in": "in",
        "no_active": "Pick or create an active cluster first.",
        "keys": "Arrow keys pan the map; Tab picks a municipality, Enter puts it in the active cluster.",
        "refused": "Not done",
        "map": "Map of the municipalities",
        "loading": "Loading map…",
    },
}


# ---------------------------------------------------------------------------- edits
@dataclass(frozen=True)
class Edit:
    """One gesture in the browser: ``codes`` into ``cluster`` (None: freed)."""

    seq: int
    codes: tuple[str, ...]
    cluster: str | None
    gesture: str = "click"  # click, brush, box, erase, key
    rev: int | None = None  # the revision the browser had

    @classmethod
    def from_value(cls, value: Any) -> Edit | None:
        if not isinstance(value, Mapping):
            return None
        try:
            codes = tuple(str(c) for c in value.get("codes", ()))
            cluster = value.get("cluster") or None
            rev = value.get("rev")
            return cls(
                int(value["seq"]),
                codes,
                None if cluster is None else str(cluster),
                str(value.get("gesture", "click")),
                int(rev) if isinstance(rev, int) else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Outcome:
    seq: int
    ok: bool
    reason: str = ""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "ok": self.ok, "reason": self.reason}


@dataclass
class LiveState:
    """The incremental evaluation state of the plan under edit (``plan`` is the exact object
    it belongs to: any other plan, e.g. after undo, is rebuilt with ``Evaluator.state``)."""

    evaluator: Evaluator | None = None
    plan: Plan | None = None
    state: PlanState | None = None

    def get(self, ev: Evaluator, plan: Plan) -> PlanState:
        if self.evaluator is not ev or self.plan is not plan or self.state is None:
            self.evaluator, self.plan, self.state = ev, plan, ev.state(plan)
        return self.state


def apply_edit(
    ed: Editor,
    ev: Evaluator,
    live: LiveState,
    edit: Edit,
    names: Mapping[str, str],
    locked: Iterable[str] = (),
    lang: str = "nl",
) -> Outcome:
    """Apply ``edit`` as one undoable step, or refuse it (nothing changes) with the reason."""
    nl = lang != "en"
    unknown = [c for c in edit.codes if c not in ev.pop]
    if not edit.codes:
        return Outcome(edit.seq, True)
    if unknown:
        return Outcome(
            edit.seq,
            False,
            (f"{unknown[0]} is geen gemeente van het grid {ev.grid}.")
            if nl
            else f"{unknown[0]} is not a municipality of the {ev.grid} grid.",
        )
    plan = ed.plan
    cluster = edit.cluster
    if cluster is not None and cluster not in plan.cluster_names:
        return Outcome(
            edit.seq,
            False,
            f"De cluster '{cluster}' bestaat niet meer."
            if nl
            else f"The cluster '{cluster}' no longer exists.",
        )
    locked = set(locked)
    state = live.get(ev, plan)
    assignment, split = assignment_of(state)
    for code in edit.codes:
        here = assignment.get(code)
        for cl in (here, cluster):
            if cl is not None and cl in locked and here != cluster:
                who = plan.display_name(cl)
                return Outcome(
                    edit.seq,
                    False,
                    f"{who} is vergrendeld: {names.get(code, code)} blijft waar ze is."
                    if nl
                    else f"{who} is locked: {names.get(code, code)} stays where it is.",
                )
    codes = tuple(
        dict.fromkeys(c for c in edit.codes if assignment.get(c) != cluster or c in split)
    )
    if not codes:
        return Outcome(edit.seq, True)
    first = names.get(codes[0], codes[0])
    what = (
        first
        if len(codes) == 1
        else (f"{len(codes)} gemeenten" if nl else f"{len(codes)} municipalities")
    )
    target = plan.display_name(cluster) if cluster else ""
    label = f"{what} → {target or '-'}"
    ed.assign_many(codes, cluster, label, assignment, split)
    for code in codes:
        state = ev.move(state, code, cluster)
    live.evaluator, live.plan, live.state = ev, ed.plan, state
    if cluster is None:
        msg = (
            f"{what} {'is vrijgemaakt' if len(codes) == 1 else 'zijn vrijgemaakt'}."
            if nl
            else f"{what} {'is' if len(codes) == 1 else 'are'} now unassigned."
        )
    else:
        msg = (
            f"{what} {'zit' if len(codes) == 1 else 'zitten'} nu in {target}."
            if nl
            else f"{what} {'is' if len(codes) == 1 else 'are'} now in {target}."
        )
    return Outcome(edit.seq, True, "", msg)


def assignment_of(state: PlanState) -> tuple[dict[str, str], set[str]]:
    """Each municipality's cluster (the largest share; ties: the first cluster id, as
    ``Plan.assignment``) and the municipalities split between clusters or partly covered."""
    best: dict[str, tuple[float, str]] = {}
    total: dict[str, float] = {}
    count: dict[str, int] = {}
    for cl in sorted(state.members):
        for code, share in state.members[cl].items():
            total[code] = total.get(code, 0.0) + share
            count[code] = count.get(code, 0) + 1
            if code not in best or share > best[code][0]:
                best[code] = (share, cl)
    split = {c for c, n in count.items() if n > 1 or total[c] < 1.0 - 1e-9}
    return {c: cl for c, (_, cl) in best.items()}, split


# ---------------------------------------------------------------------------- view state
def view_state(
    plan: Plan,
    colours: Mapping[str, str],
    evaluation: Evaluation,
    *,
    assignment: Mapping[str, str] | None = None,
    active: str | None,
    grid: int,
    geometry: str,
    meta_token: str,
    outlines: Mapping[str, Any],
    dashed: Iterable[str] = (),
    lang: str = "nl",
) -> dict[str, Any]:
    facts = {c.cluster: c.facts for c in evaluation.clusters}
    clusters = {}
    for cid in plan.clusters:
        f = facts.get(cid)
        clusters[cid] = [
            plan.display_name(cid),
            colours.get(cid, UNASSIGNED),
            int(f.population) if f else 0,
            int(f.n_municipalities) if f else 0,
        ]
    return {
        "grid": grid,
        "geo": geometry,
        "meta": meta_token,
        "a": dict(assignment) if assignment is not None else plan.assignment.to_dict(),
        "c": clusters,
        "active": active or "",
        "d": sorted(dashed),
        "ol": dict(outlines),
        "lang": lang,
    }


_DICT_KEYS = ("a", "c")


def diff_state(base: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """What turns ``base`` into ``new``: changed top-level values; for the municipality and
    cluster maps only the changed entries (``None``: gone). ``base`` None: everything."""
    if base is None or base.get("grid") != new.get("grid"):
        return dict(new)
    out: dict[str, Any] = {}
    for k, v in new.items():
        if k in _DICT_KEYS:
            old = base.get(k, {})
            d = {key: val for key, val in v.items() if old.get(key) != val}
            d.update({key: None for key in old if key not in v})
            if d:
                out[k] = d
        elif base.get(k) != v:
            out[k] = v
    return out


@dataclass
class SentStates:
    """The view states sent to the browser, by revision (the latest ``KEEP_REVISIONS``)."""

    revs: OrderedDict[int, dict[str, Any]] = field(default_factory=OrderedDict)
    rev: int = 0
    last: dict[str, Any] | None = None  # the last payload, resent unchanged when nothing changed

    def payload(
        self, state: dict[str, Any], *, full: bool, extra: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The component's data: ``rev``, ``base`` (None: a full state) and the changes from the
        state sent last (payloads arrive in order; a browser that missed one asks for a full
        state)."""
        latest = self.revs.get(self.rev)
        last = self.last
        if (
            latest == state
            and not full
            and last is not None
            and all(last.get(k) == v for k, v in extra.items())
        ):
            return last
        if latest != state or full:
            self.rev += 1
            self.revs[self.rev] = state
            while len(self.revs) > KEEP_REVISIONS:
                self.revs.popitem(last=False)
        base_rev = self.last["rev"] if self.last is not None else None
        if (
            full
            or base_rev is None
            or base_rev not in self.revs
            or self.revs[base_rev].get("grid") != state.get("grid")
        ):
            out = {"rev": self.rev, "base": None, **diff_state(None, state)}
        else:
            out = {"rev": self.rev, "base": base_rev, **diff_state(self.revs[base_rev], state)}
        out.update(extra)
        self.last = out
        return out


def payload_bytes(data: Mapping[str, Any]) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
