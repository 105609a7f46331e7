"""Output helpers shared by every ``regiokaart`` subcommand (no argument parsing here)."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from geo.atomic import atomic_write_bytes
from geo.errors import RegiokaartError


def add_common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="folder with the source files (default: see README)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def emit(text_or_bytes: str | bytes, out: str | None, binary_format: str | None = None) -> None:
    """Write to ``out`` atomically, or print to stdout (text only)."""
    if out:
        data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
        atomic_write_bytes(out, data)
        print(f"written: {out}", file=sys.stderr)
    elif isinstance(text_or_bytes, bytes):
        raise RegiokaartError(f"--format {binary_format} needs --out PATH.")
    else:
        sys.stdout.write(text_or_bytes if text_or_bytes.endswith("\n") else text_or_bytes + "\n")


def format_table(df: pd.DataFrame) -> str:
    """A plain-text table for the terminal."""
    with pd.option_context(
        "display.max_rows", 500, "display.width", 250, "display.max_colwidth", 60
    ):
        return str(df.to_string(index=False))
