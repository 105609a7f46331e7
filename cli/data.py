"""``regiokaart data fetch|verify|where``: the source data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import add_data_args


def register(sub: Any) -> None:
    p = sub.add_parser("data", help="the source data: where it is, verify, fetch")
    p.add_argument("action", choices=["fetch", "verify", "where"])
    p.add_argument("--base-url", help="fetch from this mirror instead of the pinned addresses")
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
    rep_f = fetch(target, manifest, base_url=args.base_url)
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
