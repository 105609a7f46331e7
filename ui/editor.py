"""The plan being edited, with undo and redo: :class:`Editor`.

Every edit (assign, unassign, toggle by click, new cluster, rename, recolour, merge, delete, start
from another plan) pushes a :class:`Snapshot` (an immutable :class:`geo.plans.Plan` plus colours) on
a history; ``undo``/``redo`` move through it. Nothing here imports Streamlit: the app keeps one
``Editor`` in its session state and calls these methods from widget callbacks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from geo.errors import PlanError
from geo.plans import Plan
from ui.colours import PALETTE, assign_colours, check_colour, next_colour, valid_colour

HISTORY_LIMIT = 500


@dataclass(frozen=True)
class Snapshot:
    plan: Plan
    colours: Mapping[str, str]
    label: str = ""


@dataclass
class Editor:
    """A plan under edit (see module docstring). ``active`` is the cluster clicks add to."""

    history: list[Snapshot]
    pos: int = 0
    active: str | None = None
    source: str = ""  # where the plan came from, e.g. "partnerships-2017"
    meta: dict[str, object] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        plan: Plan,
        adjacency: Mapping[str, frozenset[str]] | None = None,
        source: str = "",
        colours: Mapping[str, str] | None = None,
    ) -> Editor:
        ed = cls([Snapshot(plan, _colours_for(plan, adjacency, colours), "start")], source=source)
        ed.active = plan.clusters[0] if plan.clusters else None
        return ed

    # ------------------------------------------------------------------ views
    @property
    def snapshot(self) -> Snapshot:
        return self.history[self.pos]

    @property
    def plan(self) -> Plan:
        return self.snapshot.plan

    @property
    def colours(self) -> Mapping[str, str]:
        return self.snapshot.colours

    @property
    def can_undo(self) -> bool:
        return self.pos > 0

    @property
    def can_redo(self) -> bool:
        return self.pos < len(self.history) - 1

    @property
    def undo_label(self) -> str:
        return self.history[self.pos].label if self.can_undo else ""

    @property
    def redo_label(self) -> str:
        return self.history[self.pos + 1].label if self.can_redo else ""

    def cluster_of(self, nis_code: str) -> str | None:
        a = self.plan.assignment
        return str(a[nis_code]) if nis_code in a.index else None

    # ------------------------------------------------------------------ history
    def _push(self, plan: Plan, label: str, colours: Mapping[str, str] | None = None) -> None:
        given = colours if colours is not None else self.colours
        cols = {k: v for k, v in given.items() if valid_colour(v)}  # only #RRGGBB gets through
        cols = {c: cols.get(c) or next_colour(cols) for c in plan.clusters}
        del self.history[self.pos + 1 :]
        self.history.append(Snapshot(plan, cols, label))
        if len(self.history) > HISTORY_LIMIT:
            del self.history[0]
        self.pos = len(self.history) - 1
        if self.active not in plan.cluster_names:
            self.active = plan.clusters[0] if plan.clusters else None

    def undo(self) -> bool:
        if not self.can_undo:
            return False
        self.pos -= 1
        self._fix_active()
        return True

    def redo(self) -> bool:
        if not self.can_redo:
            return False
        self.pos += 1
        self._fix_active()
        return True

    def _fix_active(self) -> None:
        if self.active not in self.plan.cluster_names:
            self.active = self.plan.clusters[0] if self.plan.clusters else None

    # ------------------------------------------------------------------ edits
    def name_plan(self, name: str) -> None:
        """Give the current plan its saved name (not an edit: nothing to undo)."""
        snap = self.snapshot
        self.history[self.pos] = Snapshot(replace(snap.plan, name=name), snap.colours, snap.label)

    def keep_colours(self, colours: Mapping[str, str]) -> None:
        """Take a saved plan's colours for its clusters (valid #RRGGBB only; not an edit)."""
        snap = self.snapshot
        given = {
            k: v for k, v in colours.items() if k in snap.plan.cluster_names and valid_colour(v)
        }
        self.history[self.pos] = Snapshot(snap.plan, {**snap.colours, **given}, snap.label)

    def replace(
        self,
        plan: Plan,
        label: str,
        adjacency: Mapping[str, frozenset[str]] | None = None,
        source: str = "",
    ) -> None:
        """Start from another plan (undoable)."""
        self._push(plan, label, _colours_for(plan, adjacency, None))
        self.active = plan.clusters[0] if plan.clusters else None
        self.source = source

    def assign(self, nis_code: str, cluster: str | None, label: str = "") -> None:
        if cluster is not None and cluster not in self.plan.cluster_names:
            raise PlanError(f"No cluster '{cluster}'.")
        if self.cluster_of(nis_code) == cluster and not self._is_split(nis_code):
            return
        self._push(self.plan.assign(nis_code, cluster), label or f"{nis_code} → {cluster or '-'}")

    def needs_move(self, nis_code: str, cluster: str | None) -> bool:
        """Whether putting ``nis_code`` wholly in ``cluster`` (None: free) changes the plan."""
        here = self.cluster_of(nis_code)
        if here is None:
            return cluster is not None
        return here != cluster or self._is_split(nis_code)

    def assign_many(
        self,
        codes: Iterable[str],
        cluster: str | None,
        label: str = "",
        current: Mapping[str, str] | None = None,
        split: Iterable[str] | None = None,
    ) -> None:
        """Several municipalities wholly into ``cluster`` (None: free them) as ONE undoable edit
        (a brush stroke or a box on the map). ``current`` and ``split``: the plan's assignment
        and its split municipalities when the caller knows them already (saves recomputing)."""
        if cluster is not None and cluster not in self.plan.cluster_names:
            raise PlanError(f"No cluster '{cluster}'.")
        plan = self.plan
        rows = plan.membership.rows
        here = current if current is not None else plan.assignment.to_dict()
        parts = set(split) if split is not None else {c for c, _, sh in rows if sh < 1.0}
        todo = [c for c in dict.fromkeys(codes) if here.get(c) != cluster or c in parts]
        if not todo:
            return
        gone = set(todo)
        kept = [r for r in rows if r[0] not in gone]
        if cluster is not None:
            kept += [(c, cluster, 1.0) for c in todo]
        m = plan.membership.replace_rows(kept)
        self._push(replace(plan, membership=m), label or f"{len(todo)} → {cluster or '-'}")

    def _is_split(self, nis_code: str) -> bool:
        m = self.plan.frame
        return bool((m.loc[m["nis_code"] == nis_code, "share"] < 1.0).any())

    def toggle(self, nis_code: str) -> str | None:
        """A click on a municipality: into the active cluster, or out of it if it is already
        wholly there. Returns the cluster it is in afterwards."""
        if self.active is None:
            raise PlanError(
                "Kies of maak eerst een actieve cluster. / Pick or create a cluster first."
            )
        if self.cluster_of(nis_code) == self.active and not self._is_split(nis_code):
            self.assign(nis_code, None, f"{nis_code} uit {self.active}")
            return None
        self.assign(nis_code, self.active, f"{nis_code} → {self.active}")
        return self.active

    def new_cluster(self, name: str, colour: str | None = None) -> str:
        name = name.strip()
        if not name:
            raise PlanError("Geef de cluster een naam. / Give the cluster a name.")
        if name in self.plan.cluster_names.values():
            raise PlanError(f"Er is al een cluster '{name}'. / A cluster '{name}' exists already.")
        cid = unique_id(name, self.plan.cluster_names)
        cols = {**self.colours, cid: check_colour(colour) if colour else next_colour(self.colours)}
        self._push(self.plan.add_cluster(cid, name), f"nieuw: {name}", cols)
        self.active = cid
        return cid

    def rename(self, cluster: str, name: str) -> None:
        name = name.strip()
        if not name:
            raise PlanError("Een lege naam kan niet. / The name cannot be empty.")
        others = {v for k, v in self.plan.cluster_names.items() if k != cluster}
        if name in others:
            raise PlanError(f"Er is al een cluster '{name}'. / A cluster '{name}' exists already.")
        if self.plan.display_name(cluster) != name:
            self._push(self.plan.rename(cluster, name), f"hernoemd: {name}")

    def recolour(self, cluster: str, colour: str) -> None:
        if cluster not in self.plan.cluster_names:
            raise PlanError(f"No cluster '{cluster}'.")
        colour = check_colour(colour)
        if self.colours.get(cluster) != colour:
            self._push(self.plan, f"kleur: {cluster}", {**self.colours, cluster: colour})

    def merge(self, source: str, target: str) -> None:
        if source == target:
            raise PlanError(
                "Een cluster samenvoegen met zichzelf kan niet. / Cannot merge a cluster into itself."
            )
        self._push(self.plan.merge(source, target), f"samengevoegd: {source} → {target}")
        self.active = target

    def delete(self, cluster: str) -> None:
        if cluster not in self.plan.cluster_names:
            raise PlanError(f"No cluster '{cluster}'.")
        self._push(self.plan.delete(cluster), f"verwijderd: {cluster}")


def unique_id(name: str, existing: Mapping[str, str]) -> str:
    """A short ASCII id for a new cluster, unique among ``existing`` ids."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()[:30] or "cluster"
    cid, k = base, 2
    while cid in existing:
        cid, k = f"{base}-{k}", k + 1
    return cid


def _colours_for(
    plan: Plan,
    adjacency: Mapping[str, frozenset[str]] | None,
    keep: Mapping[str, str] | None,
) -> dict[str, str]:
    from ui.colours import cluster_neighbours

    a = {str(k): str(v) for k, v in plan.assignment.items()}
    nb = cluster_neighbours(a, adjacency or {})
    for c in plan.clusters:
        nb.setdefault(c, set())
    keep = {k: v for k, v in (keep or {}).items() if k in plan.cluster_names and valid_colour(v)}
    return assign_colours(plan.clusters, nb, keep) if plan.clusters else {}


__all__ = ["PALETTE", "Editor", "Snapshot", "unique_id"]
