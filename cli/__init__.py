"""The ``regiokaart`` command line: one module per command, shared arguments and output in
:mod:`cli.common`.

A command module ``cli/<command>.py`` has ``register(sub)`` (adds its sub-parser with
``set_defaults(func=run)``) and ``run(args) -> int``; add its name to :data:`COMMANDS`.
Domain work lives in ``geo/`` and ``scenarios/``, not here.

Errors caused by input or data print one clear message on stderr (``regiokaart: <message>``) and
exit with code 2; an unexpected failure prints a one-line message and exits with 1 (``--debug``
shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from geo.errors import RegiokaartError

COMMANDS: tuple[str, ...] = (
    "coverage",
    "move",
    "evaluate",
    "summary",
    "overlap",
    "layers",
    "rules",
    "scenarios",
    "data",
    "plans",
    "propose",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="regiokaart",
        description="Partnerships for the regierol sociale economie: coverage, rules, overlap.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from cli.common import check_output_args

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_output_args(args)  # before any work: --out is safe, binary formats have one
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
