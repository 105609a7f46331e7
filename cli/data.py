"""``regiokaart data fetch|verify|where|years|ensure``: the source data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import add_data_args


def register(sub: Any) -> None:
    p = sub.add_parser("data", help="the source data: where it is, verify, fetch")
    p.add_argument(
        "action",
        choices=["fetch", "verify", "where", "years", "ensure"],
        help="fetch: download the pinned files into the cache; verify: check checksums; where: the "
        "data directory in use; years: population years per grid; ensure: fetch only when no data "
        "directory holds the files (what `make app` runs)",
    )
    p.add_argument(
        "--base-url",
        help="fetch from this mirror (<base>/<path>) instead of the pinned addresses "
        "(default: $REGIOKAART_DATA_BASE_URL)",
    )
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from geo.settings import cache_dir, resolve_data_dir
    from geo.sources import default_base_url, fetch, load_manifest, verify

    manifest = load_manifest()
    if args.action == "years":
        from geo.firststart import years_text

        print(years_text())
        return 0
    if args.action == "ensure":
        from geo.firststart import ensure_cli

        return ensure_cli(args.data_dir, args.base_url)
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
    from geo.firststart import print_progress

    rep_f = fetch(
        target, manifest, base_url=args.base_url or default_base_url(), progress=print_progress
    )
    print(
        f"into {target}: {len(rep_f.downloaded)} downloaded, {len(rep_f.already_present)} present "
        "(checksums verified)"
    )
    if rep_f.not_downloadable:
        print(
            f"{len(rep_f.not_downloadable)} compiled file(s) have no public address; copy them "
            "into the data directory yourself:"
        )
        for f in rep_f.not_downloadable:
            print(f"  {f}")
    return 0
