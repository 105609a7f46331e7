"""Comparison layers: other regional divisions to hold a plan against.

A layer *as loaded* is a :class:`Layer`: a :class:`geo.membership.Membership` (its grid explicit)
whose groups are regions, the *weight* of a municipality in a region being its share (1 for
membership tables, fractions when a municipality is split), with ``id``, ``name``, ``partial``,
``native_grid`` (the grid the source is defined on), ``kind``, ``notes`` (plain-language remarks,
e.g. split municipalities), ``region_names`` and ``weighting``. ``layer.frame`` is the table
``nis_code``, ``region``, ``weight`` that :func:`geo.overlap.cluster_alignment` reads.

The shipped layers are declared in ``geo/layers.toml``; :func:`registry` reads it. Users bring their
own layer with :func:`read_user_layer` (membership CSV/XLSX, or polygons: GeoPackage, GeoJSON, zipped
Shapefile).

Moving a layer between grids (decision, see docs/overlap-findings.md):

* **to a later grid** (layer on 2018/2019, analysis on 2025): the crosswalk sums predecessors; a merged
  municipality whose predecessors were in different regions (or partly outside the layer) gets
  fractional weights by the predecessors' population, and a note names it.
* **to an earlier grid** (layer on 2025, plan on 2018): each pre-merger municipality *inherits* the
  region(s) of its successor. Mergers only ever join whole municipalities, so a predecessor lies
  inside its successor and therefore inside the successor's region: for whole memberships this is
  exact. Only if the successor itself is split between regions (fractional weights) is the inherited
  fraction an approximation, and a note says so. We do this instead of moving the plan forward, which
  would split the plan's clusters and change the units being compared.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.codes import (
    Crosswalk,
    arrondissement_of,
    is_flemish,
    load_crosswalk,
    normalise_code,
    province_of,
)
from geo.errors import CRSError, GridError, LayerError, PlanError
from geo.grids import check_grid, load_units, require_same_crs
from geo.limits import check_table_file, check_vector_file
from geo.membership import (
    CODE_COLUMNS,
    LAYER_SHARE_COLUMNS,
    NAME_COLUMNS,
    Membership,
    move_membership,
    parse_table,
    read_table,
)
from geo.settings import CRS_METRIC, GRIDS, PARTNERSHIPS_DIR
from geo.sources import checked_path

LAYERS_TOML = Path(__file__).resolve().parent / "layers.toml"
#: The partial labels of layers.toml in Dutch (labels and captions of the app).
PARTIAL_NL = {"PARTIAL": "ONVOLLEDIG", "VERY PARTIAL": "ZEER ONVOLLEDIG"}
LAYER_COLUMNS = ["nis_code", "region", "weight"]
#: Pieces of a municipality smaller than this share of its area are digitising slivers and dropped;
#: a municipality covered for at least 1 - SLIVER is treated as wholly covered.
SLIVER = 0.001
#: Two user polygons of different regions may overlap by at most this share of the smaller one.
OVERLAP_TOLERANCE = 0.001

REGION_COLUMNS = (
    "region",
    "region_name",
    "regio",
    "gebied",
    "zone",
    "cluster",
    "naam",
    "name",
    "id",
)
TABLE_REGION_COLUMNS = ("region", "region_name", "regio", "gebied", "zone", "cluster")


# ------------------------------------------------------------------------------------ registry
@dataclass(frozen=True)
class LayerInfo:
    """One shipped layer, as declared in ``geo/layers.toml``."""

    id: str
    name_nl: str
    name_en: str
    kind: str
    source: str
    partial: bool = False
    partial_label: str = ""
    note: str = ""
    file: str = ""
    #: further membership files of a ``regions-csv`` layer, merged with ``file`` (same columns)
    supplements: tuple[str, ...] = ()
    grid: int | None = None
    variants: dict[int, tuple[str, ...]] = field(default_factory=dict)
    regions: tuple[str, ...] = ()
    exclude_regions: tuple[str, ...] = ()
    code_column: str = ""
    region_column: str = ""
    polygons: str = ""
    field: str = ""

    @property
    def grids(self) -> list[int]:
        """The grid(s) the source is defined on (every grid for NIS-derived layers)."""
        if self.kind == "nis":
            return sorted(GRIDS)
        if self.variants:
            return sorted(self.variants)
        return [int(self.grid)] if self.grid is not None else []

    def label(self, lang: str = "nl") -> str:
        name = self.name_en if lang == "en" else self.name_nl
        if not (self.partial and self.partial_label):
            return name
        mark = self.partial_label if lang == "en" else PARTIAL_NL.get(self.partial_label, "")
        return f"{name} ({mark or self.partial_label})"

    def data_files(self) -> list[str]:
        """Files of the data directory this layer reads (all in the source manifest)."""
        if self.kind in ("regions-csv", "pinc"):
            return [self.file, *self.supplements]
        return []


@lru_cache(maxsize=2)
def _registry(path: Path) -> dict[str, LayerInfo]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LayerError(f"Cannot read the layer registry {path}: {exc}") from exc
    out: dict[str, LayerInfo] = {}
    for d in raw.get("layer", []):
        d = dict(d)
        d["variants"] = {int(k): tuple(v) for k, v in d.get("variants", {}).items()}
        for k in ("regions", "exclude_regions", "supplements"):
            d[k] = tuple(d.get(k, ()))
        info = LayerInfo(**d)
        if info.kind not in ("regions-csv", "pinc", "nis", "plan"):
            raise LayerError(f"Layer '{info.id}' in {path.name}: unknown kind '{info.kind}'.")
        if info.id in out:
            raise LayerError(f"Layer id '{info.id}' appears twice in {path.name}.")
        out[info.id] = info
    return out


def registry() -> dict[str, LayerInfo]:
    """The shipped layers by id, in the order of ``geo/layers.toml``."""
    return dict(_registry(LAYERS_TOML))


def layer_info(layer_id: str) -> LayerInfo:
    reg = registry()
    if layer_id not in reg:
        close = difflib.get_close_matches(layer_id, list(reg), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise LayerError(
            f"Unknown layer '{layer_id}'.{hint} Shipped layers: {', '.join(reg)}; or give the path "
            "of a layer file (CSV/XLSX membership table, GeoPackage, GeoJSON, zipped Shapefile)."
        )
    return reg[layer_id]


# ------------------------------------------------------------------------------------ helpers
#: DataFrame reads a :class:`Layer` answers from its table (``layer.set_index(...)`` etc.).
_FRAME_READS = frozenset(
    {"loc", "iloc", "set_index", "groupby", "empty", "columns", "sort_values", "merge",
     "rename", "copy", "to_dict", "itertuples", "drop_duplicates", "index"}
)  # fmt: skip


@dataclass(frozen=True, eq=False, kw_only=True)
class Layer:
    """A comparison layer: a :class:`~geo.membership.Membership` whose groups are regions (a
    municipality's *weight* in a region is its share), with the layer's metadata.

    The grid is the membership's (explicit, never ``DataFrame.attrs``). :attr:`frame` is the
    table ``nis_code``, ``region``, ``weight``; item access and a few DataFrame reads
    (``layer["nis_code"]``, ``layer.set_index(...)``) read that table.
    """

    membership: Membership
    id: str
    name: str = ""
    partial: bool = False
    kind: str = ""
    native_grid: int | None = None
    notes: tuple[str, ...] = ()
    region_names: Mapping[str, str] = field(default_factory=dict)
    weighting: str = "population"
    #: A polygon layer's own regions (dissolved by region, EPSG:31370; columns ``region``,
    #: ``geometry``); ``None`` for layers made of municipalities. See :func:`display_outlines`.
    polygons: gpd.GeoDataFrame | None = field(default=None, repr=False)

    @property
    def grid(self) -> int:
        return self.membership.grid

    @cached_property
    def frame(self) -> pd.DataFrame:
        """``nis_code``, ``region``, ``weight`` (cached; do not modify)."""
        return self.membership.frame.rename(columns={"cluster": "region", "share": "weight"})

    @property
    def attrs(self) -> dict[str, Any]:
        """The metadata as a plain dict (for reports; the grid comes from the membership)."""
        return {
            "grid": self.grid, "layer": self.id, "name": self.name or self.id,
            "partial": self.partial, "kind": self.kind,
            "native_grid": self.native_grid if self.native_grid is not None else self.grid,
            "notes": self.notes, "region_names": dict(self.region_names),
            "weighting": self.weighting,
        }  # fmt: skip

    def __getitem__(self, key: Any) -> Any:
        return self.frame[key]

    def __len__(self) -> int:
        return len(self.membership.rows)

    def __getattr__(self, name: str) -> Any:
        if name in _FRAME_READS:
            return getattr(self.frame, name)
        raise AttributeError(name)

    def subset(self, codes: set[str] | frozenset[str], keep: bool = True) -> Layer:
        """The layer restricted to ``codes`` (or, ``keep=False``, without them)."""
        rows = [r for r in self.membership.rows if (r[0] in codes) == keep]
        return replace(self, membership=Membership(self.grid, tuple(rows)))


def make_layer(
    table: pd.DataFrame,
    grid: int,
    layer_id: str,
    name: str,
    partial: bool,
    kind: str,
    notes: tuple[str, ...] = (),
    native_grid: int | None = None,
    region_names: Mapping[str, str] | None = None,
    weighting: str = "population",
) -> Layer:
    """A :class:`Layer` from a table ``nis_code``, ``region``, ``weight`` on ``grid``."""
    m = table[LAYER_COLUMNS].rename(columns={"region": "cluster", "weight": "share"})
    try:
        members = Membership.from_frame(int(grid), m)
    except PlanError as exc:
        raise LayerError(f"Layer '{layer_id}': {exc.message}", exc.details) from None
    return Layer(
        membership=members, id=layer_id, name=name, partial=bool(partial), kind=kind,
        native_grid=native_grid if native_grid is not None else int(grid), notes=tuple(notes),
        region_names=dict(region_names or {}), weighting=weighting,
    )  # fmt: skip


def _whole(codes: list[str], regions: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"nis_code": codes, "region": regions, "weight": 1.0})


def _population_weights(grid: int, data_dir: Path) -> pd.Series:
    """Population of the latest available year on ``grid`` (to weight forward moves)."""
    from geo.population import available_years, data_grid_for_year, load_population

    years = [y for y in available_years(data_dir) if data_grid_for_year(y) == grid]
    if not years:
        raise GridError(f"No population on the {grid} grid to weight a layer move.")
    return load_population(max(years), grid, data_dir).astype(float)


def move_layer(
    layer: Layer, target: int, crosswalk: Crosswalk, weights: pd.Series | None = None
) -> Layer:
    """Move a layer to ``target`` grid (see the module docstring: forward sums, backward inherits).

    ``weights`` (population on the layer's grid) weight forward moves; without them each predecessor
    counts equally. Notes name every municipality that ends up split between regions.
    """
    source = layer.grid
    target = check_grid(target)
    notes = list(layer.notes)
    if source == target:
        return layer
    names = crosswalk.names
    if source < target:
        try:
            moved, move_notes = move_membership(
                layer.membership, target, crosswalk, weights, rest_label="outside the layer"
            )
        except GridError as exc:
            raise GridError(f"Layer '{layer.id}': {exc.message}") from None
        notes += list(move_notes)
        return replace(layer, membership=moved, notes=tuple(notes))
    else:
        back = crosswalk.mapping(target, source)  # old code -> successor
        by_new = {c: g for c, g in layer.frame.groupby("nis_code")}
        rows = []
        for old, new in back.items():
            g = by_new.get(new)
            if g is None:
                continue
            rows.append(g.assign(nis_code=old))
            if old != new and (len(g) > 1 or g["weight"].iloc[0] < 1.0):
                notes.append(
                    f"{old} ({names.get(old, old)}) inherits the split of its {source} successor "
                    f"{new}; its fractions are approximate"
                )
        out = pd.concat(rows, ignore_index=True) if rows else layer.frame.iloc[0:0].copy()
        notes.append(
            f"defined on the {source} grid; each {target}-grid municipality inherits the region of "
            f"its {source}-grid successor (exact for whole memberships: mergers join whole "
            "municipalities)"
        )
    inherited = make_layer(out, target, layer.id, layer.name, layer.partial, layer.kind)
    return replace(layer, membership=inherited.membership, notes=tuple(notes))


# ------------------------------------------------------------------------------- shipped layers
def layer_rows(layer_id: str, data_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """The membership rows of a ``regions-csv`` layer as read, every file merged (``file`` +
    ``supplements``), each row with its own ``source`` and ``source_date`` and the ``file`` it came
    from. A municipality listed in two files for the same grid variant is an error."""
    info = layer_info(layer_id)
    if info.kind != "regions-csv":
        raise LayerError(f"Layer '{layer_id}' is not a membership table ({info.kind}).")
    return _regions_rows(info, Path(data_dir)).copy()


def _regions_rows(info: LayerInfo, data_dir: Path) -> pd.DataFrame:
    return _regions_rows_cached(info.id, data_dir)


@lru_cache(maxsize=16)
def _regions_rows_cached(layer_id: str, data_dir: Path) -> pd.DataFrame:
    info = layer_info(layer_id)
    frames = []
    for f in info.data_files():
        df = pd.read_csv(checked_path(data_dir, f), dtype=str)
        frames.append(df.assign(file=f))
    rows = pd.concat(frames, ignore_index=True)
    rows["nis_code"] = rows["nis_code"].map(normalise_code)
    for grid, variants in info.variants.items():
        sel = rows[rows["region_layer"].isin(variants)]
        dup = sel[sel["nis_code"].duplicated(keep=False)]
        if len(set(dup["file"])) > 1:
            raise LayerError(
                f"Layer '{info.id}' ({grid} grid): municipalities listed in more than one of "
                f"{', '.join(info.data_files())}: {', '.join(sorted(set(dup['nis_code']))[:10])}"
            )
    return rows


def _read_regions_csv(info: LayerInfo, grid: int, data_dir: Path) -> pd.DataFrame:
    df = _regions_rows(info, data_dir)
    keep = set(info.variants[grid])
    df = df[df["region_layer"].isin(keep)]
    if info.regions:
        df = df[df["region_name"].isin(info.regions)]
    df = df[~df["region_name"].isin(info.exclude_regions)]
    codes = [normalise_code(c) for c in df["nis_code"]]
    return _whole(codes, df["region_name"].str.strip().tolist())


def _read_pinc(info: LayerInfo, grid: int, data_dir: Path) -> pd.DataFrame:
    df = pd.read_excel(checked_path(data_dir, info.file), dtype=str)
    df = df.dropna(subset=[info.code_column, info.region_column])
    codes = df[info.code_column].map(normalise_code)
    grid_codes = set(load_crosswalk(data_dir).codes(grid))
    keep = codes.map(lambda c: is_flemish(c) and c in grid_codes)
    keep &= ~df[info.region_column].isin(info.exclude_regions)
    return _whole(codes[keep].tolist(), df.loc[keep, info.region_column].str.strip().tolist())


def _read_nis(info: LayerInfo, grid: int, data_dir: Path) -> pd.DataFrame:
    codes = [c for c in load_crosswalk(data_dir).codes(grid) if is_flemish(c)]
    fn: Callable[[str], str] = province_of if info.field == "province" else arrondissement_of
    return _whole(codes, [fn(c) for c in codes])


def _read_plan_layer(
    info: LayerInfo, grid: int, data_dir: Path
) -> tuple[pd.DataFrame, dict[str, str]]:
    p = PARTNERSHIPS_DIR / info.file
    if not p.is_file():
        raise LayerError(f"Layer '{info.id}': shipped partnerships file {p} is missing.")
    parsed = parse_table(read_table(p), grid, load_crosswalk(data_dir), source=p.name)
    m = parsed.membership.frame.rename(columns={"cluster": "region", "share": "weight"})
    return m, parsed.names


@lru_cache(maxsize=64)
def _native_layer(layer_id: str, native: int, data_dir: Path) -> Layer:
    info = layer_info(layer_id)
    region_names: dict[str, str] = {}
    if info.kind == "regions-csv":
        table = _read_regions_csv(info, native, data_dir)
    elif info.kind == "pinc":
        table = _read_pinc(info, native, data_dir)
    elif info.kind == "nis":
        table = _read_nis(info, native, data_dir)
    else:
        table, region_names = _read_plan_layer(info, native, data_dir)
    grid_codes = set(load_crosswalk(data_dir).codes(native))
    bad = sorted(set(table["nis_code"]) - grid_codes)
    if bad:
        raise LayerError(
            f"Layer '{layer_id}': codes not on the {native} grid: {', '.join(bad[:10])}"
        )
    notes = (f"PARTIAL layer: {info.note}",) if info.partial and info.note else ()
    return make_layer(
        table, native, info.id, info.label(), info.partial, info.kind, notes, native, region_names
    )


def _native_grid_for(info: LayerInfo, grid: int) -> int:
    grids = info.grids
    if grid in grids:
        return grid
    earlier = [g for g in grids if g < grid]
    return max(earlier) if earlier else min(grids)


@lru_cache(maxsize=64)
def _load_layer_cached(layer_id: str, grid: int, data_dir: Path) -> Layer:
    info = layer_info(layer_id)
    native = _native_grid_for(info, grid)
    layer = _native_layer(layer_id, native, data_dir)
    if native == grid:
        return layer
    weights = _population_weights(native, data_dir) if native < grid else None
    return move_layer(layer, grid, load_crosswalk(data_dir), weights)


def load_layer(layer_id: str, grid: int, data_dir: str | os.PathLike[str]) -> Layer:
    """A shipped layer on ``grid`` (moved with the crosswalk when defined on another grid).
    Cached (layers are immutable)."""
    return _load_layer_cached(layer_id, check_grid(grid), Path(data_dir))


@dataclass(frozen=True)
class Completeness:
    layer: str
    grid: int
    n_covered: int
    n_total: int
    n_regions: int
    partial: bool
    #: for membership tables with ``*_partial`` rows: (regions, regions known in full, their
    #: municipalities, regions known only in part, their municipalities); None otherwise
    parts: tuple[int, int, int, int, int] | None = None

    def detail(self, lang: str = "en") -> str:
        """E.g. "21 regions: 17 complete (101 municipalities), 4 known only in part (20)"."""
        if self.parts is None:
            return ""
        n, whole, n_whole, part, n_part = self.parts
        if lang == "nl":
            return (
                f"{n} regio's: {whole} volledig ({n_whole} gemeenten), {part} slechts "
                f"gedeeltelijk bekend ({n_part})"
            )
        return (
            f"{n} regions: {whole} complete ({n_whole} municipalities), {part} known only in part "
            f"({n_part})"
        )

    @property
    def share(self) -> float:
        return self.n_covered / self.n_total if self.n_total else 0.0


def _partial_detail(
    info: LayerInfo, grid: int, data_dir: Path
) -> tuple[int, int, int, int, int] | None:
    """:attr:`Completeness.parts` of a table whose rows of a ``*_partial`` region_layer mark
    regions known only in part (None for other layers)."""
    if info.kind != "regions-csv" or grid not in info.variants:
        return None
    rows = _regions_rows(info, data_dir)
    rows = rows[rows["region_layer"].isin(info.variants[grid])]
    if info.regions:
        rows = rows[rows["region_name"].isin(info.regions)]
    part = set(rows.loc[rows["region_layer"].str.endswith("_partial"), "region_name"])
    if not part:
        return None
    whole = rows[~rows["region_name"].isin(part)]
    n_part = int(rows["nis_code"].nunique()) - int(whole["nis_code"].nunique())
    return (
        int(rows["region_name"].nunique()),
        int(whole["region_name"].nunique()),
        int(whole["nis_code"].nunique()),
        len(part),
        n_part,
    )


def completeness(
    layer_id: str, data_dir: str | os.PathLike[str], grid: int | None = None
) -> Completeness:
    """How many municipalities of its grid (default: the layer's latest native grid) it covers."""
    info = layer_info(layer_id)
    g = check_grid(grid) if grid is not None else max(info.grids)
    layer = load_layer(layer_id, g, data_dir)
    return Completeness(
        info.id,
        g,
        int(layer["nis_code"].nunique()),
        GRIDS[g],
        int(layer["region"].nunique()),
        info.partial,
        _partial_detail(info, g, Path(data_dir)),
    )


def completeness_text(layer_id: str, data_dir: str | os.PathLike[str], lang: str = "en") -> str:
    """E.g. "PARTIAL: 121 of 300 municipalities (40.3%), 2019 grid; 21 regions: 17 complete (101
    municipalities), 4 known only in part (20)"; ``lang="nl"``: the same in Dutch ("ONVOLLEDIG: 121
    van 300 gemeenten (40,3 %), grid 2019; 21 regio's: 17 volledig (101 gemeenten), 4 slechts
    gedeeltelijk bekend (20)")."""
    info = layer_info(layer_id)
    c = completeness(layer_id, data_dir)
    label = "complete" if not info.partial else info.partial_label or "PARTIAL"
    if lang != "nl":
        text = (
            f"{label}: {c.n_covered} of {c.n_total} municipalities ({c.share:.1%}), {c.grid} grid"
        )
    else:
        label = "volledig" if not info.partial else PARTIAL_NL.get(label, label)
        share = f"{100 * c.share:.1f}".replace(".", ",")
        text = f"{label}: {c.n_covered} van {c.n_total} gemeenten ({share} %), grid {c.grid}"
    detail = c.detail(lang)
    return text + (f"; {detail}" if detail else "")


def layers_table(data_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per shipped layer: id, names, grid(s), completeness, partial flag, source."""
    rows = []
    for info in registry().values():
        c = completeness(info.id, data_dir)
        rows.append(
            {
                "id": info.id,
                "name_nl": info.name_nl,
                "name_en": info.name_en,
                "grids": ", ".join(map(str, info.grids)),
                "regions": c.n_regions,
                "covered": f"{c.n_covered}/{c.n_total} ({c.grid} grid)",
                "coverage": round(c.share, 4),
                "n_municipalities": c.n_covered,
                "completeness_grid": c.grid,
                "completeness": completeness_text(info.id, data_dir),
                "partial": info.partial_label if info.partial else "complete",
                "source": info.source,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------- plans <-> layers
def plan_layer(plan: Any, layer_id: str = "plan", name: str = "") -> Layer:
    """A :class:`geo.plans.Plan` as a layer (region = cluster, weight = share): the same
    membership, so the same grid."""
    return Layer(
        membership=plan.membership, id=layer_id, name=name or plan.name or layer_id, kind="plan",
        native_grid=plan.grid, notes=tuple(plan.notes), region_names=dict(plan.cluster_names),
    )  # fmt: skip


def layer_plan(layer: Layer) -> Any:
    """A layer as a :class:`geo.plans.Plan` (cluster = region), e.g. to compare two layers."""
    from geo.plans import Plan

    names = dict(layer.region_names)
    cn = {c: names.get(c, c) for c in layer.membership.clusters}
    return Plan(membership=layer.membership, cluster_names=cn, name=layer.name)


def layer_grid(layer: object) -> int:
    """The grid of a :class:`Layer`; anything else (e.g. a bare DataFrame, whose ``attrs``
    pandas drops silently) is refused: a layer is never compared without its grid."""
    if isinstance(layer, Layer):
        return layer.grid
    raise GridError(
        f"A comparison layer must be a geo.layers.Layer (it carries its grid), not "
        f"{type(layer).__name__}; load it with load_layer / read_user_layer or make_layer."
    )


# ------------------------------------------------------------------------------- polygon overlay
def overlay_weights(
    regions: gpd.GeoDataFrame, units: gpd.GeoDataFrame, region_column: str = "region"
) -> pd.DataFrame:
    """Share of each municipality's area in each region polygon (columns nis_code, region, weight).

    Vectorised with shapely 2 (STRtree + array intersection). Both frames must be in EPSG:31370.
    Pieces under :data:`SLIVER` of a municipality are dropped; near-complete coverage snaps to 1.
    """
    require_same_crs(regions, units)
    if units.crs is None or units.crs.to_epsg() != 31370:
        raise CRSError(f"Overlay is computed in {CRS_METRIC}; units are in {units.crs}.")
    ug = np.asarray(units.geometry.values)
    rg = np.asarray(regions.geometry.values)
    tree = shapely.STRtree(rg)
    iu, ir = tree.query(ug, predicate="intersects")
    if len(iu) == 0:
        return pd.DataFrame(columns=LAYER_COLUMNS)
    inter = shapely.area(shapely.intersection(ug[iu], rg[ir]))
    share = inter / shapely.area(ug[iu])
    df = pd.DataFrame(
        {
            "nis_code": np.asarray(units.index)[iu],
            "region": np.asarray(regions[region_column].astype(str))[ir],
            "weight": share,
        }
    )
    df = df.groupby(["nis_code", "region"])["weight"].sum().reset_index()
    df = df[df["weight"] >= SLIVER]
    total = df.groupby("nis_code")["weight"].transform("sum")
    snap = total >= 1.0 - SLIVER
    df.loc[snap, "weight"] = df.loc[snap, "weight"] / total[snap]
    df["weight"] = df["weight"].clip(upper=1.0)
    df.loc[(df["weight"] - 1.0).abs() < 1e-9, "weight"] = 1.0
    return df.reset_index(drop=True)


def _check_overlaps(regions: gpd.GeoDataFrame, source: str) -> None:
    g = np.asarray(regions.geometry.values)
    names = regions["region"].astype(str).to_numpy()
    tree = shapely.STRtree(g)
    a, b = tree.query(g, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return
    inter = shapely.area(shapely.intersection(g[a], g[b]))
    smaller = np.minimum(shapely.area(g[a]), shapely.area(g[b]))
    bad = inter > OVERLAP_TOLERANCE * smaller
    if bad.any():
        details = [
            f"'{names[i]}' and '{names[j]}' overlap by {x / 1e6:.3f} km² ({x / s:.1%} of the smaller)"
            for i, j, x, s in zip(a[bad], b[bad], inter[bad], smaller[bad], strict=True)
        ]
        raise LayerError(
            f"{source}: {int(bad.sum())} pair(s) of regions overlap; a layer must divide the territory "
            "(each place in at most one region).",
            details[:20],
        )


def _read_vector(path: Path) -> gpd.GeoDataFrame:
    check_vector_file(path, error=LayerError)  # size, zip entries, zip bomb: before parsing
    suffix = path.suffix.lower()
    target: str | Path = path
    if suffix == ".zip":
        if not zipfile.is_zipfile(path):
            raise LayerError(f"{path.name} is not a valid zip archive (broken or truncated).")
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
                members = zf.namelist()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise LayerError(f"{path.name} is a broken zip archive: {exc}") from exc
        if bad is not None:
            raise LayerError(f"{path.name} is a broken zip archive (corrupt member {bad}).")
        shps = [m for m in members if m.lower().endswith(".shp")]
        if not shps:
            raise LayerError(
                f"{path.name} holds no Shapefile (.shp); found: {', '.join(members) or 'nothing'}."
            )
        if len(shps) > 1:
            raise LayerError(f"{path.name} holds several Shapefiles ({', '.join(shps)}); zip one.")
        stem = shps[0][:-4]
        missing = [
            ext
            for ext in (".shx", ".dbf")
            if not any(m.lower() == (stem + ext).lower() for m in members)
        ]
        if missing:
            raise LayerError(f"{path.name}: the Shapefile {shps[0]} lacks {', '.join(missing)}.")
        target = f"/vsizip/{path}/{shps[0]}"
    if path.stat().st_size == 0:
        raise LayerError(f"{path.name} is empty (0 bytes).")
    try:
        gdf = gpd.read_file(target)
    except Exception as exc:  # pyogrio raises several types for broken files
        raise LayerError(f"Cannot read {path.name} as a polygon layer: {exc}") from exc
    return gdf


def _region_column(
    df: pd.DataFrame, wanted: str | None, candidates: tuple[str, ...], source: str
) -> str:
    cols = {str(c).strip().lower(): c for c in df.columns if c != "geometry"}
    if wanted:
        if wanted in df.columns:
            return wanted
        if wanted.lower() in cols:
            return str(cols[wanted.lower()])
        raise LayerError(
            f"{source}: no column '{wanted}'; columns: {', '.join(map(str, cols.values()))}."
        )
    for c in candidates:
        if c in cols:
            return str(cols[c])
    text = [
        c
        for c in df.columns
        if c != "geometry"
        and (pd.api.types.is_string_dtype(df[c]) or pd.api.types.is_object_dtype(df[c]))
    ]
    if len(text) == 1:
        return str(text[0])
    raise LayerError(
        f"{source}: cannot tell which column names the region; columns: "
        f"{', '.join(map(str, cols.values())) or 'none'}. Name it 'region' or pass --region-column."
    )


def polygon_layer(
    gdf: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    layer_id: str,
    region_column: str | None = None,
    source: str = "layer",
) -> Layer:
    """A layer from region polygons: reprojected to EPSG:31370, validated, overlaid with ``units``."""
    if gdf.empty:
        raise LayerError(f"{source} has no features (empty layer).")
    if gdf.crs is None:
        raise CRSError(
            f"{source} has no coordinate reference system (CRS). Save it with its CRS (e.g. "
            "EPSG:31370 Belgian Lambert 72 or EPSG:4326), or add the .prj file to the zip."
        )
    col = _region_column(gdf, region_column, REGION_COLUMNS, source)
    g = gdf[[col, "geometry"]].rename(columns={col: "region"})
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    if g["region"].isna().any():
        raise LayerError(
            f"{source}: {int(g['region'].isna().sum())} feature(s) without a region name."
        )
    types = set(g.geometry.geom_type)
    if not types <= {"Polygon", "MultiPolygon"}:
        raise LayerError(f"{source}: polygons expected, found {', '.join(sorted(types))}.")
    if g.empty:
        raise LayerError(f"{source} has no polygons (all geometries are empty).")
    notes = []
    if g.crs.to_epsg() != 31370:
        notes.append(f"reprojected from {g.crs.to_string()} to {CRS_METRIC}")
        g = g.to_crs(CRS_METRIC)
    invalid = ~g.geometry.is_valid
    if invalid.any():
        notes.append(f"{int(invalid.sum())} invalid polygon(s) repaired (make_valid)")
        g.loc[invalid, "geometry"] = shapely.make_valid(np.asarray(g.geometry[invalid].values))
    g["region"] = g["region"].astype(str).str.strip()
    regions = g.dissolve(by="region", as_index=False)
    _check_overlaps(regions, source)
    weights = overlay_weights(regions, units)
    if weights.empty:
        raise LayerError(
            f"{source}: no polygon overlaps a Flemish municipality (wrong CRS or area?)."
        )
    split = weights[weights["weight"] < 1.0]["nis_code"].nunique()
    notes.append(
        "weights by area: each municipality's share of area in each region; population is assumed "
        "spread evenly by area within a municipality"
    )
    if split:
        notes.append(f"{split} municipality(ies) cut by region borders (fractional weights)")
    layer = make_layer(
        weights, int(units.attrs["grid"]), layer_id, layer_id, False, "polygons", tuple(notes),
        weighting="area",
    )  # fmt: skip
    own = gpd.GeoDataFrame(regions[["region", "geometry"]], geometry="geometry", crs=regions.crs)
    return replace(layer, polygons=own)


# ------------------------------------------------------------------------------- membership tables
def _table_grid(df: pd.DataFrame, grid: int, cw: Crosswalk) -> int:
    """The grid to read a table on: ``grid``, or the first later grid that holds its codes
    (a table of later codes is then inherited back, see the module docstring)."""
    col = next((c for c in CODE_COLUMNS if c in df.columns), None)
    if col is None:
        return grid
    codes: set[str] = set()
    for v in df[col].dropna():
        try:
            codes.add(normalise_code(v))
        except ValueError:
            continue
    sets = {g: set(cw.codes(g)) for g in GRIDS}
    for g in sorted(x for x in GRIDS if x >= grid):
        older = set().union(*(sets[x] for x in GRIDS if x <= g))
        if codes <= older:
            return g
    return grid


def table_layer(
    df: pd.DataFrame,
    grid: int,
    data_dir: Path,
    layer_id: str,
    region_column: str | None = None,
    source: str = "layer",
) -> Layer:
    """A layer from a membership table (municipality code or name -> region[, weight/share]).

    Read and validated by :func:`geo.membership.parse_table` (every problem at once); moved to
    ``grid`` with population shares, or inherited back when the table is of a later grid."""
    if df.empty:
        raise LayerError(f"{source} has a header but no rows.")
    df = df.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    reg_col = _region_column(
        df, region_column.lower() if region_column else None, TABLE_REGION_COLUMNS, source
    )
    cw = load_crosswalk(data_dir)
    read_grid = _table_grid(df, grid, cw)
    units = load_units(read_grid, data_dir)
    display = dict(zip(units.index, units["name"], strict=True))

    def resolver(name: str, g: int, suggest: bool = True) -> tuple[str, int, str | None]:
        from geo.names import own_code

        return own_code(name, g, data_dir, suggest)

    parsed = parse_table(
        df, read_grid, cw, resolver, group_columns=(reg_col,), group_name_column="region_name"
        if reg_col != "region_name" else "", source=source, error=LayerError, display=display,
        group_label="region", share_columns=LAYER_SHARE_COLUMNS,
    )  # fmt: skip
    table = parsed.membership.frame.rename(columns={"cluster": "region", "share": "weight"})
    native = parsed.membership.grid
    layer = make_layer(table, native, layer_id, layer_id, False, "table", parsed.notes)
    if native != grid:
        weights = _population_weights(native, data_dir) if native < grid else None
        layer = move_layer(layer, grid, cw, weights)
    return layer


def _read_table(path: Path) -> pd.DataFrame:
    """A layer table (limits checked before parsing, see geo.membership.read_table)."""
    try:
        return read_table(path, "layer")
    except PlanError as exc:
        raise LayerError(exc.message, exc.details) from None


VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".zip", ".shp")
TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")


@lru_cache(maxsize=16)
def _user_layer_cached(
    path: Path, stamp: tuple[int, int], grid: int, data_dir: Path, region_column: str | None
) -> Layer:
    source = path.name
    layer_id = path.stem
    if path.suffix.lower() in VECTOR_SUFFIXES:
        gdf = _read_vector(path)
        units = load_units(grid, data_dir)
        return polygon_layer(gdf, units, layer_id, region_column, source)
    df = _read_table(path)
    return table_layer(df, grid, data_dir, layer_id, region_column, source)


def read_user_layer(
    path: str | os.PathLike[str],
    grid: int,
    data_dir: str | os.PathLike[str],
    region_column: str | None = None,
) -> Layer:
    """A layer from a user file on ``grid``: a membership table (CSV/XLSX: ``nis_code`` or
    ``municipality`` plus ``region``, optional ``weight``) or polygons (GeoPackage, GeoJSON, zipped
    Shapefile; any CRS, reprojected to EPSG:31370). Cached per file version and grid."""
    p = Path(path)
    if not p.exists():
        raise LayerError(f"Layer file not found: {p}")
    if p.is_dir():
        raise LayerError(f"{p} is a folder, not a layer file.")
    suffix = p.suffix.lower()
    if suffix not in VECTOR_SUFFIXES + TABLE_SUFFIXES:
        raise LayerError(
            f"{p.name}: unsupported layer format '{suffix}'. Use CSV/XLSX (membership), GeoPackage, "
            "GeoJSON or a zipped Shapefile."
        )
    st = p.stat()
    return _user_layer_cached(
        p.resolve(), (st.st_size, st.st_mtime_ns), check_grid(grid), Path(data_dir), region_column
    )


def read_user_layer_bytes(
    data: bytes,
    filename: str,
    grid: int,
    data_dir: str | os.PathLike[str],
    region_column: str | None = None,
) -> Layer:
    """:func:`read_user_layer` for an upload (bytes and the original file name, whose suffix
    tells the format). Checked against the limits before anything is written; the file goes to a
    private temporary folder (``tempfile.mkdtemp``) that is removed afterwards. Cached by content."""
    import hashlib
    import shutil
    import tempfile

    name = Path(filename).name
    suffix = Path(name).suffix.lower()[:10]
    if name in ("", ".", "..") or "\0" in name or len(name) > 100:  # a file name we can write
        name = "layer" + suffix
    if suffix in VECTOR_SUFFIXES:
        check_vector_file(data, name, error=LayerError)
    else:
        check_table_file(data, name, error=LayerError)
    key = (hashlib.sha256(data).hexdigest(), name, grid, str(data_dir), region_column)
    if key not in _BYTES_CACHE:
        folder = tempfile.mkdtemp(prefix="regiokaart-layer-")
        try:
            p = Path(folder) / name
            p.write_bytes(data)
            layer = read_user_layer(p, grid, data_dir, region_column)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        while len(_BYTES_CACHE) >= 16:
            _BYTES_CACHE.pop(next(iter(_BYTES_CACHE)))
        _BYTES_CACHE[key] = layer
    return _BYTES_CACHE[key]  # a Layer is immutable: shared safely


_BYTES_CACHE: dict[tuple[str, str, int, str, str | None], Layer] = {}


def get_layer(
    spec: str, grid: int, data_dir: str | os.PathLike[str], region_column: str | None = None
) -> Layer:
    """A shipped layer id, or the path of a user layer file."""
    if spec in registry():
        return load_layer(spec, grid, data_dir)
    if Path(spec).exists() or Path(spec).suffix:
        return read_user_layer(spec, grid, data_dir, region_column)
    layer_info(spec)  # raises with suggestions
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------- outlines
def outlines(layer: Layer, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Region polygons from a layer: its municipalities dissolved by region (EPSG:31370).

    A municipality split between regions is drawn in its majority region; ``n_split`` counts them.
    """
    if layer_grid(layer) != units.attrs.get("grid"):
        raise GridError(
            f"Layer on the {layer_grid(layer)} grid, units on the {units.attrs.get('grid')} grid."
        )
    frame = layer.frame
    top = frame.sort_values(["nis_code", "weight", "region"], ascending=[True, False, True])
    top = top.drop_duplicates("nis_code")
    split = set(frame.loc[frame["weight"] < 1.0, "nis_code"])
    g = units.loc[top["nis_code"], ["geometry"]].copy()
    g["region"] = top["region"].to_numpy()
    g["split"] = g.index.isin(split)
    out = g.dissolve(by="region", aggfunc={"split": "sum"}).rename(columns={"split": "n_split"})
    out["n_municipalities"] = g.groupby("region").size()
    names = layer.region_names
    out["region_name"] = [names.get(r, r) for r in out.index]
    out = out.reset_index()[["region", "region_name", "n_municipalities", "n_split", "geometry"]]
    gdf = gpd.GeoDataFrame(out, geometry="geometry", crs=units.crs)
    gdf.attrs = {k: v for k, v in layer.attrs.items() if k != "region_names"}
    return gdf


def layer_outlines(layer_id: str, grid: int, data_dir: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Outlines of a shipped layer on ``grid`` for the map: municipalities dissolved by region,
    EPSG:31370, columns region, region_name, n_municipalities, n_split, geometry."""
    return _outlines_cached(layer_id, check_grid(grid), Path(data_dir)).copy()


@lru_cache(maxsize=32)
def _outlines_cached(layer_id: str, grid: int, data_dir: Path) -> gpd.GeoDataFrame:
    return outlines(load_layer(layer_id, grid, data_dir), load_units(grid, data_dir))


#: Display simplification of a layer's outlines (metres, EPSG:31370), and rounding (5 decimals,
#: about 1 m) of the EPSG:4326 coordinates: for the map only, never for figures.
DISPLAY_TOLERANCE_M = 100.0
DISPLAY_DECIMALS = 5


def display_outlines(
    layer: Layer,
    units: gpd.GeoDataFrame | None = None,
    tolerance: float = DISPLAY_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """A layer's outlines for the map, in EPSG:4326, simplified for display.

    A polygon layer (:func:`polygon_layer`, a user's GeoPackage/GeoJSON/Shapefile) is drawn with
    its *own* polygons: they need not follow municipal borders. Any other layer is drawn as its
    municipalities dissolved by region (:func:`outlines`, which needs ``units``).

    Region names are returned as they are: escape them before putting them into HTML.

    Parameters
    ----------
    layer : Layer
        The layer.
    units : GeoDataFrame, optional
        The municipalities of the layer's grid (EPSG:31370); needed unless the layer has polygons.
    tolerance : float
        Simplification tolerance in metres (topology preserved; 0 keeps every vertex).

    Returns
    -------
    GeoDataFrame
        Columns ``region``, ``region_name``, ``geometry`` (EPSG:4326), one row per region, sorted
        by region.

    Raises
    ------
    GridError
        ``units`` is missing for a layer without polygons, or of another grid.
    """
    if layer.polygons is not None:
        g = layer.polygons[["region", "geometry"]].copy()
    else:
        if units is None:
            raise GridError(f"Layer '{layer.id}' has no polygons; pass the grid's units.")
        g = outlines(layer, units)[["region", "geometry"]]
    g = gpd.GeoDataFrame(g, geometry="geometry", crs=g.crs).sort_values("region")
    if g.crs is None or g.crs.to_epsg() != 31370:
        g = g.to_crs(CRS_METRIC)
    geoms = np.asarray(g.geometry.values)
    if tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    web = gpd.GeoSeries(geoms, crs=CRS_METRIC).to_crs("EPSG:4326")
    rounded = shapely.transform(np.asarray(web.values), lambda c: np.round(c, DISPLAY_DECIMALS))
    rounded = shapely.make_valid(rounded)
    names = layer.region_names
    out = pd.DataFrame(
        {
            "region": g["region"].astype(str).to_numpy(),
            "region_name": [names.get(r, r) for r in g["region"].astype(str)],
        }
    )
    return gpd.GeoDataFrame(out, geometry=list(rounded), crs="EPSG:4326")


def region_column_candidates(data: bytes, filename: str) -> list[str]:
    """The columns of an uploaded layer file that could name the region, most likely first (the
    app asks the user to choose when there is more than one; pass the choice as
    ``region_column`` to :func:`read_user_layer_bytes`).

    Polygons: every text attribute. Tables: every column except the municipality code or name and
    the weight/share. Checked against the limits first, like every reader.

    Raises
    ------
    LayerError
        An unsupported, unreadable or over-limit file.
    """
    import shutil
    import tempfile

    import pyogrio

    name = Path(filename).name
    suffix = Path(name).suffix.lower()[:10]
    if name in ("", ".", "..") or "\0" in name or len(name) > 100:
        name = "layer" + suffix
    if suffix not in VECTOR_SUFFIXES + TABLE_SUFFIXES:
        raise LayerError(f"{name}: unsupported layer format '{suffix}'.")
    vector = suffix in VECTOR_SUFFIXES
    if vector:
        check_vector_file(data, name, error=LayerError)
    else:
        check_table_file(data, name, error=LayerError)
    folder = tempfile.mkdtemp(prefix="regiokaart-layer-")
    try:
        p = Path(folder) / name
        p.write_bytes(data)
        if vector:
            gdf = _read_vector(p)
            cols = [
                str(c)
                for c in gdf.columns
                if c != gdf.geometry.name
                and (pd.api.types.is_string_dtype(gdf[c]) or pd.api.types.is_object_dtype(gdf[c]))
            ]
        else:
            skip = {*CODE_COLUMNS, *LAYER_SHARE_COLUMNS, *NAME_COLUMNS}
            cols = [c for c in _read_table(p).columns if str(c) not in skip]
    except pyogrio.errors.DataSourceError as exc:
        raise LayerError(f"Cannot read {name}: {exc}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    order = {c: i for i, c in enumerate(REGION_COLUMNS)}
    return sorted(cols, key=lambda c: (order.get(c.strip().lower(), len(order)), cols.index(c)))
