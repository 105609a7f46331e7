"""Plans: an assignment of the municipalities of one grid to named clusters.

A plan file is a CSV with header ``nis_code,cluster`` and an optional ``cluster_name`` (extra columns,
such as ``municipality_name``, are allowed and ignored). A ``municipality`` (or ``gemeente``) column with
names may replace ``nis_code``; names are resolved like everywhere else. One row per assigned
municipality; unassigned municipalities are simply absent.

A :class:`Plan` holds a *membership* table (``nis_code``, ``cluster``, ``share``). ``share`` is 1 for
every row of a plan read from a file; a plan moved to a later grid keeps, for a merged municipality
whose predecessors were in different clusters (or partly unassigned), the population share of each part,
so totals are preserved exactly. Plans are immutable; editing methods return a new plan.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from geo.atomic import atomic_write_text
from geo.cells import csv_cell, unsafe_frame
from geo.codes import Crosswalk, is_brussels, is_flemish, normalise_code
from geo.errors import GridError, PlanError, RegiokaartError
from geo.limits import check_table_file
from geo.settings import GRIDS

CODE_COLUMNS = ("nis_code", "nis", "niscode", "refnis", "code")
NAME_COLUMNS = ("municipality", "gemeente", "municipality_name", "naam", "name")


@dataclass(frozen=True)
class Plan:
    """Municipalities of one grid assigned to clusters (see module docstring)."""

    grid: int
    membership: pd.DataFrame  # columns nis_code, cluster, share
    cluster_names: Mapping[str, str] = field(default_factory=dict)
    name: str = ""
    notes: tuple[str, ...] = ()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_assignment(
        cls,
        grid: int,
        assignment: Mapping[str, str] | pd.Series,
        cluster_names: Mapping[str, str] | None = None,
        name: str = "",
    ) -> Plan:
        items = assignment.items()
        m = pd.DataFrame(
            [(str(k), str(v), 1.0) for k, v in items], columns=["nis_code", "cluster", "share"]
        )
        names = dict(cluster_names or {})
        return cls(grid, _sorted(m), {c: names.get(c, c) for c in m["cluster"].unique()}, name)

    @classmethod
    def empty(cls, grid: int, name: str = "") -> Plan:
        return cls.from_assignment(grid, {}, {}, name)

    # ------------------------------------------------------------------ views
    @property
    def assignment(self) -> pd.Series:
        """One cluster per municipality (for a split unit: the cluster with the largest share)."""
        m = self.membership
        if m.empty:
            return pd.Series([], dtype="str", index=pd.Index([], name="nis_code"), name="cluster")
        top = m.sort_values(["nis_code", "share", "cluster"], ascending=[True, False, True])
        s = top.drop_duplicates("nis_code").set_index("nis_code")["cluster"]
        s.name = "cluster"
        return s

    @property
    def clusters(self) -> list[str]:
        return sorted(self.cluster_names)

    @property
    def split_units(self) -> pd.DataFrame:
        """Rows of municipalities that are not wholly in one cluster (moved plans only)."""
        m = self.membership
        return m[m["share"] < 1.0]

    def members(self, cluster: str) -> list[str]:
        m = self.membership
        return sorted(m.loc[m["cluster"] == cluster, "nis_code"])

    def display_name(self, cluster: str) -> str:
        return self.cluster_names.get(cluster, cluster)

    # ------------------------------------------------------------------ edits (return new plans)
    def assign(self, nis_code: str, cluster: str | None, cluster_name: str | None = None) -> Plan:
        """Put a municipality wholly in ``cluster`` (``None`` unassigns it)."""
        m = self.membership[self.membership["nis_code"] != nis_code]
        names = dict(self.cluster_names)
        if cluster is not None:
            m = pd.concat(
                [m, pd.DataFrame([(nis_code, cluster, 1.0)], columns=m.columns)], ignore_index=True
            )
            names.setdefault(cluster, cluster_name or cluster)
        return replace(self, membership=_sorted(m), cluster_names=names)

    def rename(self, cluster: str, new_name: str) -> Plan:
        if cluster not in self.cluster_names:
            raise PlanError(f"No cluster '{cluster}'.")
        return replace(self, cluster_names={**self.cluster_names, cluster: new_name})

    def merge(self, source: str, target: str) -> Plan:
        """Move every member of ``source`` to ``target`` and drop ``source``."""
        if source not in self.cluster_names or target not in self.cluster_names:
            raise PlanError(f"Cannot merge '{source}' into '{target}': unknown cluster.")
        m = self.membership.copy()
        m.loc[m["cluster"] == source, "cluster"] = target
        m = m.groupby(["nis_code", "cluster"], as_index=False)["share"].sum()
        names = {k: v for k, v in self.cluster_names.items() if k != source}
        return replace(self, membership=_sorted(m), cluster_names=names)

    def delete(self, cluster: str) -> Plan:
        """Drop a cluster; its members become unassigned."""
        m = self.membership[self.membership["cluster"] != cluster]
        names = {k: v for k, v in self.cluster_names.items() if k != cluster}
        return replace(self, membership=_sorted(m), cluster_names=names)

    def add_cluster(self, cluster: str, cluster_name: str | None = None) -> Plan:
        if cluster in self.cluster_names:
            raise PlanError(f"Cluster '{cluster}' exists already.")
        return replace(self, cluster_names={**self.cluster_names, cluster: cluster_name or cluster})

    # ------------------------------------------------------------------ output
    def to_csv_text(self) -> str:
        """The plan as plan-file CSV (``nis_code,cluster,cluster_name``; split units by majority).
        Text starting with = + - @ tab or CR gets a leading ``'`` (see geo.cells; read back intact)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["nis_code", "cluster", "cluster_name"])
        for code, cluster in self.assignment.items():
            w.writerow(map(csv_cell, [code, cluster, self.display_name(cluster)]))
        return buf.getvalue()


def _sorted(m: pd.DataFrame) -> pd.DataFrame:
    m = m.astype({"nis_code": "str", "cluster": "str", "share": "float64"})
    return m.sort_values(["nis_code", "cluster"]).reset_index(drop=True)


# ---------------------------------------------------------------------------- reading


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise PlanError(f"Plan file not found: {path}")
    if path.is_dir():
        raise PlanError(f"{path} is a folder, not a plan file.")
    check_table_file(path, error=PlanError)  # size, rows, zip bomb: before parsing
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str)
        else:
            text = path.read_bytes().decode("utf-8-sig")
            sep = (
                ";"
                if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",")
                else ","
            )
            df = pd.read_csv(io.StringIO(text), dtype=str, sep=sep, skip_blank_lines=True)
    except UnicodeDecodeError as exc:
        raise PlanError(f"{path.name} is not UTF-8 text (save the CSV as UTF-8): {exc}") from exc
    except pd.errors.EmptyDataError:
        raise PlanError(f"{path.name} is empty.") from None
    except Exception as exc:
        raise PlanError(f"Cannot read {path.name} as a plan: {exc}") from exc
    df = unsafe_frame(df)  # a cluster '=x written as "'=x" reads back as "=x" (geo.cells)
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def parse_plan_table(
    df: pd.DataFrame,
    grid: int,
    unit_codes: Iterable[str],
    crosswalk: Crosswalk,
    resolve_name: object = None,
    source: str = "plan",
) -> tuple[int, pd.DataFrame, dict[str, str]]:
    """Validate a plan table; return (the grid its codes belong to, membership, cluster names).

    All problems are collected and raised together as one :class:`PlanError` with row numbers
    (row 2 is the first data row, as in a spreadsheet).
    """
    if grid not in GRIDS:
        raise GridError(f"Unknown grid '{grid}'. Choose one of {', '.join(map(str, GRIDS))}.")
    code_col = next((c for c in CODE_COLUMNS if c in df.columns), None)
    name_col = next((c for c in NAME_COLUMNS if c in df.columns), None)
    if "cluster" not in df.columns or (code_col is None and name_col is None):
        raise PlanError(
            f"{source}: a plan needs the columns 'nis_code' (or 'municipality') and 'cluster'; "
            f"found {', '.join(df.columns) or 'none'}."
        )
    if df.empty:
        raise PlanError(f"{source} has a header but no rows.")
    problems: list[str] = []
    codes: list[str | None] = []
    for i, row in enumerate(df.itertuples(index=False), start=2):
        rec = dict(zip(df.columns, row, strict=True))
        raw_code = rec.get(code_col) if code_col else None
        code: str | None = None
        if raw_code is not None and not pd.isna(raw_code) and str(raw_code).strip():
            try:
                code = normalise_code(raw_code)
            except ValueError as exc:
                problems.append(f"row {i}: {exc}")
        elif name_col and not pd.isna(rec.get(name_col)) and callable(resolve_name):
            try:
                code = resolve_name(str(rec[name_col]))
            except RegiokaartError as exc:
                problems.append(f"row {i}: {exc}")
        else:
            problems.append(f"row {i}: no municipality code or name")
        cl = rec.get("cluster")
        if cl is None or pd.isna(cl) or not str(cl).strip():
            problems.append(f"row {i}: empty cluster")
        codes.append(code)
    if problems:
        raise PlanError(f"{source}: {len(problems)} problem(s) in the plan.", problems)
    clusters = df["cluster"].astype(str).str.strip()
    cnames = df["cluster_name"] if "cluster_name" in df.columns else clusters
    names: dict[str, str] = {}
    for cl, nm in zip(clusters, cnames, strict=True):
        nm = cl if pd.isna(nm) or not str(nm).strip() else str(nm).strip()
        names.setdefault(cl, nm)
    table = pd.DataFrame({"nis_code": codes, "cluster": clusters, "row": range(2, len(df) + 2)})
    # which grid do the codes belong to?
    unit_set = set(unit_codes)
    all_codes = set(table["nis_code"])
    plan_grid = grid
    if not all_codes <= unit_set:
        fits = [g for g in GRIDS if all_codes <= {c for c in crosswalk.codes(g) if is_flemish(c)}]
        earlier = [g for g in fits if g < grid]
        if earlier:
            plan_grid = earlier[-1]
        else:
            for r in table.itertuples():
                code = str(r.nis_code)
                if code in unit_set:
                    continue
                if is_brussels(code):
                    problems.append(
                        f"row {r.row}: {code} is a Brussels municipality; Brussels is context only"
                    )
                elif not is_flemish(code):
                    problems.append(f"row {r.row}: {code} is not a Flemish municipality")
                else:
                    homes = crosswalk.grids_of(code)
                    where = (
                        f"a code of the {', '.join(map(str, homes))} grid" if homes else "unknown"
                    )
                    problems.append(f"row {r.row}: {code} is not on the {grid} grid ({where})")
            hint = (
                f" The codes fit the {fits[0]} grid; use --grid {fits[0]}."
                if fits and fits[0] > grid
                else ""
            )
            raise PlanError(f"{source}: codes that are not on the {grid} grid.{hint}", problems)
    # duplicates and municipalities in two clusters
    for code, grp in table.groupby("nis_code"):
        if len(grp) < 2:
            continue
        rows = ", ".join(f"row {r} ({c})" for r, c in zip(grp["row"], grp["cluster"], strict=True))
        if grp["cluster"].nunique() > 1:
            problems.append(f"{code} is assigned to more than one cluster: {rows}")
        else:
            problems.append(f"{code} is listed twice: {rows}")
    if problems:
        raise PlanError(f"{source}: {len(problems)} municipality(ies) assigned twice.", problems)
    membership = _sorted(table.assign(share=1.0)[["nis_code", "cluster", "share"]])
    return plan_grid, membership, names


def move_plan(
    plan: Plan, target: int, crosswalk: Crosswalk, weights: pd.Series | None = None
) -> Plan:
    """Move a plan to a later grid. A merged municipality whose parts were in different clusters
    (or partly unassigned) keeps each part's share, by ``weights`` (population on the plan's grid)
    or, without weights, by count of predecessors. Totals weighted by ``weights`` are preserved."""
    if target == plan.grid:
        return plan
    mapping = crosswalk.mapping(plan.grid, target)
    preds = crosswalk.predecessors(plan.grid, target)
    w = weights if weights is not None else pd.Series(1.0, index=list(mapping))
    m = plan.membership.copy()
    m["new"] = m["nis_code"].map(mapping)
    m["w"] = m["nis_code"].map(w).astype(float).to_numpy() * m["share"].to_numpy(dtype=float)
    denom = {new: float(sum(w.get(p, 0.0) for p in ps)) for new, ps in preds.items()}
    d = m["new"].map(denom).astype(float)
    m["share"] = (m["w"] / d.where(d > 0)).fillna(1.0).astype(float)
    out = m.groupby(["new", "cluster"], as_index=False)["share"].sum()
    out = out.rename(columns={"new": "nis_code"})
    out["share"] = out["share"].clip(upper=1.0)
    out.loc[(out["share"] - 1.0).abs() < 1e-12, "share"] = 1.0
    notes = [*plan.notes, f"moved from the {plan.grid} grid to the {target} grid"]
    split = out[out["share"] < 1.0]
    for code, grp in split.groupby("nis_code"):
        parts = ", ".join(f"{c} {s:.1%}" for c, s in zip(grp["cluster"], grp["share"], strict=True))
        names = ", ".join(preds[str(code)])
        notes.append(f"{code} (from {names}) is split: {parts}")
    return Plan(target, _sorted(out), dict(plan.cluster_names), plan.name, tuple(notes))


def read_plan(
    path: str | os.PathLike[str],
    grid: int,
    unit_codes: Iterable[str],
    crosswalk: Crosswalk,
    resolve_name: object = None,
) -> Plan:
    """Read and validate a plan file for ``grid`` (no moving between grids; see ``load_plan``)."""
    p = Path(path)
    df = _read_table(p)
    plan_grid, membership, names = parse_plan_table(
        df, grid, unit_codes, crosswalk, resolve_name, source=p.name
    )
    return Plan(plan_grid, membership, names, name=p.stem)


def write_plan_atomic(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Write the plan CSV atomically: a temporary file in the same folder, fsync, then rename."""
    return atomic_write_text(path, plan.to_csv_text())
