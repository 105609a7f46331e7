"""Benchmark: evaluate a 300-municipality plan, and re-evaluate after single-municipality moves.

Prints figures; not a test. Run: ``uv run python bench/bench_evaluate.py``

The plan: every municipality of the 2019 grid (300) clustered by vervoerregio (15 clusters), with
unemployment rates and the vervoerregio layer for alignment, scenario beleidsregisseur.
"""

from __future__ import annotations

import statistics
import time

from timing import timed

from geo.context import load_grid_data
from geo.layers import load_layer
from geo.plans import Plan
from geo.settings import resolve_data_dir
from scenarios.definitions import load_scenario
from scenarios.evaluate import Evaluator, evaluate
from scenarios.inputs import load_unemployment
from scenarios.rules import load_rule_set, with_overrides


def main() -> None:
    dd = resolve_data_dir().path
    gd = load_grid_data(2019, 2019, dd)
    layer = load_layer("vervoerregio", 2019, dd)
    rates = load_unemployment(dd)
    plan = Plan.from_assignment(2019, dict(zip(layer["nis_code"], layer["region"], strict=True)))
    rs = load_rule_set("regierol-2012")
    sc = load_scenario("beleidsregisseur")
    n = len(plan.assignment)
    print(f"data dir: {dd}")
    print(f"plan: {n} municipalities in {len(plan.clusters)} clusters (vervoerregio's, 2019 grid)")

    full = timed(lambda: evaluate(plan, rs, sc, gd, comparison=layer, unemployment=rates), 30)
    print(
        f"evaluate(plan, ...) one call, incl. building the Evaluator: "
        f"median {statistics.median(full):.2f} ms, min {min(full):.2f} ms"
    )

    setup = timed(lambda: Evaluator.from_grid_data(gd, unemployment=rates, comparison=layer), 30)
    ev = Evaluator.from_grid_data(gd, unemployment=rates, comparison=layer)
    print(
        f"Evaluator.from_grid_data (once per grid/year): median {statistics.median(setup):.2f} ms"
    )
    st = timed(lambda: ev.state(plan), 30)
    state = ev.state(plan)
    print(f"ev.state(plan) (facts for all clusters): median {statistics.median(st):.2f} ms")
    rules_only = timed(lambda: ev.evaluate(state, rs, sc), 200)
    print(
        f"ev.evaluate(state, ...) (rules on precomputed facts): "
        f"median {statistics.median(rules_only):.3f} ms"
    )
    rs2 = with_overrides(rs, min_population=100_000)
    param = timed(lambda: ev.evaluate(state, with_overrides(rs, min_population=100_000), sc), 200)
    print(f"change a parameter + re-evaluate: median {statistics.median(param):.3f} ms")

    codes = list(gd.units.index)
    clusters = plan.clusters
    moves = [(codes[(i * 37) % n], clusters[(i * 7) % len(clusters)]) for i in range(2000)]

    def run_moves() -> None:
        s = state
        for code, cl in moves:
            s = ev.move(s, code, cl)
            ev.evaluate(s, rs2, sc)

    t = time.perf_counter()
    run_moves()
    dt = time.perf_counter() - t
    print(
        f"single-municipality move + full re-evaluation: {len(moves) / dt:,.0f} per second "
        f"({dt / len(moves) * 1000:.3f} ms each)"
    )
    slow = timed(
        lambda: evaluate(
            plan.assign(codes[5], clusters[0]), rs, sc, gd, comparison=layer, unemployment=rates
        ),
        20,
    )
    print(
        f"for comparison, plan.assign + evaluate() from scratch: "
        f"median {statistics.median(slow):.2f} ms"
    )
    cov = timed(lambda: gd.coverage(plan), 20)
    print(f"for comparison, gd.coverage(plan): median {statistics.median(cov):.2f} ms")


if __name__ == "__main__":
    main()
