"""Benchmark: overlap of a 300-municipality plan with every shipped layer, and a polygon overlay.

Prints figures; not a test. Run: ``uv run python bench/bench_overlap.py``

The plan: every municipality of the 2019 grid (300), clustered by vervoerregio (15 clusters).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from timing import timed

from geo import layers
from geo.context import load_grid_data
from geo.layers import (
    layer_outlines,
    load_layer,
    overlay_weights,
    read_user_layer,
    registry,
)
from geo.overlap import overlap_report
from geo.plans import Plan
from geo.settings import resolve_data_dir


def clear_layer_caches() -> None:
    for f in (layers._native_layer, layers._load_layer_cached, layers._outlines_cached,
              layers._user_layer_cached):  # fmt: skip
        f.cache_clear()


def main() -> None:
    dd = resolve_data_dir().path
    gd = load_grid_data(2019, 2022, dd)
    vr = load_layer("vervoerregio", 2019, dd).set_index("nis_code")["region"]
    plan = Plan.from_assignment(2019, vr.to_dict(), name="vervoerregio-plan")
    print(f"data dir: {dd}")
    print(f"plan: {len(plan.assignment)} municipalities of the 2019 grid, {len(plan.clusters)} "
          "clusters (vervoerregio's); population 2022")  # fmt: skip
    print(f"{'layer':18s} {'load cold':>10s} {'report warm':>12s} {'ARI':>7s}")
    total_cold, total_warm = 0.0, 0.0
    for lid in registry():
        clear_layer_caches()
        t = time.perf_counter()
        load_layer(lid, 2019, dd)
        cold = (time.perf_counter() - t) * 1000
        layer = load_layer(lid, 2019, dd)
        warm = timed(lambda layer=layer: overlap_report(plan, layer, gd.population), 5)
        rep = overlap_report(plan, layer, gd.population)
        ari = rep["agreement"]
        total_cold += cold
        total_warm += statistics.median(warm)
        print(f"{lid:18s} {cold:8.0f} ms {statistics.median(warm):9.0f} ms "
              f"{'n/a' if ari is None else f'{ari:7.3f}'}")  # fmt: skip
    print(f"all {len(registry())} layers: load (cold) {total_cold:.0f} ms, reports (warm) "
          f"{total_warm:.0f} ms")  # fmt: skip
    from geo.overlap import agreement, cluster_alignment

    layer = load_layer("streekwerking", 2019, dd)
    ca = timed(lambda: cluster_alignment(plan, layer, gd.population), 20)
    ag = timed(lambda: agreement(layers.plan_layer(plan), layer), 20)
    print(f"per edit (streekwerking): cluster_alignment median {statistics.median(ca):.1f} ms; "
          f"agreement (ARI + nesting + by province) median {statistics.median(ag):.1f} ms")  # fmt: skip

    # polygon overlay: the Provincies in Cijfers police-zone polygons (107) on the 2019 grid
    from geo.sources import checked_path

    polys = gpd.read_file(checked_path(dd, "regions/pinc/politiezone.shp"))
    polys = polys.rename(columns={"politiezon": "region"})
    ov = timed(lambda: overlay_weights(polys, gd.units), 5)
    print(f"overlay_weights: {len(polys)} police-zone polygons x {len(gd.units)} municipalities: "
          f"median {statistics.median(ov):.0f} ms")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "pz.gpkg"
        polys.to_file(p)
        clear_layer_caches()
        cold_user = timed(lambda: read_user_layer(p, 2019, dd), 1)
        warm_user = timed(lambda: read_user_layer(p, 2019, dd), 20)
        layer = read_user_layer(p, 2019, dd)
        rep = timed(lambda: overlap_report(plan, layer, gd.population, gd.units["area_km2"]), 5)
    print(f"user GeoPackage layer (read + validate + overlap check + overlay): cold "
          f"{cold_user[0]:.0f} ms, cached {statistics.median(warm_user):.2f} ms; report "
          f"{statistics.median(rep):.0f} ms")  # fmt: skip
    clear_layer_caches()
    out_cold = timed(lambda: layer_outlines("streekwerking", 2019, dd), 1)
    out_warm = timed(lambda: layer_outlines("streekwerking", 2019, dd), 10)
    print(f"layer_outlines('streekwerking', 2019): cold {out_cold[0]:.0f} ms, cached "
          f"{statistics.median(out_warm):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
