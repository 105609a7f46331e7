"""Overlap of a plan's clusters with another regional division (a *comparison layer*).

A layer is a table ``regions`` with columns ``nis_code``, ``region`` and ``weight``: the share of the
municipality's population that lies in that region (1 for membership tables; fractions when the
layer's polygons cut through municipalities). ``regions.attrs`` carries ``grid`` and ``layer``.
"""

from __future__ import annotations

import pandas as pd

from geo.errors import GridError
from geo.plans import Plan

ALIGNMENT_COLUMNS = [
    "cluster", "regions_touched", "dominant_region", "dominant_share", "nested", "n_outside",
]  # fmt: skip


def cluster_alignment(plan: Plan, regions: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """Per cluster: regions touched, the dominant region and the share of the cluster's population
    in it (0-1), whether the cluster nests inside one region, and members outside the layer."""
    grid = regions.attrs.get("grid")
    if grid is not None and grid != plan.grid:
        raise GridError(f"Layer on the {grid} grid, plan on the {plan.grid} grid; move one first.")
    m = plan.membership
    pop = population.astype(float)
    joined = m.merge(regions[["nis_code", "region", "weight"]], on="nis_code", how="left")
    joined["pop"] = joined["nis_code"].map(pop) * joined["share"] * joined["weight"].fillna(0.0)
    cl_pop = (m.assign(pop=m["nis_code"].map(pop) * m["share"])).groupby("cluster")["pop"].sum()
    rows = []
    for cl in plan.clusters:
        g = joined[joined["cluster"] == cl]
        inside = g.dropna(subset=["region"])
        by_region = inside.groupby("region")["pop"].sum().sort_values(ascending=False)
        by_region = by_region[by_region > 0]
        total = float(cl_pop.get(cl, 0.0))
        outside = sorted(set(g["nis_code"]) - set(inside["nis_code"]))
        dom = str(by_region.index[0]) if len(by_region) else None
        share = float(by_region.iloc[0] / total) if len(by_region) and total > 0 else 0.0
        rows.append(
            {
                "cluster": cl,
                "regions_touched": len(by_region),
                "dominant_region": dom,
                "dominant_share": share,
                "nested": bool(len(by_region) == 1 and not outside and share > 1 - 1e-9),
                "n_outside": len(outside),
            }
        )
    return pd.DataFrame(rows, columns=ALIGNMENT_COLUMNS)
