"""Saved plans in the app (the store itself is :mod:`geo.planstore`), and plan files brought in
by upload. No Streamlit here: the page calls these from its callbacks.

* :func:`settings_of` / :func:`open_state`: the settings a version keeps (grid, population year,
  rule set, scenario, parameter overrides, outline layer) and, on opening, the widget values that
  bring them back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geo.errors import PlanError, RegiokaartError
from geo.plans import Plan
from geo.planstore import (
    PlanRecord,
    PlanStore,
    StoredLayer,
    plan_from_record,
    record_from_plan,
)

__all__ = [
    "OpenState",
    "PlanStore",
    "open_state",
    "plan_from_bytes",
    "plan_from_record",
    "record_of",
]


def record_of(
    plan: Plan,
    colours: Mapping[str, str],
    *,
    grid: int,
    population_year: int,
    rule_set: str,
    scenario: str,
    overrides: Mapping[str, Mapping[str, Any]],
    outline: str,
    layer: StoredLayer | None = None,
) -> PlanRecord:
    """The version to save: the plan (membership rows with shares, cluster names), its colours
    and the settings it is being looked at with; ``layer``: the user's own layer in use
    (:func:`ui.userlayers.to_stored`)."""
    if plan.grid != grid:
        raise PlanError(f"The plan is on the {plan.grid} grid, the page on the {grid} grid.")
    ov = {k: dict(v) for k, v in overrides.items() if v}
    return record_from_plan(
        plan,
        colours=colours,
        population_year=population_year,
        rule_set=rule_set,
        scenario=scenario,
        overrides=ov,
        outline=outline or None,
        layer=layer,
    )


@dataclass(frozen=True)
class OpenState:
    """What opening a version sets: widget values (``session``), keys to clear first (``clear``:
    parameter inputs go back to their defaults before the saved overrides are applied), the grid
    and year of the editor, and notes for settings that no longer exist."""

    grid: int
    year: int
    session: dict[str, Any] = field(default_factory=dict)
    clear_prefixes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def open_state(
    rec: PlanRecord,
    grids: Iterable[int],
    years: Callable[[int], list[int]],
    rule_sets: Iterable[str],
    scenarios: Iterable[str],
    layers: Iterable[str],
) -> OpenState:
    """The settings of ``rec`` as widget values; anything this installation does not know (a
    year without data, a removed scenario) is left as it is, with a note."""
    notes: list[str] = []
    if rec.grid not in set(grids):
        raise PlanError(f"The saved plan is on the {rec.grid} grid, which the app does not show.")
    ys = years(rec.grid)
    if not ys:
        raise PlanError(f"No population data for the {rec.grid} grid.")
    year = rec.population_year if rec.population_year in ys else max(ys)
    if rec.population_year is not None and rec.population_year not in ys:
        notes.append(f"population year {rec.population_year} is not available; {year} is used")
    session: dict[str, Any] = {"grid": rec.grid, "year": year}
    rule_set = rec.rule_set
    if rule_set and rule_set in set(rule_sets):
        session["rule_set"] = rule_set
    elif rule_set:
        notes.append(f"rule set {rule_set} is not available; the current one is kept")
        rule_set = ""
    scenario = rec.scenario
    if not scenario or scenario in set(scenarios):
        session["scenario"] = scenario
    else:
        notes.append(f"scenario {scenario} is not available; the current one is kept")
        scenario = ""
    outline = rec.outline or ""
    if not outline or outline in set(layers):
        session["outline"] = outline
    else:
        notes.append(f"outline layer {outline} is not available")
    prefixes: list[str] = []
    if rule_set:
        prefixes.append(f"rp-{rule_set}-")
        for k, v in dict(rec.overrides.get("rule_set") or {}).items():
            session[f"rp-{rule_set}-{k}"] = v
    if scenario:
        prefixes.append(f"sp-{scenario}-")
        for k, v in dict(rec.overrides.get("scenario") or {}).items():
            session[f"sp-{scenario}-{k}"] = v
    notes += list(rec.problems)
    return OpenState(rec.grid, year, session, tuple(prefixes), tuple(notes))


def plan_from_bytes(data: bytes, filename: str, gd: Any) -> Plan:
    """An uploaded plan file, validated exactly like ``regiokaart evaluate --plan FILE``
    (names resolved, duplicates and double membership refused) and moved to ``gd.grid``."""
    from geo.context import load_plan

    suffix = Path(filename).suffix.lower() or ".csv"
    if suffix not in (".csv", ".txt", ".xlsx", ".xls", ".gpkg", ".geojson", ".json"):
        raise PlanError(
            f"{filename}: een plan is een CSV- of Excel-bestand. / A plan is a CSV or Excel file."
        )
    with tempfile.TemporaryDirectory() as tmp:  # a private folder, removed afterwards
        p = Path(tmp) / ("upload" + suffix)  # never the user's name (.., NUL, very long)
        p.write_bytes(data)
        try:
            plan = load_plan(p, gd)
        except RegiokaartError as exc:  # messages name the user's file, not the temporary one
            raise type(exc)(exc.message.replace(p.name, filename), exc.details) from None
    return replace(plan, name=Path(filename).stem[:200])
