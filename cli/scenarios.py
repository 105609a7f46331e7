"""``regiokaart scenarios``: the scenarios with every parameter and its source."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import add_data_args, add_output_args, emit, json_text, parameter_lines


def register(sub: Any) -> None:
    p = sub.add_parser("scenarios", help="list the scenarios with every parameter and source")
    add_output_args(p, ["table", "json"])
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
        emit(json_text(data), args.out)
        return 0
    lines: list[str] = []
    for s in scs:
        lines += [
            f"{s.id}: {s.name_nl} / {s.name_en}",
            f"  scale: {s.scale_nl} / {s.scale_en}",
            f"  source: {s.source}",
            "  parameters:",
            *parameter_lines(parameter_rows(s)),
            "",
        ]
    emit("\n".join(lines), args.out)
    return 0
