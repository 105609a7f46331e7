"""Cluster colours that colour-blind readers can tell apart.

The palette starts with the Okabe-Ito colours (safe for the common forms of colour blindness) and
continues with Paul Tol's *light* scheme. Clusters get colours by greedy colouring of the cluster
adjacency graph, so two neighbouring clusters never share a colour when the palette allows it
(a map of regions rarely needs more than five). Unassigned municipalities are a neutral light grey.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from geo.errors import PlanError

PALETTE: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#77AADD",  # Tol light blue
    "#EE8866",  # Tol orange
    "#EEDD88",  # Tol light yellow
    "#FFAABB",  # Tol pink
    "#99DDFF",  # Tol light cyan
    "#44BB99",  # Tol mint
    "#BBCC33",  # Tol pear
    "#AAAA00",  # Tol olive
)
UNASSIGNED = "#DDDDDD"
OUTLINE = "#444444"

_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


# --------------------------------------------------------------------------- the colour validator
# Colours come in from saved plans, imports, the colour picker and the editor; every one passes
# here. Only ``#RRGGBB`` is accepted: anything else ("red", "<script>…") is refused with a message
# (or dropped with a note where a whole plan is read), never passed on to HTML, CSS or the map.
def valid_colour(value: object) -> bool:
    """True for a string ``#RRGGBB`` (hex digits, either case)."""
    return isinstance(value, str) and _HEX.fullmatch(value) is not None


def check_colour(value: object) -> str:
    """The colour in upper case, or :class:`PlanError` with a message."""
    if not valid_colour(value):
        shown = repr(value)[:40]
        raise PlanError(
            f"Geen geldige kleur: {shown}; gebruik #RRGGBB. / "
            f"Not a valid colour: {shown}; use #RRGGBB."
        )
    return str(value).upper()


def safe_colour(value: object, default: str = UNASSIGNED) -> str:
    """The colour if valid, else ``default`` (for output: HTML, CSS, the map)."""
    return str(value).upper() if valid_colour(value) else default


def clean_colours(colours: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
    """Valid colours (upper case) and a message for each refused one."""
    good: dict[str, str] = {}
    problems: list[str] = []
    for k, v in colours.items():
        if valid_colour(v):
            good[str(k)] = str(v).upper()
        else:
            problems.append(
                f"Kleur van cluster {str(k)[:60]!r} geweigerd: {repr(v)[:40]} (geen #RRGGBB). / "
                f"Colour of cluster {str(k)[:60]!r} refused: {repr(v)[:40]} (not #RRGGBB)."
            )
    return good, problems


def cluster_neighbours(
    assignment: Mapping[str, str], adjacency: Mapping[str, Iterable[str]]
) -> dict[str, set[str]]:
    """Clusters that share a border (via adjacent member municipalities)."""
    out: dict[str, set[str]] = {c: set() for c in set(assignment.values())}
    for code, cl in assignment.items():
        for other in adjacency.get(code, ()):
            oc = assignment.get(other)
            if oc is not None and oc != cl:
                out[cl].add(oc)
    return out


def assign_colours(
    clusters: Iterable[str],
    neighbours: Mapping[str, set[str]],
    keep: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A colour per cluster: ``keep`` first (e.g. user choices), then greedy over the palette,
    largest neighbourhoods first, avoiding neighbours' colours; least-used colour as tie-break."""
    keep = dict(keep or {})
    colours = {c: keep[c] for c in clusters if c in keep}
    todo = sorted(
        (c for c in clusters if c not in colours), key=lambda c: (-len(neighbours.get(c, ())), c)
    )
    for c in todo:
        taken = {colours[n] for n in neighbours.get(c, ()) if n in colours}
        free = [p for p in PALETTE if p not in taken] or list(PALETTE)
        used = list(colours.values())
        colours[c] = min(free, key=lambda p: (used.count(p), PALETTE.index(p)))
    return colours


def next_colour(colours: Mapping[str, str]) -> str:
    """The least-used palette colour (for a new, still empty cluster)."""
    used = list(colours.values())
    return min(PALETTE, key=lambda p: (used.count(p), PALETTE.index(p)))
