"""``regiokaart overlap``: a plan's clusters against a comparison layer."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

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
    p = sub.add_parser("overlap", help="overlap of a plan's clusters with a comparison layer")
    add_plan_args(p)
    p.add_argument(
        "--layer",
        required=True,
        help="a shipped layer id (see `regiokaart layers`) or a layer file: CSV/XLSX membership "
        "(nis_code or municipality, region), GeoPackage, GeoJSON or zipped Shapefile",
    )
    p.add_argument("--region-column", help="column of a layer file that names the region")
    add_output_args(p, ["table", "csv", "xlsx", "json"])
    add_data_args(p)
    p.set_defaults(func=run)


def frames(rep: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The report as the sheets of the XLSX file (:func:`geo.overlap.overlap_frames`, shared with
    the app)."""
    from geo.overlap import overlap_frames

    return overlap_frames(rep)


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def table_text(rep: dict[str, Any]) -> str:
    """The report for the terminal."""
    name = str(rep["layer_name"])
    partial = " (PARTIAL)" if rep["layer_partial"] and "PARTIAL" not in name else ""
    ari = rep["agreement"]
    lines = [
        f"Plan {rep['plan']} on the {rep['grid']} grid vs layer {rep['layer']}: {name}{partial}",
        f"population 1 January {rep['population_year']}"
        + (" (latest year for the grid)" if rep.get("population_year_default") else ""),
        f"weighting: {rep['weighting']}",
        f"layer covers {_pct(rep['layer_completeness'])} of the plan's "
        f"{rep['n_plan_municipalities']} municipalities",
        f"agreement (adjusted Rand index on the {rep['n_common']} municipalities both cover): "
        + ("n/a" if ari is None else f"{ari:.3f}"),
        f"clusters nested in one region: {rep['n_nested']} of the {rep['n_clusters_covered']} "
        "clusters the layer covers wholly",
        "",
    ]
    cl = pd.DataFrame(rep["clusters"])
    for c in ("dominant_share", "outside_share", "dominant_share_area"):
        if c in cl:
            cl[c] = cl[c].map(_pct)
    lines += [format_table(cl), ""]
    rg = pd.DataFrame(rep["regions"]).drop(columns=["clusters", "cluster_shares"])
    for c in ("covered_share", "dominant_cluster_share"):
        rg[c] = rg[c].map(_pct)
    rg["population"] = rg["population"].map(lambda v: f"{v:,.0f}")
    lines += [format_table(rg), ""]
    pv = pd.DataFrame(rep["by_province"])
    pv["ari"] = pv["ari"].map(lambda v: "n/a" if v is None or pd.isna(v) else f"{v:.3f}")
    lines += [format_table(pv)]
    if rep["notes"]:
        lines += ["", "notes:"] + [f"  - {n}" for n in rep["notes"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from geo.export import xlsx_bytes
    from geo.layers import get_layer
    from geo.overlap import overlap_report

    choice = year_choice(args)
    gd = grid_data(args)
    plan = plan_from_args(args, gd)
    layer = get_layer(args.layer, gd.grid, gd.data_dir, args.region_column)
    areas = gd.units["area_km2"] if layer.attrs.get("weighting") == "area" else None
    rep = overlap_report(plan, layer, gd.population, areas)
    if not rep["plan"]:
        rep["plan"] = args.plan
    rep["population_year_default"] = choice.default
    fmt = args.format
    if fmt == "json":
        emit(json_text(rep), args.out)
    elif fmt == "csv":
        emit(csv_text(frames(rep)["clusters"]), args.out)
    elif fmt == "xlsx":
        emit(xlsx_bytes(frames(rep)), args.out, "xlsx")
    else:
        emit(table_text(rep), args.out)
    return 0
