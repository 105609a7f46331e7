"""``regiokaart propose`` and ``regiokaart repair``: a plan that meets a rule set and a scenario.

The domain work is in :mod:`scenarios.propose`; this module reads the arguments and prints the
summary (keys ``n_clusters``, ``n_changed``, ``elapsed_s``, ``violations``, ``unmet``, ...).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.common import (
    PLAN_HELP,
    add_data_args,
    add_output_args,
    add_plan_args,
    add_rule_args,
    emit,
    grid_data,
    json_text,
    rule_set_from_args,
)


def _run(args: argparse.Namespace, mode: str) -> int:
    from geo.context import load_plan, plan_path
    from geo.layers import get_layer
    from scenarios.definitions import load_scenario
    from scenarios.propose import propose, repair

    plan_spec = args.plan if mode == "repair" else args.start
    rs = rule_set_from_args(args)
    sc = load_scenario(args.scenario)
    gd = grid_data(args)
    layer: Any = None
    if args.layer:
        layer = args.layer if args.layer == "none" else get_layer(args.layer, gd.grid, gd.data_dir)
    start = load_plan(plan_path(plan_spec), gd) if plan_spec else None

    def progress(fraction: float, message: str) -> None:
        if args.progress:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    kwargs: dict[str, Any] = {
        "layer": layer,
        "seed": args.seed,
        "time_limit": args.time_limit,
        "progress": progress,
        "keep": args.keep,
    }
    if mode == "repair":
        assert start is not None
        result = repair(gd, start, rs, sc, cover=args.cover or "start", **kwargs)
    else:
        result = propose(gd, rs, sc, start=start, cover=args.cover or "all", **kwargs)
    emit(result.csv_text(), args.out)
    s = result.summary()
    s.update(
        {
            "command": mode,
            "grid": gd.grid,
            "population_year": gd.population_year,
            "scenario": sc.id,
            "rule_set": rs.id,
            "start": plan_spec,
            "out": str(args.out),
        }
    )
    if args.format == "json":
        sys.stdout.write(json_text(s) + "\n")
        return 0
    lines = [
        f"{mode} for {sc.id} ({rs.id}) on the {gd.grid} grid, population 1 January "
        f"{gd.population_year}; comparison layer {s['layer'] or 'none'}",
        f"clusters: {s['n_clusters']} ({s['n_kept']} start clusters kept unchanged"
        + (f"; released: {', '.join(s['released'])}" if s["released"] else "")
        + ")",
        f"municipalities changed: {s['n_changed']}; newly covered: {s['n_added']}",
        f"subsidy requested: EUR {s['total_subsidy_eur']:,} (budget EUR {s['budget_eur']:,})",
        f"elapsed: {s['elapsed_s']:.2f} s{' (time limit reached)' if s['timed_out'] else ''}",
        "violations by rule: "
        + (", ".join(f"{k} {v}" for k, v in s["violation_counts"].items()) or "none"),
        f"unmet: {len(s['unmet'])}",
    ]
    for u in s["unmet"]:
        lines.append(f"  [{u['rule_id']}] {u['message_en']}")
        lines.append(f"      why: {u['reason']}")
    print("\n".join(lines))
    return 0


def run(args: argparse.Namespace) -> int:
    return _run(args, args.command)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", required=True, help="scenario id (see `regiokaart scenarios`)")
    add_rule_args(p)
    p.add_argument(
        "--layer",
        help="comparison layer: a shipped layer id (see `regiokaart layers`), a layer file "
        "(CSV/XLSX membership, GeoPackage, GeoJSON, zipped Shapefile) or none; default: the "
        "scenario's",
    )
    p.add_argument(
        "--cover",
        choices=["all", "start"],
        help="cover all municipalities or only the start plan's (propose: all; repair: start)",
    )
    p.add_argument(
        "--keep",
        choices=["meeting", "none", "unblock"],
        default="meeting",
        help="keep start clusters that already meet everything unchanged (default); none; or "
        "unblock: keep them unless one closes off a cluster that cannot meet the bounds",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same plan)")
    p.add_argument("--time-limit", type=float, default=5.0, help="seconds (default 5)")
    p.add_argument("--progress", action="store_true", help="progress on stderr")
    add_output_args(
        p, ["table", "json"], out_required=True, out_help="the proposed plan CSV (required)"
    )
    add_data_args(p)


def register(sub: Any) -> None:
    p = sub.add_parser("propose", help="propose a plan that meets a rule set and a scenario")
    add_plan_args(p, plan=False)
    p.add_argument("--start", help="start plan to keep as much of as possible: " + PLAN_HELP)
    _common(p)
    p.set_defaults(func=run)
    p = sub.add_parser(
        "repair", help="repair a plan: re-form only clusters with errors or scenario warnings"
    )
    add_plan_args(p)
    _common(p)
    p.set_defaults(func=run)
