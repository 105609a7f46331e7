"""Benchmark: the app's server-side cost of a map click, and the size of the map payload.

Prints figures; not a test. Run: ``uv run python bench/bench_app.py``

1. *Click to numbers* (pure path, what ``ui.views`` runs for a click): locate the clicked point,
   toggle the municipality in the active cluster, evaluate the plan (rules, scenario, alignment)
   and rebuild the cluster layer for the map. Plan: all 300 municipalities of the 2019 grid,
   clustered by vervoerregio, scenario beleidsregisseur.
2. *Whole script rerun* after a click, through Streamlit's AppTest (everything the server does
   before sending the page: sidebar, tables, violations, map): 2025 grid, default page.
3. *Map payload* for the 2025 grid (base map + cluster layer, simplified for display only).

The browser side (click to repaint) is measured by tests/test_browser.py, which prints it.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from pathlib import Path

from timing import timed

from geo.context import load_grid_data, load_plan, plan_path
from geo.layers import load_layer
from geo.plans import Plan
from geo.settings import resolve_data_dir
from scenarios.definitions import load_scenario
from scenarios.evaluate import evaluator_for
from scenarios.rules import load_rule_set
from ui.editor import Editor
from ui.mapview import (
    base_map,
    cluster_layer,
    display_geometry,
    geometry_collection,
    outline_geojson,
    payload_bytes,
)
from ui.model import evaluate_plan, handle_click, map_features

ROOT = Path(__file__).resolve().parents[1]


def stats(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    return f"median {statistics.median(ms):6.1f} ms · p95 {q[18]:6.1f} ms · max {max(ms):6.1f} ms (n={len(ms)})"


def click_path(dd: Path) -> None:
    gd = load_grid_data(2019, 2019, dd)
    layer = load_layer("vervoerregio", 2019, dd)
    plan = Plan.from_assignment(2019, dict(zip(layer["nis_code"], layer["region"], strict=True)))
    scenario = load_scenario("beleidsregisseur")
    rs = load_rule_set("regierol-2012")
    ev = evaluator_for(gd, scenario.comparison_layer)
    dg = display_geometry(gd.units)
    ed = Editor.start(plan, gd.adjacency)
    names, pop = gd.units["name"].to_dict(), gd.population.to_dict()
    cs = gd.units.index[gd.units["centrumstad"].astype(bool)]
    rng = random.Random(1)
    codes = list(dg.codes)
    count = [0]

    def one() -> None:
        code = rng.choice(codes)
        ed.active = ed.plan.clusters[rng.randrange(len(ed.plan.clusters))]
        lat, lng = dg.points[code]
        count[0] += 1
        handle_click(
            ed,
            dg,
            {
                "last_object_clicked": {"lat": lat, "lng": lng},
                "last_object_clicked_count": count[0],
            },
        )
        e = evaluate_plan(ev, ed.plan, rs, scenario)
        map_features(dg, ed.plan, ed.colours, names, pop, cs, e, ed.active)

    one()
    ms = timed(one, 300)
    print(f"click → numbers + map layer, 2019 grid, 300 municipalities: {stats(ms)}")


def rerun_path(dd: Path) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ.setdefault("REGIOKAART_DATA_DIR", str(dd))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    t = time.perf_counter()
    at.run()
    print(f"first page (cold caches): {(time.perf_counter() - t) * 1000:.0f} ms")
    gd = load_grid_data(2025, 2022, dd)
    dg = display_geometry(gd.units)
    codes = [c for c in dg.codes if c != "11002"]
    rng = random.Random(2)
    ms = []
    for i in range(1, 41):
        lat, lng = dg.points[rng.choice(codes)]
        at.session_state["map-2025--1-1-0"] = {
            "last_object_clicked": {"lat": lat, "lng": lng},
            "last_object_clicked_count": i,
        }
        t = time.perf_counter()
        at.run()
        ms.append((time.perf_counter() - t) * 1000)
    assert not at.exception, at.exception
    print(f"whole script rerun after a click (AppTest, 2025 grid): {stats(ms)}")


def payload(dd: Path) -> None:
    gd = load_grid_data(2025, 2022, dd)
    t = time.perf_counter()
    dg = display_geometry(gd.units)
    prep = (time.perf_counter() - t) * 1000
    plan = load_plan(plan_path("partnerships-2017"), gd)
    ed = Editor.start(plan, gd.adjacency)
    feats = map_features(
        dg, plan, ed.colours, gd.units["name"].to_dict(), gd.population.to_dict(),
        gd.units.index[gd.units["centrumstad"].astype(bool)], None, ed.active,
    )  # fmt: skip
    prov = gd.units.dissolve(by="province").reset_index()
    m = base_map(dg, provinces=outline_geojson(prov, "province"))
    size = payload_bytes(m, cluster_layer(feats, "/app/static/generated/g.json"), dg)
    print(f"display geometry 2025 (coverage simplification, once per grid): {prep:.0f} ms")
    geom = len(geometry_collection(dg).encode("utf-8"))
    print(f"map payload, 2025 grid (first load): {size / 1e6:.2f} MB (bar: 1.5 MB)")
    print(f"  of which the geometry file, loaded once and cached: {geom / 1e6:.2f} MB")
    print(f"  per edit, the cluster layer's properties: {len(feats.encode('utf-8')) / 1e3:.0f} kB")


def main() -> None:
    dd = resolve_data_dir().path
    payload(dd)
    click_path(dd)
    rerun_path(dd)


if __name__ == "__main__":
    main()
