"""The one place the proposal engine touches :class:`geo.plans.Plan`: it reads a plan only through
:func:`plan_rows` and builds one only through :func:`build_plan`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo.membership import Membership
from geo.plans import Plan


def plan_rows(plan: Plan) -> list[tuple[str, str, float]]:
    """``(nis_code, cluster, share)`` for every membership row of ``plan``."""
    return [(str(c), str(k), float(s)) for c, k, s in plan.membership.rows]


def plan_grid(plan: Plan) -> int:
    return int(plan.grid)


def plan_cluster_names(plan: Plan) -> dict[str, str]:
    return {str(k): str(v) for k, v in plan.cluster_names.items()}


def build_plan(
    grid: int,
    rows: Sequence[tuple[str, str, float]],
    cluster_names: Mapping[str, str],
    name: str = "",
    notes: Sequence[str] = (),
) -> Plan:
    """A plan from ``(nis_code, cluster, share)`` rows (a share below 1 only where a start plan
    already split a merged municipality)."""
    names = {k: cluster_names.get(k, k) for k in sorted({r[1] for r in rows})}
    return Plan(
        membership=Membership.of(grid, rows), cluster_names=names, name=name, notes=tuple(notes)
    )


def plan_csv_text(plan: Plan) -> str:
    """The project's plan CSV (``nis_code,cluster,cluster_name[,share]``, neutralised, exact
    shares: it reads back as the same plan)."""
    return plan.to_csv_text()
