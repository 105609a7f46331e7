"""``regiokaart coverage``: municipalities and population a plan covers."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import (
    add_data_args,
    add_output_args,
    add_plan_args,
    emit,
    format_table,
    grid_data,
    json_text,
    plan_from_args,
    year_choice,
)
from geo.cells import csv_text


def register(sub: Any) -> None:
    p = sub.add_parser("coverage", help="coverage of a plan (municipalities and population)")
    add_plan_args(p)
    add_output_args(p, ["table", "csv", "xlsx", "json", "gpkg"])
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from geo.export import (
        cluster_polygons,
        coverage_frames,
        gpkg_bytes,
        membership_geodata,
        xlsx_bytes,
    )

    choice = year_choice(args)
    gd = grid_data(args)
    plan = plan_from_args(args, gd)
    cov = gd.coverage(plan)
    fmt = args.format
    if fmt == "json":
        d = cov.to_dict()
        d["population_year"] = choice.year
        d["population_year_default"] = choice.default
        emit(json_text(d), args.out)
    elif fmt == "csv":
        frames = coverage_frames(cov, gd.units)
        emit(csv_text(frames["clusters"]), args.out)
    elif fmt == "xlsx":
        emit(xlsx_bytes(coverage_frames(cov, gd.units)), args.out, "xlsx")
    elif fmt == "gpkg":
        polys = cluster_polygons(plan, gd.units, cov.clusters)
        munis = membership_geodata(plan, gd.units)
        emit(gpkg_bytes({"clusters": polys, "municipalities": munis}), args.out, "gpkg")
    else:
        d = cov.to_dict()
        lines = [
            f"Plan {plan.name or args.plan} on the {gd.grid} grid, population {choice.describe()}",
            f"clusters: {d['n_clusters']}",
            f"municipalities covered: {d['n_municipalities_covered']} / "
            f"{d['n_municipalities_total']} ({cov.municipality_share:.1%})",
            f"population covered: {d['population_covered']:,} / {d['population_total']:,} "
            f"({cov.population_share:.1%})",
            f"mean cluster population: {d['mean_cluster_population']:,.0f}; "
            f"median: {d['median_cluster_population']:,.0f}",
            "",
            format_table(
                cov.clusters[["cluster", "name", "n_municipalities", "population", "n_parts"]]
            ),
            "",
            format_table(cov.by_province.reset_index()),
        ]
        if cov.notes:
            lines += ["", "notes:"] + [f"  - {n}" for n in cov.notes]
        emit("\n".join(lines), args.out)
    return 0
