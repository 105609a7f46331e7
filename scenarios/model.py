"""Plain data passed between the evaluator and the rules: facts about a cluster, violations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``cluster`` is the subject (``None`` for the plan as a whole)."""

    rule_id: str
    cluster: str | None
    observed: Any
    limit: Any
    severity: Severity
    message_nl: str
    message_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "cluster": self.cluster,
            "observed": self.observed,
            "limit": self.limit,
            "severity": self.severity,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class Centrumstad:
    nis_code: str
    name: str
    population: int  # its own population (what it would count applying alone)


@dataclass(frozen=True)
class ClusterFacts:
    """What the rules need to know about one cluster; computed once per plan (or per move).

    ``population`` counts split municipalities by share. ``unemployment_rate`` is the
    population-weighted mean of the members' rates (%), over members with a known rate;
    ``unemployment_missing`` lists the members without one. ``dominant_share`` is ``None`` when no
    comparison layer was given.
    """

    cluster: str
    name: str
    members: tuple[str, ...]
    population: int
    centrumsteden: tuple[Centrumstad, ...] = ()
    n_parts: int = 1
    unemployment_rate: float | None = None
    unemployment_missing: tuple[str, ...] = ()
    dominant_region: str | None = None
    dominant_share: float | None = None
    regions_touched: int | None = None

    @property
    def n_municipalities(self) -> int:
        return len(self.members)

    @property
    def has_centrumstad(self) -> bool:
        return bool(self.centrumsteden)

    @property
    def is_centrumstad_alone(self) -> bool:
        return len(self.members) == 1 and len(self.centrumsteden) == 1


@dataclass(frozen=True)
class Subsidy:
    """The amount a cluster is entitled to and how it was reached (before any budget cut)."""

    amount_eur: int
    band: int | None  # 1-based band number, None when no band applies
    band_amount_eur: int
    cap_rule: str | None  # "cap_without_centrumstad" | "cap_centrumstad_extra" | None
    cap_eur: int | None
    capped: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "amount_eur": self.amount_eur,
            "band": self.band,
            "band_amount_eur": self.band_amount_eur,
            "cap_rule": self.cap_rule,
            "cap_eur": self.cap_eur,
            "capped": self.capped,
        }


NO_SUBSIDY = Subsidy(0, None, 0, None, None, False)


def fmt_nl(x: float) -> str:
    """A number the Dutch way: 60.000."""
    return f"{x:,.0f}".replace(",", ".")


def fmt_en(x: float) -> str:
    """A number the English way: 60,000."""
    return f"{x:,.0f}"
