"""``regiokaart plans``: the saved plans (list, show, history, save, export, delete, restore).

Written to the ``cli/`` convention (``register(sub)`` and ``run(args)``); the store itself is
:mod:`geo.planstore`. Unknown names or versions exit with code 2 and suggest the closest names.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from typing import Any

from cli.common import (
    add_data_args,
    add_output_args,
    add_plan_args,
    emit,
    grid_data,
    json_text,
)
from geo.planstore import PlanRecord, PlanStore, record_from_plan

ACTIONS = ("list", "show", "history", "save", "export", "delete", "restore")


# ----------------------------------------------------------------------------- small helpers
def _width(text: str) -> int:
    """Terminal columns of ``text`` (wide characters such as 東京 take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain-text table (left-aligned text, no index; empty for None)."""
    cells = [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max([_width(c), *(_width(row[i]) for row in cells)]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    return "\n".join(line(v).rstrip() for v in [columns, *cells])


def _store(args: argparse.Namespace) -> PlanStore:
    store = PlanStore(getattr(args, "plans_db", None))
    report = store.import_json_once()
    for name in report.imported:
        print(f"imported earlier saved plan: {name}", file=sys.stderr)
    for problem in report.problems:
        print(f"regiokaart: {problem}", file=sys.stderr)
    return store


# ----------------------------------------------------------------------------- register
def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plans",
        help="saved plans: list, show, history, save, export, delete, restore",
        description="The plan store (SQLite; every save is a new version; delete is undoable).",
    )
    db_help = (
        "the plan store (default: $REGIOKAART_PLANS_DB or ~/.local/share/regiokaart/plans.sqlite)"
    )
    p.add_argument("--plans-db", help=db_help)
    actions = p.add_subparsers(dest="action", required=True)

    def action(name: str, help_: str, fmt: bool = False) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_)
        a.add_argument("--plans-db", default=argparse.SUPPRESS, help=db_help)
        add_data_args(a)
        if fmt:
            add_output_args(a, ["table", "json"])
        return a

    a = action("list", "the saved plans (name, versions, last saved)", fmt=True)
    a.add_argument("--deleted", action="store_true", help="list the deleted (restorable) plans")
    a = action("show", "one version of a plan (default: the latest)", fmt=True)
    a.add_argument("name")
    a.add_argument("--version", type=int)
    a = action("history", "every version of a plan", fmt=True)
    a.add_argument("name")
    a = action("save", "save a plan file as a new version of NAME")
    a.add_argument("name")
    add_plan_args(a)
    a.add_argument("--note", default="", help="a note kept with this version")
    a.add_argument("--rule-set", default="", help="rule set id to keep with the plan")
    a.add_argument("--scenario", default="", help="scenario id to keep with the plan")
    a = action("export", "write a version as a plan CSV")
    a.add_argument("name")
    a.add_argument("--version", type=int)
    add_output_args(a, ["csv"], out_help="output plan CSV (default: standard output)")
    a = action("delete", "delete a plan (restorable with 'restore')")
    a.add_argument("name")
    a = action("restore", "restore a deleted plan")
    a.add_argument("name")
    p.set_defaults(func=run)


# ----------------------------------------------------------------------------- run
def run(args: argparse.Namespace) -> int:
    store = _store(args)
    fmt = getattr(args, "format", "table")
    if args.action == "list":
        plans = store.deleted() if args.deleted else store.list()
        rows = [
            {
                "name": s.name,
                "versions": s.versions,
                "last_saved": s.last_saved,
                "grid": s.grid,
                "clusters": s.n_clusters,
                "note": s.last_note,
                **({"deleted": s.deleted} if args.deleted else {}),
            }
            for s in plans
        ]
        if fmt == "json":
            emit(json_text(rows), args.out)
        elif not rows:
            emit(f"no {'deleted' if args.deleted else 'saved'} plans in {store.path}", args.out)
        else:
            cols = ["name", "versions", "last_saved", "grid", "clusters", "note"]
            emit(_table(rows, [*cols, "deleted"] if args.deleted else cols), args.out)
        return 0
    if args.action == "history":
        rows = [
            {
                "version": v.version,
                "created": v.created,
                "grid": v.grid,
                "population_year": v.population_year,
                "rule_set": v.rule_set,
                "scenario": v.scenario,
                "rows": v.n_rows,
                "note": v.note,
            }
            for v in store.history(args.name)
        ]
        if fmt == "json":
            emit(json_text({"name": args.name, "versions": rows}), args.out)
        else:
            emit(_table(rows, list(rows[0]) if rows else ["version"]), args.out)
        return 0
    if args.action == "show":
        rec = store.load(args.name, args.version)
        version = args.version or store.history(args.name)[-1].version
        if fmt == "json":
            emit(json_text({"name": args.name, "version": version, **rec.to_json()}), args.out)
        else:
            emit(_describe(args.name, version, rec), args.out)
        return 0
    if args.action == "save":
        version = store.save(args.name, _read_plan_file(args), note=args.note)
        print(f"saved: {args.name} version {version} in {store.path}")
        return 0
    if args.action == "export":
        rec = store.load(args.name, args.version)
        text = rec.to_csv_text()
        emit(text, args.out)
        return 0
    if args.action == "delete":
        store.delete(args.name)
        print(f"deleted: {args.name} (undo: regiokaart plans restore NAME)")
        return 0
    store.restore(args.name)
    print(f"restored: {args.name}")
    return 0


def _describe(name: str, version: int, rec: PlanRecord) -> str:
    members: dict[str, float] = {}
    for _, cl, share in rec.rows:
        members[cl] = members.get(cl, 0.0) + share
    rows = [
        {
            "cluster": c,
            "name": rec.cluster_names.get(c, c),
            "colour": rec.colours.get(c, ""),
            "municipalities": f"{members.get(c, 0.0):g}",
        }
        for c in rec.clusters
    ]
    head = [
        f"plan: {name} (version {version}, saved {rec.created})",
        f"grid: {rec.grid}; population year: {rec.population_year or '-'}",
        f"rule set: {rec.rule_set or '-'}; scenario: {rec.scenario or '-'}; "
        f"outline: {rec.outline or '-'}",
        f"parameter overrides: {json.dumps(rec.overrides, ensure_ascii=False) if rec.overrides else '-'}",
        f"note: {rec.note or '-'}",
    ]
    if rec.is_split:
        head.append(
            "split municipalities: " + ", ".join(sorted({c for c, _, s in rec.rows if s < 1}))
        )
    head += [f"problem: {p}" for p in rec.problems]
    return "\n".join([*head, "", _table(rows, ["cluster", "name", "colour", "municipalities"])])


def _read_plan_file(args: argparse.Namespace) -> PlanRecord:
    """The plan file, validated for ``--grid`` like every other command (no move between grids:
    a plan of an older grid is kept on its own grid)."""
    from geo.context import plan_path
    from geo.plans import read_plan

    gd = grid_data(args)
    plan = read_plan(plan_path(args.plan), gd.grid, gd.crosswalk, gd.own_code, gd.display)
    return record_from_plan(
        plan,
        population_year=args.population_year,
        rule_set=args.rule_set,
        scenario=args.scenario,
    )
