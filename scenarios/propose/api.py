"""Propose a plan that meets a rule set and a scenario, or repair one: the public entry points.

``propose(gd, rule_set, scenario, start=plan)`` keeps every start cluster that already meets
everything (rule set and scenario, judged by the :class:`~scenarios.evaluate.Evaluator`) unchanged
and re-forms the rest with :mod:`scenarios.propose.engine`. ``repair(gd, plan, ...)`` is the same
engine with the plan as start, covering only the plan's municipalities: clusters without errors or
scenario warnings are not touched. The result lists, in ``unmet``, every cluster violation left
in the proposal with the municipalities concerned and why it could not be met.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from geo.contiguity import components
from geo.errors import GridError
from geo.layers import Layer, load_layer
from geo.plans import Plan
from scenarios.definitions import SCENARIO_RULES, Scenario
from scenarios.evaluate import Evaluation, Evaluator, evaluator_for
from scenarios.model import Violation
from scenarios.propose.adapter import (
    build_plan,
    plan_cluster_names,
    plan_csv_text,
    plan_grid,
    plan_rows,
)
from scenarios.propose.engine import Bounds, Problem, Progress, Search
from scenarios.rules import CLUSTER_RULES, RuleSet

Cover = Literal["all", "start"]
# violations that are about the plan as a whole or the budget ranking, not a cluster's shape
_NOT_CLUSTER_SHAPE = {"budget"}


@dataclass(frozen=True)
class Unmet:
    """A constraint the proposal could not meet: which rule, where, and why."""

    rule_id: str
    cluster: str | None
    municipalities: tuple[str, ...]
    severity: str
    message_en: str
    message_nl: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "cluster": self.cluster,
            "municipalities": list(self.municipalities),
            "severity": self.severity,
            "message_en": self.message_en,
            "message_nl": self.message_nl,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProposalResult:
    plan: Plan
    evaluation: Evaluation
    kept: tuple[str, ...]  # start clusters kept unchanged
    changed: tuple[str, ...]  # municipalities whose cluster differs from the start plan
    added: tuple[str, ...]  # municipalities not in the start plan, now covered
    unmet: tuple[Unmet, ...]
    elapsed_s: float
    timed_out: bool
    seed: int
    moves: int
    layer: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    evaluator: Evaluator | None = field(default=None, repr=False, compare=False)
    released: tuple[str, ...] = ()  # start clusters that met everything but were re-formed

    @property
    def n_clusters(self) -> int:
        return len(self.plan.cluster_names)

    def csv_text(self) -> str:
        return plan_csv_text(self.plan)

    def summary(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "n_clusters": self.n_clusters,
            "n_changed": len(self.changed),
            "n_added": len(self.added),
            "n_kept": len(self.kept),
            "elapsed_s": round(self.elapsed_s, 3),
            "timed_out": self.timed_out,
            "seed": self.seed,
            "layer": self.layer,
            "total_subsidy_eur": ev.total_subsidy_eur,
            "budget_eur": ev.budget_eur,
            "within_budget": ev.within_budget,
            "violation_counts": ev.violation_counts,
            "violations": [v.to_dict() for v in ev.violations],
            "unmet": [u.to_dict() for u in self.unmet],
            "kept": list(self.kept),
            "released": list(self.released),
            "changed": list(self.changed),
            "notes": list(self.notes),
        }


# ============================================================================ inputs
def make_evaluator(
    gd: Any, layer: str | Layer | None, unemployment: pd.Series | None = None
) -> tuple[Evaluator, str | None]:
    """The evaluator for ``gd`` with comparison ``layer`` (a shipped layer id, a loaded
    :class:`geo.layers.Layer`, e.g. a user's file, or ``None``/""/"none" for none)."""
    if isinstance(layer, Layer):
        ev = Evaluator.from_grid_data(gd, unemployment=unemployment, comparison=layer)
        return ev, layer.id
    layer_id = None if layer in (None, "", "none") else str(layer)
    if unemployment is not None or not hasattr(gd, "data_dir"):
        comp = load_layer(layer_id, gd.grid, gd.data_dir) if layer_id is not None else None
        return Evaluator.from_grid_data(gd, unemployment=unemployment, comparison=comp), layer_id
    return evaluator_for(gd, layer_id), layer_id


def bounds_for(rule_set: RuleSet, scenario: Scenario, has_layer: bool) -> Bounds:
    return Bounds(
        rule_min=rule_set.min_population if "min_population" in rule_set.rules else 0,
        centrumstad_exempt=rule_set.centrumstad_alone_exempt,
        single_fits=scenario.single_municipality_fits,
        min_population=scenario.min_population,
        max_population=scenario.max_population,
        min_municipalities=scenario.min_municipalities,
        max_municipalities=scenario.max_municipalities,
        alignment=scenario.alignment_threshold
        if has_layer and scenario.comparison_layer != ""
        else None,
        one_centrumstad="multiple_centrumsteden" in rule_set.rules,
    )


def cluster_violations(
    ev: Evaluator, rule_set: RuleSet, scenario: Scenario, cluster: str, parts: Mapping[str, float]
) -> list[Violation]:
    """Rule-set and scenario violations of one cluster (not the budget ranking)."""
    f = ev.cluster_facts(cluster, cluster, parts)
    out: list[Violation] = []
    for rid in rule_set.rules:
        rule = CLUSTER_RULES.get(rid)
        if rule is not None:
            v = rule(f, rule_set)
            if v is not None:
                out.append(v)
    for srule in SCENARIO_RULES.values():
        v = srule(f, scenario)
        if v is not None:
            out.append(v)
    return out


# ============================================================================ propose
def propose(
    gd: Any,
    rule_set: RuleSet,
    scenario: Scenario,
    *,
    layer: str | Layer | None = None,
    start: Plan | None = None,
    cover: Cover = "all",
    seed: int = 0,
    time_limit: float = 5.0,
    progress: Progress | None = None,
    unemployment: pd.Series | None = None,
    budget: int | None = None,
    evaluator: Evaluator | None = None,
    keep: bool | str = True,
) -> ProposalResult:
    """A plan for ``gd`` meeting ``rule_set`` and ``scenario`` (see module docstring).

    ``layer``: comparison layer id or table; ``None`` = the scenario's (``"none"``: no layer).
    ``cover``: ``"all"`` municipalities of the grid, or only those of ``start``.
    ``keep``: ``True``/``"meeting"`` keeps start clusters that meet everything unchanged;
    ``False``/``"none"`` keeps none; ``"unblock"`` keeps them unless one borders a cluster left
    unmet, then runs again without those (listed in ``released``).
    ``progress(fraction, message)`` is called between phases and after each search round
    (an exception raised there aborts the search).
    """
    if keep not in (True, False, "meeting", "none", "unblock"):
        raise ValueError(f"keep must be 'meeting', 'none' or 'unblock', not {keep!r}")
    args: dict[str, Any] = {
        "layer": layer, "start": start, "cover": cover, "seed": seed,
        "unemployment": unemployment, "budget": budget, "evaluator": evaluator,
    }  # fmt: skip
    t0 = time.perf_counter()
    span = (0.0, 0.6 if keep == "unblock" else 1.0)

    def scaled(fraction: float, message: str) -> None:
        if progress is not None:
            progress(span[0] + (span[1] - span[0]) * fraction, message)

    first = _propose(
        gd, rule_set, scenario, time_limit=time_limit, keep=keep not in (False, "none"),
        progress=scaled, **args,
    )  # fmt: skip
    if keep != "unblock":
        return first
    if not first.unmet:
        scaled(1 / 0.6, "done")
        return first
    ev = first.evaluator
    assert ev is not None
    stuck = {c for u in first.unmet if u.cluster not in first.kept for c in u.municipalities}
    kept_members = {
        cl: {code for code, k, _ in plan_rows(first.plan) if k == cl} for cl in first.kept
    }
    released = sorted(
        cl
        for cl, ms in kept_members.items()
        if any(n in stuck for m in ms for n in ev.adjacency.get(m, ()))
    )
    if not released:
        scaled(1 / 0.6, "done")
        return first
    remaining = max(time_limit - (time.perf_counter() - t0), 0.05)
    span = (0.6, 1.0)
    second = _propose(
        gd, rule_set, scenario, time_limit=remaining, keep=True, release=frozenset(released),
        progress=scaled, **args,
    )  # fmt: skip
    better = (len(second.unmet), len(second.changed)) < (len(first.unmet), len(first.changed))
    if not better:
        return first
    return replace(second, elapsed_s=time.perf_counter() - t0, released=tuple(released))


def _propose(
    gd: Any,
    rule_set: RuleSet,
    scenario: Scenario,
    *,
    layer: str | Layer | None,
    start: Plan | None,
    cover: Cover,
    seed: int,
    time_limit: float,
    progress: Progress | None,
    unemployment: pd.Series | None,
    budget: int | None,
    evaluator: Evaluator | None,
    keep: bool,
    release: frozenset[str] = frozenset(),
) -> ProposalResult:
    t0 = time.perf_counter()
    deadline = t0 + max(float(time_limit), 0.05)
    last = [0.0]

    def report(fraction: float, message: str) -> None:
        last[0] = max(last[0], min(fraction, 1.0))  # never goes back
        if progress is not None:
            progress(last[0], message)

    report(0.0, "preparing")
    if layer is None:
        layer = scenario.comparison_layer or "none"
    if evaluator is not None:
        ev, layer_id = evaluator, evaluator.layer
    else:
        ev, layer_id = make_evaluator(gd, layer, unemployment)
    if start is not None and plan_grid(start) != ev.grid:
        raise GridError(f"Start plan on the {plan_grid(start)} grid, grid data {ev.grid}.")
    if cover == "start" and start is None:
        raise GridError("cover='start' needs a start plan.")
    budget_eur = rule_set.budget_eur if budget is None else int(budget)
    codes = list(ev.codes)
    index = {c: i for i, c in enumerate(codes)}

    # ---- start plan: clusters, which are kept
    start_rows = plan_rows(start) if start is not None else []
    start_names = plan_cluster_names(start) if start is not None else {}
    start_parts: dict[str, dict[str, float]] = {}
    for code, cl, share in start_rows:
        start_parts.setdefault(cl, {})[code] = share
    kept: list[str] = []
    if keep:
        for cl in sorted(start_parts):
            vs = cluster_violations(ev, rule_set, scenario, cl, start_parts[cl])
            # errors or scenario warnings; a rule-set warning (two centrumsteden) alone is kept
            if cl not in release and not any(
                v.severity == "error" or v.rule_id in SCENARIO_RULES for v in vs
            ):
                kept.append(cl)
    kept_share: dict[str, float] = {}
    for cl in kept:
        for code, s in start_parts[cl].items():
            kept_share[code] = kept_share.get(code, 0.0) + s
    start_share: dict[str, float] = {}
    for cl, parts in start_parts.items():
        if cl not in kept:
            for code, sh in parts.items():
                start_share[code] = start_share.get(code, 0.0) + sh
    # a split municipality held in part by one kept cluster: that cluster takes the rest of it
    # when it still meets everything (same municipalities, no unit in two clusters)
    kept_parts = {cl: dict(start_parts[cl]) for cl in kept}
    absorbed: list[str] = []
    for code, ks in sorted(kept_share.items()):
        rest = (1.0 - ks) if cover == "all" else start_share.get(code, 0.0)
        holders = [cl for cl in kept if code in start_parts[cl]]
        if rest <= 1e-9 or len(holders) != 1:
            continue
        cl = holders[0]
        trial = {**kept_parts[cl], code: min(ks + rest, 1.0)}
        vs = cluster_violations(ev, rule_set, scenario, cl, trial)
        if not any(v.severity == "error" or v.rule_id in SCENARIO_RULES for v in vs):
            kept_parts[cl] = trial
            kept_share[code] = trial[code]
            absorbed.append(f"{code}: the rest of it joins kept cluster {cl}")
    start_share = {}
    main_label: dict[str, tuple[float, str]] = {}
    for cl, parts in start_parts.items():
        if cl in kept:
            continue
        for code, s in parts.items():
            start_share[code] = start_share.get(code, 0.0) + s
            if code not in main_label or (s, cl) > main_label[code]:
                main_label[code] = (s, cl)
    report(0.05, f"{len(kept)} start cluster(s) kept")

    # ---- free units and their weights
    weight: dict[str, float] = {}
    for code in codes:
        if cover == "all":
            w = 1.0 - kept_share.get(code, 0.0)
        else:
            w = min(start_share.get(code, 0.0), 1.0 - kept_share.get(code, 0.0))
        if w > 1e-9:
            weight[code] = 1.0 if w > 1.0 - 1e-9 else w
    labels = sorted(
        {cl for cl in start_parts if cl not in kept} | {lb for _, lb in main_label.values()}
    )
    label_index = {cl: i for i, cl in enumerate(labels)}
    regions = ev.regions or {}
    region_ids = sorted({r for rows in regions.values() for r, _ in rows})
    region_index = {r: i for i, r in enumerate(region_ids)}
    kept_sub = 0
    if kept:
        for cl, parts in kept_parts.items():
            from scenarios.rules import subsidy

            kept_sub += subsidy(ev.cluster_facts(cl, cl, parts), rule_set).amount_eur
    problem = Problem(
        pop=[ev.pop[c] * weight.get(c, 0.0) for c in codes],
        nbrs=[sorted(index[n] for n in ev.adjacency.get(c, ()) if n in index) for c in codes],
        free=[c in weight for c in codes],
        centrumstad=[round(ev.pop[c]) if c in ev.centrumsteden else 0 for c in codes],
        # a municipality the layer does not cover counts as one more region for the search
        regions=[
            [(region_index[r], w) for r, w in regions.get(c, ())] or [(len(region_ids), 1.0)]
            for c in codes
        ],
        start=[
            label_index[main_label[c][1]] if c in main_label and c in weight else -1 for c in codes
        ],
        rule_set=rule_set,
        budget=budget_eur,
        fixed_subsidy=kept_sub,
    )
    bounds = bounds_for(rule_set, scenario, ev.regions is not None)
    search = Search(problem, bounds, seed, deadline, report)

    # ---- construction: start pieces per comparison region, connected
    def dominant(c: str) -> str:
        rows = regions.get(c, ())
        return min(rows, key=lambda x: (-x[1], x[0]))[0] if rows else ""

    groups: dict[tuple[str, str], list[str]] = {}
    loose: list[str] = []
    for c in codes:
        if c not in weight:
            continue
        if c in main_label:
            groups.setdefault((main_label[c][1], dominant(c)), []).append(c)
        else:
            loose.append(c)
    pieces: list[tuple[int, list[int]]] = []
    for (cl, _), members in sorted(groups.items()):
        for part in components(members, ev.adjacency):
            pieces.append((label_index[cl], [index[c] for c in part]))
    for c in loose:
        pieces.append((-1, [index[c]]))
    report(0.1, f"constructing from {len(pieces)} pieces")
    search.construct(pieces)
    search.relabel()
    report(0.3, f"constructed {len(search.clusters)} clusters")
    search.local_search()
    report(0.5, "repairing clusters with a broken constraint")
    search.lns()
    search.local_search()
    search.relabel()

    # ---- the plan
    out_rows: list[tuple[str, str, float]] = []
    names: dict[str, str] = {}
    for cl in kept:
        names[cl] = start_names.get(cl, cl)
        out_rows.extend((code, cl, s) for code, s in kept_parts[cl].items())
    used = set(kept) | set(start_parts)
    new_n = 0
    new_clusters: dict[str, list[str]] = {}
    for cid in sorted(search.clusters, key=lambda k: min(search.clusters[k].members)):
        scl = search.clusters[cid]
        members = sorted(codes[u] for u in scl.members)
        if scl.label < len(labels):
            cl = labels[scl.label]
            names[cl] = start_names.get(cl, cl)
        else:
            new_n += 1
            cl = f"voorstel-{new_n:02d}"
            while cl in used:
                new_n += 1
                cl = f"voorstel-{new_n:02d}"
            biggest = max(members, key=lambda m: (ev.pop[m], m))
            names[cl] = f"{ev.names.get(biggest, biggest)} (voorstel)"
        used.add(cl)
        new_clusters[cl] = members
        out_rows.extend((m, cl, weight[m]) for m in members)
    notes = [f"proposal for {scenario.id} ({rule_set.id}), seed {seed}"]
    if start is not None:
        notes.append(f"start plan {start.name or '?'}: {len(kept)} cluster(s) kept unchanged")
        notes.extend(f"split municipality {a}" for a in absorbed)
    plan = build_plan(ev.grid, out_rows, names, name=f"voorstel-{scenario.id}", notes=notes)

    # ---- changed, evaluation, unmet
    start_main: dict[str, str] = {}
    for cl, parts in start_parts.items():
        for code, s in parts.items():
            if code not in start_main or s > start_parts[start_main[code]][code]:
                start_main[code] = cl
    new_main: dict[str, str] = {}
    new_share: dict[str, float] = {}
    for code, cl, s in out_rows:
        if s > new_share.get(code, 0.0):
            new_main[code], new_share[code] = cl, s
    changed = tuple(
        sorted(c for c in start_main if new_main.get(c, start_main[c]) != start_main[c])
    )
    added = tuple(sorted(c for c in new_main if c not in start_main))
    report(0.97, "evaluating")
    state = ev.state(plan)
    evaluation = ev.evaluate(state, rule_set, scenario, budget=budget_eur)
    unmet = _unmet(evaluation, state.members, ev, weight, bounds, kept)
    elapsed = time.perf_counter() - t0
    report(1.0, f"done: {len(plan.cluster_names)} clusters, {len(unmet)} unmet")
    return ProposalResult(
        plan=plan,
        evaluation=evaluation,
        kept=tuple(kept),
        changed=changed,
        added=added,
        unmet=tuple(unmet),
        elapsed_s=elapsed,
        timed_out=search.timed_out,
        seed=seed,
        moves=search.moves,
        layer=layer_id,
        notes=tuple(notes),
        evaluator=ev,
    )


def repair(
    gd: Any,
    plan: Plan,
    rule_set: RuleSet,
    scenario: Scenario,
    *,
    cover: Cover = "start",
    **kwargs: Any,
) -> ProposalResult:
    """Repair ``plan``: only clusters with errors or scenario warnings are re-formed (their
    municipalities, and with ``cover="all"`` the uncovered ones); the others stay as they are."""
    return propose(gd, rule_set, scenario, start=plan, cover=cover, **kwargs)


# ============================================================================ why
def _unmet(
    evaluation: Evaluation,
    members: Mapping[str, Mapping[str, float]],
    ev: Evaluator,
    weight: Mapping[str, float],
    b: Bounds,
    kept: list[str],
) -> list[Unmet]:
    out: list[Unmet] = []
    for v in evaluation.violations:
        if v.rule_id in _NOT_CLUSTER_SHAPE or v.rule_id == "coverage":
            continue
        if v.cluster is None:
            code = v.message_en.split()[1] if v.message_en.startswith("Municipality") else ""
            out.append(
                Unmet(
                    v.rule_id,
                    None,
                    (code,) if code else (),
                    v.severity,
                    v.message_en,
                    v.message_nl,
                    "a merged municipality the start plan already splits between clusters; its "
                    "share in a kept start cluster is left as it was",
                )
            )
            continue
        cl_members = tuple(sorted(members.get(v.cluster, {})))
        out.append(
            Unmet(
                v.rule_id,
                v.cluster,
                cl_members,
                v.severity,
                v.message_en,
                v.message_nl,
                _why(v, cl_members, ev, weight, b, kept),
            )
        )
    return out


def _why(
    v: Violation,
    cl_members: tuple[str, ...],
    ev: Evaluator,
    weight: Mapping[str, float],
    b: Bounds,
    kept: list[str],
) -> str:
    free = set(weight)
    if not set(cl_members) & free:
        return "a start cluster outside the search (kept as it was)"
    # the connected area of municipalities the search could use around this cluster
    area: set[str] = set()
    todo = [c for c in cl_members if c in free]
    while todo:
        x = todo.pop()
        if x in area:
            continue
        area.add(x)
        todo.extend(n for n in ev.adjacency.get(x, ()) if n in free and n not in area)
    area_pop = sum(ev.pop[c] * weight[c] for c in area)
    region_note = ""
    region_short = ""
    floor = b.floor
    if ev.regions is not None:
        regions = ev.regions

        def dom(c: str) -> str:
            return min(regions.get(c, [("", 1.0)]), key=lambda x: (-x[1], x[0]))[0]

        by_pop: dict[str, float] = {}
        for c in cl_members:
            by_pop[dom(c)] = by_pop.get(dom(c), 0.0) + ev.pop[c]

        def region_area(r: str) -> tuple[int, float]:
            """Municipalities of region r the search could use, connected to this cluster."""
            seen: set[str] = set()
            todo = [c for c in cl_members if c in free and dom(c) == r]
            while todo:
                x = todo.pop()
                if x in seen:
                    continue
                seen.add(x)
                todo.extend(
                    n
                    for n in ev.adjacency.get(x, ())
                    if n in free and n not in seen and dom(n) == r
                )
            return len(seen), sum(ev.pop[c] * weight[c] for c in seen)

        main = min(by_pop, key=lambda k: (-by_pop[k], k))
        n_main, rpop = region_area(main)
        region_note = (
            f"; the municipalities of {main} the search could use, connected to it ({n_main}, "
            f"outside kept start clusters), have {rpop:,.0f} inhabitants"
        )
        for r in sorted(by_pop, key=lambda k: (by_pop[k], k)):
            n_r, pop_r = region_area(r)
            if pop_r < floor:
                region_short = (
                    f"the {n_r} municipalities of {r} connected to it and not in kept start "
                    f"clusters have {pop_r:,.0f} inhabitants, fewer than {floor:,}: they cannot "
                    "form a cluster inside their region"
                )
                break
    if v.rule_id in ("min_population", "scale_min_population"):
        if area_pop < floor:
            return (
                f"the {len(area)} connected municipalities not in kept start clusters around it "
                f"have {area_pop:,.0f} inhabitants in all, fewer than {floor:,}"
                + (" (kept start clusters close it off)" if kept else "")
            )
        if region_short:
            return region_short
        if b.max_municipalities:
            return (
                f"no contiguous cluster of at most {b.max_municipalities} municipalities reaching "
                f"{floor:,} inhabitants was found without breaking another cluster" + region_note
            )
        return (
            f"no contiguous cluster of {floor:,} inhabitants was found without breaking another "
            "cluster or leaving the comparison region" + region_note
        )
    if v.rule_id == "alignment":
        if ev.regions is not None and not any(ev.regions.get(c) for c in cl_members):
            return "the comparison layer has no region for these municipalities"
        if region_short:
            return region_short
        return (
            "a cluster that meets the size bounds had to reach across the comparison region's "
            "border" + region_note
        )
    if v.rule_id in ("scale_max_population", "scale_max_municipalities"):
        return "no split into contiguous clusters within the bounds was found" + region_note
    if v.rule_id == "multiple_centrumsteden":
        return "two centrumsteden could not be separated within the bounds" + region_note
    if v.rule_id == "contiguity":
        return "a start cluster kept as it was is not contiguous"
    return "not met within the time limit"
