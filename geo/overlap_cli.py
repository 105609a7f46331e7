"""CLI commands ``regiokaart overlap`` and ``regiokaart layers`` (hooked in by :func:`register`)."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from geo.cells import csv_text
from geo.cliout import add_common_args, emit, format_table


def default_population_year(grid: int, data_dir: Any) -> int:
    """The latest population year that can be put on ``grid`` (data of later grids cannot)."""
    from geo.population import available_years, data_grid_for_year

    years = [y for y in available_years(data_dir) if data_grid_for_year(y) <= grid]
    return max(years)


def _frames(rep: dict[str, Any]) -> dict[str, pd.DataFrame]:
    summary_keys = [
        "plan", "grid", "population_year", "layer", "layer_name", "layer_partial",
        "layer_native_grid", "layer_completeness", "n_plan_municipalities", "n_common", "agreement",
        "share_nested", "n_clusters_covered", "n_nested", "n_identical", "weighting",
    ]  # fmt: skip
    summary = pd.DataFrame([(k, rep[k]) for k in summary_keys], columns=["key", "value"])
    return {
        "summary": summary,
        "clusters": pd.DataFrame(rep["clusters"]),
        "regions": pd.DataFrame(rep["regions"]),
        "provinces": pd.DataFrame(rep["by_province"]),
        "notes": pd.DataFrame({"note": rep["notes"]}),
    }


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _table_text(rep: dict[str, Any]) -> str:
    name = str(rep["layer_name"])
    partial = " (PARTIAL)" if rep["layer_partial"] and "PARTIAL" not in name else ""
    ari = rep["agreement"]
    lines = [
        f"Plan {rep['plan']} on the {rep['grid']} grid vs layer {rep['layer']}: {name}{partial}",
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
    rg = pd.DataFrame(rep["regions"]).drop(columns=["clusters"])
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


def cmd_overlap(args: argparse.Namespace) -> int:
    from geo.context import load_grid_data, load_plan, plan_path
    from geo.export import json_text, xlsx_bytes
    from geo.grids import check_grid
    from geo.layers import get_layer
    from geo.overlap import overlap_report
    from geo.settings import resolve_data_dir

    grid = check_grid(args.grid)
    dd = resolve_data_dir(args.data_dir).path
    year = args.population_year or default_population_year(grid, dd)
    gd = load_grid_data(grid, year, dd)
    plan = load_plan(plan_path(args.plan), gd)
    layer = get_layer(args.layer, grid, dd, args.region_column)
    areas = gd.units["area_km2"] if layer.attrs.get("weighting") == "area" else None
    rep = overlap_report(plan, layer, gd.population, areas)
    if not rep["plan"]:
        rep["plan"] = args.plan
    fmt = args.format
    if fmt == "json":
        emit(json_text(rep), args.out)
    elif fmt == "csv":
        frames = _frames(rep)
        emit(csv_text(frames["clusters"]), args.out)
    elif fmt == "xlsx":
        emit(xlsx_bytes(_frames(rep)), args.out, "xlsx")
    else:
        emit(_table_text(rep), args.out)
    return 0


def cmd_layers(args: argparse.Namespace) -> int:
    from geo.export import json_text
    from geo.layers import layers_table
    from geo.settings import resolve_data_dir

    dd = resolve_data_dir(args.data_dir).path
    table = layers_table(dd)
    if args.format == "json":
        emit(json_text(table.to_dict("records")), args.out)
    elif args.format == "csv":
        emit(csv_text(table), args.out)
    else:
        emit(format_table(table.drop(columns=["name_en", "source"])), args.out)
    return 0


def register(sub: Any) -> None:
    """Add ``overlap`` and ``layers`` to the ``regiokaart`` sub-commands."""
    p = sub.add_parser("overlap", help="overlap of a plan's clusters with a comparison layer")
    p.add_argument(
        "--plan",
        required=True,
        help="plan CSV (nis_code,cluster[,cluster_name]) or a shipped plan id "
        "(partnerships-2017, partnerships-2020)",
    )
    p.add_argument("--grid", type=int, required=True, help="municipality grid: 2018, 2019 or 2025")
    p.add_argument(
        "--layer",
        required=True,
        help="a shipped layer id (see `regiokaart layers`) or a layer file: CSV/XLSX membership "
        "(nis_code or municipality, region), GeoPackage, GeoJSON or zipped Shapefile",
    )
    p.add_argument(
        "--population-year",
        type=int,
        help="population on 1 January (default: the latest year available for the grid)",
    )
    p.add_argument("--region-column", help="column of a layer file that names the region")
    p.add_argument("--format", choices=["table", "csv", "xlsx", "json"], default="table")
    p.add_argument("--out", help="output file (required for xlsx)")
    add_common_args(p)
    p.set_defaults(func=cmd_overlap)

    p = sub.add_parser("layers", help="the shipped comparison layers and their completeness")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--out", help="output file")
    add_common_args(p)
    p.set_defaults(func=cmd_layers)
