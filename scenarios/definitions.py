"""The three scenarios (seed chapter 5, tables 3 and 4), loaded from ``config/scenarios.toml``.

A :class:`Scenario` says at what scale a regisseur should work and how a plan is judged for it:
preferred inhabitants and municipalities per cluster, the comparison layer alignment is judged
against and the threshold, whether covering Flanders is a goal and whether clusters must be
contiguous. Scenario checks are warnings; they never change eligibility or the subsidy.
Parameters the seed does not quantify are marked as assumptions in ``meta``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scenarios.errors import ConfigError, ParameterError
from scenarios.model import ClusterFacts, Violation
from scenarios.model import fmt_en as _e
from scenarios.model import fmt_nl as _n
from scenarios.params import Param, override, read_params
from scenarios.rules import CONFIG_DIR

SCENARIOS_FILE = CONFIG_DIR / "scenarios.toml"


@dataclass(frozen=True)
class Scenario:
    id: str
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    scale_nl: str
    scale_en: str
    source: str
    single_municipality_fits: bool
    min_population: int
    max_population: int  # 0 = no upper bound
    min_municipalities: int
    max_municipalities: int  # 0 = no upper bound
    comparison_layer: str  # "" = none
    alignment_threshold: float
    coverage_goal: bool
    contiguous: bool
    meta: Mapping[str, Param] = field(default_factory=dict, repr=False, compare=False)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.min_population < 0 or self.max_population < 0:
            problems.append("populations must be >= 0")
        if self.max_population and self.max_population < self.min_population:
            problems.append("max_population below min_population")
        if self.min_municipalities < 0 or self.max_municipalities < 0:
            problems.append("numbers of municipalities must be >= 0")
        if self.max_municipalities and self.max_municipalities < self.min_municipalities:
            problems.append("max_municipalities below min_municipalities")
        if not 0.0 <= self.alignment_threshold <= 1.0:
            problems.append("alignment_threshold must be between 0 and 1")
        if self.comparison_layer:
            from geo.layers import registry

            known = registry()
            if self.comparison_layer not in known:
                problems.append(
                    f"comparison_layer '{self.comparison_layer}' unknown; known: "
                    f"{', '.join(known)} or '' (none)"
                )
        if problems:
            raise ParameterError(f"Scenario {self.id}: invalid parameters.", problems)

    @property
    def assumptions(self) -> list[str]:
        return [k for k, p in self.meta.items() if p.assumption]


def with_scenario_overrides(scenario: Scenario, **changes: Any) -> Scenario:
    """A copy of ``scenario`` with parameters changed (e.g. ``max_municipalities=8``)."""
    return override(scenario, **changes)


# ============================================================================ scenario checks
ScenarioRule = Callable[[ClusterFacts, Scenario], Violation | None]
SCENARIO_RULES: dict[str, ScenarioRule] = {}


def scenario_rule(rule_id: str) -> Callable[[ScenarioRule], ScenarioRule]:
    def deco(fn: ScenarioRule) -> ScenarioRule:
        SCENARIO_RULES[rule_id] = fn
        return fn

    return deco


def _single_fits(c: ClusterFacts, s: Scenario) -> bool:
    return s.single_municipality_fits and c.n_municipalities == 1


@scenario_rule("scale_min_population")
def scale_min_population(c: ClusterFacts, s: Scenario) -> Violation | None:
    if _single_fits(c, s) or not s.min_population or c.population >= s.min_population:
        return None
    return Violation(
        "scale_min_population",
        c.cluster,
        c.population,
        s.min_population,
        "warning",
        f"{c.name}: {_n(c.population)} inwoners, kleiner dan de schaal van de {s.name_nl.lower()} "
        f"(min. {_n(s.min_population)}).",
        f"{c.name}: {_e(c.population)} inhabitants, smaller than the {s.name_en} scale "
        f"(min. {_e(s.min_population)}).",
    )


@scenario_rule("scale_max_population")
def scale_max_population(c: ClusterFacts, s: Scenario) -> Violation | None:
    if _single_fits(c, s) or not s.max_population or c.population <= s.max_population:
        return None
    return Violation(
        "scale_max_population",
        c.cluster,
        c.population,
        s.max_population,
        "warning",
        f"{c.name}: {_n(c.population)} inwoners, groter dan de schaal van de "
        f"{s.name_nl.lower()} (max. {_n(s.max_population)}).",
        f"{c.name}: {_e(c.population)} inhabitants, larger than the {s.name_en} scale "
        f"(max. {_e(s.max_population)}).",
    )


@scenario_rule("scale_min_municipalities")
def scale_min_municipalities(c: ClusterFacts, s: Scenario) -> Violation | None:
    if _single_fits(c, s) or c.n_municipalities >= s.min_municipalities:
        return None
    return Violation(
        "scale_min_municipalities",
        c.cluster,
        c.n_municipalities,
        s.min_municipalities,
        "warning",
        f"{c.name}: {c.n_municipalities} gemeente(n), minder dan {s.min_municipalities}.",
        f"{c.name}: {c.n_municipalities} municipalities, fewer than {s.min_municipalities}.",
    )


@scenario_rule("scale_max_municipalities")
def scale_max_municipalities(c: ClusterFacts, s: Scenario) -> Violation | None:
    if not s.max_municipalities or c.n_municipalities <= s.max_municipalities:
        return None
    return Violation(
        "scale_max_municipalities",
        c.cluster,
        c.n_municipalities,
        s.max_municipalities,
        "warning",
        f"{c.name}: {c.n_municipalities} gemeenten, meer dan {s.max_municipalities} "
        f"({s.name_nl.lower()}: {s.scale_nl}).",
        f"{c.name}: {c.n_municipalities} municipalities, more than {s.max_municipalities} "
        f"({s.name_en}: {s.scale_en}).",
    )


@scenario_rule("contiguity")
def contiguity(c: ClusterFacts, s: Scenario) -> Violation | None:
    if not s.contiguous or c.n_parts <= 1:
        return None
    return Violation(
        "contiguity",
        c.cluster,
        c.n_parts,
        1,
        "warning",
        f"{c.name} bestaat uit {c.n_parts} losse delen (niet aaneengesloten).",
        f"{c.name} consists of {c.n_parts} separate parts (not contiguous).",
    )


@scenario_rule("alignment")
def alignment(c: ClusterFacts, s: Scenario) -> Violation | None:
    if not s.comparison_layer or c.dominant_share is None or c.n_municipalities == 0:
        return None
    if c.dominant_share >= s.alignment_threshold - 1e-12:
        return None
    region = c.dominant_region or "-"
    return Violation(
        "alignment",
        c.cluster,
        round(c.dominant_share, 4),
        s.alignment_threshold,
        "warning",
        f"{c.name}: {c.dominant_share:.0%} van de inwoners in de {s.comparison_layer} {region}, "
        f"minder dan {s.alignment_threshold:.0%} ({c.regions_touched} regio's geraakt).",
        f"{c.name}: {c.dominant_share:.0%} of inhabitants in {s.comparison_layer} {region}, "
        f"below {s.alignment_threshold:.0%} ({c.regions_touched} regions touched).",
    )


def coverage_violation(
    s: Scenario, n_uncovered: int, n_total: int, population_share: float
) -> Violation | None:
    """Plan-level: the scenario wants all of Flanders covered."""
    if not s.coverage_goal or n_uncovered == 0:
        return None
    return Violation(
        "coverage",
        None,
        n_total - n_uncovered,
        n_total,
        "warning",
        f"{n_uncovered} van de {n_total} gemeenten zitten in geen enkele cluster "
        f"({population_share:.1%} van de inwoners gedekt); gebiedsdekking is een doel van de "
        f"{s.name_nl.lower()}.",
        f"{n_uncovered} of {n_total} municipalities are in no cluster ({population_share:.1%} of "
        f"inhabitants covered); covering Flanders is a goal of the {s.name_en}.",
    )


# ============================================================================ loading
_FIELDS = (
    "single_municipality_fits",
    "min_population",
    "max_population",
    "min_municipalities",
    "max_municipalities",
    "comparison_layer",
    "alignment_threshold",
    "coverage_goal",
    "contiguous",
)


def _build(d: Mapping[str, Any]) -> Scenario:
    where = f"scenario {d.get('id', '?')}"
    try:
        meta = read_params(d["parameters"], where)
        missing = [f for f in _FIELDS if f not in meta]
        if missing:
            raise ConfigError(f"{where}: missing parameter(s) {', '.join(missing)}.")
        v = {k: meta[k].default for k in _FIELDS}
        return Scenario(
            id=str(d["id"]),
            name_nl=str(d["name_nl"]),
            name_en=str(d["name_en"]),
            description_nl=str(d["description_nl"]),
            description_en=str(d["description_en"]),
            scale_nl=str(d["scale_nl"]),
            scale_en=str(d["scale_en"]),
            source=str(d["source"]),
            single_municipality_fits=bool(v["single_municipality_fits"]),
            min_population=int(v["min_population"]),
            max_population=int(v["max_population"]),
            min_municipalities=int(v["min_municipalities"]),
            max_municipalities=int(v["max_municipalities"]),
            comparison_layer=str(v["comparison_layer"]),
            alignment_threshold=float(v["alignment_threshold"]),
            coverage_goal=bool(v["coverage_goal"]),
            contiguous=bool(v["contiguous"]),
            meta={k: meta[k] for k in _FIELDS},
        )
    except KeyError as exc:
        raise ConfigError(f"{where}: missing key {exc}.") from exc


@lru_cache(maxsize=1)
def _all_scenarios() -> dict[str, Scenario]:
    try:
        d = tomllib.loads(SCENARIOS_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read {SCENARIOS_FILE.name}: {exc}") from exc
    out: dict[str, Scenario] = {}
    for entry in d.get("scenario", []):
        s = _build(entry)
        out[s.id] = s
    return out


def scenario_ids() -> list[str]:
    return list(_all_scenarios())


def load_scenario(scenario_id: str) -> Scenario:
    """A shipped scenario by id (unknown id: :class:`ConfigError` listing the known ones)."""
    sc = _all_scenarios()
    if scenario_id not in sc:
        raise ConfigError(f"Unknown scenario '{scenario_id}'. Known scenarios: {', '.join(sc)}.")
    return sc[scenario_id]
