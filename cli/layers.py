"""``regiokaart layers``: the shipped comparison layers and their completeness."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import add_data_args, add_output_args, data_dir, emit, format_table, json_text
from geo.cells import csv_text


def register(sub: Any) -> None:
    p = sub.add_parser("layers", help="the shipped comparison layers and their completeness")
    add_output_args(p, ["table", "csv", "json"])
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from geo.layers import layers_table

    table = layers_table(data_dir(args))
    if args.format == "json":
        emit(json_text(table.to_dict("records")), args.out)
    elif args.format == "csv":
        emit(csv_text(table), args.out)
    else:
        drop = ["name_en", "source", "covered", "coverage", "n_municipalities", "completeness_grid"]
        emit(format_table(table.drop(columns=drop)), args.out)
    return 0
