"""Coverage of a plan: per cluster and overall, in municipalities and in population.

:func:`cluster_table` gives one row per cluster (municipalities, inhabitants, centrumsteden,
provinces touched, area, contiguous parts); :func:`coverage` adds the overall figures, the
per-province breakdown and the uncovered municipalities. Population and area of a municipality that
is split between clusters (only in plans moved between grids) are counted by share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.contiguity import Adjacency, components
from geo.errors import GridError
from geo.plans import Plan

CLUSTER_COLUMNS = [
    "cluster", "name", "n_municipalities", "population", "centrumsteden", "n_centrumsteden",
    "provinces", "area_km2", "n_parts", "members",
]  # fmt: skip


def _check(plan: Plan, units: gpd.GeoDataFrame, population: pd.Series) -> None:
    ug, pg = units.attrs.get("grid"), population.attrs.get("grid")
    if ug != plan.grid or pg != plan.grid:
        raise GridError(
            f"Grid mismatch: plan on {plan.grid}, units on {ug}, population on {pg}. "
            "Move the plan or load the matching tables."
        )


def _lookups(units: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    """Plain-dict views of the unit table (fast scalar access on the hot path)."""
    key = id(units)
    hit = _LOOKUP_CACHE.get(key)
    if hit is not None and hit[0] is units:
        return hit[1]
    idx = list(units.index)
    out = {
        col: dict(zip(idx, units[col].tolist(), strict=True))
        for col in ("name", "province", "centrumstad", "area_km2")
    }
    _LOOKUP_CACHE.clear()
    _LOOKUP_CACHE[key] = (units, out)
    return out


_LOOKUP_CACHE: dict[int, tuple[gpd.GeoDataFrame, dict[str, dict[str, Any]]]] = {}


def cluster_table(
    plan: Plan, units: gpd.GeoDataFrame, population: pd.Series, adjacency: Adjacency
) -> pd.DataFrame:
    """One row per cluster of the plan (including empty clusters), sorted by cluster id."""
    _check(plan, units, population)
    lk = _lookups(units)
    pop = population.to_dict()
    members: dict[str, list[str]] = {c: [] for c in plan.clusters}
    cl_pop: dict[str, float] = dict.fromkeys(plan.clusters, 0.0)
    cl_area: dict[str, float] = dict.fromkeys(plan.clusters, 0.0)
    m = plan.frame
    for code, cl, share in zip(
        m["nis_code"].tolist(), m["cluster"].tolist(), m["share"].tolist(), strict=True
    ):
        members.setdefault(cl, []).append(code)
        cl_pop[cl] = cl_pop.get(cl, 0.0) + pop[code] * share
        cl_area[cl] = cl_area.get(cl, 0.0) + lk["area_km2"][code] * share
    rows: list[dict[str, Any]] = []
    for cl in plan.clusters:
        mem = sorted(members.get(cl, []))
        cs = [c for c in mem if lk["centrumstad"][c]]
        rows.append(
            {
                "cluster": cl,
                "name": plan.display_name(cl),
                "n_municipalities": len(mem),
                "population": round(cl_pop.get(cl, 0.0)),
                "centrumsteden": [lk["name"][c] for c in cs],
                "n_centrumsteden": len(cs),
                "provinces": sorted({lk["province"][c] for c in mem}),
                "area_km2": cl_area.get(cl, 0.0),
                "n_parts": len(components(mem, adjacency)),
                "members": mem,
            }
        )
    return pd.DataFrame(rows, columns=CLUSTER_COLUMNS)


class CoverageShares:
    """Shares of municipalities and inhabitants covered, for any class with the four counts."""

    n_municipalities_covered: int
    n_municipalities_total: int
    population_covered: int
    population_total: int

    @property
    def municipality_share(self) -> float:
        n = self.n_municipalities_total
        return self.n_municipalities_covered / n if n else 0.0

    @property
    def population_share(self) -> float:
        p = self.population_total
        return self.population_covered / p if p else 0.0


@dataclass(frozen=True)
class Coverage(CoverageShares):
    grid: int
    population_year: int | None
    clusters: pd.DataFrame
    n_clusters: int
    n_municipalities_covered: int
    n_municipalities_total: int
    population_covered: int
    population_total: int
    mean_cluster_population: float
    median_cluster_population: float
    mean_cluster_municipalities: float
    by_province: pd.DataFrame
    uncovered: list[str]
    split_units: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (keys of the CLI's JSON output)."""
        return {
            "grid": self.grid,
            "population_year": self.population_year,
            "n_clusters": self.n_clusters,
            "n_municipalities_covered": self.n_municipalities_covered,
            "n_municipalities_total": self.n_municipalities_total,
            "municipality_share": round(self.municipality_share, 6),
            "population_covered": self.population_covered,
            "population_total": self.population_total,
            "population_share": round(self.population_share, 6),
            "mean_cluster_population": round(self.mean_cluster_population, 1),
            "median_cluster_population": round(self.median_cluster_population, 1),
            "mean_cluster_municipalities": round(self.mean_cluster_municipalities, 2),
            "clusters": [
                {
                    "cluster": r.cluster,
                    "name": r.name,
                    "n_municipalities": int(r.n_municipalities),
                    "population": int(r.population),
                    "n_parts": int(r.n_parts),
                    "centrumsteden": list(r.centrumsteden),
                    "provinces": list(r.provinces),
                    "area_km2": round(float(r.area_km2), 2),
                    "members": list(r.members),
                }
                for r in self.clusters.itertuples()
            ],
            "by_province": self.by_province.reset_index().to_dict(orient="records"),
            "uncovered": self.uncovered,
            "notes": self.notes,
        }


def coverage(
    plan: Plan, units: gpd.GeoDataFrame, population: pd.Series, adjacency: Adjacency
) -> Coverage:
    """Coverage of ``plan`` on its grid (see module docstring)."""
    table = cluster_table(plan, units, population, adjacency)
    m = plan.frame
    covered_share = m.groupby("nis_code")["share"].sum().clip(upper=1.0)
    covered_share = covered_share.reindex(units.index, fill_value=0.0)
    pop_cov = float((population.reindex(units.index) * covered_share).sum())
    nonempty = table[table["n_municipalities"] > 0]
    lk = _lookups(units)
    pop = population.reindex(units.index)
    acc: dict[str, list[float]] = {}
    for code, p, sh in zip(units.index, pop.tolist(), covered_share.tolist(), strict=True):
        a = acc.setdefault(lk["province"][code], [0, 0, 0.0, 0.0])
        a[0] += 1
        a[1] += sh > 0
        a[2] += p
        a[3] += p * sh
    by_prov = pd.DataFrame(
        [(k, int(v[0]), int(v[1]), int(v[2]), round(v[3])) for k, v in sorted(acc.items())],
        columns=["province", "n_municipalities", "n_covered", "population", "population_covered"],
    ).set_index("province")
    by_prov["municipality_share"] = by_prov["n_covered"] / by_prov["n_municipalities"]
    by_prov["population_share"] = by_prov["population_covered"] / by_prov["population"]
    notes = list(plan.notes)
    for r in nonempty.itertuples():
        if r.n_parts > 1:
            notes.append(f"cluster {r.cluster} is in {r.n_parts} parts (not contiguous)")
    return Coverage(
        grid=plan.grid,
        population_year=population.attrs.get("year"),
        clusters=table,
        n_clusters=len(nonempty),
        n_municipalities_covered=int((covered_share > 0).sum()),
        n_municipalities_total=len(units),
        population_covered=round(pop_cov),
        population_total=int(population.reindex(units.index).sum()),
        mean_cluster_population=float(nonempty["population"].mean()) if len(nonempty) else 0.0,
        median_cluster_population=float(nonempty["population"].median()) if len(nonempty) else 0.0,
        mean_cluster_municipalities=(
            float(nonempty["n_municipalities"].mean()) if len(nonempty) else 0.0
        ),
        by_province=by_prov,
        uncovered=sorted(units.index[covered_share == 0]),
        split_units=plan.split_units,
        notes=notes,
    )
