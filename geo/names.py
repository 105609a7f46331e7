"""Municipality names to NIS codes, as people write them.

Handles case, accents, hyphens and spaces, "Sint-"/"St.-"/"St ", administrative
prefixes ("Stad", "Gemeente", "OCMW"), REFNIS homonym suffixes ("Beveren (Sint-Niklaas)"), French and
German names, and pre-merger names (Zomergem, Opglabbeek), which resolve to their successor on a later
grid. A name that does not resolve raises :class:`UnknownNameError` naming the closest matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.codes import arrondissement_of, is_flemish, load_crosswalk, read_refnis
from geo.errors import GridError, UnknownNameError
from geo.grids import check_grid, load_units
from geo.settings import GRIDS
from geo.suggest import close_matches

_PREFIX_RE = re.compile(r"^(stad|gemeente|ocmw|city of|ville de|commune de)\s+")
_PAREN_RE = re.compile(r"\s*\(.*?\)\s*")
_QUALIFIED_RE = re.compile(r"^(.+?) \((.+)\)$")
#: Names in common use that are not official (normalised form -> official normalised form).
ALIASES: dict[str, str] = {"moerbeke-waas": "moerbeke"}


def normalise_name(name: str) -> str:
    """A comparison key: lower case, no accents, one spelling of Sint-, single hyphens."""
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    s = s.lower().strip()
    s = s.replace("’", "'").replace("`", "'")
    s = _PREFIX_RE.sub("", s)
    s = re.sub(r"\bst\.?\s*-?\s*", "sint-", s)  # St.-Truiden, St Truiden, St-Truiden
    s = re.sub(r"[\s_\-\.']+", "-", s)
    s = re.sub(r"-?\(-?", " (", s).replace("-)", ")").replace(")-", ") ")
    return s.strip("-")


def _strip_suffix(key: str) -> str:
    return _PAREN_RE.sub(" ", key).strip().strip("-").replace(" ", "-")


@dataclass(frozen=True)
class NameIndex:
    """Normalised name -> candidate codes on one grid, with display names for suggestions."""

    grid: int
    exact: dict[str, frozenset[str]]
    loose: dict[str, frozenset[str]]
    display: dict[str, str]
    later_only: dict[str, str]

    def lookup(self, name: str, suggest: bool = True) -> tuple[str, str | None]:
        """The code for ``name`` and, when the name was read in an unusual way, a note.

        A name with a place in parentheses that is not its REFNIS form ("Beveren (Roeselare)")
        is read as the municipality named in the parentheses when that is another municipality
        (a section of it), with a note; never as the homonym (Beveren 46003).
        """
        key = ALIASES.get(normalise_name(name), normalise_name(name))
        m = _QUALIFIED_RE.match(key)
        if m and key not in self.exact and key not in self.loose:
            base, qual = m.group(1), m.group(2)
            hits = self.exact.get(base) or self.loose.get(base) or frozenset()
            fits = [
                c
                for c in hits
                if qual
                in (normalise_name(self.display.get(c, c)), normalise_name(arrondissement_of(c)))
            ]
            if len(fits) == 1:
                return fits[0], None
            qhits = self.exact.get(qual) or frozenset()
            if len(qhits) == 1:
                q = next(iter(qhits))
                if q in hits:
                    return q, None
                others = ", ".join(f"{self.display.get(c, c)} ({c})" for c in sorted(hits))
                note = (
                    f"'{name}' read as {self.display.get(q, q)} ({q}), the municipality named in "
                    f"parentheses (a part of it)" + (f", not {others}" if others else "")
                )
                return q, note
            if hits and len(hits) > 1:
                opts = ", ".join(f"{self.display.get(c, c)} ({c})" for c in sorted(hits))
                raise UnknownNameError(f"'{name}' is ambiguous on the {self.grid} grid: {opts}.")
        return self.resolve(name, suggest), None

    def resolve(self, name: str, suggest: bool = True) -> str:
        """The code for ``name``; an unknown name raises naming the closest matches (with
        ``suggest=False``, without them: fast, for long lists of problems)."""
        key = normalise_name(name)
        key = ALIASES.get(key, key)
        for table in (self.exact, self.loose):
            for k in (key, _strip_suffix(key)):
                hits = table.get(k)
                if hits and len(hits) == 1:
                    return next(iter(hits))
                if hits:
                    opts = ", ".join(sorted(self.display.get(c, c) for c in hits))
                    raise UnknownNameError(
                        f"'{name}' is ambiguous on the {self.grid} grid: {opts}."
                    )
        if key in self.later_only or _strip_suffix(key) in self.later_only:
            info = self.later_only.get(key) or self.later_only[_strip_suffix(key)]
            raise GridError(f"'{name}' does not exist on the {self.grid} grid: {info}.")
        if not suggest:
            raise UnknownNameError(f"Unknown municipality '{name}' on the {self.grid} grid.")
        close = close_matches(key, list(self.exact), n=3, cutoff=0.6)  # fast, cached
        hint = (
            " Closest: " + ", ".join(self._show(k) for k in close) + "."
            if close
            else " No close match."
        )
        raise UnknownNameError(f"Unknown municipality '{name}' on the {self.grid} grid.{hint}")

    def _show(self, key: str) -> str:
        codes = sorted(self.exact[key])
        return " / ".join(f"{self.display.get(c, c)} ({c})" for c in codes)

    def resolve_many(self, names: list[str]) -> list[str]:
        return [self.resolve(n) for n in names]


@lru_cache(maxsize=8)
def name_index(grid: int, data_dir: Path) -> NameIndex:
    """Build the index for ``grid`` from the grid's own names and REFNIS history since 1977."""
    grid = check_grid(grid)
    data_dir = Path(data_dir)
    units = load_units(grid, data_dir)
    cw = load_crosswalk(data_dir)
    display = dict(zip(units.index, units["name"], strict=True))
    exact: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}

    def add(table: dict[str, set[str]], name: str, code: str) -> None:
        key = normalise_name(name)
        table.setdefault(key, set()).add(code)
        stripped = _strip_suffix(key)
        if stripped != key:
            loose.setdefault(stripped, set()).add(code)

    for code, name in display.items():
        add(exact, name, code)
    refnis = read_refnis(data_dir)
    refnis = refnis[
        (refnis["end"] >= pd.Timestamp("1977-01-01")) & refnis["nis_code"].map(is_flemish)
    ]
    later_only: dict[str, str] = {}
    fwd_cache: dict[int, dict[str, str]] = {}
    for row in refnis.itertuples():
        code = str(row.nis_code)
        homes = cw.grids_of(code)
        if not homes:
            continue
        home = homes[0]
        if home <= grid:
            fwd = fwd_cache.setdefault(home, cw.mapping(home, grid))
            target = fwd.get(code)
            if target is None:
                continue
            for n in {row.TX_REFNIS_NL, row.TX_REFNIS_FR, row.TX_REFNIS_DE}:
                add(exact if n == row.TX_REFNIS_NL else loose, str(n), target)
        else:
            preds = [display.get(p, p) for p, n in cw.mapping(grid, home).items() if n == code]
            later_only[normalise_name(str(row.TX_REFNIS_NL))] = (
                f"it exists from the {home} grid on (formed from {', '.join(sorted(preds))})"
            )
    # names of later grids not in REFNIS (2025 mergers)
    for later in (g for g in GRIDS if g > grid):
        later_units = load_units(later, data_dir)
        back = cw.mapping(grid, later)
        for code, name in zip(later_units.index, later_units["name"], strict=True):
            key = normalise_name(name)
            if key in exact or key in later_only:
                continue
            preds = [display.get(p, p) for p, n in back.items() if n == code]
            later_only[key] = (
                f"it exists from the {later} grid on (formed from {', '.join(sorted(preds))})"
            )
    return NameIndex(
        grid,
        {k: frozenset(v) for k, v in exact.items()},
        {k: frozenset(v) for k, v in loose.items()},
        display,
        later_only,
    )


def resolve_name(name: str, grid: int, data_dir: Path) -> str:
    """The NIS code on ``grid`` for a municipality name (see module docstring)."""
    return name_index(grid, Path(data_dir)).resolve(name)


def _same_name(name: str, official: str) -> bool:
    key = normalise_name(name)
    off = normalise_name(official)
    return key == off or _strip_suffix(key) == _strip_suffix(off)


def own_code(
    name: str, grid: int, data_dir: Path, suggest: bool = True
) -> tuple[str, int, str | None]:
    """The municipality ``name`` denotes, on the finest grid where it is a municipality.

    A current name gives its unit on ``grid``; a pre-merger name ("Zomergem", "Kruibeke" on the
    2025 grid) gives its own code on the last grid where it was a municipality, so that a table
    naming several parts of one merged municipality can be moved with population shares.

    Returns
    -------
    (code, grid of that code, note or None)
    """
    data_dir = Path(data_dir)
    idx = name_index(grid, data_dir)
    code, note = idx.lookup(name, suggest)
    if note is not None or _same_name(name, idx.display.get(code, "")):
        return code, grid, note
    cw = load_crosswalk(data_dir)
    for g in sorted((x for x in GRIDS if x < grid), reverse=True):
        try:
            old, _ = name_index(g, data_dir).lookup(name, suggest=False)
        except (UnknownNameError, GridError):
            continue
        if _same_name(name, name_index(g, data_dir).display.get(old, "")) and (
            cw.mapping(g, grid).get(old) == code
        ):
            return old, g, None
    return code, grid, None
