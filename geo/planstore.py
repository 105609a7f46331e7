"""The plan store: every saved plan, every version of it, in one SQLite file.

Where it lives, first match wins: an explicit path (``regiokaart plans --plans-db PATH``), the
environment variable ``REGIOKAART_PLANS_DB``, else ``$XDG_DATA_HOME/regiokaart/plans.sqlite``
(default ``~/.local/share/regiokaart/plans.sqlite``).

* A plan's **name** is stored exactly as typed: any Unicode ("東京", "🚀"), 1 to 200 characters,
  no control characters, no leading or trailing spaces. Names that differ only in case or
  punctuation ("Goed plan", "GOED PLAN", "Goed-plan") are different plans.
* Every **save** adds a new version (1, 2, ...); nothing is ever overwritten. A version keeps the
  membership rows (``nis_code, cluster, share``: rows, not a pickled table), the cluster names and
  colours, the grid, population year, rule set, scenario, parameter overrides (JSON), outline
  layer, a note and a UTC timestamp; optionally the user's own comparison layer
  (:class:`StoredLayer`, schema 2).
* **Delete** is soft: the plan disappears from the list and can be restored with all versions.
* Each save is one SQLite transaction (WAL journal): a save that is killed or fails half-way
  leaves the store as it was before. The schema is versioned (``PRAGMA user_version`` and the
  ``meta`` table); older stores are migrated on open.
* The app's earlier JSON plans (one ``*.plan.json`` per plan) are imported once, each as version 1
  (:meth:`PlanStore.import_json_once`); unreadable files are reported and left where they are.

Nothing here imports Streamlit; :class:`PlanRecord` is plain data, with converters to and from
:class:`geo.plans.Plan`.
"""

from __future__ import annotations

import builtins
import contextlib
import csv
import difflib
import io
import json
import math
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.errors import PlanError, StoreError
from geo.limits import MAX_FILE_BYTES

SCHEMA_VERSION = 2
NAME_MAX = 200
NOTE_MAX = 2000
COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}")
JSON_SUFFIX = ".plan.json"
Row = tuple[str, str, float]


# ============================================================================ where
def default_db_path() -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "regiokaart" / "plans.sqlite"


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``explicit``, else ``$REGIOKAART_PLANS_DB``, else the user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("REGIOKAART_PLANS_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


def legacy_json_dir() -> Path:
    """The folder of the app's earlier JSON plans (``$REGIOKAART_PLANS_DIR`` or the default)."""
    env = os.environ.get("REGIOKAART_PLANS_DIR")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "regiokaart" / "plans"


# ============================================================================ records
LAYER_KINDS = ("table", "polygons")


@dataclass(frozen=True)
class StoredLayer:
    """A user's own comparison layer kept with a plan version (schema 2).

    ``rows`` (``nis_code, region, weight`` on the record's grid, ``0 < weight <= 1``) are what the
    overlap was computed with and are authoritative: a stored version gives the same figures even
    if the file is gone. A polygon layer also keeps its original file (``file_bytes``, at most
    :data:`geo.limits.MAX_FILE_BYTES`) so that its own polygons can be drawn again (and the layer
    derived on another grid); a membership table needs only its rows.
    """

    name: str
    kind: str
    rows: tuple[Row, ...]
    region_names: dict[str, str] = field(default_factory=dict)
    file_name: str = ""
    file_bytes: bytes | None = None
    region_column: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain values (the file as its name and size, not its bytes)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "file_name": self.file_name,
            "file_size": None if self.file_bytes is None else len(self.file_bytes),
            "region_column": self.region_column,
            "region_names": self.region_names,
            "rows": [{"nis_code": c, "region": r, "weight": w} for c, r, w in self.rows],
        }


@dataclass(frozen=True)
class PlanRecord:
    """One version of a saved plan, as plain values.

    ``rows`` are ``(nis_code, cluster, share)`` with ``0 < share <= 1``; a unit in one cluster
    has one row with share 1, a split unit one row per cluster. ``note`` and ``created`` (ISO
    8601, UTC) are set by the store when the record is saved. ``problems`` lists what was wrong
    with the stored version and dropped on loading (e.g. a colour that is not ``#RRGGBB``).
    ``layer`` is the user's own comparison layer saved with the version, if any.
    """

    grid: int
    rows: tuple[Row, ...]
    cluster_names: dict[str, str] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)
    population_year: int | None = None
    rule_set: str = ""
    scenario: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    outline: str | None = None
    note: str = ""
    created: str = ""
    problems: tuple[str, ...] = ()
    layer: StoredLayer | None = None

    @property
    def clusters(self) -> list[str]:
        seen = dict.fromkeys(c for _, c, _ in self.rows)
        return list(dict.fromkeys([*self.cluster_names, *seen]))

    @property
    def is_split(self) -> bool:
        return any(s < 1.0 for _, _, s in self.rows)

    def to_csv_text(self) -> str:
        """A plan CSV: ``nis_code,cluster,cluster_name`` (``share`` too when a unit is split)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        split = self.is_split
        w.writerow(["nis_code", "cluster", "cluster_name", *(["share"] if split else [])])
        for code, cl, share in self.rows:
            row = [code, cl, self.cluster_names.get(cl, cl)]
            w.writerow([*row, repr(float(share))] if split else row)
        return buf.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "grid": self.grid,
            "population_year": self.population_year,
            "rule_set": self.rule_set,
            "scenario": self.scenario,
            "overrides": self.overrides,
            "outline": self.outline,
            "note": self.note,
            "created": self.created,
            "cluster_names": self.cluster_names,
            "colours": self.colours,
            "rows": [{"nis_code": c, "cluster": cl, "share": s} for c, cl, s in self.rows],
            "problems": list(self.problems),
            "layer": None if self.layer is None else self.layer.to_json(),
        }


@dataclass(frozen=True)
class PlanSummary:
    name: str
    versions: int
    first_saved: str
    last_saved: str
    grid: int
    n_clusters: int
    last_note: str
    deleted: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    name: str
    version: int
    created: str
    note: str
    grid: int
    population_year: int | None
    rule_set: str
    scenario: str
    n_rows: int


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    already_done: bool = False


# ============================================================================ validation
def check_name(name: object) -> str:
    """The plan name, unchanged, or a :class:`PlanError` saying what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise PlanError("Geef het plan een naam. / Give the plan a name.")
    if len(name) > NAME_MAX:
        raise PlanError(
            f"Een plannaam heeft hoogstens {NAME_MAX} tekens (deze heeft er {len(name)}). / "
            f"A plan name has at most {NAME_MAX} characters (this one has {len(name)})."
        )
    if name != name.strip():
        raise PlanError(
            "Een plannaam begint of eindigt niet met een spatie. / "
            "A plan name cannot begin or end with a space."
        )
    bad = [ch for ch in name if unicodedata.category(ch) in ("Cc", "Cs")]
    if bad:
        raise PlanError(
            "Een plannaam mag geen stuurtekens bevatten "
            f"({', '.join(f'U+{ord(c):04X}' for c in bad[:5])}). / "
            "A plan name cannot contain control characters."
        )
    return name


def check_colour(colour: object) -> str:
    if not isinstance(colour, str) or not COLOUR_RE.fullmatch(colour):
        raise PlanError(
            f"Geen geldige kleur: {colour!r} (verwacht #RRGGBB). / "
            f"Not a valid colour: {colour!r} (expected #RRGGBB)."
        )
    return colour


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise PlanError(f"{what} must be a non-empty text, not {value!r}.")
    if any(unicodedata.category(ch) == "Cs" for ch in value):
        raise PlanError(f"{what} contains an invalid character: {value!r}.")
    return value


def _row_problems(
    rows: Sequence[tuple[str, str, float]], prefix: str, group: str, part: str
) -> list[str]:
    """Membership rows ``(nis_code, group, part)``: texts, a part in (0, 1], no pair twice, the
    parts of one municipality adding up to at most 1 (plans: cluster/share; layers: region/weight).
    """
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    totals: dict[str, float] = {}
    for i, row in enumerate(rows, start=1):
        try:
            code, grp, value = row
            _text(code, f"{prefix}nis_code")
            _text(grp, f"{prefix}{group}")
            value = float(value)
        except (PlanError, TypeError, ValueError) as exc:
            problems.append(f"{prefix}row {i}: {exc}")
            continue
        if not (0.0 < value <= 1.0) or math.isnan(value):
            problems.append(
                f"{prefix}row {i}: {part} of {code} in {grp} must be > 0 and <= 1, not {value}"
            )
        if (code, grp) in seen:
            problems.append(f"{prefix}row {i}: {code} is in {grp} twice")
        seen.add((code, grp))
        totals[code] = totals.get(code, 0.0) + value
    return problems + [
        f"the {prefix}{part}s of {c} add up to {t:.6g} (more than 1)"
        for c, t in totals.items()
        if t > 1.0 + 1e-9
    ]


def validate_record(rec: PlanRecord) -> None:
    """Every problem of a record at once, as one :class:`PlanError`."""
    problems: list[str] = []
    if not isinstance(rec.grid, int) or isinstance(rec.grid, bool):
        problems.append(f"grid must be a year, not {rec.grid!r}")
    problems += _row_problems(rec.rows, "", "cluster", "share")
    for what, mapping in (("cluster name", rec.cluster_names), ("colour", rec.colours)):
        for k, v in mapping.items():
            try:
                _text(k, f"{what} key")
                _text(v, what) if what == "cluster name" else check_colour(v)
            except PlanError as exc:
                problems.append(str(exc))
    try:
        json.dumps(rec.overrides, allow_nan=False)
        if not isinstance(rec.overrides, dict):
            raise TypeError("not a mapping")
    except (TypeError, ValueError) as exc:
        problems.append(f"parameter overrides must be plain JSON values ({exc})")
    if len(rec.note) > NOTE_MAX:
        problems.append(f"the note has more than {NOTE_MAX} characters")
    if rec.layer is not None:
        problems += _layer_problems(rec.layer)
    if problems:
        raise PlanError(
            f"Het plan kan niet bewaard worden. / The plan cannot be saved ({len(problems)} problem(s)).",
            problems,
        )


def _layer_problems(layer: StoredLayer) -> list[str]:
    problems: list[str] = []
    try:
        _text(layer.name, "layer name")
    except PlanError as exc:
        problems.append(str(exc))
    if layer.kind not in LAYER_KINDS:
        problems.append(f"layer kind must be one of {', '.join(LAYER_KINDS)}, not {layer.kind!r}")
    if not layer.rows:
        problems.append("the layer has no rows")
    problems += _row_problems(layer.rows, "layer ", "region", "weight")
    if layer.file_bytes is not None and len(layer.file_bytes) > MAX_FILE_BYTES:
        problems.append(
            f"the layer file is {len(layer.file_bytes):,} bytes; at most {MAX_FILE_BYTES:,} are kept"
        )
    for k, v in layer.region_names.items():
        try:
            _text(k, "region name key")
            _text(v, "region name")
        except PlanError as exc:
            problems.append(str(exc))
    return problems


# ============================================================================ schema
def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,          -- BINARY collation: case-sensitive, exact
            created TEXT NOT NULL,
            deleted TEXT                         -- NULL, or when it was (softly) deleted
        );
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id),
            version INTEGER NOT NULL CHECK (version >= 1),
            created TEXT NOT NULL,
            note TEXT NOT NULL,
            grid INTEGER NOT NULL,
            population_year INTEGER,
            rule_set TEXT NOT NULL,
            scenario TEXT NOT NULL,
            overrides TEXT NOT NULL,            -- JSON object
            outline TEXT,
            UNIQUE (plan_id, version)
        );
        CREATE TABLE members (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            pos INTEGER NOT NULL,
            nis_code TEXT NOT NULL,
            cluster TEXT NOT NULL,
            share REAL NOT NULL CHECK (share > 0 AND share <= 1),
            PRIMARY KEY (version_id, pos)
        );
        CREATE TABLE cluster_names (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            pos INTEGER NOT NULL,
            cluster TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (version_id, pos)
        );
        CREATE TABLE colours (
            version_id INTEGER NOT NULL REFERENCES versions(id),
            pos INTEGER NOT NULL,
            cluster TEXT NOT NULL,
            colour TEXT NOT NULL,
            PRIMARY KEY (version_id, pos)
        );
        """,
    )


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run each statement inside the caller's transaction (``executescript`` would commit)."""
    for stmt in re.sub(r"--[^\n]*", "", sql).split(";"):
        if stmt.strip():
            conn.execute(stmt)


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """A user's own comparison layer per version (optional): its rows, and for polygon layers the
    original file. Versions saved before have none; nothing else changes."""
    _script(
        conn,
        """
        CREATE TABLE user_layers (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id),
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('table', 'polygons')),
            region_column TEXT,
            region_names TEXT NOT NULL,         -- JSON object region -> display name
            file_name TEXT NOT NULL,
            file_bytes BLOB                     -- polygon layers: the original file
        );
        CREATE TABLE user_layer_members (
            version_id INTEGER NOT NULL REFERENCES user_layers(version_id),
            pos INTEGER NOT NULL,
            nis_code TEXT NOT NULL,
            region TEXT NOT NULL,
            weight REAL NOT NULL CHECK (weight > 0 AND weight <= 1),
            PRIMARY KEY (version_id, pos)
        );
        """,
    )


MIGRATIONS = {0: _migrate_0_to_1, 1: _migrate_1_to_2}  # from user_version N to N + 1


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ============================================================================ the store
class PlanStore:
    """The plan store at ``path`` (see module docstring); resolved with :func:`resolve_db_path`."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = resolve_db_path(path)
        self._ready = False

    # ------------------------------------------------------------------ connection
    def _fail(self, writing: bool, exc: BaseException) -> StoreError:
        nl, en = ("beschreven", "written") if writing else ("geopend", "opened")
        return StoreError(
            f"De plannenopslag {self.path} kan niet {nl} worden. / The plan store {self.path} "
            f"cannot be {en} ({exc}). Check the folder's permissions or choose another place "
            "with REGIOKAART_PLANS_DB or --plans-db."
        )

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._fail(False, exc) from exc
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                conn.execute("PRAGMA journal_mode = WAL")
                self._migrate(conn)
                self._ready = True
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._fail(False, exc) from exc
        return conn

    def _open_read_only(self, why: StoreError) -> sqlite3.Connection:
        """A store that exists but cannot be written (a read-only folder): readable as it is."""
        if not self.path.is_file():
            raise why
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?immutable=1", uri=True)
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error:
            raise why from None
        if not 1 <= version <= SCHEMA_VERSION:  # an older schema reads as it is (no layers)
            conn.close()
            raise why
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer Regiokaart (schema {version}; this version "
                f"reads up to {SCHEMA_VERSION}). Update Regiokaart."
            )
        while version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(version),)
                )
                conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._open()
        except StoreError as exc:
            conn = self._open_read_only(exc)
        try:
            yield conn
        except sqlite3.Error as exc:
            raise self._fail(False, exc) from exc
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._fail(True, exc) from exc
        finally:
            conn.close()

    # ------------------------------------------------------------------ lookups
    def _names(self, conn: sqlite3.Connection, deleted: bool | None = None) -> list[str]:
        q = "SELECT name FROM plans"
        if deleted is not None:
            q += " WHERE deleted IS NOT NULL" if deleted else " WHERE deleted IS NULL"
        return [r[0] for r in conn.execute(q)]

    def _plan_id(self, conn: sqlite3.Connection, name: str, *, deleted: bool = False) -> int:
        row = conn.execute("SELECT id, deleted FROM plans WHERE name = ?", (name,)).fetchone()
        if row is not None and (row[1] is not None) == deleted:
            return int(row[0])
        if row is not None and row[1] is not None:
            raise StoreError(
                f"Het plan '{name}' is verwijderd; herstel het eerst. / The plan '{name}' was "
                "deleted; restore it first (regiokaart plans restore NAME)."
            )
        if row is not None:
            raise StoreError(f"The plan '{name}' is not deleted.")
        close = difflib.get_close_matches(name, self._names(conn, deleted), n=3, cutoff=0.5)
        hint = f" Bedoelt u / did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
        what = "verwijderd plan / deleted plan" if deleted else "bewaard plan / saved plan"
        raise StoreError(f"Geen {what} '{name}'.{hint}")

    # ------------------------------------------------------------------ API
    def save(self, name: str, record: PlanRecord, note: str = "") -> int:
        """Add ``record`` as the next version of ``name`` (a new plan gets version 1)."""
        check_name(name)
        note = note or record.note
        validate_record(_with_note(record, note))
        with self._write() as conn:
            return self._insert(conn, name, record, note, _now())

    def _insert(
        self, conn: sqlite3.Connection, name: str, rec: PlanRecord, note: str, created: str
    ) -> int:
        row = conn.execute("SELECT id, deleted FROM plans WHERE name = ?", (name,)).fetchone()
        if row is None:
            plan_id = int(
                conn.execute(
                    "INSERT INTO plans (name, created) VALUES (?, ?)", (name, created)
                ).lastrowid
                or 0
            )
        elif row[1] is not None:
            raise StoreError(
                f"Er is een verwijderd plan '{name}': herstel het of kies een andere naam. / "
                f"A deleted plan is called '{name}': restore it or choose another name."
            )
        else:
            plan_id = int(row[0])
        version = int(
            conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE plan_id = ?", (plan_id,)
            ).fetchone()[0]
        )
        vid = conn.execute(
            "INSERT INTO versions (plan_id, version, created, note, grid, population_year, "
            "rule_set, scenario, overrides, outline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan_id,
                version,
                created,
                note,
                int(rec.grid),
                rec.population_year,
                rec.rule_set,
                rec.scenario,
                json.dumps(rec.overrides, ensure_ascii=False, allow_nan=False),
                rec.outline,
            ),
        ).lastrowid
        conn.executemany(
            "INSERT INTO members VALUES (?, ?, ?, ?, ?)",
            [(vid, i, c, cl, float(s)) for i, (c, cl, s) in enumerate(rec.rows)],
        )
        conn.executemany(
            "INSERT INTO cluster_names VALUES (?, ?, ?, ?)",
            [(vid, i, c, n) for i, (c, n) in enumerate(rec.cluster_names.items())],
        )
        conn.executemany(
            "INSERT INTO colours VALUES (?, ?, ?, ?)",
            [(vid, i, c, v) for i, (c, v) in enumerate(rec.colours.items())],
        )
        if rec.layer is not None:
            lay = rec.layer
            conn.execute(
                "INSERT INTO user_layers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    vid,
                    lay.name,
                    lay.kind,
                    lay.region_column,
                    json.dumps(lay.region_names, ensure_ascii=False),
                    lay.file_name,
                    None if lay.file_bytes is None else sqlite3.Binary(lay.file_bytes),
                ),
            )
            conn.executemany(
                "INSERT INTO user_layer_members VALUES (?, ?, ?, ?, ?)",
                [(vid, i, c, r, float(w)) for i, (c, r, w) in enumerate(lay.rows)],
            )
        return version

    def list(self) -> list[PlanSummary]:
        """The plans that are not deleted, last saved first."""
        return self._summaries(deleted=False)

    def deleted(self) -> builtins.list[PlanSummary]:
        """The deleted plans (restorable), last deleted first."""
        return self._summaries(deleted=True)

    def _summaries(self, deleted: bool) -> builtins.list[PlanSummary]:
        cond = "p.deleted IS NOT NULL" if deleted else "p.deleted IS NULL"
        with self._read() as conn:
            rows = conn.execute(
                "SELECT p.name, COUNT(v.id), MIN(v.created), MAX(v.created), p.deleted, "
                "(SELECT id FROM versions WHERE plan_id = p.id ORDER BY version DESC LIMIT 1) "
                f"FROM plans p JOIN versions v ON v.plan_id = p.id WHERE {cond} GROUP BY p.id"
            ).fetchall()
            out = []
            for name, n, first, last, dele, vid in rows:
                grid, note = conn.execute(
                    "SELECT grid, note FROM versions WHERE id = ?", (vid,)
                ).fetchone()
                n_clusters = conn.execute(
                    "SELECT COUNT(*) FROM (SELECT cluster FROM members WHERE version_id = ? "
                    "UNION SELECT cluster FROM cluster_names WHERE version_id = ?)",
                    (vid, vid),
                ).fetchone()[0]
                out.append(PlanSummary(name, n, first, last, grid, n_clusters, note, dele))
        key = (lambda s: s.deleted or "") if deleted else (lambda s: s.last_saved)
        return sorted(sorted(out, key=lambda s: s.name), key=key, reverse=True)

    def history(self, name: str) -> builtins.list[VersionInfo]:
        """Every version of ``name``, oldest first."""
        with self._read() as conn:
            pid = self._plan_id(conn, name)
            rows = conn.execute(
                "SELECT v.version, v.created, v.note, v.grid, v.population_year, v.rule_set, "
                "v.scenario, (SELECT COUNT(*) FROM members m WHERE m.version_id = v.id) "
                "FROM versions v WHERE plan_id = ? ORDER BY version",
                (pid,),
            ).fetchall()
        return [VersionInfo(name, *r) for r in rows]

    def load(self, name: str, version: int | None = None) -> PlanRecord:
        """Version ``version`` of ``name`` (default: the latest)."""
        with self._read() as conn:
            pid = self._plan_id(conn, name)
            if version is None:
                row = conn.execute(
                    "SELECT * FROM versions WHERE plan_id = ? ORDER BY version DESC LIMIT 1",
                    (pid,),
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT * FROM versions WHERE plan_id = ? AND version = ?", (pid, version)
                ).fetchone()
            if row is None:
                n = conn.execute(
                    "SELECT MAX(version) FROM versions WHERE plan_id = ?", (pid,)
                ).fetchone()[0]
                raise StoreError(
                    f"Het plan '{name}' heeft geen versie {version} (versies 1 tot {n}). / "
                    f"The plan '{name}' has no version {version} (versions 1 to {n})."
                )
            vid = row[0]
            members = conn.execute(
                "SELECT nis_code, cluster, share FROM members WHERE version_id = ? ORDER BY pos",
                (vid,),
            ).fetchall()
            names = conn.execute(
                "SELECT cluster, name FROM cluster_names WHERE version_id = ? ORDER BY pos",
                (vid,),
            ).fetchall()
            colours = conn.execute(
                "SELECT cluster, colour FROM colours WHERE version_id = ? ORDER BY pos", (vid,)
            ).fetchall()
            layer = _load_layer(conn, vid)
        _, _, ver, created, note, grid, pop_year, rule_set, scenario, overrides, outline = row
        problems: list[str] = []
        good_colours: dict[str, str] = {}
        for cl, colour in colours:
            if isinstance(colour, str) and COLOUR_RE.fullmatch(colour):
                good_colours[cl] = colour
            else:
                problems.append(
                    f"version {ver}: colour {colour!r} of cluster {cl!r} is not #RRGGBB; "
                    "a new colour is used"
                )
        try:
            ov = json.loads(overrides)
            if not isinstance(ov, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            problems.append(f"version {ver}: parameter overrides unreadable ({exc}); ignored")
            ov = {}
        return PlanRecord(
            grid=int(grid),
            rows=tuple((str(c), str(cl), float(s)) for c, cl, s in members),
            cluster_names={str(c): str(n) for c, n in names},
            colours=good_colours,
            population_year=None if pop_year is None else int(pop_year),
            rule_set=rule_set,
            scenario=scenario,
            overrides=ov,
            outline=outline,
            note=note,
            created=created,
            problems=tuple(problems),
            layer=layer,
        )

    def delete(self, name: str) -> None:
        """Soft delete: ``name`` leaves the list, with all versions kept for :meth:`restore`."""
        with self._write() as conn:
            pid = self._plan_id(conn, name)
            conn.execute("UPDATE plans SET deleted = ? WHERE id = ?", (_now(), pid))

    def restore(self, name: str) -> None:
        with self._write() as conn:
            pid = self._plan_id(conn, name, deleted=True)
            conn.execute("UPDATE plans SET deleted = NULL WHERE id = ?", (pid,))

    def names(self) -> builtins.list[str]:
        with self._read() as conn:
            return sorted(self._names(conn, deleted=False))

    def meta(self, key: str) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    # ------------------------------------------------------------------ JSON import
    def import_json_once(self, folder: str | os.PathLike[str] | None = None) -> ImportReport:
        """Import the app's earlier JSON plans from ``folder`` (default: where the app wrote
        them), once per store: each file becomes version 1 of a plan with its settings. Files
        are left in place; unreadable ones are reported and skipped. The import and its record
        in ``meta`` are one transaction."""
        src = Path(folder) if folder is not None else legacy_json_dir()
        if self.meta("json_import") is not None:
            return ImportReport(already_done=True)
        files = sorted(src.glob(f"*{JSON_SUFFIX}")) if src.is_dir() else []
        parsed: list[tuple[str, PlanRecord, str, str]] = []
        problems: list[str] = []
        for f in files:
            try:
                parsed.append(_read_json_plan(f))
            except (OSError, ValueError, KeyError, TypeError, PlanError) as exc:
                problems.append(f"{f}: not imported, left in place ({exc})")
        imported: list[str] = []
        try:
            return self._import(src, parsed, problems, imported)
        except StoreError as exc:
            return ImportReport((), (*problems, f"earlier JSON plans not imported: {exc}"))

    def _import(
        self,
        src: Path,
        parsed: builtins.list[tuple[str, PlanRecord, str, str]],
        problems: builtins.list[str],
        imported: builtins.list[str],
    ) -> ImportReport:
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'json_import'").fetchone():
                return ImportReport(already_done=True)
            for name, rec, note, created in sorted(parsed, key=lambda p: p[3]):
                try:
                    self._insert(conn, name, rec, note, created)
                    imported.append(name)
                except StoreError as exc:
                    problems.append(f"{name}: not imported ({exc})")
            conn.execute(
                "INSERT INTO meta VALUES ('json_import', ?)",
                (
                    json.dumps(
                        {
                            "folder": str(src),
                            "at": _now(),
                            "imported": imported,
                            "skipped": problems,
                        },
                        ensure_ascii=False,
                    ),
                ),
            )
        return ImportReport(tuple(imported), tuple(problems))


def _load_layer(conn: sqlite3.Connection, vid: int) -> StoredLayer | None:
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user_layers'"
    ).fetchone()
    if has is None:  # a schema-1 store opened read-only
        return None
    row = conn.execute(
        "SELECT name, kind, region_column, region_names, file_name, file_bytes FROM user_layers "
        "WHERE version_id = ?",
        (vid,),
    ).fetchone()
    if row is None:
        return None
    name, kind, region_column, region_names, file_name, file_bytes = row
    members = conn.execute(
        "SELECT nis_code, region, weight FROM user_layer_members WHERE version_id = ? ORDER BY pos",
        (vid,),
    ).fetchall()
    try:
        names = json.loads(region_names)
        names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}
    except ValueError:
        names = {}
    return StoredLayer(
        name=str(name),
        kind=str(kind),
        rows=tuple((str(c), str(r), float(w)) for c, r, w in members),
        region_names=names,
        file_name=str(file_name),
        file_bytes=None if file_bytes is None else bytes(file_bytes),
        region_column=None if region_column is None else str(region_column),
    )


def _with_note(rec: PlanRecord, note: str) -> PlanRecord:
    from dataclasses import replace

    return replace(rec, note=note)


def _read_json_plan(path: Path) -> tuple[str, PlanRecord, str, str]:
    doc = json.loads(path.read_text("utf-8"))
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    name = str(doc.get("name") or "").strip()
    try:
        check_name(name)
    except PlanError:
        name = path.name[: -len(JSON_SUFFIX)]
    settings = doc.get("settings") or {}
    reader = csv.DictReader(io.StringIO(str(doc["plan_csv"])))
    rows = tuple((str(r["nis_code"]), str(r["cluster"]), 1.0) for r in reader)
    cnames = {str(k): str(v) for k, v in (doc.get("cluster_names") or {}).items() if str(v)}
    colours: dict[str, str] = {}
    bad = []
    for k, v in (doc.get("colours") or {}).items():
        if isinstance(v, str) and COLOUR_RE.fullmatch(v):
            colours[str(k)] = v
        else:
            bad.append(f"{k}: {v!r}")
    year = settings.get("population_year")
    rec = PlanRecord(
        grid=int(doc["grid"]),
        rows=rows,
        cluster_names=cnames,
        colours=colours,
        population_year=int(year) if year not in (None, "") else None,
        rule_set=str(settings.get("rule_set") or ""),
        scenario=str(settings.get("scenario") or ""),
    )
    saved_at = str(doc.get("saved_at") or "")
    try:
        created = datetime.fromisoformat(saved_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        created = _now()
    note = f"imported from {path.name} (saved {saved_at})"
    if bad:
        note += f"; colours that were not #RRGGBB dropped: {', '.join(bad)}"
    validate_record(_with_note(rec, note))
    return name, rec, note, created


# ============================================================================ Plan converters
def record_from_plan(
    plan: Any,
    *,
    colours: Mapping[str, str] | None = None,
    population_year: int | None = None,
    rule_set: str = "",
    scenario: str = "",
    overrides: Mapping[str, Any] | None = None,
    outline: str | None = None,
    layer: StoredLayer | None = None,
) -> PlanRecord:
    """A :class:`PlanRecord` of a :class:`geo.plans.Plan` (its membership rows with shares, cluster
    names and grid) and the settings it was made with; ``layer``: a user's own layer to keep with
    it (:func:`stored_layer`)."""
    rows = tuple((str(c), str(cl), float(s)) for c, cl, s in plan.membership.rows)
    names = {str(k): str(v) for k, v in dict(plan.cluster_names).items()}
    return PlanRecord(
        grid=int(plan.grid),
        rows=rows,
        cluster_names=names,
        colours={str(k): str(v) for k, v in dict(colours or {}).items() if k in names},
        population_year=population_year,
        rule_set=rule_set,
        scenario=scenario,
        overrides=dict(overrides or {}),
        outline=outline or None,
        layer=layer,
    )


def plan_from_record(rec: PlanRecord, name: str = "") -> Any:
    """The :class:`geo.plans.Plan` of a record (membership rows with their shares)."""
    from geo.membership import Membership
    from geo.plans import Plan

    names = {c: rec.cluster_names.get(c, c) for c in rec.clusters}
    return Plan(membership=Membership.of(rec.grid, rec.rows), cluster_names=names, name=name)


# ============================================================================ Layer converters
def stored_layer(
    layer: Any,
    file_bytes: bytes | None = None,
    file_name: str = "",
    region_column: str | None = None,
) -> StoredLayer:
    """A user's :class:`geo.layers.Layer` to keep with a plan version.

    Parameters
    ----------
    layer : Layer
        A user layer (``kind`` ``table`` or ``polygons``) on the plan's grid.
    file_bytes : bytes, optional
        The uploaded file; kept for polygon layers only (a table's rows say everything).
    file_name : str
        The uploaded file's name.
    region_column : str, optional
        The region column chosen when the file had several candidates.
    """
    kind = "polygons" if layer.kind == "polygons" else "table"
    rows = tuple((str(c), str(r), float(w)) for c, r, w in layer.membership.rows)
    return StoredLayer(
        name=str(layer.name or layer.id),
        kind=kind,
        rows=rows,
        region_names={str(k): str(v) for k, v in dict(layer.region_names).items()},
        file_name=file_name,
        file_bytes=file_bytes if kind == "polygons" else None,
        region_column=region_column,
    )


def layer_from_stored(
    stored: StoredLayer, grid: int, data_dir: str | os.PathLike[str] | None = None
) -> Any:
    """The :class:`geo.layers.Layer` of a stored layer on ``grid`` (the record's grid), from its
    stored rows. With ``data_dir``, a polygon layer's kept file is read again for its own polygons
    (:attr:`Layer.polygons`, for the map); the figures stay those of the stored rows."""
    from dataclasses import replace

    from geo.layers import Layer, read_user_layer_bytes
    from geo.membership import Membership

    layer = Layer(
        membership=Membership.of(grid, stored.rows),
        id=stored.name,
        name=stored.name,
        kind=stored.kind,
        native_grid=grid,
        region_names=dict(stored.region_names),
        weighting="area" if stored.kind == "polygons" else "population",
        notes=(
            "weights by area: each municipality's share of area in each region; population is "
            "assumed spread evenly by area within a municipality",
        )
        if stored.kind == "polygons"
        else (),
    )
    if stored.file_bytes is not None and data_dir is not None:
        again = read_user_layer_bytes(
            stored.file_bytes, stored.file_name or "layer.gpkg", grid, data_dir,
            stored.region_column,
        )  # fmt: skip
        layer = replace(layer, polygons=again.polygons)
    return layer
