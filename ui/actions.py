"""What the screens' callbacks share: the error guard (a refused action becomes a message that
stays), the checked upload, the plan store and a saved plan moved to the grid on view."""

from __future__ import annotations

import functools
from typing import Any

from geo.context import carry_plan
from geo.errors import PlanError, RegiokaartError
from geo.limits import check_table_file
from geo.plans import Plan
from geo.planstore import PlanStore, resolve_db_path
from ui import cache
from ui.i18n import error_text
from ui.state import T, flash, lang, new_action
from ui.store import plan_from_record


def guard(fn: Any) -> Any:
    """A callback: a new action (the last action's messages go); a refused one becomes an error
    message (the domain's words translated; names escaped)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        new_action()
        try:
            fn(*args, **kwargs)
        except RegiokaartError as exc:
            flash("error", f"{T('error')}: {error_text(str(exc), lang())}")

    return run


def checked_upload(f: Any) -> bytes:
    """An uploaded plan file's bytes, after the limits (size, rows, zip bomb; geo.limits)."""
    data = f.getvalue()
    check_table_file(data, f.name, error=PlanError)
    return bytes(data)


def plan_store() -> PlanStore:
    """The plan store (``REGIOKAART_PLANS_DB`` or the user data folder), opened once per process
    with the earlier JSON plans imported on first start."""
    return cache.plan_store(str(resolve_db_path()))[0]


def saved_plan_on_grid(name: str, version: int | None, grid: int, year: int) -> Plan:
    """A saved version as a plan on ``grid`` (a plan of an older grid is moved, as a carry)."""
    rec = plan_store().load(name, version)
    gd = cache.grid_data(grid, year)
    plan = plan_from_record(rec, name)
    if rec.grid > grid:
        raise PlanError(f"'{name}' is saved on the {rec.grid} grid; choose that grid.")
    plan = carry_plan(plan, gd)  # a plan of an older grid is moved (population-weighted shares)
    check_codes(plan, gd)
    return plan


def check_codes(plan: Plan, gd: Any) -> None:
    unknown = sorted(set(plan.membership.codes) - set(gd.units.index))
    if unknown:
        raise PlanError(
            f"{len(unknown)} code(s) are not on the {gd.grid} grid: {', '.join(unknown[:10])}"
        )
