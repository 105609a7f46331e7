"""Rule sets: versioned config files (``scenarios/config/rules/*.toml``) and the rules they name.

A :class:`RuleSet` holds every number of the subsidy rules as a typed field (its source and
assumption flag are in ``meta``). The rules themselves are small pure functions registered by id,
GerryChain style: a *cluster rule* looks at one :class:`ClusterFacts` and returns a
:class:`Violation` or ``None``; a *plan rule* looks at the whole plan. A rule set lists the ids it
checks. :func:`subsidy` computes a cluster's amount (band, then cap).

Boundary decisions (see the config comments and docs/rules-and-scenarios.md): bands are
lower-inclusive, upper-exclusive (80,000 inhabitants -> band 80k-150k); exactly ``min_population``
is eligible; two centrumsteden -> cap from the largest one's alone amount, plus a warning.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from scenarios.errors import ConfigError, ParameterError
from scenarios.model import NO_SUBSIDY, ClusterFacts, Subsidy, Violation
from scenarios.model import fmt_en as _e
from scenarios.model import fmt_nl as _n
from scenarios.params import Param, override, read_params

CONFIG_DIR = Path(__file__).resolve().parent / "config"
RULES_DIR = CONFIG_DIR / "rules"


@dataclass(frozen=True)
class Band:
    min: int
    max: int | None  # exclusive; None = no upper bound
    amount: int
    source: str = ""

    def contains(self, population: float) -> bool:
        return population >= self.min and (self.max is None or population < self.max)


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    title_nl: str
    title_en: str
    source: str
    valid_from: str
    valid_to: str
    rules: tuple[str, ...]
    bands: tuple[Band, ...]
    min_population: int
    centrumstad_alone_exempt: bool
    cap_without_centrumstad: int
    cap_centrumstad_extra: int
    multiple_centrumsteden: str
    band_boundaries: str
    budget_eur: int
    budgets: Mapping[str, int]
    ranking: str
    budget_marginal: str
    unemployment_year: int
    meta: Mapping[str, Param] = field(default_factory=dict, repr=False, compare=False)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.min_population < 0:
            problems.append("min_population must be >= 0")
        if self.cap_without_centrumstad < 0 or self.cap_centrumstad_extra < 0:
            problems.append("caps must be >= 0")
        if self.budget_eur < 0:
            problems.append("budget_eur must be >= 0")
        if self.multiple_centrumsteden not in ("largest", "sum"):
            problems.append("multiple_centrumsteden must be 'largest' or 'sum'")
        if self.band_boundaries not in ("lower-inclusive", "upper-inclusive"):
            problems.append("band_boundaries must be 'lower-inclusive' or 'upper-inclusive'")
        if self.budget_marginal not in ("partial", "none"):
            problems.append("budget_marginal must be 'partial' or 'none'")
        if not self.bands:
            problems.append("at least one band is needed")
        for a, b in zip(self.bands, self.bands[1:], strict=False):
            if a.max != b.min or a.amount > b.amount:
                problems.append(
                    f"bands must be consecutive with non-decreasing amounts ({a.min}-{a.max}, "
                    f"{b.min}-{b.max})"
                )
        if self.bands and self.bands[-1].max is not None:
            problems.append("the last band must have no upper bound")
        unknown = [r for r in self.rules if r not in CLUSTER_RULES and r not in PLAN_RULES]
        if unknown:
            known = ", ".join(sorted({*CLUSTER_RULES, *PLAN_RULES}))
            problems.append(f"unknown rule id(s) {', '.join(unknown)} (known: {known})")
        if problems:
            raise ParameterError(f"Rule set {self.id}: invalid parameters.", problems)

    # ------------------------------------------------------------------ bands
    def band_index(self, population: float) -> int | None:
        """0-based index of the band holding ``population`` (None below the first band)."""
        if self.band_boundaries == "upper-inclusive":
            for i, b in enumerate(self.bands):
                if population > b.min and (b.max is None or population <= b.max):
                    return i
            return 0 if population == self.bands[0].min else None
        for i, b in enumerate(self.bands):
            if b.contains(population):
                return i
        return None

    def alone_amount(self, population: float) -> int:
        """What a centrumstad of this population receives applying alone."""
        i = self.band_index(population)
        if i is None:
            return self.bands[0].amount if self.centrumstad_alone_exempt else 0
        return self.bands[i].amount


def with_overrides(rule_set: RuleSet, **changes: Any) -> RuleSet:
    """A copy of ``rule_set`` with parameters changed, e.g. ``with_overrides(rs,
    min_population=80_000)``. ``bands`` takes a sequence of :class:`Band` or (min, max, amount)."""
    if "bands" in changes:
        changes["bands"] = tuple(
            b
            if isinstance(b, Band)
            else Band(int(b[0]), None if b[1] is None else int(b[1]), int(b[2]))
            for b in changes["bands"]
        )
    return override(rule_set, **changes)


# ============================================================================ subsidy
def subsidy(c: ClusterFacts, rs: RuleSet) -> Subsidy:
    """The amount the cluster is entitled to (0 when below the minimum), with band and cap."""
    if c.n_municipalities == 0:
        return NO_SUBSIDY
    if c.is_centrumstad_alone and rs.centrumstad_alone_exempt:
        i = rs.band_index(c.population)
        amount = rs.alone_amount(c.population)
        return Subsidy(amount, (i if i is not None else 0) + 1, amount, None, None, False)
    if c.population < rs.min_population:
        return NO_SUBSIDY
    i = rs.band_index(c.population)
    if i is None:  # eligible below the first band (a lowered minimum): the first band applies
        i = 0
    band_amount = rs.bands[i].amount
    if c.centrumsteden:
        alone = [rs.alone_amount(cs.population) for cs in c.centrumsteden]
        base = sum(alone) if rs.multiple_centrumsteden == "sum" else max(alone)
        cap, rule = base + rs.cap_centrumstad_extra, "cap_centrumstad_extra"
    else:
        cap, rule = rs.cap_without_centrumstad, "cap_without_centrumstad"
    amount = min(band_amount, cap)
    return Subsidy(amount, i + 1, band_amount, rule, cap, band_amount > cap)


# ============================================================================ rule registry
ClusterRule = Callable[[ClusterFacts, RuleSet], Violation | None]


@dataclass(frozen=True)
class PlanFacts:
    """Plan-wide facts for plan rules."""

    clusters: Sequence[ClusterFacts]
    # municipalities not wholly in one cluster: (code, ((cluster, share), ...)); moved plans only
    irregular_membership: Sequence[tuple[str, tuple[tuple[str, float], ...]]]
    total_requested_eur: int
    budget_eur: int


PlanRule = Callable[[PlanFacts, RuleSet], list[Violation]]

CLUSTER_RULES: dict[str, ClusterRule] = {}
PLAN_RULES: dict[str, PlanRule] = {}


def cluster_rule(rule_id: str) -> Callable[[ClusterRule], ClusterRule]:
    def deco(fn: ClusterRule) -> ClusterRule:
        CLUSTER_RULES[rule_id] = fn
        return fn

    return deco


def plan_rule(rule_id: str) -> Callable[[PlanRule], PlanRule]:
    def deco(fn: PlanRule) -> PlanRule:
        PLAN_RULES[rule_id] = fn
        return fn

    return deco


@cluster_rule("min_population")
def min_population(c: ClusterFacts, rs: RuleSet) -> Violation | None:
    """A partnership needs ``min_population`` inhabitants; a centrumstad alone is exempt."""
    if c.n_municipalities == 0 or (c.is_centrumstad_alone and rs.centrumstad_alone_exempt):
        return None
    if c.population >= rs.min_population:
        return None
    return Violation(
        "min_population",
        c.cluster,
        c.population,
        rs.min_population,
        "error",
        f"{c.name}: {_n(c.population)} inwoners, minder dan het minimum van "
        f"{_n(rs.min_population)}; geen subsidie.",
        f"{c.name}: {_e(c.population)} inhabitants, below the minimum of "
        f"{_e(rs.min_population)}; no subsidy.",
    )


@cluster_rule("multiple_centrumsteden")
def multiple_centrumsteden(c: ClusterFacts, rs: RuleSet) -> Violation | None:
    """Two or more centrumsteden in one cluster: the rules assume one; warn."""
    if len(c.centrumsteden) < 2:
        return None
    names = ", ".join(cs.name for cs in c.centrumsteden)
    basis_nl = "de grootste" if rs.multiple_centrumsteden == "largest" else "de som van"
    basis_en = "the largest" if rs.multiple_centrumsteden == "largest" else "the sum of"
    return Violation(
        "multiple_centrumsteden",
        c.cluster,
        len(c.centrumsteden),
        1,
        "warning",
        f"{c.name}: {len(c.centrumsteden)} centrumsteden ({names}); het plafond volgt {basis_nl} "
        "centrumstad (aanname).",
        f"{c.name}: {len(c.centrumsteden)} centrumsteden ({names}); the cap follows {basis_en} "
        "centrumstad (assumption).",
    )


@plan_rule("unique_membership")
def unique_membership(p: PlanFacts, rs: RuleSet) -> list[Violation]:
    """A municipality belongs to at most one partnership (a moved plan may split a unit)."""
    out = []
    for code, parts in p.irregular_membership:
        if len(parts) < 2:
            continue
        desc = ", ".join(f"{cl} {share:.0%}" for cl, share in parts)
        out.append(
            Violation(
                "unique_membership",
                None,
                len(parts),
                1,
                "error",
                f"Gemeente {code} hoort bij {len(parts)} clusters ({desc}); één gemeente kan maar "
                "bij één samenwerkingsverband horen.",
                f"Municipality {code} is in {len(parts)} clusters ({desc}); a municipality can "
                "belong to one partnership only.",
            )
        )
    return out


@plan_rule("partial_membership")
def partial_membership(p: PlanFacts, rs: RuleSet) -> list[Violation]:
    """A municipality only partly in clusters (a moved plan whose merged municipality was partly
    outside every partnership): its inhabitants count by share; warn."""
    out = []
    for code, parts in p.irregular_membership:
        total = sum(share for _, share in parts)
        if total >= 1.0 - 1e-9:
            continue
        desc = ", ".join(f"{cl} {share:.0%}" for cl, share in parts)
        out.append(
            Violation(
                "partial_membership",
                None,
                round(total, 4),
                1.0,
                "warning",
                f"Gemeente {code} hoort maar voor {total:.0%} bij een cluster ({desc}); de rest "
                "hoort bij geen enkel samenwerkingsverband (fusie na het plan).",
                f"Municipality {code} is only {total:.0%} in a cluster ({desc}); the rest is in no "
                "partnership (a merger after the plan).",
            )
        )
    return out


@plan_rule("budget")
def budget(p: PlanFacts, rs: RuleSet) -> list[Violation]:
    """Requests above the budget: the ranking decides who is funded (see evaluate)."""
    if p.total_requested_eur <= p.budget_eur:
        return []
    return [
        Violation(
            "budget",
            None,
            p.total_requested_eur,
            p.budget_eur,
            "warning",
            f"De aanvragen ({_n(p.total_requested_eur)} EUR) overschrijden het budget "
            f"({_n(p.budget_eur)} EUR); eerst clusters met centrumstad, dan volgens hoogste "
            "werkloosheidsgraad.",
            f"Requests (EUR {_e(p.total_requested_eur)}) exceed the budget "
            f"(EUR {_e(p.budget_eur)}); centrumstad clusters first, then by highest unemployment.",
        )
    ]


# ============================================================================ loading
def _load(path: Path) -> RuleSet:
    try:
        d = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read rule set {path.name}: {exc}") from exc
    where = f"rule set {path.name}"
    try:
        meta = read_params(d["parameters"], where)
        bands = tuple(
            Band(
                int(b["min"]),
                None if b.get("max") is None else int(b["max"]),
                int(b["amount"]),
                str(b.get("source", "")),
            )
            for b in d["bands"]
        )
        meta["bands"] = Param(
            "bands",
            [[b.min, b.max, b.amount] for b in bands],
            "Subsidieschijven (van, tot, bedrag)",
            "Subsidy bands (from, to, amount)",
            "inwoners / EUR",
            "; ".join(b.source for b in bands),
        )
        v = {k: p.default for k, p in meta.items() if k != "bands"}
        return RuleSet(
            id=str(d["id"]),
            version=str(d["version"]),
            title_nl=str(d["title_nl"]),
            title_en=str(d["title_en"]),
            source=str(d["source"]),
            valid_from=str(d["valid_from"]),
            valid_to=str(d["valid_to"]),
            rules=tuple(d["rules"]),
            bands=bands,
            min_population=int(v["min_population"]),
            centrumstad_alone_exempt=bool(v["centrumstad_alone_exempt"]),
            cap_without_centrumstad=int(v["cap_without_centrumstad"]),
            cap_centrumstad_extra=int(v["cap_centrumstad_extra"]),
            multiple_centrumsteden=str(v["multiple_centrumsteden"]),
            band_boundaries=str(v["band_boundaries"]),
            budget_eur=int(v["budget_eur"]),
            budgets={str(k): int(x) for k, x in dict(v["budgets"]).items()},
            ranking=str(v["ranking"]),
            budget_marginal=str(v["budget_marginal"]),
            unemployment_year=int(v["unemployment_year"]),
            meta=meta,
        )
    except KeyError as exc:
        raise ConfigError(f"{where}: missing key {exc}.") from exc


@lru_cache(maxsize=1)
def _all_rule_sets() -> dict[str, RuleSet]:
    out: dict[str, RuleSet] = {}
    for p in sorted(RULES_DIR.glob("*.toml")):
        rs = _load(p)
        if rs.id in out:
            raise ConfigError(f"Two rule sets with id {rs.id}.")
        out[rs.id] = rs
    return out


def rule_set_ids() -> list[str]:
    return sorted(_all_rule_sets())


def load_rule_set(rule_set_id: str) -> RuleSet:
    """A shipped rule set by id (unknown id: :class:`ConfigError` listing the known ones)."""
    sets = _all_rule_sets()
    if rule_set_id not in sets:
        raise ConfigError(
            f"Unknown rule set '{rule_set_id}'. Known rule sets: {', '.join(sorted(sets))}."
        )
    return sets[rule_set_id]


def load_rule_set_file(path: str | Path) -> RuleSet:
    """A rule set from any TOML file with the same layout."""
    return _load(Path(path))
