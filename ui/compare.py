"""Compare two plans evaluated on the same grid, rule set and scenario: which municipalities
changed cluster, and how coverage, subsidy and violations differ."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from geo.plans import Plan
from scenarios.evaluate import Evaluation


@dataclass(frozen=True)
class PlanDiff:
    changed: pd.DataFrame  # nis_code, name, before, after (cluster display names; "" = none)
    figures: pd.DataFrame  # measure, before, after, difference

    @property
    def changed_codes(self) -> list[str]:
        return list(self.changed["nis_code"])


def changed_municipalities(a: Plan, b: Plan, names: Mapping[str, str]) -> pd.DataFrame:
    """Municipalities whose (majority) cluster differs between ``a`` and ``b``, compared by the
    clusters' display names so that the same partnership under two ids does not count as change."""
    if a.grid != b.grid:
        raise ValueError(f"plans on different grids ({a.grid}, {b.grid}); move one first")
    aa = a.assignment.map(a.display_name)
    bb = b.assignment.map(b.display_name)
    codes = sorted(set(aa.index) | set(bb.index))
    rows = []
    for c in codes:
        x, y = aa.get(c, ""), bb.get(c, "")
        if x != y:
            rows.append((c, names.get(c, c), x, y))
    return pd.DataFrame(rows, columns=["nis_code", "name", "before", "after"])


def figures(ea: Evaluation, eb: Evaluation) -> pd.DataFrame:
    def row(label: str, x: float, y: float) -> tuple[str, float, float, float]:
        return (label, x, y, y - x)

    ca, cb = ea.coverage, eb.coverage
    rows = []
    if ca is not None and cb is not None:
        rows += [
            row("municipalities_covered", ca.n_municipalities_covered, cb.n_municipalities_covered),
            row(
                "municipality_share",
                round(ca.municipality_share, 4),
                round(cb.municipality_share, 4),
            ),
            row("population_covered", ca.population_covered, cb.population_covered),
            row("population_share", round(ca.population_share, 4), round(cb.population_share, 4)),
        ]
    rows += [
        row("clusters", _n(ea), _n(eb)),
        row(
            "eligible_clusters",
            sum(c.eligible for c in ea.clusters),
            sum(c.eligible for c in eb.clusters),
        ),
        row("total_subsidy_eur", ea.total_subsidy_eur, eb.total_subsidy_eur),
        row("total_funded_eur", ea.total_funded_eur, eb.total_funded_eur),
        row("violations", len(ea.violations), len(eb.violations)),
        row("errors", _sev(ea, "error"), _sev(eb, "error")),
        row("warnings", _sev(ea, "warning"), _sev(eb, "warning")),
    ]
    return pd.DataFrame(rows, columns=["measure", "before", "after", "difference"])


def _n(e: Evaluation) -> int:
    return sum(1 for c in e.clusters if c.facts.n_municipalities)


def _sev(e: Evaluation, sev: str) -> int:
    return sum(1 for v in e.violations if v.severity == sev)


def diff(a: Plan, b: Plan, ea: Evaluation, eb: Evaluation, names: Mapping[str, str]) -> PlanDiff:
    return PlanDiff(changed_municipalities(a, b, names), figures(ea, eb))
