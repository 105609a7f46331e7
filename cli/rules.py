"""``regiokaart rules``: the shipped rule sets with every parameter and its source."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import add_data_args, add_output_args, emit, json_text, parameter_lines


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="list the shipped rule sets with every parameter and source")
    add_output_args(p, ["table", "json"])
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
        emit(json_text(data), args.out)
        return 0
    lines: list[str] = []
    for rs in sets:
        lines += [
            f"{rs.id} (version {rs.version}, valid {rs.valid_from} - {rs.valid_to})",
            f"  {rs.title_nl}",
            f"  {rs.title_en}",
            f"  source: {rs.source}",
            f"  rules checked: {', '.join(rs.rules)}",
            "  parameters:",
            *parameter_lines(parameter_rows(rs)),
            "",
        ]
    emit("\n".join(lines), args.out)
    return 0
