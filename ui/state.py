"""The one module that owns ``st.session_state``: typed accessors with their defaults, the
settings, flash messages, the editor per grid, the live evaluation state, the map's focus, the
layer choices (shipped and the user's own) and the view's link (query parameters).

Every other module of the app reads and writes the session through these functions, so a key
has one owner and one default, and a choice made on one screen or in one language is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from geo.plans import Plan
from geo.settings import GRID_INFO
from scenarios.definitions import Scenario
from scenarios.rules import RuleSet
from ui import cache, userlayers
from ui.editor import Editor
from ui.i18n import t
from ui.mapcomponent.payload import LiveState
from ui.summary import settings_rows
from ui.text import md_escape
from ui.userlayers import UserLayer

GRIDS = tuple(sorted(GRID_INFO, reverse=True))
SS = st.session_state

# widget values that must survive a language switch and a screen switch: Streamlit forgets a
# widget's value when its label changes (a new widget id) or when it is not drawn in a run, so
# they are kept under a shadow key and given back to the widget before it is drawn
KEPT = (
    "grid", "year", "rule_set", "scenario", "outline", "show_provinces", "show_cs", "tiles",
    "start_choice", "start_layer_id", "compare_choice", "cmp_on_map", "screen", "province",
    "ov_layer", "params_open",
)  # fmt: skip
KEPT_PREFIXES = ("rp-", "sp-")


def lang() -> str:
    return str(SS.get("lang", "nl"))


def T(key: str, **values: object) -> str:
    return t(key, lang(), **values)


def keep_widgets() -> None:
    """At the start of a run: give every kept widget its value back (see :data:`KEPT`), and
    remember the values the user set in the last run."""
    shadow: dict[str, Any] = SS.setdefault("_kept", {})
    for key in list(SS):
        k = str(key)
        if k in KEPT or k.startswith(KEPT_PREFIXES) or k in shadow:
            shadow[k] = SS[k]
    for k, v in shadow.items():
        SS[k] = v


def forget(*keys: str, prefixes: tuple[str, ...] = ()) -> None:
    """Drop kept widget values (their widgets start from their defaults again)."""
    shadow: dict[str, Any] = SS.setdefault("_kept", {})
    for k in [k for k in list(SS) if str(k) in keys or str(k).startswith(prefixes or ("\0",))]:
        del SS[k]
    for k in [k for k in list(shadow) if k in keys or k.startswith(prefixes or ("\0",))]:
        del shadow[k]


def put(key: str, value: Any) -> None:
    """Set a widget's (kept) value from a callback."""
    SS[key] = value
    SS.setdefault("_kept", {})[key] = value


# ============================================================================ messages
def flash(kind: str, text: str, *, markdown: bool = False) -> None:
    """A message that stays until the next action or until dismissed. Text is escaped (it quotes
    names and file names) unless it is ``markdown`` built from escaped parts."""
    SS.setdefault("flash", []).append((kind, text if markdown else md_escape(text)))


def new_action() -> None:
    """A new action by the user: the messages of the previous one go."""
    SS["flash"] = []


def flashes() -> list[tuple[str, str]]:
    return list(SS.get("flash", []))


def dismiss() -> None:
    SS["flash"] = []


# ============================================================================ settings
@dataclass(frozen=True)
class Settings:
    grid: int
    year: int
    rule_set: RuleSet
    scenario: Scenario | None
    outline: str
    provinces: bool
    centrumsteden: bool
    tiles: bool
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    province: str | None = None  # the sidebar's province filter (None: all of Flanders)

    @property
    def alignment_layer(self) -> str:
        return self.scenario.comparison_layer if self.scenario else ""

    def describe(self) -> list[tuple[str, str]]:
        sc = self.scenario.id if self.scenario else None
        return settings_rows(self.grid, self.year, self.rule_set.id, sc, lang())


# ============================================================================ editors
def editors() -> dict[int, Editor]:
    value: dict[int, Editor] = SS.setdefault("editors", {})
    return value


def editor(grid: int, year: int) -> Editor:
    eds = editors()
    if grid not in eds:
        gd = cache.grid_data(grid, year)
        plan = cache.shipped_plan("partnerships-2017", grid, year)
        ed = Editor.start(plan, gd.adjacency, source="partnerships-2017")
        ed.meta["start_plan"] = plan
        eds[grid] = ed
    return eds[grid]


def live() -> LiveState:
    """The incremental evaluation state of the plan under edit (``Evaluator.move`` per edit)."""
    value: LiveState = SS.setdefault("rk_live", LiveState())
    return value


def layer_evaluator(grid: int, year: int, layer_id: str) -> Any:
    """The evaluator with comparison layer ``layer_id``: a shipped id (:func:`ui.cache.evaluator`)
    or one of the user's own layers (cached by the layer's content, :func:`ui.cache.user_evaluator`)."""
    own = user_layers()
    if layer_id in own:
        ul = userlayers.on_grid(own[layer_id], grid, cache.data_dir())
        return cache.user_evaluator(grid, year, ul.digest, ul.layer)
    return cache.evaluator(grid, year, layer_id)


def current_evaluation(s: Settings, plan: Plan) -> Any:
    ev = layer_evaluator(s.grid, s.year, s.alignment_layer)
    return ev.evaluate(live().get(ev, plan), s.rule_set, s.scenario)


def locked(ed: Editor) -> set[str]:
    value = ed.meta.setdefault("locked", set())
    assert isinstance(value, set)
    return value


def seq() -> int:
    return time.time_ns() // 1000


def focus(**what: Any) -> None:
    """Ask the map to zoom to (and highlight) a municipality (``code``) or a ``cluster``, or to
    zoom to ``bounds`` (south, west, north, east in EPSG:4326, e.g. a province)."""
    SS["rk_focus"] = {"seq": seq(), **what}


# ============================================================================ layers
def user_layers() -> dict[str, UserLayer]:
    """The user's own uploaded layers (``st.session_state["user_layers"]``: id →
    :class:`ui.userlayers.UserLayer`), kept for the session; the overlap screen uploads them."""
    value: dict[str, UserLayer] = SS.setdefault("user_layers", {})
    return value


def layer_options(grid: int | None = None) -> dict[str, str]:
    """Every layer the user can pick (outline, start plan, overlap, proposal): the shipped
    layers, then the user's own ("… (eigen laag)"), id → label in the current language.
    ``grid`` is for layers that exist on some grids only (all shipped layers are mapped to every
    grid today; an own layer is read again for another grid)."""
    del grid  # every layer is mapped to every grid (ui.cache.layer_as_plan)
    i = 0 if lang() == "nl" else 1
    shipped = {lid: labels[i] for lid, labels in cache.layer_choices().items()}
    return userlayers.choices(shipped, user_layers(), lang())


def own_layer(layer_id: str, grid: int) -> UserLayer | None:
    """The user's own layer ``layer_id`` read for ``grid``, or None for a shipped id."""
    ul = user_layers().get(layer_id)
    return None if ul is None else userlayers.on_grid(ul, grid, cache.data_dir())


def layer_plan(layer_id: str, grid: int) -> Plan:
    """A layer's regions as a plan (start from "Een vergelijkingslaag als clusters")."""
    ul = own_layer(layer_id, grid)
    if ul is None:
        return cache.layer_as_plan(layer_id, grid)
    from geo.layers import layer_plan as as_plan

    return as_plan(ul.layer)


def outline_url(layer_id: str, grid: int, year: int) -> str | None:
    """The map's comparison outline (a static file) of a shipped or own layer."""
    ul = own_layer(layer_id, grid)
    if ul is None:
        return cache.outline_url("comparison", grid, layer_id)
    return cache.user_outline_url(ul, cache.grid_data(grid, year).units)


# ============================================================================ screens and links
def screen(default: str) -> str:
    return str(SS.get("screen") or default)


LINK_KEYS = {  # query parameter → session key
    "grid": "grid", "year": "year", "rules": "rule_set", "scenario": "scenario",
    "outline": "outline", "lang": "lang", "screen": "screen", "province": "province",
}  # fmt: skip


def read_link() -> None:
    """On the first run of a session: take the view from the URL's query parameters (a copied
    link opens the same view). The open saved plan (``plan``, ``version``) is opened by the page."""
    if SS.get("_link_read"):
        return
    SS["_link_read"] = True
    qp = st.query_params
    for param, key in LINK_KEYS.items():
        if param in qp:
            raw = qp[param]
            put(key, int(raw) if key in ("grid", "year") and raw.isdigit() else raw)
    if "plan" in qp:
        version = qp.get("version", "")
        SS["_link_plan"] = (qp["plan"], int(version) if version.isdigit() else None)


def link_params(s: Settings) -> dict[str, str]:
    params = {
        "grid": str(s.grid), "year": str(s.year), "rules": s.rule_set.id,
        "scenario": s.scenario.id if s.scenario else "", "outline": s.outline,
        "lang": lang(), "screen": str(SS.get("screen") or ""), "province": s.province or "",
    }  # fmt: skip
    open_plan = SS.get("rk_open_plan")
    if open_plan:
        params["plan"], params["version"] = str(open_plan[0]), str(open_plan[1] or "")
    return {k: v for k, v in params.items() if v}


def write_link(s: Settings) -> None:
    """Keep the URL's query parameters equal to the view (only when they differ)."""
    params = link_params(s)
    if {k: st.query_params[k] for k in st.query_params} != params:
        st.query_params.from_dict(params)
