"""Evaluate a plan against a rule set and a scenario.

Two layers, so the app can re-evaluate on every click:

* :class:`Evaluator` precomputes per-municipality lookups (population, centrumstad, unemployment,
  comparison region, adjacency) once per grid. ``ev.state(plan)`` builds a :class:`PlanState`
  holding a :class:`ClusterFacts` per cluster; ``ev.move(state, nis_code, cluster)`` returns a new
  state in which only the two touched clusters are recomputed.
* :func:`evaluate_state` (``ev.evaluate(state, rule_set, scenario)``) runs the rules on the facts:
  pure Python over a few dozen clusters, well under a millisecond. Changing a parameter
  (``with_overrides(rule_set, min_population=80_000)``) only reruns this step.

:func:`evaluate` is the one-call convenience used by the CLI; :func:`evaluate_facts` evaluates
hand-made cluster facts (e.g. the seed table's own inhabitant figures).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.contiguity import Adjacency, n_parts
from geo.coverage import CoverageShares
from geo.errors import GridError
from geo.plans import Plan
from scenarios.definitions import SCENARIO_RULES, Scenario, coverage_violation
from scenarios.model import Centrumstad, ClusterFacts, Subsidy, Violation
from scenarios.rules import CLUSTER_RULES, PLAN_RULES, PlanFacts, RuleSet, subsidy

if TYPE_CHECKING:
    from geo.layers import Layer


# ============================================================================ results
@dataclass(frozen=True)
class CoverageSummary(CoverageShares):
    n_municipalities_covered: int
    n_municipalities_total: int
    population_covered: int
    population_total: int
    uncovered: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_municipalities_covered": self.n_municipalities_covered,
            "n_municipalities_total": self.n_municipalities_total,
            "municipality_share": round(self.municipality_share, 6),
            "population_covered": self.population_covered,
            "population_total": self.population_total,
            "population_share": round(self.population_share, 6),
            "uncovered": list(self.uncovered),
        }


@dataclass(frozen=True)
class ClusterResult:
    facts: ClusterFacts
    subsidy: Subsidy
    eligible: bool
    funded_eur: int
    rank: int | None  # position in the budget ranking (1 = first funded); None if not eligible
    violations: tuple[Violation, ...]

    @property
    def cluster(self) -> str:
        return self.facts.cluster

    @property
    def scale_ok(self) -> bool:
        return not any(v.rule_id.startswith("scale_") for v in self.violations)

    @property
    def aligned(self) -> bool | None:
        if self.facts.dominant_share is None:
            return None
        return not any(v.rule_id == "alignment" for v in self.violations)

    def to_dict(self) -> dict[str, Any]:
        f = self.facts
        return {
            "cluster": f.cluster,
            "name": f.name,
            "population": f.population,
            "n_municipalities": f.n_municipalities,
            "members": list(f.members),
            "centrumsteden": [cs.name for cs in f.centrumsteden],
            "eligible": self.eligible,
            "subsidy_eur": self.subsidy.amount_eur,
            "funded_eur": self.funded_eur,
            "rank": self.rank,
            "band": self.subsidy.band,
            "band_amount_eur": self.subsidy.band_amount_eur,
            "cap_rule": self.subsidy.cap_rule,
            "cap_eur": self.subsidy.cap_eur,
            "capped": self.subsidy.capped,
            "unemployment_rate": None
            if f.unemployment_rate is None
            else round(f.unemployment_rate, 3),
            "unemployment_missing": list(f.unemployment_missing),
            "n_parts": f.n_parts,
            "dominant_region": f.dominant_region,
            "dominant_share": None if f.dominant_share is None else round(f.dominant_share, 4),
            "regions_touched": f.regions_touched,
            "scale_ok": self.scale_ok,
            "aligned": self.aligned,
            "violations": [v.to_dict() for v in self.violations],
        }


@dataclass(frozen=True)
class Evaluation:
    rule_set_id: str
    scenario_id: str | None
    clusters: tuple[ClusterResult, ...]
    plan_violations: tuple[Violation, ...]
    total_subsidy_eur: int  # what the eligible clusters are entitled to
    total_funded_eur: int  # after the budget ranking
    budget_eur: int
    coverage: CoverageSummary | None
    notes: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def within_budget(self) -> bool:
        return self.total_subsidy_eur <= self.budget_eur

    @property
    def violations(self) -> list[Violation]:
        return [*self.plan_violations, *(v for c in self.clusters for v in c.violations)]

    @property
    def violation_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule_id] = out.get(v.rule_id, 0) + 1
        return dict(sorted(out.items()))

    @property
    def passes(self) -> bool:
        return not self.violations

    def cluster(self, cluster: str) -> ClusterResult:
        for c in self.clusters:
            if c.cluster == cluster:
                return c
        raise KeyError(cluster)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_set": self.rule_set_id,
            "scenario": self.scenario_id,
            "parameters": dict(self.parameters),
            "total_subsidy_eur": self.total_subsidy_eur,
            "total_funded_eur": self.total_funded_eur,
            "budget_eur": self.budget_eur,
            "within_budget": self.within_budget,
            "n_clusters": sum(1 for c in self.clusters if c.facts.n_municipalities),
            "n_eligible": sum(1 for c in self.clusters if c.eligible),
            "violation_counts": self.violation_counts,
            "plan_violations": [v.to_dict() for v in self.plan_violations],
            "coverage": self.coverage.to_dict() if self.coverage else None,
            "clusters": [c.to_dict() for c in self.clusters],
            "notes": list(self.notes),
        }

    def cluster_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.clusters:
            d = c.to_dict()
            d["members"] = ", ".join(d["members"])
            d["centrumsteden"] = ", ".join(d["centrumsteden"])
            d["unemployment_missing"] = ", ".join(d["unemployment_missing"])
            d["violations"] = "; ".join(v["rule_id"] for v in d["violations"])
            rows.append(d)
        return pd.DataFrame(rows)

    def violation_frame(self) -> pd.DataFrame:
        cols = ["rule_id", "cluster", "observed", "limit", "severity", "message_nl", "message_en"]
        return pd.DataFrame([v.to_dict() for v in self.violations], columns=cols)


# ============================================================================ evaluation
def _nl(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def _rank_key(c: ClusterFacts) -> tuple[int, float, str]:
    rate = c.unemployment_rate
    return (0 if c.has_centrumstad else 1, -rate if rate is not None else math.inf, c.cluster)


def allocate(
    requests: Sequence[tuple[ClusterFacts, int]], budget: int, marginal: str
) -> tuple[dict[str, int], dict[str, int]]:
    """Funded amount and rank per cluster: everything when the requests fit the budget, else
    centrumstad clusters first, then the others by highest unemployment (ties: cluster id)."""
    order = sorted((r for r in requests if r[1] > 0), key=lambda r: _rank_key(r[0]))
    rank = {f.cluster: i for i, (f, _) in enumerate(order, start=1)}
    total = sum(a for _, a in order)
    if total <= budget:
        return {f.cluster: a for f, a in order}, rank
    funded: dict[str, int] = {}
    remaining = budget
    stopped = False
    for f, a in order:
        if not stopped and a <= remaining:
            funded[f.cluster] = a
            remaining -= a
        else:
            give = remaining if (not stopped and marginal == "partial") else 0
            funded[f.cluster] = give
            remaining -= give
            stopped = True
    return funded, rank


def evaluate_facts(
    facts: Iterable[ClusterFacts],
    rule_set: RuleSet,
    scenario: Scenario | None = None,
    *,
    budget: int | None = None,
    irregular_membership: Sequence[tuple[str, tuple[tuple[str, float], ...]]] = (),
    coverage: CoverageSummary | None = None,
    notes: Sequence[str] = (),
) -> Evaluation:
    """Run the rule set and the scenario checks on per-cluster facts (the fast core)."""
    facts = sorted(facts, key=lambda f: f.cluster)
    budget_eur = rule_set.budget_eur if budget is None else int(budget)
    cluster_rules = [CLUSTER_RULES[r] for r in rule_set.rules if r in CLUSTER_RULES]
    plan_rules = [PLAN_RULES[r] for r in rule_set.rules if r in PLAN_RULES]
    scen_rules = list(SCENARIO_RULES.values()) if scenario is not None else []
    per: list[tuple[ClusterFacts, Subsidy, list[Violation], bool]] = []
    for f in facts:
        vs: list[Violation] = []
        if f.n_municipalities:
            for rule in cluster_rules:
                v = rule(f, rule_set)
                if v is not None:
                    vs.append(v)
        eligible = f.n_municipalities > 0 and not any(v.severity == "error" for v in vs)
        sub = subsidy(f, rule_set) if eligible else Subsidy(0, None, 0, None, None, False)
        if eligible and sub.amount_eur == 0:
            eligible = False
        if f.n_municipalities and scenario is not None:
            for srule in scen_rules:
                v = srule(f, scenario)
                if v is not None:
                    vs.append(v)
        per.append((f, sub, vs, eligible))
    requests = [(f, sub.amount_eur) for f, sub, _, ok in per if ok]
    total = sum(a for _, a in requests)
    funded, rank = allocate(requests, budget_eur, rule_set.budget_marginal)
    if "budget" not in rule_set.rules:  # no budget rule: everyone gets the entitlement
        funded = {f.cluster: a for f, a in requests}
    results = []
    for f, sub, vs, ok in per:
        got = funded.get(f.cluster, 0)
        if ok and got < sub.amount_eur and "budget" in rule_set.rules:
            vs.append(
                Violation(
                    "budget",
                    f.cluster,
                    got,
                    sub.amount_eur,
                    "warning",
                    f"{f.name}: {_nl(got)} van {_nl(sub.amount_eur)} EUR gefinancierd (rang "
                    f"{rank.get(f.cluster)}; budget op).",
                    f"{f.name}: EUR {got:,} of {sub.amount_eur:,} funded (rank "
                    f"{rank.get(f.cluster)}; budget exhausted).",
                )
            )
        results.append(ClusterResult(f, sub, ok, got, rank.get(f.cluster), tuple(vs)))
    pf = PlanFacts(facts, irregular_membership, total, budget_eur)
    plan_vs: list[Violation] = []
    for prule in plan_rules:
        plan_vs.extend(prule(pf, rule_set))
    if scenario is not None and coverage is not None:
        cv = coverage_violation(
            scenario,
            coverage.n_municipalities_total - coverage.n_municipalities_covered,
            coverage.n_municipalities_total,
            coverage.population_share,
        )
        if cv is not None:
            plan_vs.append(cv)
    params: dict[str, Any] = {"rule_set": dict(rule_set.overrides), "budget_eur": budget_eur}
    if scenario is not None:
        params["scenario"] = dict(scenario.overrides)
    return Evaluation(
        rule_set_id=rule_set.id,
        scenario_id=scenario.id if scenario is not None else None,
        clusters=tuple(results),
        plan_violations=tuple(plan_vs),
        total_subsidy_eur=total,
        total_funded_eur=sum(funded.values()),
        budget_eur=budget_eur,
        coverage=coverage,
        notes=tuple(notes),
        parameters=params,
    )


def evaluate_populations(
    populations: Mapping[str, int],
    rule_set: RuleSet,
    *,
    n_municipalities: Mapping[str, int] | None = None,
    centrumsteden: Mapping[str, Sequence[tuple[str, int]]] | None = None,
    unemployment: Mapping[str, float] | None = None,
    budget: int | None = None,
) -> Evaluation:
    """Evaluate clusters given only by their inhabitants (e.g. a report's table), without a grid.

    ``centrumsteden`` gives per cluster its centrumsteden as (name, own population); a cluster of
    one municipality (``n_municipalities`` 1, default 2) that is a centrumstad applies alone.
    Scale, contiguity and alignment are not judged (no scenario).
    """
    facts = []
    for cl, pop in populations.items():
        n = (n_municipalities or {}).get(cl, 2)
        cs = tuple(
            Centrumstad(f"{cl}:{name}", name, int(p))
            for name, p in (centrumsteden or {}).get(cl, ())
        )
        members = tuple(cs_.nis_code for cs_ in cs) + tuple(
            f"{cl}:{i}" for i in range(max(n - len(cs), 0))
        )
        facts.append(
            ClusterFacts(
                cluster=cl,
                name=cl,
                members=members,
                population=int(pop),
                centrumsteden=cs,
                unemployment_rate=(unemployment or {}).get(cl),
            )
        )
    return evaluate_facts(facts, rule_set, None, budget=budget, notes=("inhabitants given",))


# ============================================================================ facts from a plan
@dataclass(frozen=True)
class PlanState:
    """A plan reduced to what evaluation needs: members (with shares) and facts per cluster."""

    grid: int
    names: Mapping[str, str]
    members: Mapping[str, Mapping[str, float]]  # cluster -> {nis_code: share}
    facts: Mapping[str, ClusterFacts]
    notes: tuple[str, ...] = ()
    coverage: CoverageSummary | None = None  # kept up to date by Evaluator.state / move
    population_covered_exact: float = 0.0
    irregular: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()


class Evaluator:
    """Precomputed lookups for one grid and population year (see module docstring).

    ``unemployment``: rates (%) indexed by NIS code on this grid, or on a later grid (attrs
    ``grid``) with ``crosswalk`` given; ``comparison``: a :class:`geo.layers.Layer` on this grid.
    """

    def __init__(
        self,
        grid: int,
        names: Mapping[str, str],
        population: Mapping[str, float] | pd.Series,
        centrumsteden: Iterable[str],
        adjacency: Adjacency,
        *,
        unemployment: pd.Series | None = None,
        comparison: Layer | None = None,
        crosswalk: Any = None,
        population_year: int | None = None,
    ) -> None:
        self.grid = grid
        self.population_year = population_year
        self.codes = tuple(sorted(names))
        self.names = dict(names)
        self.pop = {c: float(population[c]) for c in self.codes}
        self.population_total = round(sum(self.pop.values()))
        self.centrumsteden = frozenset(centrumsteden)
        self.adjacency = adjacency
        self.rate: dict[str, float] | None = None
        self.notes: list[str] = []
        if unemployment is not None:
            rates = unemployment
            rg = rates.attrs.get("grid")
            if rg is None:
                raise GridError(
                    "Unemployment rates without their grid; load them with load_unemployment."
                )
            if rg != grid:
                if crosswalk is None:
                    raise GridError(f"Unemployment on the {rg} grid; pass the crosswalk.")
                from scenarios.inputs import unemployment_on_grid

                rates = unemployment_on_grid(rates, grid, crosswalk)
            self.rate = {
                c: float(rates[c]) for c in self.codes if c in rates.index and pd.notna(rates[c])
            }
            missing = [c for c in self.codes if c not in self.rate]
            if missing:
                self.notes.append(
                    "unemployment rate missing (suppressed or absent), left out of the "
                    "population-weighted means: "
                    + ", ".join(f"{self.names[c]} ({c})" for c in missing)
                )
        self.regions: dict[str, list[tuple[str, float]]] | None = None
        self.layer: str | None = None
        if comparison is not None:
            from geo.layers import layer_grid

            lg = layer_grid(comparison)
            if lg != grid:
                raise GridError(f"Layer on the {lg} grid, evaluator on the {grid} grid.")
            self.layer = comparison.id
            self.regions = {}
            for code, region, w in comparison.membership.rows:
                self.regions.setdefault(code, []).append((region, w))

    @classmethod
    def from_grid_data(
        cls,
        gd: Any,
        *,
        unemployment: pd.Series | None = None,
        comparison: Layer | None = None,
    ) -> Evaluator:
        units = gd.units
        return cls(
            gd.grid,
            units["name"].astype(str).to_dict(),
            gd.population,
            units.index[units["centrumstad"].astype(bool)],
            gd.adjacency,
            unemployment=unemployment,
            comparison=comparison,
            crosswalk=gd.crosswalk,
            population_year=gd.population_year,
        )

    # -------------------------------------------------------------------- facts
    def cluster_facts(self, cluster: str, name: str, parts: Mapping[str, float]) -> ClusterFacts:
        # iterate in code order so sums (and floats) do not depend on the plan's row order
        members = tuple(sorted(parts))
        items = [(c, parts[c]) for c in members]
        try:
            pop = sum(self.pop[c] * s for c, s in items)
        except KeyError as exc:
            raise GridError(
                f"{exc.args[0]} is not a municipality of the {self.grid} grid."
            ) from exc
        cs = tuple(
            Centrumstad(c, self.names[c], round(self.pop[c]))
            for c in members
            if c in self.centrumsteden
        )
        rate: float | None = None
        missing: tuple[str, ...] = ()
        if self.rate is not None:
            num = den = 0.0
            miss = []
            for c, s in items:
                r = self.rate.get(c)
                if r is None:
                    miss.append(c)
                else:
                    w = self.pop[c] * s
                    num += w * r
                    den += w
            rate = num / den if den > 0 else None
            missing = tuple(sorted(miss))
        dom: str | None = None
        share: float | None = None
        touched: int | None = None
        if self.regions is not None:
            by: dict[str, float] = {}
            for c, s in items:
                for region, w in self.regions.get(c, ()):
                    by[region] = by.get(region, 0.0) + self.pop[c] * s * w
            by = {r: v for r, v in by.items() if v > 0}
            touched = len(by)
            if by:
                dom = min(by, key=lambda r: (-by[r], r))
                share = by[dom] / pop if pop > 0 else 0.0
            else:
                share = 0.0
        return ClusterFacts(
            cluster=cluster,
            name=name,
            members=members,
            population=round(pop),
            centrumsteden=cs,
            n_parts=n_parts(members, self.adjacency) if members else 0,
            unemployment_rate=rate,
            unemployment_missing=missing,
            dominant_region=dom,
            dominant_share=share,
            regions_touched=touched,
        )

    def state(self, plan: Plan, population_override: Mapping[str, int] | None = None) -> PlanState:
        """Facts for every cluster of ``plan``; ``population_override`` replaces the inhabitants
        of the named clusters (e.g. figures from a report) while members stay as in the plan."""
        if plan.grid != self.grid:
            raise GridError(f"Plan on the {plan.grid} grid, evaluator on the {self.grid} grid.")
        members: dict[str, dict[str, float]] = {c: {} for c in plan.cluster_names}
        for code, cl, share in plan.membership.rows:
            members.setdefault(cl, {})[code] = share
        names = {c: plan.display_name(c) for c in members}
        facts = {c: self.cluster_facts(c, names[c], parts) for c, parts in members.items()}
        notes = list(plan.notes)
        if population_override:
            unknown = sorted(set(population_override) - set(facts))
            if unknown:
                raise GridError(f"Population override for unknown cluster(s): {', '.join(unknown)}")
            for c, p in population_override.items():
                facts[c] = replace(facts[c], population=int(p))
            notes.append(f"inhabitants of {len(population_override)} cluster(s) given, not Statbel")
        bare = PlanState(plan.grid, names, members, facts, tuple(notes))
        cov, exact = self._full_coverage(bare)
        return replace(
            bare,
            coverage=cov,
            population_covered_exact=exact,
            irregular=tuple(self.irregular_membership(bare)),
        )

    def move(self, state: PlanState, nis_code: str, cluster: str | None) -> PlanState:
        """``state`` with ``nis_code`` wholly in ``cluster`` (``None``: unassigned); only the
        clusters that change are recomputed."""
        if nis_code not in self.pop:
            raise GridError(f"{nis_code} is not a municipality of the {self.grid} grid.")
        members = dict(state.members)
        names = dict(state.names)
        touched = {c for c, parts in members.items() if nis_code in parts}
        old_share = min(sum(members[c][nis_code] for c in sorted(touched)), 1.0)
        for c in touched:
            members[c] = {k: v for k, v in members[c].items() if k != nis_code}
        if cluster is not None:
            names.setdefault(cluster, cluster)
            members[cluster] = {**members.get(cluster, {}), nis_code: 1.0}
            touched.add(cluster)
        facts = dict(state.facts)
        for c in touched:
            facts[c] = self.cluster_facts(c, names[c], members[c])
        new_share = 1.0 if cluster is not None else 0.0
        exact = state.population_covered_exact + self.pop[nis_code] * (new_share - old_share)
        cov = state.coverage
        if cov is not None:
            uncovered = set(cov.uncovered)
            if new_share > 0:
                uncovered.discard(nis_code)
            else:
                uncovered.add(nis_code)
            cov = CoverageSummary(
                n_municipalities_covered=len(self.codes) - len(uncovered),
                n_municipalities_total=len(self.codes),
                population_covered=round(exact),
                population_total=self.population_total,
                uncovered=tuple(sorted(uncovered)),
            )
        return PlanState(
            state.grid,
            names,
            members,
            facts,
            state.notes,
            coverage=cov,
            population_covered_exact=exact,
            irregular=tuple(x for x in state.irregular if x[0] != nis_code),
        )

    # -------------------------------------------------------------------- evaluation
    def coverage(self, state: PlanState) -> CoverageSummary:
        """Municipalities and inhabitants covered (kept incrementally by ``state``/``move``)."""
        if state.coverage is not None:
            return state.coverage
        return self._full_coverage(state)[0]

    def _full_coverage(self, state: PlanState) -> tuple[CoverageSummary, float]:
        covered: dict[str, float] = {}
        for cl in sorted(state.members):  # fixed order: float sums independent of row order
            for c, s in state.members[cl].items():
                covered[c] = covered.get(c, 0.0) + s
        pop_cov = sum(self.pop[c] * min(covered[c], 1.0) for c in sorted(covered))
        summary = CoverageSummary(
            n_municipalities_covered=sum(1 for s in covered.values() if s > 0),
            n_municipalities_total=len(self.codes),
            population_covered=round(pop_cov),
            population_total=self.population_total,
            uncovered=tuple(c for c in self.codes if covered.get(c, 0.0) <= 0),
        )
        return summary, pop_cov

    @staticmethod
    def irregular_membership(
        state: PlanState,
    ) -> list[tuple[str, tuple[tuple[str, float], ...]]]:
        """Municipalities in more than one cluster or only partly in one (moved plans)."""
        where: dict[str, list[tuple[str, float]]] = {}
        for cl, parts in state.members.items():
            for c, s in parts.items():
                where.setdefault(c, []).append((cl, s))
        return [
            (c, tuple(sorted(p)))
            for c, p in sorted(where.items())
            if len(p) > 1 or sum(s for _, s in p) < 1.0 - 1e-9
        ]

    def evaluate(
        self,
        state: PlanState,
        rule_set: RuleSet,
        scenario: Scenario | None = None,
        *,
        budget: int | None = None,
    ) -> Evaluation:
        notes = [*state.notes, *self.notes]
        if scenario is not None and scenario.comparison_layer and self.regions is None:
            notes.append(
                f"alignment not judged: no {scenario.comparison_layer} layer given to the evaluator"
            )
        elif (
            scenario is not None
            and self.layer
            and scenario.comparison_layer
            and self.layer != scenario.comparison_layer
        ):
            notes.append(
                f"alignment judged against {self.layer}, not the scenario's "
                f"{scenario.comparison_layer}"
            )
        return evaluate_facts(
            state.facts.values(),
            rule_set,
            scenario,
            budget=budget,
            irregular_membership=(
                state.irregular
                if state.coverage is not None
                else tuple(self.irregular_membership(state))
            ),
            coverage=self.coverage(state),
            notes=notes,
        )


def evaluate(
    plan: Plan,
    rule_set: RuleSet,
    scenario: Scenario | None,
    gd: Any,
    *,
    comparison: Layer | None = None,
    unemployment: pd.Series | None = None,
    budget: int | None = None,
    population_override: Mapping[str, int] | None = None,
) -> Evaluation:
    """Evaluate ``plan`` (on ``gd.grid``) in one call. For repeated evaluation build an
    :class:`Evaluator` once and use ``state``/``move``/``evaluate``."""
    ev = Evaluator.from_grid_data(gd, unemployment=unemployment, comparison=comparison)
    return ev.evaluate(ev.state(plan, population_override), rule_set, scenario, budget=budget)


_EVALUATORS: dict[tuple[int, int | None, str, str, bool], Evaluator] = {}


def evaluator_for(gd: Any, layer: str | None = None, *, unemployment: bool = True) -> Evaluator:
    """An :class:`Evaluator` for ``gd`` with the unemployment rates of the data directory and the
    comparison layer ``layer`` (e.g. ``scenario.comparison_layer``; ``None``/"" for none).
    Cached per grid, population year, data directory and layer: the app calls this on every click.
    """
    from geo.layers import load_layer
    from scenarios.inputs import load_unemployment

    key = (gd.grid, gd.population_year, str(gd.data_dir), layer or "", unemployment)
    ev = _EVALUATORS.get(key)
    if ev is None:
        rates = load_unemployment(gd.data_dir) if unemployment else None
        comp = load_layer(layer, gd.grid, gd.data_dir) if layer else None
        ev = Evaluator.from_grid_data(gd, unemployment=rates, comparison=comp)
        if len(_EVALUATORS) > 32:
            _EVALUATORS.clear()
        _EVALUATORS[key] = ev
    return ev
