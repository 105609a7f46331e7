"""The membership model: units of one grid assigned to groups, with a share per (unit, group).

Plans (groups = clusters) and comparison layers (groups = regions; a layer's *weight* is the share)
are both a :class:`Membership`. This module holds the one model, the one reader of membership tables
(CSV/XLSX, NIS codes or names, an optional ``share`` column), the one validator (every problem at
once, with row numbers) and the one mover between grids (population-weighted shares).

Shares: ``0 < share <= 1``; the shares of one unit add up to at most 1 (the rest is unassigned).
A unit whose shares are below 1 is *split*. Shares within :data:`TOLERANCE` of 1 are snapped to 1.
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from geo.cells import unsafe_frame
from geo.codes import Crosswalk, is_brussels, is_flemish, normalise_code
from geo.errors import GridError, PlanError, RegiokaartError
from geo.limits import check_table_file, check_vector_file
from geo.settings import GRIDS

#: One tolerance for every share comparison (sums, snapping to 1).
TOLERANCE = 1e-9
#: Shares are kept to this many decimals, so that every writer (CSV, XLSX with its 16 significant
#: digits, GeoPackage, GeoJSON) reads back the very same number.
SHARE_DECIMALS = 12
#: Columns of :attr:`Membership.frame`.
COLUMNS = ("nis_code", "cluster", "share")

CODE_COLUMNS = ("nis_code", "nis", "niscode", "refnis", "code", "gemeente_code")
NAME_COLUMNS = ("municipality", "gemeente", "municipality_name", "naam", "name")
SHARE_COLUMNS = ("share", "aandeel")
#: Layers call the share a weight.
LAYER_SHARE_COLUMNS = ("weight", "share", "aandeel")

Row = tuple[str, str, float]


def _snap(share: float) -> float:
    return 1.0 if abs(share - 1.0) < TOLERANCE else round(float(share), SHARE_DECIMALS)


@dataclass(frozen=True)
class Membership:
    """Units of ``grid`` assigned to groups with shares (immutable, hashable, comparable).

    Parameters
    ----------
    grid : int
        The municipality grid the unit codes belong to.
    rows : tuple of (nis_code, cluster, share)
        Sorted by (nis_code, cluster), one row per pair. Build it with :meth:`of` or
        :meth:`from_frame`, which sort, merge repeated pairs and check the shares.
    """

    grid: int
    rows: tuple[Row, ...] = ()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def of(cls, grid: int, rows: Iterable[tuple[str, str, float]]) -> Membership:
        """A membership from (nis_code, cluster, share) triples.

        Repeated (unit, cluster) pairs are summed; zero shares dropped; shares near 1 snapped to
        1, others rounded to :data:`SHARE_DECIMALS` decimals.

        Raises
        ------
        PlanError
            A share outside (0, 1] or the shares of one unit adding up to more than 1.
        """
        acc: dict[tuple[str, str], float] = {}
        for code, cluster, share in rows:
            key = (str(code), str(cluster))
            acc[key] = acc.get(key, 0.0) + float(share)
        total: dict[str, float] = {}
        out: list[Row] = []
        for (code, cluster), share in sorted(acc.items()):
            if share <= TOLERANCE:
                continue
            s = _snap(share)
            total[code] = total.get(code, 0.0) + s
            out.append((code, cluster, s))
        over = sorted(c for c, t in total.items() if t > 1.0 + TOLERANCE)
        if over:
            raise PlanError(
                "Shares of a municipality add up to more than 1: " + ", ".join(over[:10]) + "."
            )
        return cls(int(grid), tuple(out))

    @classmethod
    def from_frame(cls, grid: int, frame: pd.DataFrame) -> Membership:
        """A membership from a frame with ``nis_code``, ``cluster`` and optional ``share``."""
        shares = frame["share"] if "share" in frame.columns else pd.Series(1.0, index=frame.index)
        return cls.of(
            grid,
            zip(
                frame["nis_code"].astype(str),
                frame["cluster"].astype(str),
                shares.astype(float),
                strict=True,
            ),
        )

    @classmethod
    def from_assignment(cls, grid: int, assignment: Mapping[str, str]) -> Membership:
        """Every unit of ``assignment`` wholly in its cluster."""
        return cls.of(grid, ((str(k), str(v), 1.0) for k, v in assignment.items()))

    # ------------------------------------------------------------------ views
    @cached_property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (``nis_code``, ``cluster``, ``share``); cached, do not modify."""
        if not self.rows:
            return pd.DataFrame(
                {
                    "nis_code": pd.Series([], dtype="str"),
                    "cluster": pd.Series([], dtype="str"),
                    "share": pd.Series([], dtype="float64"),
                }
            )
        codes, clusters, shares = zip(*self.rows, strict=True)
        return pd.DataFrame(
            {
                "nis_code": pd.Series(codes, dtype="str"),
                "cluster": pd.Series(clusters, dtype="str"),
                "share": pd.Series(shares, dtype="float64"),
            }
        )

    @property
    def codes(self) -> frozenset[str]:
        """Units with at least one share."""
        return frozenset(r[0] for r in self.rows)

    @property
    def clusters(self) -> list[str]:
        """Groups with at least one member, sorted."""
        return sorted({r[1] for r in self.rows})

    @property
    def is_split(self) -> bool:
        """True when any unit is not wholly in one group."""
        return any(r[2] < 1.0 for r in self.rows)

    def majority(self) -> dict[str, str]:
        """One group per unit: the one with the largest share (ties: the first by name)."""
        best: dict[str, tuple[float, str]] = {}
        for code, cluster, share in self.rows:
            cur = best.get(code)
            if cur is None or share > cur[0]:
                best[code] = (share, cluster)
        return {c: v[1] for c, v in best.items()}

    def shares_by_unit(self) -> dict[str, float]:
        """Total share per unit (at most 1)."""
        out: dict[str, float] = {}
        for code, _, share in self.rows:
            out[code] = out.get(code, 0.0) + share
        return out

    # ------------------------------------------------------------------ edits
    def replace_rows(self, rows: Iterable[tuple[str, str, float]]) -> Membership:
        """A membership on the same grid with other rows."""
        return Membership.of(self.grid, rows)


# ============================================================================ moving between grids
def move_membership(
    membership: Membership,
    target: int,
    crosswalk: Crosswalk,
    weights: Mapping[str, float] | pd.Series | None = None,
    rest_label: str = "unassigned",
) -> tuple[Membership, tuple[str, ...]]:
    """Move a membership to a later grid; return it and notes naming every split unit.

    A merged municipality gets, per group, the ``weights``-weighted share of its predecessors
    (``weights``: population on the membership's grid; without them each predecessor counts
    equally), so weighted totals are preserved exactly.

    Parameters
    ----------
    membership : Membership
        On an older grid (or ``target`` itself: returned unchanged).
    target : int
        The later grid.
    crosswalk : Crosswalk
        The grid crosswalk.
    weights : mapping, optional
        Weight (population) per unit of ``membership.grid``.
    rest_label : str
        How the notes call the part of a unit in no group.

    Returns
    -------
    (Membership, tuple of str)

    Raises
    ------
    GridError
        ``target`` is older than the membership's grid, or a code is not on its grid.
    """
    source = membership.grid
    if target == source:
        return membership, ()
    mapping = crosswalk.mapping(source, target)  # raises GridError backwards
    preds = crosswalk.predecessors(source, target)
    unknown = sorted(membership.codes - set(mapping))
    if unknown:
        raise GridError(f"Codes not on the {source} grid: {', '.join(unknown[:10])}.")
    w = (lambda c: 1.0) if weights is None else (lambda c: float(weights.get(c, 0.0)))
    denom = {new: sum(w(p) for p in ps) for new, ps in preds.items()}
    acc: dict[tuple[str, str], float] = {}
    for code, cluster, share in membership.rows:
        new = mapping[code]
        d = denom[new]
        part = share * w(code) / d if d > 0 else share / len(preds[new])
        acc[(new, cluster)] = acc.get((new, cluster), 0.0) + part
    moved = Membership.of(target, ((c, g, min(s, 1.0)) for (c, g), s in acc.items()))
    notes = [f"moved from the {source} grid to the {target} grid (population-weighted shares)"]
    by_unit: dict[str, list[tuple[str, float]]] = {}
    for code, cluster, share in moved.rows:
        by_unit.setdefault(code, []).append((cluster, share))
    for code, parts in by_unit.items():
        if len(parts) == 1 and parts[0][1] == 1.0:
            continue
        text = ", ".join(f"{c} {s:.1%}" for c, s in parts)
        rest = 1.0 - sum(s for _, s in parts)
        if rest > TOLERANCE:
            text += f", {rest_label} {rest:.1%}"
        names = ", ".join(crosswalk.names.get(p, p) for p in preds[code])
        notes.append(f"{code} (from {names}) is split: {text}")
    return moved, tuple(notes)


# ============================================================================ reading tables
#: Sheets (XLSX) or layers (GeoPackage) of Regiokaart's own exports that hold the membership.
MEMBERSHIP_SHEETS = ("membership", "municipalities")
#: Top-level member of Regiokaart's GeoJSON exports holding the membership (see geo.export).
GEOJSON_MEMBERSHIP = "regiokaart_membership"
GEO_SUFFIXES = (".gpkg", ".geojson", ".json")


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text (floats exactly, by ``repr``), missing cells as ``None``."""
    out = {}
    for c in df.columns:
        out[c] = [
            None
            if v is None or (isinstance(v, float) and pd.isna(v))
            else repr(v)
            if isinstance(v, float)
            else str(v)
            for v in df[c].tolist()
        ]
    return pd.DataFrame(out, columns=df.columns)


def _read_geo(p: Path) -> pd.DataFrame:
    """The membership rows of a GeoPackage or GeoJSON written by Regiokaart (or any vector file
    whose attributes hold ``nis_code``/``cluster``); rows without a cluster are unassigned."""
    import json

    if p.suffix.lower() in (".geojson", ".json"):
        doc = json.loads(p.read_text("utf-8"))
        member = doc.get(GEOJSON_MEMBERSHIP) if isinstance(doc, dict) else None
        if isinstance(member, dict):
            df = pd.DataFrame(member.get("rows", []), columns=member.get("columns"))
        else:
            feats = doc.get("features", []) if isinstance(doc, dict) else []
            df = pd.DataFrame([f.get("properties") or {} for f in feats])
    else:
        import pyogrio

        layers = [str(name) for name, _ in pyogrio.list_layers(p)]
        layer = next((x for x in MEMBERSHIP_SHEETS if x in layers), layers[0] if layers else None)
        df = pd.DataFrame(pyogrio.read_dataframe(p, layer=layer, read_geometry=False))
    df = _as_text(df)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "cluster" in df.columns:
        df = df[df["cluster"].map(lambda v: not _blank(v))].reset_index(drop=True)
    return df


def read_table(path: str | os.PathLike[str], what: str = "plan") -> pd.DataFrame:
    """Read a membership table as text columns: CSV (``,`` or ``;``, UTF-8), XLSX (the sheet
    ``membership`` or ``municipalities`` when there is one, else the first), or Regiokaart's own
    GeoPackage/GeoJSON exports (their membership rows, shares included).

    Column names are stripped and lower-cased.

    Raises
    ------
    PlanError
        Missing, a folder, empty, not UTF-8, or unreadable.
    """
    p = Path(path)
    if not p.exists():
        raise PlanError(f"{what.capitalize()} file not found: {p}")
    if p.is_dir():
        raise PlanError(f"{p} is a folder, not a {what} file.")
    if p.stat().st_size == 0:
        raise PlanError(f"{p.name} is empty (0 bytes).")
    # size, rows, zip bombs: checked before parsing (geo.limits)
    if p.suffix.lower() in GEO_SUFFIXES:
        check_vector_file(p, error=PlanError)
    else:
        check_table_file(p, error=PlanError)
    try:
        if p.suffix.lower() in GEO_SUFFIXES:
            df = _read_geo(p)
        elif p.suffix.lower() in (".xlsx", ".xls"):
            engine = "openpyxl" if p.suffix.lower() == ".xlsx" else None
            with pd.ExcelFile(p, engine=engine) as book:
                names = [str(s) for s in book.sheet_names]
                sheet = next((s for s in MEMBERSHIP_SHEETS if s in names), names[0])
                df = _as_text(pd.read_excel(book, sheet_name=sheet))
        else:
            text = p.read_bytes().decode("utf-8-sig")
            if not text.strip():
                raise PlanError(f"{p.name} is empty.")
            first = text.split("\n", 1)[0]
            sep = ";" if first.count(";") > first.count(",") else ","
            df = pd.read_csv(io.StringIO(text), dtype=str, sep=sep, skip_blank_lines=True)
    except PlanError:
        raise
    except UnicodeDecodeError as exc:
        raise PlanError(f"{p.name} is not UTF-8 text (save the CSV as UTF-8): {exc}") from exc
    except pd.errors.EmptyDataError:
        raise PlanError(f"{p.name} is empty.") from None
    except Exception as exc:
        raise PlanError(f"Cannot read {p.name} as a {what} table: {exc}") from exc
    df = unsafe_frame(df)  # a cluster '=x written as "'=x" reads back as "=x" (geo.cells)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if len(df.columns) == 0:
        raise PlanError(f"{p.name} is empty (no header row).")
    return df


# ============================================================================ validating tables
#: Resolves a municipality name on a grid: ``(name, grid, suggest)`` -> (own code, own grid, note
#: or None); ``suggest=False`` asks for an error without closest matches (fast).
NameResolver = Callable[[str, int, bool], tuple[str, int, str | None]]
#: Closest-match suggestions are computed for this many problems; later ones are reported without
#: (a long list of bad rows stays fast).
SUGGESTION_LIMIT = 50


@dataclass(frozen=True)
class ParsedTable:
    """A validated membership table (see :func:`parse_table`)."""

    membership: Membership
    names: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or not str(v).strip()


def _code_problem(
    code: str, grid: int, homes: list[int], display: Mapping[str, str], suggest: bool = True
) -> str:
    if is_brussels(code):
        return f"{code} is a Brussels municipality; Brussels is context only"
    if not is_flemish(code):
        return f"{code} is not a Flemish municipality"
    if homes:
        later = min(homes)
        return (
            f"{code} is not on the {grid} grid (a code of the {', '.join(map(str, homes))} grid"
            f"{'; use --grid ' + str(later) if later > grid else ''})"
        )
    close = difflib.get_close_matches(code, list(display), n=3, cutoff=0.6) if suggest else []
    hint = "; closest: " + ", ".join(f"{c} ({display[c]})" for c in close) if close else ""
    return f"unknown NIS code {code}{hint}"


class _Codes:
    """Code sets and predecessor lists of the crosswalk, computed once per table."""

    def __init__(self, crosswalk: Crosswalk) -> None:
        self.crosswalk = crosswalk
        self.sets = {g: frozenset(crosswalk.codes(g)) for g in GRIDS}
        self._preds: dict[tuple[int, int], dict[str, list[str]]] = {}

    def homes(self, code: str) -> list[int]:
        return [g for g in GRIDS if code in self.sets[g]]

    def expand(self, code: str, home: int, grid: int) -> list[str] | None:
        """``code`` (a unit of ``home``) on ``grid``: itself, its predecessors (``grid`` older),
        or ``None`` when it would have to be merged (only the mover may do that)."""
        if code in self.sets[grid]:
            return [code]
        if grid < home:
            key = (grid, home)
            if key not in self._preds:
                self._preds[key] = self.crosswalk.predecessors(grid, home)
            return sorted(self._preds[key].get(code, []))
        return None


def parse_table(
    df: pd.DataFrame,
    grid: int,
    crosswalk: Crosswalk,
    resolve_name: NameResolver | None = None,
    *,
    group_columns: tuple[str, ...] = ("cluster",),
    group_name_column: str = "cluster_name",
    source: str = "plan",
    error: type[RegiokaartError] = PlanError,
    display: Mapping[str, str] | None = None,
    group_label: str = "cluster",
    share_columns: tuple[str, ...] = SHARE_COLUMNS,
) -> ParsedTable:
    """Validate a membership table for ``grid``; every problem is reported at once.

    Rows hold a NIS code (or a municipality name) and a group, with an optional share (0 < share
    <= 1; absent = 1). Row numbers are as in a spreadsheet (row 2 is the first data row). Codes of
    an older grid, and pre-merger names, are kept on the finest grid that holds every row without
    merging any: the result's grid may be older than ``grid`` (move it with
    :func:`move_membership`).

    Parameters
    ----------
    df : DataFrame
        The table (lower-case column names, text cells).
    grid : int
        The grid asked for.
    crosswalk : Crosswalk
        The grid crosswalk.
    resolve_name : callable, optional
        ``(name, grid, suggest) -> (code, code's grid, note)``; needed when the table has names.
    group_columns : tuple of str
        Candidate column names of the group (``cluster``; layers: ``region`` ...).
    group_name_column : str
        Optional column with display names of the groups.
    source : str
        File name for messages.
    error : type
        The error class raised.
    display : mapping, optional
        Display names of the units of ``grid`` (for code suggestions).
    group_label : str
        What a group is called in messages ("cluster", "region").
    share_columns : tuple of str
        Candidate names of the share column (layers: ``weight``).

    Returns
    -------
    ParsedTable

    Raises
    ------
    RegiokaartError (``error``)
        With every problem as a detail line.
    """
    if grid not in GRIDS:
        raise GridError(f"Unknown grid '{grid}'. Choose one of {', '.join(map(str, GRIDS))}.")
    code_col = next((c for c in CODE_COLUMNS if c in df.columns), None)
    name_col = next((c for c in NAME_COLUMNS if c in df.columns and c != group_name_column), None)
    group_col = next((c for c in group_columns if c in df.columns), None)
    share_col = next((c for c in share_columns if c in df.columns), None)
    if group_col is None or (code_col is None and name_col is None):
        raise error(
            f"{source}: a table needs the columns 'nis_code' (or 'municipality') and "
            f"'{group_columns[0]}'; found {', '.join(map(str, df.columns)) or 'none'}."
        )
    if df.empty:
        raise error(f"{source} has a header but no rows.")
    display = dict(display or {})
    known = _Codes(crosswalk)
    resolved: dict[tuple[str, bool], tuple[str, int, str | None] | RegiokaartError] = {}
    problems: list[tuple[int, str]] = []
    notes: list[str] = []
    # per row: (row, own code, own grid, group, share)
    parsed: list[tuple[int, str, int, str, float]] = []
    names: dict[str, str] = {}
    records = df.to_dict("records")
    for i, rec in enumerate(records, start=2):
        ok = True
        group = rec.get(group_col)
        if _blank(group):
            problems.append((i, f"row {i}: empty {group_col}"))
            ok = False
        else:
            group = str(group).strip()
            gname = rec.get(group_name_column)
            names.setdefault(group, group if _blank(gname) else str(gname).strip())
        share = 1.0
        raw_share = rec.get(share_col) if share_col else None
        if not _blank(raw_share):
            try:
                share = float(str(raw_share).replace(",", ".").strip())
            except ValueError:
                share = float("nan")
            if not 0.0 < share <= 1.0:
                problems.append(
                    (i, f"row {i}: {share_col} '{raw_share}' is not a number in (0, 1]")
                )
                ok = False
        code: str | None = None
        home = grid
        raw_code = rec.get(code_col) if code_col else None
        if not _blank(raw_code):
            try:
                code = normalise_code(raw_code)
            except ValueError as exc:
                problems.append((i, f"row {i}: {exc}"))
            else:
                homes = known.homes(code) if is_flemish(code) else []
                if grid in homes:
                    home = grid
                elif homes and min(homes) < grid:
                    home = max(g for g in homes if g < grid)
                else:
                    why = _code_problem(
                        code, grid, homes, display, len(problems) < SUGGESTION_LIMIT
                    )
                    problems.append((i, f"row {i}: {why}"))
                    code = None
        elif name_col and not _blank(rec.get(name_col)):
            if resolve_name is None:
                problems.append((i, f"row {i}: names cannot be resolved here; give NIS codes"))
            else:
                raw_name = str(rec[name_col])
                suggest = len(problems) < SUGGESTION_LIMIT
                if (raw_name, suggest) not in resolved:
                    try:
                        resolved[(raw_name, suggest)] = resolve_name(raw_name, grid, suggest)
                    except RegiokaartError as exc:
                        resolved[(raw_name, suggest)] = exc
                hit = resolved[(raw_name, suggest)]
                if isinstance(hit, RegiokaartError):
                    problems.append((i, f"row {i}: {hit}"))
                else:
                    code, home, note = hit
                    if note:
                        notes.append(f"row {i}: {note}")
        else:
            problems.append((i, f"row {i}: no municipality code or name"))
        if code is not None and ok:
            parsed.append((i, code, home, str(group), share))
    # the finest grid needed: the oldest own grid of any row (rows of later grids expand back)
    base = min((h for _, _, h, _, _ in parsed), default=grid)
    expanded: list[tuple[int, str, str, float]] = []
    for i, code, home, group, share in parsed:
        on_base = known.expand(code, home, base)
        if on_base is None:  # a code that exists on base under a merged successor: cannot happen
            problems.append((i, f"row {i}: {code} cannot be placed on the {base} grid"))
            continue
        expanded += [(i, c, group, share) for c in on_base]
    # duplicates, double membership and shares over 1, per unit of the base grid
    by_code: dict[str, list[tuple[int, str, float]]] = {}
    for i, c, group, share in expanded:
        by_code.setdefault(c, []).append((i, group, share))
    explicit = share_col is not None
    for c, items in sorted(by_code.items()):
        total = sum(s for _, _, s in items)
        if len(items) < 2 or total <= 1.0 + TOLERANCE:
            continue
        rows = ", ".join(f"row {i} ({g})" for i, g, _ in items)
        first = items[0][0]
        label = f"{c} ({display[c]})" if c in display else c
        if explicit and any(s < 1.0 for _, _, s in items):
            problems.append((first, f"{label}: shares add up to {total:.3g}, more than 1: {rows}"))
        elif len({g for _, g, _ in items}) > 1:
            problems.append((first, f"{label} is assigned to more than one {group_label}: {rows}"))
        else:
            problems.append((first, f"{label} is listed twice: {rows}"))
    if problems:
        problems.sort(key=lambda t: t[0])
        raise error(f"{source}: {len(problems)} problem(s) in the table.", [p for _, p in problems])
    membership = Membership.of(base, ((c, g, s) for _, c, g, s in expanded))
    return ParsedTable(membership, names, tuple(notes))
