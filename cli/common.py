"""What every ``regiokaart`` command shares: its arguments and its output.

Arguments (each defined once, here):

- :func:`add_data_args` -- ``--data-dir``, ``--debug`` (every command).
- :func:`add_plan_args` -- ``--plan PATH|ID``, ``--grid``, ``--population-year``.
- :func:`add_output_args` -- ``--format`` (the command's choices) and ``--out``.

Loading what those arguments name: :func:`data_dir`, :func:`year_choice`, :func:`grid_data`,
:func:`plan_from_args`.

Output:

- :func:`check_out_path` -- refuses an ``--out`` that is an input of the command, a folder or
  anything that is not a regular file (``/dev/full``, a FIFO); :func:`cli.main` calls it (through
  :func:`check_output_args`) for every command with ``--out`` before the command runs, and
  :func:`emit` again right before writing. A command never needs to call it itself.
- :func:`emit` -- write text or bytes atomically to ``--out`` (OS errors reported with the path the
  user gave), or print text to stdout.
- :func:`print_json`, :func:`format_table`, :func:`parameter_lines` -- terminal output.

Every error the user can cause is a :class:`geo.errors.RegiokaartError`; :func:`cli.main` prints
it as ``regiokaart: <message>`` and exits with code 2.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo.atomic import atomic_write_bytes
from geo.errors import RegiokaartError
from geo.settings import GRID_INFO

if TYPE_CHECKING:
    from geo.context import GridData
    from geo.plans import Plan
    from geo.population import YearChoice
    from scenarios.rules import RuleSet

PLAN_HELP = (
    "plan file (CSV or XLSX: nis_code or municipality, cluster[, cluster_name][, share]; or a "
    "GeoPackage/GeoJSON written by Regiokaart) or a shipped plan id (partnerships-2017, "
    "partnerships-2020)"
)


BINARY_FORMATS = frozenset({"xlsx", "gpkg"})  # formats that need --out (never to the terminal)


class OutputError(RegiokaartError):
    """``--out`` names something the command must not or cannot write."""


# ----------------------------------------------------------------------------- arguments
def add_data_args(p: argparse.ArgumentParser) -> None:
    """``--data-dir`` (the source files; default: see README) and ``--debug`` (tracebacks)."""
    p.add_argument("--data-dir", help="folder with the source files (default: see README)")
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")


def add_plan_args(
    p: argparse.ArgumentParser,
    plan_required: bool = True,
    *,
    plan: bool = True,
    grid: bool = True,
    year_help: str = "population on 1 January (default: the latest year for the grid; see "
    "`regiokaart data years`)",
) -> None:
    """``--plan PATH|ID``, ``--grid`` (required; left out with ``grid=False`` for a command that
    names its grid otherwise, like ``move --to-grid``) and ``--population-year`` (optional: the
    latest year that can be put on the grid, see :func:`year_choice`). ``plan=False`` leaves out
    ``--plan`` (a command that starts from another plan argument, like ``propose --start``)."""
    if plan:
        p.add_argument("--plan", required=plan_required, help=PLAN_HELP)
    if grid:
        p.add_argument(
            "--grid",
            type=int,
            required=True,
            help=f"municipality grid: {', '.join(map(str, GRID_INFO))}",
        )
    p.add_argument("--population-year", type=int, help=year_help)


def add_output_args(
    p: argparse.ArgumentParser,
    formats: Sequence[str],
    default: str | None = None,
    *,
    out_help: str | None = None,
    out_required: bool = False,
) -> None:
    """``--format`` (``formats``, default ``default`` or the first) and ``--out FILE``.

    Without ``--out`` text formats go to stdout; binary formats (xlsx, gpkg) need ``--out``
    (:func:`emit` says so)."""
    if len(formats) > 1:
        p.add_argument("--format", choices=list(formats), default=default or formats[0])
    else:
        p.set_defaults(format=formats[0])
    binary = [f for f in formats if f in BINARY_FORMATS]
    p.add_argument(
        "--out",
        required=out_required,
        help=out_help
        or (
            "output file, written atomically (default: stdout"
            + (f"; required for {' and '.join(binary)})" if binary else ")")
        ),
    )


def command_line_paths(args: argparse.Namespace) -> list[str]:
    """Every string value given on the command line except ``--out`` and ``--format``: the
    candidates :func:`check_out_path` must not overwrite (plan, layer, ... files)."""
    skip = {"out", "format", "command", "func"}
    return [
        str(v)
        for k, v in vars(args).items()
        if k not in skip and isinstance(v, str | os.PathLike) and str(v)
    ]


def check_output_args(args: argparse.Namespace) -> None:
    """What :func:`cli.main` checks before a command runs: ``--out`` passes
    :func:`check_out_path` against every path on the command line, and a binary ``--format``
    (xlsx, gpkg) has an ``--out``."""
    out = getattr(args, "out", None)
    if out:
        check_out_path(out, inputs=command_line_paths(args))
    elif getattr(args, "format", None) in BINARY_FORMATS:
        raise OutputError(f"--format {args.format} needs --out PATH.")


def add_rule_args(p: argparse.ArgumentParser, overrides: bool = True) -> None:
    """``--rules`` (a rule set id, see ``regiokaart rules``, or a rule set TOML file) and, with
    ``overrides``, ``--budget`` and ``--min-population`` (see :func:`rule_set_from_args`)."""
    p.add_argument(
        "--rules",
        default="regierol-2012",
        help="rule set id (see `regiokaart rules`) or a rule set TOML file",
    )
    if overrides:
        p.add_argument(
            "--budget",
            help="budget in EUR, or a named budget of the rule set (call-2013, 2017-2019, 2020-2025)",
        )
        p.add_argument("--min-population", type=int, help="override the minimum inhabitants")


def budget(value: str, budgets: Mapping[str, int]) -> int:
    """``--budget``: an amount in EUR (``1.500.000`` and ``1_500_000`` allowed) or a budget name
    of the rule set."""
    from scenarios.errors import ParameterError

    if value in budgets:
        return budgets[value]
    try:
        b = int(value.replace(".", "").replace("_", ""))
    except ValueError:
        raise ParameterError(
            f"--budget {value}: give an amount in EUR or one of {', '.join(budgets)}."
        ) from None
    if b < 0:
        raise ParameterError("--budget must be >= 0.")
    return b


def rule_set_from_args(args: argparse.Namespace) -> RuleSet:
    """The rule set of ``--rules`` with the ``--budget`` and ``--min-population`` overrides."""
    from scenarios.rules import load_rule_set, load_rule_set_file, with_overrides

    spec = str(args.rules)
    rs = load_rule_set_file(spec) if spec.endswith(".toml") else load_rule_set(spec)
    changes: dict[str, Any] = {}
    if getattr(args, "budget", None) is not None:
        changes["budget_eur"] = budget(args.budget, dict(rs.budgets))
    if getattr(args, "min_population", None) is not None:
        changes["min_population"] = args.min_population
    return with_overrides(rs, **changes) if changes else rs


# ----------------------------------------------------------------------------- loading
def data_dir(args: argparse.Namespace) -> Path:
    """The data directory of ``--data-dir`` (or the default, see README)."""
    from geo.settings import resolve_data_dir

    return resolve_data_dir(getattr(args, "data_dir", None)).path


def year_choice(args: argparse.Namespace) -> YearChoice:
    """``--population-year`` checked against ``--grid``, or the latest year of that grid when it
    is not given (:func:`geo.population.resolve_population_year`; ``.default`` says which)."""
    from geo.grids import check_grid
    from geo.population import resolve_population_year

    return resolve_population_year(getattr(args, "population_year", None), check_grid(args.grid))


def grid_data(args: argparse.Namespace) -> GridData:
    """The grid, its population and crosswalk named by ``--grid``, ``--population-year`` and
    ``--data-dir`` (see :func:`add_plan_args`)."""
    from geo.context import load_grid_data

    choice = year_choice(args)
    return load_grid_data(choice.grid, choice.year, data_dir(args))


def plan_from_args(args: argparse.Namespace, gd: GridData) -> Plan:
    """The plan named by ``--plan`` (a file or a shipped id), on ``gd``'s grid."""
    from geo.context import load_plan, plan_path

    return load_plan(plan_path(args.plan), gd)


# ----------------------------------------------------------------------------- output
def check_out_path(
    out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """The path to write ``out`` to, after refusing what must not be replaced.

    Refused (an :class:`OutputError` naming ``out`` as the user gave it):
    ``out`` is the same file as one of ``inputs`` (resolved path or same inode, so symlinks
    and hard links count); ``out`` is a folder; ``out`` exists and is not a regular file (a
    device such as ``/dev/full``, a FIFO, a socket); the folder of ``out`` is a file.
    A missing folder is created when writing (:func:`geo.atomic.atomic_write_bytes`).
    """
    shown = os.fspath(out)
    target = Path(out)
    if not shown:
        raise OutputError("--out is empty; give a file name.")
    try:
        st = target.stat()  # follows symlinks: a link to /dev/full is /dev/full
    except (FileNotFoundError, NotADirectoryError):
        st = None  # NotADirectoryError: the folder is a file (reported below)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {_reason(exc)}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"--out {shown} is a folder; give a file name inside it.")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(
                f"--out {shown} exists and is not a regular file (a device, pipe or socket); "
                "refusing to replace it. Give a file name."
            )
    for inp in inputs:
        if _same_file(target, Path(inp)):
            raise OutputError(
                f"--out {shown} is an input of this command ({os.fspath(inp)}); refusing to "
                "overwrite it. Write to another file."
            )
    parent = target.parent
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"cannot write {shown}: {folder} is a file, not a folder.")
            break
    return target


def _same_file(a: Path, b: Path) -> bool:
    if not b.exists():
        return False  # a plan id such as partnerships-2017, not a file
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):
        pass
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _reason(exc: OSError) -> str:
    """The OS's reason without the file name it carries (that may be a temporary file)."""
    return exc.strerror or type(exc).__name__


def emit(
    text_or_bytes: str | bytes,
    out: str | os.PathLike[str] | None,
    binary_format: str | None = None,
) -> None:
    """Write ``text_or_bytes`` to ``out`` atomically (a reader sees the old file or the new one,
    never half), or print text to stdout when ``out`` is empty.

    Bytes without ``out`` are an error naming ``binary_format`` (``--format xlsx needs --out``).
    ``out`` is checked with :func:`check_out_path`; an OS error while writing (read-only folder,
    no permission, disk full) becomes an :class:`OutputError` naming ``out`` as the user gave it.
    """
    if out:
        target = check_out_path(out)
        data = text_or_bytes.encode("utf-8") if isinstance(text_or_bytes, str) else text_or_bytes
        try:
            atomic_write_bytes(target, data)
        except OSError as exc:
            raise OutputError(f"cannot write {os.fspath(out)}: {_reason(exc)}") from None
        print(f"written: {os.fspath(out)}", file=sys.stderr)
    elif isinstance(text_or_bytes, bytes):
        raise OutputError(f"--format {binary_format or 'binary'} needs --out PATH.")
    else:
        sys.stdout.write(text_or_bytes if text_or_bytes.endswith("\n") else text_or_bytes + "\n")


def json_text(obj: Any) -> str:
    """JSON as the commands print it (UTF-8, indented; numpy scalars and sets converted)."""
    from geo.export import json_text as _json_text

    return _json_text(obj)


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON (see :func:`json_text`) to stdout."""
    sys.stdout.write(json_text(obj) + "\n")


def format_table(df: pd.DataFrame) -> str:
    """A plain-text table for the terminal (no index, up to 500 rows)."""
    with pd.option_context(
        "display.max_rows", 500, "display.width", 250, "display.max_colwidth", 60
    ):
        return str(df.to_string(index=False))


def parameter_lines(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Parameters (``scenarios.params.parameter_rows``) as indented lines: value, unit, labels,
    source and reason, assumptions marked."""
    out = []
    for r in rows:
        flag = "  [aanname / assumption]" if r["assumption"] else ""
        unit = f" {r['unit']}" if r["unit"] else ""
        out.append(f"  {r['name']} = {r['value']!r}{unit}{flag}")
        out.append(f"      {r['label_nl']} / {r['label_en']}")
        if r["source"]:
            out.append(f"      source: {r['source']}")
        if r["reason"]:
            out.append(f"      reason: {r['reason']}")
    return out
