"""``regiokaart evaluate``: a plan against a rule set and a scenario."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pandas as pd

from cli.common import (
    add_data_args,
    add_output_args,
    add_plan_args,
    add_rule_args,
    emit,
    format_table,
    grid_data,
    json_text,
    plan_from_args,
    rule_set_from_args,
    year_choice,
)


def register(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="evaluate a plan against a rule set and a scenario")
    add_plan_args(p)
    add_rule_args(p)
    p.add_argument("--scenario", required=True, help="scenario id (see `regiokaart scenarios`)")
    p.add_argument(
        "--comparison",
        help="comparison layer for alignment: a shipped layer id (see `regiokaart layers`) or "
        "none; "
        "default: the scenario's",
    )
    add_output_args(p, ["table", "json", "xlsx"])
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from geo.export import xlsx_bytes
    from geo.layers import load_layer
    from scenarios.definitions import load_scenario
    from scenarios.evaluate import evaluate
    from scenarios.inputs import load_unemployment

    rs = rule_set_from_args(args)
    sc = load_scenario(args.scenario)
    choice = year_choice(args)
    gd = grid_data(args)
    plan = plan_from_args(args, gd)
    layer_id = sc.comparison_layer if args.comparison is None else args.comparison
    layer = None
    if layer_id and layer_id != "none":
        layer = load_layer(layer_id, gd.grid, gd.data_dir)
    unemployment = load_unemployment(gd.data_dir)
    ev = evaluate(plan, rs, sc, gd, comparison=layer, unemployment=unemployment)
    d = ev.to_dict()
    d["plan"] = plan.name or args.plan
    d["grid"] = gd.grid
    d["population_year"] = gd.population_year
    d["population_year_default"] = choice.default
    d["comparison_layer"] = layer_id if layer is not None else None
    if args.format == "json":
        emit(json_text(d), args.out)
        return 0
    if args.format == "xlsx":
        summary = pd.DataFrame(
            [
                {"key": k, "value": json.dumps(v) if isinstance(v, dict | list) else v}
                for k, v in d.items()
                if k not in ("clusters", "plan_violations")
            ]
        )
        frames = {
            "summary": summary,
            "clusters": ev.cluster_frame(),
            "violations": ev.violation_frame(),
        }
        emit(xlsx_bytes(frames), args.out, "xlsx")
        return 0
    cols = ["cluster", "population", "n_municipalities", "centrumsteden", "eligible", "band",
            "subsidy_eur", "funded_eur", "unemployment_rate", "n_parts", "dominant_share",
            "violations"]  # fmt: skip
    lines = [
        f"Plan {d['plan']} on the {gd.grid} grid, population {choice.describe()}",
        f"rule set {rs.id} ({rs.title_en}); scenario {sc.id} ({sc.name_en})",
        f"comparison layer: {d['comparison_layer'] or 'none'}",
        f"total subsidy: EUR {ev.total_subsidy_eur:,}; budget EUR {ev.budget_eur:,}; "
        f"within budget: {'yes' if ev.within_budget else 'no'}; funded EUR {ev.total_funded_eur:,}",
        "",
        format_table(ev.cluster_frame()[cols]),
        "",
        "violations by rule: "
        + (", ".join(f"{k} {v}" for k, v in ev.violation_counts.items()) or "none"),
    ]
    lines += [f"  [{v.severity}] {v.message_en}" for v in ev.violations]
    if ev.notes:
        lines += ["", "notes:"] + [f"  - {n}" for n in ev.notes]
    emit("\n".join(lines), args.out)
    return 0
