"""The one place the proposal engine touches :class:`geo.plans.Plan`.

The membership model of ``geo.plans`` is being reworked; the engine reads a plan only through
:func:`plan_rows` and builds one only through :func:`build_plan`, so an API change is adapted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from geo.plans import Plan


def plan_rows(plan: Plan) -> list[tuple[str, str, float]]:
    """``(nis_code, cluster, share)`` for every membership row of ``plan``."""
    m = plan.membership
    return [
        (str(c), str(k), float(s))
        for c, k, s in zip(m["nis_code"], m["cluster"], m["share"], strict=True)
    ]


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
    if all(s >= 1.0 - 1e-12 for _, _, s in rows):
        plan = Plan.from_assignment(grid, {c: k for c, k, _ in rows}, names, name)
    else:
        m = pd.DataFrame(list(rows), columns=["nis_code", "cluster", "share"])
        m = m.astype({"nis_code": "str", "cluster": "str", "share": "float64"})
        m = m.sort_values(["nis_code", "cluster"]).reset_index(drop=True)
        plan = Plan(grid, m, names, name)
    if notes:
        plan = Plan(plan.grid, plan.membership, plan.cluster_names, plan.name, tuple(notes))
    return plan


def plan_csv_text(plan: Plan) -> str:
    """``nis_code,cluster,cluster_name[,share]`` (the share column only when a unit is split)."""
    rows = sorted(plan_rows(plan))
    split = any(s < 1.0 - 1e-12 for _, _, s in rows)
    if not split:
        return plan.to_csv_text()  # the project's plan writer
    names = plan_cluster_names(plan)
    out = ["nis_code,cluster,cluster_name" + (",share" if split else "")]
    for code, cl, share in rows:
        cells = [code, cl, names.get(cl, cl)]
        if split:
            cells.append(f"{share:.6f}")
        out.append(",".join(_csv_cell(c) for c in cells))
    return "\n".join(out) + "\n"


def _csv_cell(text: str) -> str:
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text
