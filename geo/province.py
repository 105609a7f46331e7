"""A province's view of a plan: its municipalities, coverage, clusters and overlap.

A province (the units table's ``province`` column) chooses its own area: :func:`province_codes`
gives its municipalities on the grid, :func:`province_view` the figures restricted to them
(coverage, clusters with the inhabitants inside the province, clusters that cross the province's
border marked) and the bounding box for the map to zoom to. :func:`province_coverage`,
:func:`province_clusters` (an evaluation's cluster table) and :func:`province_overlap` restrict the
other figures the app shows.

A municipality split between clusters (plans moved between grids) counts by its share, as
everywhere else. Nothing here imports Streamlit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geo.contiguity import Adjacency
from geo.coverage import Coverage, coverage
from geo.errors import GridError, ProvinceError
from geo.overlap import OverlapView, overlap_view, restrict_plan
from geo.plans import Plan
from geo.settings import CRS_WEB

if TYPE_CHECKING:
    from geo.layers import Layer
    from scenarios.evaluate import Evaluation

PROVINCE_CLUSTER_COLUMNS = [
    "cluster", "name", "n_inside", "n_outside", "population_inside", "population",
    "share_inside", "crosses_border", "members_inside", "members_outside",
]  # fmt: skip


def provinces(units: gpd.GeoDataFrame) -> list[str]:
    """The provinces of a grid's units, sorted."""
    return sorted(str(p) for p in set(units["province"]))


def province_codes(units: gpd.GeoDataFrame, province: str) -> frozenset[str]:
    """The municipality codes of ``province`` on the units' grid.

    Raises
    ------
    ProvinceError
        ``province`` is not a province of the units (the message lists them).
    """
    known = provinces(units)
    if province not in known:
        close = difflib.get_close_matches(str(province), known, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]}?" if close else ""
        raise ProvinceError(f"Unknown province '{province}'.{hint} Provinces: {', '.join(known)}.")
    return frozenset(str(c) for c in units.index[units["province"] == province])


def bounds_wgs84(units: gpd.GeoDataFrame, codes: frozenset[str] | set[str]) -> tuple[float, ...]:
    """The bounding box of ``codes`` in EPSG:4326 as (south, west, north, east), the order of
    Leaflet's ``fitBounds`` corners [[south, west], [north, east]]."""
    g = units.loc[sorted(codes), "geometry"]
    west, south, east, north = (float(v) for v in g.to_crs(CRS_WEB).total_bounds)
    return (south, west, north, east)


@dataclass(frozen=True)
class ProvinceView:
    """A plan seen from one province (:func:`province_view`).

    Attributes
    ----------
    province : str
        The province.
    grid : int
        The grid.
    codes : frozenset of str
        Its municipalities on the grid.
    n_municipalities, n_covered : int
        Its municipalities, and those with a share in some cluster.
    population_total, population_covered : int
        Its inhabitants, and those in some cluster (split municipalities by share), rounded.
    clusters : DataFrame
        Clusters with members in the province (:data:`PROVINCE_CLUSTER_COLUMNS`): members and
        inhabitants inside and outside, ``share_inside`` (of the cluster's inhabitants) and
        ``crosses_border`` (members both in and out of the province).
    bounds : tuple of float
        (south, west, north, east) in EPSG:4326, for the map to zoom to; computed on first use
        (a reprojection: the editor's reruns, which only need the figures, never pay for it).
    """

    province: str
    grid: int
    codes: frozenset[str]
    n_municipalities: int
    n_covered: int
    population_total: int
    population_covered: int
    clusters: pd.DataFrame
    units: gpd.GeoDataFrame = field(repr=False, compare=False)

    @cached_property
    def bounds(self) -> tuple[float, ...]:
        return bounds_wgs84(self.units, self.codes)

    @property
    def population_share(self) -> float:
        return self.population_covered / self.population_total if self.population_total else 0.0

    @property
    def municipality_share(self) -> float:
        return self.n_covered / self.n_municipalities if self.n_municipalities else 0.0

    @property
    def crossing(self) -> list[str]:
        """Clusters that cross the province's border."""
        return [str(c) for c in self.clusters.loc[self.clusters["crosses_border"], "cluster"]]


def _check(plan: Plan, units: gpd.GeoDataFrame) -> None:
    if units.attrs.get("grid") not in (None, plan.grid):
        raise GridError(f"Plan on the {plan.grid} grid, units on the {units.attrs['grid']} grid.")


def province_clusters(
    plan: Plan, population: pd.Series, codes: frozenset[str] | set[str]
) -> pd.DataFrame:
    """Clusters of ``plan`` with members in ``codes``, with what lies inside and outside.

    Returns
    -------
    DataFrame
        :data:`PROVINCE_CLUSTER_COLUMNS`, sorted by cluster.
    """
    # plain Python over the membership rows: this runs on every edit when a province is chosen
    pop = population.to_dict()
    members: dict[str, tuple[list[str], list[str], list[float]]] = {}
    for code, cl, share in plan.membership.rows:
        inn, out, p = members.setdefault(cl, ([], [], [0.0, 0.0]))
        weighted = float(pop.get(code, 0.0)) * share
        if code in codes:
            inn.append(code)
            p[0] += weighted
        else:
            out.append(code)
        p[1] += weighted
    rows = []
    for cl in sorted(members):
        inn, out, (p_in, total) = members[cl]
        if not inn:
            continue
        rows.append(
            {
                "cluster": cl,
                "name": plan.display_name(cl),
                "n_inside": len(set(inn)),
                "n_outside": len(set(out)),
                "population_inside": round(p_in),
                "population": round(total),
                "share_inside": p_in / total if total > 0 else 1.0,
                "crosses_border": bool(out),
                "members_inside": sorted(inn),
                "members_outside": sorted(out),
            }
        )
    return pd.DataFrame(rows, columns=PROVINCE_CLUSTER_COLUMNS)


def province_view(
    plan: Plan, units: gpd.GeoDataFrame, population: pd.Series, province: str
) -> ProvinceView:
    """``plan`` seen from ``province``: its coverage, clusters (border-crossers marked) and the
    bounding box for the map.

    Parameters
    ----------
    plan : Plan
        The plan.
    units : GeoDataFrame
        The municipalities of the plan's grid (with ``province``; EPSG:31370).
    population : Series
        Inhabitants per municipality of the grid.
    province : str
        A province name as in ``units['province']`` (see :func:`provinces`).

    Returns
    -------
    ProvinceView

    Raises
    ------
    ProvinceError
        An unknown province.
    """
    _check(plan, units)
    codes = province_codes(units, province)
    share = plan.membership.shares_by_unit()
    pop = population.astype(float)
    total = sum(float(pop.get(c, 0.0)) for c in codes)
    covered = sum(float(pop.get(c, 0.0)) * min(share.get(c, 0.0), 1.0) for c in codes)
    return ProvinceView(
        province=province,
        grid=plan.grid,
        codes=codes,
        n_municipalities=len(codes),
        n_covered=sum(1 for c in codes if share.get(c, 0.0) > 0),
        population_total=round(total),
        population_covered=round(covered),
        clusters=province_clusters(plan, population, codes),
        units=units,
    )


def province_coverage(
    plan: Plan,
    units: gpd.GeoDataFrame,
    population: pd.Series,
    adjacency: Adjacency,
    codes: frozenset[str] | set[str],
) -> Coverage:
    """:func:`geo.coverage.coverage` of the plan restricted to ``codes``: every figure (clusters,
    inhabitants, provinces, uncovered municipalities) counts only those municipalities; a
    cluster's row holds its members inside (see :func:`province_clusters` for the whole)."""
    _check(plan, units)
    sub = units.loc[units.index.isin(codes)].copy()
    sub.attrs = dict(units.attrs)
    pop = population.loc[population.index.isin(codes)].copy()
    pop.attrs = dict(population.attrs)
    return coverage(restrict_plan(plan, set(codes)), sub, pop, adjacency)


def restrict_evaluation(
    evaluation: Evaluation, plan: Plan, codes: frozenset[str] | set[str]
) -> pd.DataFrame:
    """An evaluation's cluster table (:meth:`Evaluation.cluster_frame`) for the clusters with
    members in ``codes``, with ``crosses_border`` (members both in and out of ``codes``) and
    ``n_inside``. The rules were evaluated on whole clusters; only the rows are restricted."""
    frame = evaluation.cluster_frame()
    if frame.empty:
        return frame.assign(n_inside=pd.Series(dtype=int), crosses_border=pd.Series(dtype=bool))
    m = plan.frame
    inside = m[m["nis_code"].isin(codes)].groupby("cluster")["nis_code"].nunique()
    outside = m[~m["nis_code"].isin(codes)].groupby("cluster")["nis_code"].nunique()
    keep = frame["cluster"].isin(inside.index)
    out = frame[keep].reset_index(drop=True)
    out["n_inside"] = out["cluster"].map(inside).fillna(0).astype(int).to_numpy()
    out["crosses_border"] = out["cluster"].map(outside).fillna(0).gt(0).to_numpy()
    return out


def province_overlap(
    plan: Plan,
    layer: Layer,
    population: pd.Series,
    codes: frozenset[str] | set[str],
    areas: pd.Series | None = None,
) -> OverlapView:
    """:func:`geo.overlap.overlap_view` restricted to ``codes`` (a province's municipalities):
    plan and layer both cut to them, so a cluster's figures count its members inside."""
    return overlap_view(plan, layer, population, areas, frozenset(codes))
