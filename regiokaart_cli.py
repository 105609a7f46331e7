"""Command line: ``regiokaart coverage | data`` (and, as they land, ``evaluate``, ``overlap`` ...).

Errors caused by input or data print one clear message on stderr and exit with code 2; an
unexpected failure prints a one-line message and exits with 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from geo.cliout import add_common_args, emit, format_table
from geo.errors import RegiokaartError

Handler = Callable[[argparse.Namespace], int]
_EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []  # type: ignore[type-arg]


def _grid_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--plan",
        required=True,
        help="plan CSV (nis_code,cluster[,cluster_name]) or a shipped plan id "
        "(partnerships-2017, partnerships-2020)",
    )
    p.add_argument("--grid", type=int, required=True, help="municipality grid: 2018, 2019 or 2025")
    p.add_argument("--population-year", type=int, required=True, help="population on 1 January")


# ----------------------------------------------------------------------------- coverage
def cmd_coverage(args: argparse.Namespace) -> int:
    from geo.context import load_grid_data, load_plan, plan_path
    from geo.export import (
        cluster_polygons,
        coverage_frames,
        gpkg_bytes,
        json_text,
        xlsx_bytes,
    )

    gd = load_grid_data(args.grid, args.population_year, args.data_dir)
    plan = load_plan(plan_path(args.plan), gd)
    cov = gd.coverage(plan)
    fmt = args.format
    if fmt == "json":
        emit(json_text(cov.to_dict()), args.out)
    elif fmt == "csv":
        frames = coverage_frames(cov, gd.units)
        emit(frames["clusters"].to_csv(index=False), args.out)
    elif fmt == "xlsx":
        emit(xlsx_bytes(coverage_frames(cov, gd.units)), args.out, "xlsx")
    elif fmt == "gpkg":
        polys = cluster_polygons(plan, gd.units, cov.clusters)
        emit(gpkg_bytes({"clusters": polys}), args.out, "gpkg")
    else:
        d = cov.to_dict()
        lines = [
            f"Plan {plan.name or args.plan} on the {gd.grid} grid, population 1 January "
            f"{gd.population_year}",
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


# ----------------------------------------------------------------------------- data
def cmd_data(args: argparse.Namespace) -> int:
    from geo.settings import cache_dir, resolve_data_dir
    from geo.sources import fetch, load_manifest, verify

    manifest = load_manifest()
    if args.action == "where":
        dd = resolve_data_dir(args.data_dir)
        print(f"{dd.path} ({dd.origin})")
        return 0
    if args.action == "verify":
        dd = resolve_data_dir(args.data_dir)
        rep = verify(dd.path, manifest)
        print(
            f"{dd.path} ({dd.origin}): {len(rep.ok)} ok, {len(rep.missing)} missing, "
            f"{len(rep.mismatched)} checksum mismatch"
        )
        for f in rep.missing:
            print(f"  missing: {f}")
        for f in rep.mismatched:
            print(f"  checksum mismatch: {f}")
        return 0 if rep.complete else 2
    target = Path(args.data_dir) if args.data_dir else cache_dir()
    rep = fetch(target, manifest, base_url=args.base_url)
    print(
        f"into {target}: {len(rep.downloaded)} downloaded, {len(rep.already_present)} present "
        "(checksums verified)"
    )
    if rep.not_downloadable:
        print(
            f"{len(rep.not_downloadable)} compiled file(s) have no public address; copy them "
            "into the data directory yourself:"
        )
        for f in rep.not_downloadable:
            print(f"  {f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regiokaart",
        description="Partnerships for the regierol sociale economie: coverage, rules, overlap.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("coverage", help="coverage of a plan (municipalities and population)")
    _grid_args(p)
    p.add_argument("--format", choices=["table", "csv", "xlsx", "json", "gpkg"], default="table")
    p.add_argument("--out", help="output file (required for xlsx and gpkg)")
    add_common_args(p)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("data", help="the source data: where it is, verify, fetch")
    p.add_argument("action", choices=["fetch", "verify", "where"])
    p.add_argument("--base-url", help="fetch from this mirror instead of the pinned addresses")
    add_common_args(p)
    p.set_defaults(func=cmd_data)

    from scenarios.cli import register as register_scenarios

    register_scenarios(sub)
    from geo.overlap_cli import register as register_overlap

    register_overlap(sub)
    from cli.propose import register as register_propose  # temporary hook; the lead rewires it

    register_propose(sub)
    for ext in _EXTENSIONS:
        ext(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except RegiokaartError as exc:
        print(f"regiokaart: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        print(f"regiokaart: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
