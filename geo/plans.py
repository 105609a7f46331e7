"""Plans: an assignment of the municipalities of one grid to named clusters.

A plan file is a CSV (or XLSX) with header ``nis_code,cluster`` and optional ``cluster_name`` and
``share`` columns (extra columns, such as ``municipality_name``, are allowed and ignored). A
``municipality`` (or ``gemeente``) column with names may replace ``nis_code``. ``share`` (0 < share
<= 1; absent = 1) is the part of a municipality in that cluster: a municipality split between
clusters has one row per cluster. Reading and validating are :mod:`geo.membership`'s.

A :class:`Plan` is a :class:`geo.membership.Membership` (its grid explicit) with cluster names, a
name and notes. Plans are immutable, comparable and hashable; editing methods return a new plan.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from geo.atomic import atomic_write_text
from geo.cells import csv_cell
from geo.codes import Crosswalk
from geo.errors import PlanError
from geo.membership import (
    CODE_COLUMNS,
    NAME_COLUMNS,
    Membership,
    NameResolver,
    move_membership,
    parse_table,
    read_table,
)

__all__ = ["CODE_COLUMNS", "NAME_COLUMNS", "Plan", "move_plan", "read_plan", "write_plan_atomic"]


@dataclass(frozen=True, eq=False, kw_only=True)
class Plan:
    """Municipalities of one grid assigned to clusters, with shares (see module docstring).

    Parameters
    ----------
    membership : Membership
        The assignment; its ``grid`` is the plan's grid.
    cluster_names : mapping
        Display name per cluster id (clusters without members are kept).
    name : str
        The plan's name.
    notes : tuple of str
        Plain-language remarks (moves, split municipalities).
    """

    membership: Membership
    cluster_names: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = dict(self.cluster_names)
        for c in self.membership.clusters:
            names.setdefault(c, c)
        object.__setattr__(self, "cluster_names", names)
        object.__setattr__(self, "notes", tuple(self.notes))

    def _key(self) -> tuple[object, ...]:
        return (self.membership, tuple(sorted(self.cluster_names.items())), self.name, self.notes)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plan) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_assignment(
        cls,
        grid: int,
        assignment: Mapping[str, str] | pd.Series,
        cluster_names: Mapping[str, str] | None = None,
        name: str = "",
    ) -> Plan:
        """Every municipality of ``assignment`` (code -> cluster) wholly in its cluster."""
        members = Membership.from_assignment(grid, dict(assignment.items()))
        names = dict(cluster_names or {})
        return cls(
            membership=members,
            cluster_names={c: names.get(c, c) for c in members.clusters},
            name=name,
        )

    @classmethod
    def from_frame(
        cls,
        grid: int,
        frame: pd.DataFrame,
        cluster_names: Mapping[str, str] | None = None,
        name: str = "",
        notes: Iterable[str] = (),
    ) -> Plan:
        """A plan from a frame with ``nis_code``, ``cluster`` and optional ``share``."""
        return cls(
            membership=Membership.from_frame(grid, frame),
            cluster_names=dict(cluster_names or {}),
            name=name,
            notes=tuple(notes),
        )

    @classmethod
    def empty(cls, grid: int, name: str = "") -> Plan:
        return cls(membership=Membership(int(grid)), name=name)

    # ------------------------------------------------------------------ views
    @property
    def grid(self) -> int:
        """The grid of the plan's municipalities."""
        return self.membership.grid

    @property
    def frame(self) -> pd.DataFrame:
        """Rows ``nis_code``, ``cluster``, ``share`` (cached; do not modify)."""
        return self.membership.frame

    @property
    def assignment(self) -> pd.Series:
        """One cluster per municipality (for a split unit: the cluster with the largest share)."""
        top = self.membership.majority()
        s = pd.Series(
            list(top.values()),
            index=pd.Index(list(top), name="nis_code"),
            name="cluster",
            dtype="str",
        )
        return s.sort_index()

    @property
    def clusters(self) -> list[str]:
        return sorted(self.cluster_names)

    @property
    def is_split(self) -> bool:
        """True when any municipality is not wholly in one cluster."""
        return self.membership.is_split

    @property
    def split_units(self) -> pd.DataFrame:
        """Rows of municipalities that are not wholly in one cluster (moved plans only)."""
        m = self.frame
        return m[m["share"] < 1.0]

    def members(self, cluster: str) -> list[str]:
        """Codes with a share in ``cluster``."""
        return sorted({c for c, g, _ in self.membership.rows if g == cluster})

    def display_name(self, cluster: str) -> str:
        return self.cluster_names.get(cluster, cluster)

    # ------------------------------------------------------------------ edits (return new plans)
    def assign(self, nis_code: str, cluster: str | None, cluster_name: str | None = None) -> Plan:
        """Put a municipality wholly in ``cluster`` (``None`` unassigns it)."""
        rows = [r for r in self.membership.rows if r[0] != nis_code]
        names = dict(self.cluster_names)
        if cluster is not None:
            rows.append((nis_code, cluster, 1.0))
            names.setdefault(cluster, cluster_name or cluster)
        return replace(self, membership=self.membership.replace_rows(rows), cluster_names=names)

    def rename(self, cluster: str, new_name: str) -> Plan:
        if cluster not in self.cluster_names:
            raise PlanError(f"No cluster '{cluster}'.")
        return replace(self, cluster_names={**self.cluster_names, cluster: new_name})

    def merge(self, source: str, target: str) -> Plan:
        """Move every member of ``source`` to ``target`` and drop ``source``."""
        if source not in self.cluster_names or target not in self.cluster_names:
            raise PlanError(f"Cannot merge '{source}' into '{target}': unknown cluster.")
        rows = [(c, target if g == source else g, s) for c, g, s in self.membership.rows]
        names = {k: v for k, v in self.cluster_names.items() if k != source}
        return replace(self, membership=self.membership.replace_rows(rows), cluster_names=names)

    def delete(self, cluster: str) -> Plan:
        """Drop a cluster; its members become unassigned."""
        rows = [r for r in self.membership.rows if r[1] != cluster]
        names = {k: v for k, v in self.cluster_names.items() if k != cluster}
        return replace(self, membership=self.membership.replace_rows(rows), cluster_names=names)

    def add_cluster(self, cluster: str, cluster_name: str | None = None) -> Plan:
        if cluster in self.cluster_names:
            raise PlanError(f"Cluster '{cluster}' exists already.")
        return replace(self, cluster_names={**self.cluster_names, cluster: cluster_name or cluster})

    # ------------------------------------------------------------------ output
    def to_csv_text(self) -> str:
        """The plan as plan-file CSV: ``nis_code,cluster,cluster_name``, plus ``share`` when any
        municipality is split (shares written exactly, so reading back gives identical figures).
        Text starting with = + - @ tab or CR gets a leading ``'`` (see geo.cells; read back intact)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        split = self.is_split
        w.writerow(["nis_code", "cluster", "cluster_name"] + (["share"] if split else []))
        for code, cluster, share in self.membership.rows:
            row = [csv_cell(code), csv_cell(cluster), csv_cell(self.display_name(cluster))]
            w.writerow(row + ([repr(float(share))] if split else []))
        return buf.getvalue()


# ---------------------------------------------------------------------------- reading and moving


def read_plan(
    path: str | os.PathLike[str],
    grid: int,
    crosswalk: Crosswalk,
    resolve_name: NameResolver | None = None,
    display: Mapping[str, str] | None = None,
) -> Plan:
    """Read and validate a plan file for ``grid`` (every problem at once).

    The plan's grid may be older than ``grid`` (codes of an older grid, pre-merger names): move
    it with :func:`move_plan` (``geo.context.load_plan`` does both).
    """
    p = Path(path)
    parsed = parse_table(
        read_table(p), grid, crosswalk, resolve_name, source=p.name, display=display
    )
    return Plan(
        membership=parsed.membership, cluster_names=parsed.names, name=p.stem, notes=parsed.notes
    )


def move_plan(
    plan: Plan,
    target: int,
    crosswalk: Crosswalk,
    weights: Mapping[str, float] | pd.Series | None = None,
) -> Plan:
    """Move a plan to a later grid (:func:`geo.membership.move_membership`; population-weighted
    shares for merged municipalities whose parts were in different clusters)."""
    if target == plan.grid:
        return plan
    moved, notes = move_membership(plan.membership, target, crosswalk, weights)
    return replace(plan, membership=moved, notes=(*plan.notes, *notes))


def write_plan_atomic(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Write the plan CSV atomically: a temporary file in the same folder, fsync, then rename."""
    return atomic_write_text(path, plan.to_csv_text())
