"""CLI: ``regiokaart evaluate``, ``regiokaart rules``, ``regiokaart scenarios``.

``register(subparsers)`` is called from ``regiokaart_cli.build_parser``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import pandas as pd

from geo.cliout import add_common_args, emit, format_table
from scenarios.errors import ParameterError


def _budget(value: str, budgets: dict[str, int]) -> int:
    if value in budgets:
        return budgets[value]
    try:
        b = int(value.replace(".", "").replace("_", ""))
    except ValueError:
        raise ParameterError(
            f"--budget {value}: give an amount in EUR or one of {', '.join(budgets)}."
        ) from None
    if b < 0:
        raise ParameterError("--budget must be >= 0.")
    return b


def cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.context import load_grid_data, load_plan, plan_path
    from geo.export import json_text, xlsx_bytes
    from geo.layers import load_layer
    from scenarios.definitions import load_scenario
    from scenarios.evaluate import evaluate
    from scenarios.inputs import load_unemployment
    from scenarios.rules import load_rule_set, with_overrides

    rs = load_rule_set(args.rules)
    sc = load_scenario(args.scenario)
    changes: dict[str, Any] = {}
    if args.budget is not None:
        changes["budget_eur"] = _budget(args.budget, dict(rs.budgets))
    if args.min_population is not None:
        changes["min_population"] = args.min_population
    if changes:
        rs = with_overrides(rs, **changes)
    gd = load_grid_data(args.grid, args.population_year, args.data_dir)
    plan = load_plan(plan_path(args.plan), gd)
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
        f"Plan {d['plan']} on the {gd.grid} grid, population 1 January {gd.population_year}",
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


def _param_lines(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        flag = "  [aanname / assumption]" if r["assumption"] else ""
        unit = f" {r['unit']}" if r["unit"] else ""
        out.append(f"  {r['name']} = {r['value']!r}{unit}{flag}")
        out.append(f"      {r['label_nl']} / {r['label_en']}")
        if r["source"]:
            out.append(f"      source: {r['source']}")
        if r["reason"]:
            out.append(f"      reason: {r['reason']}")
    return out


def cmd_rules(args: argparse.Namespace) -> int:
    from scenarios.params import parameter_rows
    from scenarios.rules import load_rule_set, rule_set_ids

    sets = [load_rule_set(i) for i in rule_set_ids()]
    if args.format == "json":
        data = [
            {
                "id": rs.id, "version": rs.version, "title_nl": rs.title_nl,
                "title_en": rs.title_en, "source": rs.source, "valid_from": rs.valid_from,
                "valid_to": rs.valid_to, "rules": list(rs.rules),
                "parameters": parameter_rows(rs),
            }
            for rs in sets
        ]  # fmt: skip
        return _print_json(data)
    lines: list[str] = []
    for rs in sets:
        lines += [
            f"{rs.id} (version {rs.version}, valid {rs.valid_from} - {rs.valid_to})",
            f"  {rs.title_nl}",
            f"  {rs.title_en}",
            f"  source: {rs.source}",
            f"  rules checked: {', '.join(rs.rules)}",
            "  parameters:",
            *_param_lines(parameter_rows(rs)),
            "",
        ]
    print("\n".join(lines))
    return 0


def _print_json(data: object) -> int:
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from scenarios.definitions import load_scenario, scenario_ids
    from scenarios.params import parameter_rows

    scs = [load_scenario(i) for i in scenario_ids()]
    if args.format == "json":
        data = [
            {
                "id": s.id, "name_nl": s.name_nl, "name_en": s.name_en,
                "description_nl": s.description_nl, "description_en": s.description_en,
                "scale_nl": s.scale_nl, "scale_en": s.scale_en, "source": s.source,
                "parameters": parameter_rows(s),
            }
            for s in scs
        ]  # fmt: skip
        return _print_json(data)
    lines: list[str] = []
    for s in scs:
        lines += [
            f"{s.id}: {s.name_nl} / {s.name_en}",
            f"  scale: {s.scale_nl} / {s.scale_en}",
            f"  source: {s.source}",
            "  parameters:",
            *_param_lines(parameter_rows(s)),
            "",
        ]
    print("\n".join(lines))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add ``evaluate``, ``rules`` and ``scenarios`` to the ``regiokaart`` parser."""
    p = sub.add_parser("evaluate", help="evaluate a plan against a rule set and a scenario")
    p.add_argument(
        "--plan",
        required=True,
        help="plan CSV (nis_code,cluster[,cluster_name]) or a shipped plan id",
    )
    p.add_argument("--grid", type=int, required=True, help="municipality grid: 2018, 2019 or 2025")
    p.add_argument("--population-year", type=int, required=True, help="population on 1 January")
    p.add_argument("--rules", default="regierol-2012", help="rule set id (see `regiokaart rules`)")
    p.add_argument("--scenario", required=True, help="scenario id (see `regiokaart scenarios`)")
    p.add_argument(
        "--budget",
        help="budget in EUR, or a named budget of the rule set (call-2013, 2017-2019, 2020-2025)",
    )
    p.add_argument("--min-population", type=int, help="override the minimum inhabitants")
    p.add_argument(
        "--comparison",
        help="comparison layer for alignment: a shipped layer id (see `regiokaart layers`) or "
        "none; default: the scenario's",
    )
    p.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
    p.add_argument("--out", help="output file (required for xlsx)")
    add_common_args(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("rules", help="list the shipped rule sets with every parameter and source")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_common_args(p)
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("scenarios", help="list the scenarios with every parameter and source")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_common_args(p)
    p.set_defaults(func=cmd_scenarios)
