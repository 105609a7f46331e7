"""``regiokaart move``: a plan moved to a later grid, written as a plan CSV with shares."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.common import add_data_args, add_output_args, add_plan_args, emit
from geo.settings import GRID_INFO


def register(sub: Any) -> None:
    p = sub.add_parser(
        "move",
        help="move a plan to a later grid (population-weighted shares for split municipalities)",
    )
    add_plan_args(
        p,
        grid=False,
        year_help="population year weighting split shares (default: the latest for the target grid)",
    )
    p.add_argument("--to-grid", type=int, required=True, choices=sorted(GRID_INFO)[1:])
    add_output_args(
        p, ["csv"], out_help="plan CSV to write (nis_code,cluster,cluster_name[,share])"
    )
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from geo.context import move

    plan = move(args.plan, args.to_grid, args.data_dir, args.population_year)
    emit(plan.to_csv_text(), args.out)
    for note in plan.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
