"""``regiokaart propose`` and ``regiokaart repair``: a plan that meets a rule set and a scenario.

Written to the ``cli/`` convention (``register(sub)`` + ``run(args)``); the domain work is in
:mod:`scenarios.propose`. Until ``cli/common.py`` lands, the few helpers it will provide are local.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from geo.errors import RegiokaartError


# ----------------------------------------------------------------------------- local helpers
def _check_out_path(out: str, inputs: tuple[str, ...] = ()) -> Path:
    p = Path(out)
    if p.exists() and (p.is_dir() or not p.is_file()):
        raise RegiokaartError(f"--out {out}: not a regular file.")
    for spec in inputs:
        q = Path(spec)
        if q.exists() and p.exists() and p.resolve() == q.resolve():
            raise RegiokaartError(f"--out {out} is an input file; choose another name.")
    return p


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def _budget(value: str, budgets: dict[str, int]) -> int:
    if value in budgets:
        return budgets[value]
    try:
        b = int(value.replace(".", "").replace("_", ""))
    except ValueError:
        raise RegiokaartError(
            f"--budget {value}: give an amount in EUR or one of {', '.join(budgets)}."
        ) from None
    if b < 0:
        raise RegiokaartError("--budget must be >= 0.")
    return b


def _population_year(grid: int, data_dir: Path) -> int:
    from geo.population import available_years, data_grid_for_year

    years = available_years(data_dir)
    on_grid = [y for y in years if data_grid_for_year(y) == grid]
    if on_grid:
        return max(on_grid)
    earlier = [y for y in years if data_grid_for_year(y) <= grid]
    if not earlier:
        raise RegiokaartError(f"No population year for the {grid} grid; give --population-year.")
    return max(earlier)


def _read_layer_file(path: str, grid: int) -> pd.DataFrame:
    from geo.codes import normalise_code

    try:
        df = pd.read_csv(path, dtype=str)
    except Exception as exc:
        raise RegiokaartError(f"Cannot read layer file {path}: {exc}") from exc
    df.columns = [str(c).strip().lower() for c in df.columns]
    if not {"nis_code", "region"} <= set(df.columns):
        raise RegiokaartError(f"{path}: a layer file needs the columns nis_code and region.")
    out = pd.DataFrame(
        {
            "nis_code": df["nis_code"].map(normalise_code),
            "region": df["region"].astype(str),
            "weight": pd.to_numeric(df["weight"], errors="coerce").fillna(1.0)
            if "weight" in df.columns
            else 1.0,
        }
    )
    out.attrs = {"grid": grid, "layer": Path(path).stem}
    return out


# ----------------------------------------------------------------------------- commands
def _run(args: argparse.Namespace, mode: str) -> int:
    from geo.context import load_grid_data, load_plan, plan_path
    from geo.settings import resolve_data_dir
    from scenarios.definitions import load_scenario
    from scenarios.propose import propose, repair
    from scenarios.rules import load_rule_set, load_rule_set_file, with_overrides

    plan_spec = args.plan if mode == "repair" else args.start
    inputs = tuple(s for s in (plan_spec, args.layer) if s)
    out = _check_out_path(args.out, inputs)
    rs = (
        load_rule_set_file(args.rules)
        if args.rules.endswith(".toml")
        else load_rule_set(args.rules)
    )
    changes: dict[str, Any] = {}
    if args.budget is not None:
        changes["budget_eur"] = _budget(args.budget, dict(rs.budgets))
    if args.min_population is not None:
        changes["min_population"] = args.min_population
    if changes:
        rs = with_overrides(rs, **changes)
    sc = load_scenario(args.scenario)
    dd = resolve_data_dir(args.data_dir).path
    year = args.population_year or _population_year(args.grid, dd)
    gd = load_grid_data(args.grid, year, args.data_dir)
    layer: str | pd.DataFrame | None = None
    if args.layer:
        layer = (
            _read_layer_file(args.layer, gd.grid)
            if args.layer.lower().endswith(".csv")
            else args.layer
        )
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
    from geo.atomic import atomic_write_text

    atomic_write_text(out, result.csv_text())
    print(f"written: {out}", file=sys.stderr)
    s = result.summary()
    s.update(
        {
            "command": mode,
            "grid": gd.grid,
            "population_year": gd.population_year,
            "scenario": sc.id,
            "rule_set": rs.id,
            "start": plan_spec,
            "out": str(out),
        }
    )
    if args.format == "json":
        _print_json(s)
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
    p.add_argument("--grid", type=int, required=True, help="municipality grid: 2018, 2019 or 2025")
    p.add_argument(
        "--population-year", type=int, help="population on 1 January (default: latest of the grid)"
    )
    p.add_argument("--scenario", required=True, help="scenario id (see `regiokaart scenarios`)")
    p.add_argument("--rules", default="regierol-2012", help="rule set id or a rule set TOML file")
    p.add_argument("--budget", help="budget in EUR or a named budget of the rule set")
    p.add_argument("--min-population", type=int, help="override the rule set's minimum")
    p.add_argument(
        "--layer",
        help="comparison layer id (vervoerregio, referentieregio, streekbeleid, none) or a CSV "
        "(nis_code,region[,weight]); default: the scenario's",
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
    p.add_argument("--out", required=True, help="the proposed plan CSV")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--progress", action="store_true", help="progress on stderr")
    p.add_argument("--data-dir", help="folder with the source files (default: see README)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("propose", help="propose a plan that meets a rule set and a scenario")
    p.add_argument("--start", help="start plan (CSV or shipped id, e.g. partnerships-2017) to keep")
    _common(p)
    p.set_defaults(func=run)
    p = sub.add_parser(
        "repair", help="repair a plan: re-form only clusters with errors or scenario warnings"
    )
    p.add_argument("--plan", required=True, help="the plan to repair (CSV or shipped id)")
    _common(p)
    p.set_defaults(func=run)
