"""Overlap of a plan's clusters with another regional division (a *comparison layer*).

A layer is a :class:`geo.layers.Layer` (its grid explicit, never ``DataFrame.attrs``) whose table
``layer.frame`` has columns ``nis_code``, ``region`` and ``weight``: the share of the municipality's
population that lies in that region (1 for membership tables; fractions when the layer's polygons
cut through municipalities). See :mod:`geo.layers` for loading shipped and user layers.

Metrics:

* per cluster (:func:`cluster_alignment`): regions touched, the dominant region and the share of the
  cluster's population in it, whether it nests inside one region, members outside the layer;
* per region (:func:`region_alignment`): clusters touching it and the share of its population they
  cover;
* per pair of divisions (:func:`agreement`): the adjusted Rand index (ARI) on the municipalities both
  cover (1 = identical divisions, about 0 = no more alike than chance), the share of clusters nested
  in one region, overall and by province.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.codes import province_of
from geo.errors import GridError
from geo.plans import Plan

if TYPE_CHECKING:
    from geo.layers import Layer

ALIGNMENT_COLUMNS = [
    "cluster", "regions_touched", "dominant_region", "dominant_share", "nested", "n_outside",
    "outside_share",
]  # fmt: skip
REGION_COLUMNS = [
    "region", "n_municipalities", "population", "clusters_touching", "clusters", "cluster_shares",
    "covered_share", "dominant_cluster", "dominant_cluster_share",
]  # fmt: skip
EPS = 1e-9


def _check_grid(plan_grid: int, regions: Layer) -> None:
    from geo.layers import layer_grid

    grid = layer_grid(regions)
    if grid != plan_grid:
        raise GridError(
            f"Layer on the {grid} grid, plan on the {plan_grid} grid; load the layer for the plan's "
            "grid (geo.layers.load_layer moves it with the crosswalk)."
        )


def cluster_alignment(plan: Plan, regions: Layer, population: pd.Series) -> pd.DataFrame:
    """Per cluster: regions touched, the dominant region and the share of the cluster's population
    in it (0-1), whether the cluster nests inside one region, and members outside the layer
    (``n_outside``: members with no region at all; ``outside_share``: the share of the cluster's
    population in no region, which also counts parts of split municipalities).

    Pass areas instead of population (``units["area_km2"]``) for area-weighted shares."""
    _check_grid(plan.grid, regions)
    rf = regions.frame
    m = plan.frame
    pop = population.astype(float)
    m_pop = m["nis_code"].map(pop).fillna(0.0) * m["share"]
    cl_pop = m_pop.groupby(m["cluster"]).sum()
    joined = m.merge(rf, on="nis_code", how="inner")
    joined["pop"] = joined["nis_code"].map(pop).fillna(0.0) * joined["share"] * joined["weight"]
    by = joined.groupby(["cluster", "region"])["pop"].sum()
    by = by[by > 0]
    touched = by.groupby(level=0).size()
    inside = by.groupby(level=0).sum()
    top = by.sort_index().groupby(level=0).idxmax()
    top_pop = by.groupby(level=0).max()
    in_layer = set(rf["nis_code"])
    out_m = m[~m["nis_code"].isin(in_layer)]
    n_out = out_m.groupby("cluster")["nis_code"].nunique()
    rows = []
    for cl in plan.clusters:
        total = float(cl_pop.get(cl, 0.0))
        n_t = int(touched.get(cl, 0))
        dom = str(top[cl][1]) if n_t else None
        share = float(top_pop[cl]) / total if n_t and total > 0 else 0.0
        out_share = max(0.0, 1.0 - float(inside.get(cl, 0.0)) / total) if total > 0 else 0.0
        n_o = int(n_out.get(cl, 0))
        rows.append(
            {
                "cluster": cl,
                "regions_touched": n_t,
                "dominant_region": dom,
                "dominant_share": share,
                "nested": bool(n_t == 1 and n_o == 0 and share > 1 - 1e-9),
                "n_outside": n_o,
                "outside_share": out_share if out_share > EPS else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=ALIGNMENT_COLUMNS)


def region_alignment(plan: Plan, regions: Layer, population: pd.Series) -> pd.DataFrame:
    """Per region of the layer: its municipalities and population, the clusters touching it
    (largest first) with the share of the region's population in each (``cluster_shares``, same
    order), and the share of its population that lies in some cluster (``covered_share``) and in
    the largest one (``dominant_cluster_share``)."""
    _check_grid(plan.grid, regions)
    pop = population.astype(float)
    r = regions.frame.copy()
    r["pop"] = r["nis_code"].map(pop).fillna(0.0) * r["weight"]
    reg_pop = r.groupby("region")["pop"].sum()
    reg_n = r.groupby("region")["nis_code"].nunique()
    joined = r.merge(plan.frame, on="nis_code", how="inner")
    joined["in_pop"] = joined["pop"] * joined["share"]
    by = joined.groupby(["region", "cluster"])["in_pop"].sum()
    by = by[by > 0].sort_values(ascending=False, kind="stable")
    rows = []
    groups = {k: g for k, g in by.groupby(level=0, sort=False)}
    for reg in sorted(reg_pop.index):
        total = float(reg_pop[reg])
        g = groups.get(reg)
        clusters = [str(c) for c in g.index.get_level_values(1)] if g is not None else []
        shares = [float(v) / total if total > 0 else 0.0 for v in g] if g is not None else []
        covered = float(g.sum()) if g is not None else 0.0
        top = float(g.iloc[0]) if g is not None else 0.0
        rows.append(
            {
                "region": str(reg),
                "n_municipalities": int(reg_n[reg]),
                "population": total,
                "clusters_touching": len(clusters),
                "clusters": clusters,
                "cluster_shares": shares,
                "covered_share": covered / total if total > 0 else 0.0,
                "dominant_cluster": clusters[0] if clusters else None,
                "dominant_cluster_share": top / total if total > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=REGION_COLUMNS)


# ----------------------------------------------------------------------------- agreement
def _comb2(x: np.ndarray | float) -> Any:
    return np.asarray(x, dtype=float) * (np.asarray(x, dtype=float) - 1.0) / 2.0


def adjusted_rand_index(contingency: np.ndarray | pd.DataFrame) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) from a contingency table ``n_ij`` (rows: the
    groups of one division, columns: of the other). Counts may be fractional (split municipalities).

    1 for identical divisions (up to relabelling), about 0 for chance agreement, negative below
    chance. When both divisions are trivial in the same way (everything in one group, or every item
    alone) the index is defined as 1; with fewer than two items it is NaN.
    """
    n_ij = np.asarray(contingency, dtype=float)
    n = float(n_ij.sum())
    if n < 2.0 - EPS:
        return float("nan")
    index = float(_comb2(n_ij).sum())
    a = float(_comb2(n_ij.sum(axis=1)).sum())
    b = float(_comb2(n_ij.sum(axis=0)).sum())
    total = float(_comb2(n))
    expected = a * b / total
    max_index = (a + b) / 2.0
    if math.isclose(max_index, expected, abs_tol=1e-12):
        return 1.0
    return (index - expected) / (max_index - expected)


def ari_labels(labels_a: list[Any] | pd.Series, labels_b: list[Any] | pd.Series) -> float:
    """Adjusted Rand index of two label lists of equal length (one label per item)."""
    if len(labels_a) != len(labels_b):
        raise ValueError("label lists differ in length")
    ct = pd.crosstab(pd.Series(list(labels_a)), pd.Series(list(labels_b)))
    return adjusted_rand_index(ct.to_numpy())


def contingency(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Cross table of two layers on the municipalities both cover: cell (i, j) sums, over those
    municipalities, weight in group i of ``a`` times weight in region j of ``b``."""
    left = a[["nis_code", "region", "weight"]].rename(columns={"region": "a", "weight": "wa"})
    right = b[["nis_code", "region", "weight"]].rename(columns={"region": "b", "weight": "wb"})
    j = left.merge(right, on="nis_code", how="inner")
    j["n"] = j["wa"] * j["wb"]
    if j.empty:
        return pd.DataFrame(dtype=float)
    return j.pivot_table(index="a", columns="b", values="n", aggfunc="sum", fill_value=0.0)


@dataclass(frozen=True)
class Agreement:
    """Agreement between two divisions (``a``: e.g. the plan, ``b``: the layer)."""

    ari: float
    n_common: int
    n_a: int
    n_b: int
    n_clusters_covered: int
    n_nested: int
    by_province: pd.DataFrame = field(repr=False)
    n_identical: int = 0

    @property
    def share_nested(self) -> float | None:
        """Of the clusters of ``a`` wholly covered by ``b``: the share nested in one region."""
        return self.n_nested / self.n_clusters_covered if self.n_clusters_covered else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ari": _num(self.ari),
            "n_common": self.n_common,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "n_clusters_covered": self.n_clusters_covered,
            "n_nested": self.n_nested,
            "share_nested": self.share_nested,
            "n_identical": self.n_identical,
            "by_province": [
                {k: _num(v) for k, v in row.items()} for row in self.by_province.to_dict("records")
            ],
        }


def _num(v: Any) -> Any:
    if isinstance(v, float | np.floating) and math.isnan(float(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _ari_of(joined: pd.DataFrame) -> float:
    if joined.empty:
        return float("nan")
    ct = joined.groupby(["a", "b"])["n"].sum().unstack().fillna(0.0)
    return adjusted_rand_index(ct.to_numpy())


def _nesting(a: pd.DataFrame, b: pd.DataFrame, joined: pd.DataFrame) -> pd.DataFrame:
    """Per group of ``a``: wholly covered by ``b`` (every member's weight in b sums to 1), nested in
    one region of ``b``, identical to one region of ``b``; plus its majority province."""
    cols = ["group", "covered", "nested", "identical", "province"]
    if a.empty:
        return pd.DataFrame(columns=cols)
    bw = b.groupby("nis_code")["weight"].sum()
    a = a.assign(
        covered=a["nis_code"].map(bw).fillna(0.0) >= 1 - 1e-6,
        province=a["nis_code"].map(province_of),
        whole=a["weight"] == 1.0,
    )
    ga = a.groupby("region")
    covered = ga["covered"].all()
    whole = ga["whole"].all()
    members = ga["nis_code"].agg(frozenset)
    province = ga["province"].agg(lambda x: x.value_counts().index[0])
    hits = joined[joined["n"] > 0].groupby("a")["b"].agg(["nunique", "first"])
    n_regions = hits["nunique"].reindex(covered.index).fillna(0)
    first_region = hits["first"].reindex(covered.index)
    nested = covered & (n_regions == 1)
    b_members = b.groupby("region")["nis_code"].agg(frozenset)
    b_whole = (b["weight"] == 1.0).groupby(b["region"]).all()
    identical = [
        bool(nst and wh and b_whole[r] and b_members[r] == mem)
        for nst, wh, r, mem in zip(nested, whole, first_region, members, strict=True)
    ]
    return pd.DataFrame(
        {
            "group": covered.index,
            "covered": covered.to_numpy(),
            "nested": nested.to_numpy(),
            "identical": identical,
            "province": province.to_numpy(),
        },
        columns=cols,
    )


def agreement(layer_a: Layer, layer_b: Layer) -> Agreement:
    """Agreement of two divisions given as layers on the same grid (a plan: use
    :func:`geo.layers.plan_layer`). ARI on the municipalities both cover, overall and per province
    (NaN where fewer than two municipalities are shared); nesting of ``a``'s groups in ``b``'s."""
    from geo.layers import layer_grid

    ga, gb = layer_grid(layer_a), layer_grid(layer_b)
    if ga != gb:
        raise GridError(f"Cannot compare a division on the {ga} grid with one on the {gb} grid.")
    a, b = layer_a.frame, layer_b.frame
    left = a[["nis_code", "region", "weight"]].rename(columns={"region": "a", "weight": "wa"})
    right = b[["nis_code", "region", "weight"]].rename(columns={"region": "b", "weight": "wb"})
    joined = left.merge(right, on="nis_code", how="inner")
    joined["n"] = joined["wa"] * joined["wb"]
    prov_of = {c: province_of(c) for c in set(a["nis_code"]) | set(b["nis_code"])}
    joined["province"] = joined["nis_code"].map(prov_of)
    nest = _nesting(a, b, joined)
    prov_rows = []
    for p in sorted(set(prov_of.values())):
        jp = joined[joined["province"] == p]
        np_ = nest[nest["province"] == p]
        prov_rows.append(
            {
                "province": p,
                "ari": _ari_of(jp),
                "n_common": int(jp["nis_code"].nunique()),
                "n_clusters_covered": int(np_["covered"].sum()),
                "n_nested": int(np_["nested"].sum()),
                "n_identical": int(np_["identical"].sum()),
            }
        )
    return Agreement(
        ari=_ari_of(joined),
        n_common=int(joined["nis_code"].nunique()),
        n_a=int(a["nis_code"].nunique()),
        n_b=int(b["nis_code"].nunique()),
        n_clusters_covered=int(nest["covered"].sum()),
        n_nested=int(nest["nested"].sum()),
        by_province=pd.DataFrame(prov_rows),
        n_identical=int(nest["identical"].sum()),
    )


# ----------------------------------------------------------------------------- report
def overlap_report(
    plan: Plan,
    layer: Layer,
    population: pd.Series,
    areas: pd.Series | None = None,
) -> dict[str, Any]:
    """Everything the CLI and the app show for one plan and one layer, as plain JSON-able data.

    Top-level keys: ``layer`` (id), ``layer_name``, ``layer_partial``, ``layer_completeness`` (share
    of the plan's municipalities the layer covers), ``agreement`` (ARI on the municipalities both
    cover), ``share_nested``, ``clusters`` (per-cluster alignment), ``regions``, ``by_province``,
    ``weighting`` and ``notes``. With ``areas`` (km² per municipality) each cluster also gets
    ``dominant_share_area``.
    """
    from geo.layers import plan_layer

    _check_grid(plan.grid, layer)
    attrs = layer.attrs
    clusters = cluster_alignment(plan, layer, population)
    clusters.insert(1, "cluster_name", [plan.display_name(c) for c in clusters["cluster"]])
    if areas is not None:
        by_area = cluster_alignment(plan, layer, areas)
        clusters["dominant_share_area"] = by_area["dominant_share"].to_numpy()
    names = attrs.get("region_names") or {}
    if names:
        clusters["dominant_region_name"] = [
            names.get(r, r) if r is not None else None for r in clusters["dominant_region"]
        ]
    regions = region_alignment(plan, layer, population)
    ag = agreement(plan_layer(plan), layer)
    plan_codes = set(plan.frame["nis_code"])
    lf = layer.frame
    covered = plan_codes & set(lf.loc[lf["weight"] > 0, "nis_code"])
    year = population.attrs.get("year")
    weighting = f"population on 1 January {year}" if year else "population"
    if attrs.get("weighting") == "area" or (lf["weight"] < 1.0).any():
        weighting += (
            "; municipalities split between regions are counted by their share in each region"
            + (
                " (share of area: population assumed spread evenly by area within a municipality)"
                if attrs.get("weighting") == "area"
                else ""
            )
        )
    notes = list(attrs.get("notes", ())) + list(plan.notes)
    if attrs.get("partial"):
        notes.insert(0, f"layer '{attrs.get('layer')}' is PARTIAL: municipalities it does not list "
                     "are unknown, not 'outside every region'")  # fmt: skip
    return {
        "plan": plan.name,
        "grid": plan.grid,
        "population_year": year,
        "layer": attrs.get("layer"),
        "layer_name": attrs.get("name"),
        "layer_partial": bool(attrs.get("partial", False)),
        "layer_native_grid": attrs.get("native_grid"),
        "layer_completeness": len(covered) / len(plan_codes) if plan_codes else 0.0,
        "n_plan_municipalities": len(plan_codes),
        "n_common": ag.n_common,
        "agreement": _num(ag.ari),
        "share_nested": ag.share_nested,
        "n_clusters_covered": ag.n_clusters_covered,
        "n_nested": ag.n_nested,
        "n_identical": ag.n_identical,
        "weighting": weighting,
        "clusters": [{k: _num(v) for k, v in r.items()} for r in clusters.to_dict("records")],
        "regions": [{k: _num(v) for k, v in r.items()} for r in regions.to_dict("records")],
        "by_province": ag.to_dict()["by_province"],
        "notes": notes,
    }


#: Keys of the report shown in the ``summary`` sheet of the XLSX export.
SUMMARY_KEYS = (
    "plan", "grid", "population_year", "layer", "layer_name", "layer_partial",
    "layer_native_grid", "layer_completeness", "n_plan_municipalities", "n_common", "agreement",
    "share_nested", "n_clusters_covered", "n_nested", "n_identical", "weighting",
)  # fmt: skip


def overlap_frames(rep: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The sheets of the overlap XLSX (``regiokaart overlap --format xlsx`` and the app).

    Parameters
    ----------
    rep : dict
        An :func:`overlap_report`.

    Returns
    -------
    dict of str to DataFrame
        ``summary`` (key, value), ``clusters``, ``regions``, ``provinces`` and ``notes``.
    """
    summary = pd.DataFrame([(k, rep.get(k)) for k in SUMMARY_KEYS], columns=["key", "value"])
    regions = pd.DataFrame(rep["regions"])
    if "cluster_shares" in regions:
        regions["cluster_shares"] = regions["cluster_shares"].map(
            lambda v: [round(float(x), 4) for x in v] if isinstance(v, list | tuple) else v
        )
    return {
        "summary": summary,
        "clusters": pd.DataFrame(rep["clusters"]),
        "regions": regions,
        "provinces": pd.DataFrame(rep["by_province"]),
        "notes": pd.DataFrame({"note": rep["notes"]}),
    }


def overlap_matrix(plan: Plan, layer: Layer, population: pd.Series) -> pd.DataFrame:
    """Inhabitants of each cluster (rows, every cluster of the plan) in each region (columns, every
    region of the layer), counting split municipalities by share times weight; for a heat map.

    Returns
    -------
    DataFrame
        Index ``cluster``, columns ``region`` (sorted), float inhabitants (0 where none).
    """
    _check_grid(plan.grid, layer)
    regions = sorted(set(layer.frame["region"]))
    j = plan.frame.merge(layer.frame, on="nis_code", how="inner")
    j["pop"] = j["nis_code"].map(population.astype(float)).fillna(0.0) * j["share"] * j["weight"]
    if j.empty:
        m = pd.DataFrame(0.0, index=pd.Index(plan.clusters), columns=pd.Index(regions))
    else:
        m = j.pivot_table(index="cluster", columns="region", values="pop", aggfunc="sum")
        m = m.reindex(index=plan.clusters, columns=regions).fillna(0.0).astype(float)
    m.index.name, m.columns.name = "cluster", "region"
    return m


#: Said on the overlap screen when a polygon layer cuts municipalities (weights by area).
AREA_NOTE = (
    "Municipalities cut by the layer's region borders are counted by area: their inhabitants are "
    "assumed spread evenly by area within the municipality."
)


@dataclass(frozen=True)
class OverlapView:
    """The overlap of a plan and a layer as the app shows it (:func:`overlap_view`).

    Attributes
    ----------
    report : dict
        :func:`overlap_report`: the very figures of ``regiokaart overlap --format json``.
    clusters : DataFrame
        Per cluster: ``cluster``, ``cluster_name``, ``regions_touched``, ``dominant_region``,
        ``dominant_share`` (of the cluster's inhabitants), ``nested``, ``n_outside``
        (municipalities outside the layer), ``outside_share`` (and ``dominant_share_area``,
        ``dominant_region_name`` when known).
    regions : DataFrame
        Per region: ``clusters`` touching it (largest first) and ``cluster_shares`` (share of the
        region's inhabitants in each), ``covered_share``, ...
    provinces : DataFrame
        The adjusted Rand index per province (``province``, ``ari``, ``n_common``, ...).
    matrix : DataFrame
        Inhabitants per cluster (rows) and region (columns), :func:`overlap_matrix`.
    ari : float or None
        The adjusted Rand index overall (None: fewer than two shared municipalities).
    area_note : str or None
        :data:`AREA_NOTE` when the layer is weighted by area and cuts municipalities.
    codes : frozenset of str or None
        The municipalities the view is restricted to (None: all).
    """

    report: dict[str, Any]
    clusters: pd.DataFrame
    regions: pd.DataFrame
    provinces: pd.DataFrame
    matrix: pd.DataFrame
    ari: float | None
    area_note: str | None = None
    codes: frozenset[str] | None = None

    def frames(self) -> dict[str, pd.DataFrame]:
        """The XLSX sheets (the CLI's: :func:`overlap_frames`)."""
        return overlap_frames(self.report)

    def xlsx(self) -> bytes:
        """The XLSX export (sheets of :meth:`frames`, cells neutralised)."""
        from geo.export import xlsx_bytes

        return xlsx_bytes(self.frames())


def restrict_plan(plan: Plan, codes: set[str] | frozenset[str]) -> Plan:
    """``plan`` with only the rows of ``codes`` (clusters left without members are dropped)."""
    from dataclasses import replace

    from geo.membership import Membership

    rows = tuple(r for r in plan.membership.rows if r[0] in codes)
    kept = {r[1] for r in rows}
    names = {c: n for c, n in plan.cluster_names.items() if c in kept}
    names.update({c: c for c in kept if c not in names})
    return replace(plan, membership=Membership(plan.grid, rows), cluster_names=names)


def overlap_view(
    plan: Plan,
    layer: Layer,
    population: pd.Series,
    areas: pd.Series | None = None,
    codes: set[str] | frozenset[str] | None = None,
) -> OverlapView:
    """Everything the overlap screen shows for ``plan`` against ``layer``.

    The figures are :func:`overlap_report`'s (what ``regiokaart overlap`` prints), framed for
    tables, plus the cluster × region matrix of inhabitants for a heat map.

    Parameters
    ----------
    plan : Plan
        The plan (on the layer's grid).
    layer : Layer
        A shipped or user layer on the plan's grid.
    population : Series
        Inhabitants per municipality (``attrs['year']`` names the year).
    areas : Series, optional
        km² per municipality; adds ``dominant_share_area``. The CLI passes ``units['area_km2']``
        for area-weighted (polygon) layers: pass the same to get the same figures.
    codes : set of str, optional
        Restrict plan and layer to these municipalities (a province, see
        :func:`geo.province.province_overlap`).

    Returns
    -------
    OverlapView
    """
    if codes is not None:
        codes = frozenset(codes)
        plan = restrict_plan(plan, codes)
        layer = layer.subset(codes)
    rep = overlap_report(plan, layer, population, areas)
    clusters = pd.DataFrame(rep["clusters"])
    regions = pd.DataFrame(rep["regions"], columns=REGION_COLUMNS)
    provinces = pd.DataFrame(rep["by_province"])
    lf = layer.frame
    cut = layer.weighting == "area" and bool((lf["weight"] < 1.0).any())
    return OverlapView(
        report=rep,
        clusters=clusters,
        regions=regions,
        provinces=provinces,
        matrix=overlap_matrix(plan, layer, population),
        ari=rep["agreement"],
        area_note=AREA_NOTE if cut else None,
        codes=codes,
    )
