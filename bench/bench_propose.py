"""Benchmark: Regiokaart's proposal against spopt's MaxP on the 300 municipalities of 2019.

Prints a side-by-side table; not a test. Run (one process, nothing else running):
``uv run --extra dev python bench/bench_propose.py``

Both get the same units (2019 grid), population (1 January 2020) and contiguity (the project's
adjacency: shared boundary, Voeren linked to its nearest neighbour, Baarle-Hertog one unit, as a
libpysal ``W``). MaxP: floor 60,000 inhabitants, attribute = inhabitants, seed 0, defaults
otherwise. Regiokaart: start ``partnerships-2017``, all municipalities covered, seed 0, time
limit 5 s; once keeping the start clusters that meet everything, once keeping none (every
municipality may move; the 2017 clusters only seed the search) and once releasing the kept clusters
that close off an unmet cluster (``--keep unblock``). All plans are judged with the same evaluator (rule set regierol-2012, the scenario,
its comparison layer, unemployment 2024 for the budget ranking).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.context import load_grid_data, load_plan, plan_path
from geo.plans import Plan
from scenarios.definitions import load_scenario
from scenarios.evaluate import Evaluation, evaluator_for
from scenarios.propose import propose
from scenarios.propose.adapter import build_plan, plan_rows
from scenarios.rules import load_rule_set

SCENARIOS = (("bestuursregisseur", "referentieregio"), ("beleidsregisseur", "vervoerregio"))


def run_maxp(gd, floor: int, seed: int) -> tuple[dict[str, str], float]:
    import libpysal
    from spopt.region import MaxPHeuristic

    codes = sorted(gd.adjacency)
    pos = {c: i for i, c in enumerate(codes)}  # MaxP wants positional ids
    w = libpysal.weights.W(
        {pos[c]: sorted(pos[n] for n in gd.adjacency[c]) for c in codes}, silence_warnings=True
    )
    gdf = gd.units.loc[codes].copy()
    gdf["population"] = gd.population.loc[codes].astype(float)
    gdf.index = pd.RangeIndex(len(codes))
    np.random.seed(seed)
    t = time.perf_counter()
    model = MaxPHeuristic(gdf, w, ["population"], "population", floor, top_n=2)
    model.solve()
    elapsed = time.perf_counter() - t
    labels = {c: f"maxp-{int(lb):03d}" for c, lb in zip(codes, model.labels_, strict=True)}
    return labels, elapsed


def changed_vs_start(plan: Plan, start: Plan) -> int:
    """Municipalities of the start plan whose cluster changed, after matching each start cluster
    one-to-one to the new cluster holding most of its municipalities."""
    main: dict[str, tuple[float, str]] = {}
    for code, cl, s in plan_rows(start):
        main[code] = max(main.get(code, (0.0, "")), (s, cl))
    new: dict[str, tuple[float, str]] = {}
    for code, cl, s in plan_rows(plan):
        new[code] = max(new.get(code, (0.0, "")), (s, cl))
    overlap: dict[tuple[str, str], int] = {}
    for code, (_, sc) in main.items():
        if code in new:
            key = (sc, new[code][1])
            overlap[key] = overlap.get(key, 0) + 1
    match: dict[str, str] = {}
    used: set[str] = set()
    for (sc, nc), _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0])):
        if sc not in match and nc not in used:
            match[sc] = nc
            used.add(nc)
    return sum(
        1 for code, (_, sc) in main.items() if code not in new or match.get(sc) != new[code][1]
    )


def metrics(ev: Evaluation, plan: Plan, start: Plan, elapsed: float) -> dict[str, object]:
    cl = [c for c in ev.clusters if c.facts.n_municipalities]
    rule_ok = sum(1 for c in cl if not any(v.severity == "error" for v in c.violations))
    scen_ids = {"scale_min_population", "scale_max_population", "scale_min_municipalities",
                "scale_max_municipalities", "contiguity", "alignment"}  # fmt: skip
    scen_ok = sum(1 for c in cl if not any(v.rule_id in scen_ids for v in c.violations))
    pop = sum(c.facts.population for c in cl)
    dom = sum((c.facts.dominant_share or 0.0) * c.facts.population for c in cl)
    return {
        "time_s": round(elapsed, 2),
        "clusters": len(cl),
        "meet rule set": rule_ok,
        "meet scenario": scen_ok,
        "meet both": sum(
            1
            for c in cl
            if not any(v.severity == "error" or v.rule_id in scen_ids for v in c.violations)
        ),
        "changed vs 2017": changed_vs_start(plan, start),
        "alignment": f"{dom / pop:.1%}" if pop else "-",
        "subsidy / budget (EUR)": f"{ev.total_subsidy_eur:,} / {ev.budget_eur:,}",
    }


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-limit", type=float, default=5.0)
    args = ap.parse_args(argv)
    gd = load_grid_data(2019, 2020)
    start = load_plan(plan_path("partnerships-2017"), gd)
    rs = load_rule_set("regierol-2012")
    maxp_labels, maxp_s = run_maxp(gd, rs.min_population, args.seed)
    maxp_plan = build_plan(gd.grid, [(c, k, 1.0) for c, k in maxp_labels.items()], {}, "maxp")
    for sid, layer in SCENARIOS:
        sc = load_scenario(sid)
        ev = evaluator_for(gd, layer)
        res = propose(
            gd, rs, sc, layer=layer, start=start, seed=args.seed, time_limit=args.time_limit
        )
        free = propose(
            gd,
            rs,
            sc,
            layer=layer,
            start=start,
            seed=args.seed,
            time_limit=args.time_limit,
            keep=False,
        )
        unblock = propose(
            gd,
            rs,
            sc,
            layer=layer,
            start=start,
            seed=args.seed,
            time_limit=args.time_limit,
            keep="unblock",
        )
        ours = metrics(res.evaluation, res.plan, start, res.elapsed_s)
        ours_unblock = metrics(unblock.evaluation, unblock.plan, start, unblock.elapsed_s)
        ours_free = metrics(free.evaluation, free.plan, start, free.elapsed_s)
        theirs = metrics(ev.evaluate(ev.state(maxp_plan), rs, sc), maxp_plan, start, maxp_s)
        table = pd.DataFrame(
            {
                "Regiokaart (keep)": ours,
                "Regiokaart (--keep unblock)": ours_unblock,
                "Regiokaart (--keep none)": ours_free,
                "spopt MaxP (60,000)": theirs,
            }
        )
        print(f"\n## {sid} (layer {layer}), 2019 grid, population 2020, start partnerships-2017")
        for label, r in (("keep", res), ("--keep unblock", unblock), ("--keep none", free)):
            rules = ", ".join(sorted({u.rule_id for u in r.unmet})) or "none"
            print(f"unmet ({label}): {len(r.unmet)} ({rules})")
        print(table.to_markdown() if _has_tabulate() else table.to_string())


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
