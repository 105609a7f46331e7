"""Benchmark: the app's server-side cost of a map click, and the size of the map payload.

Prints figures; not a test. Run: ``uv run python bench/bench_app.py``

1. *Edit to numbers* (pure path, what the map editor's callback and fragment run for an edit):
   apply the edit (``Evaluator.move``), evaluate (rules, scenario, alignment) and build the view
   state's changes for the browser. Plan: all 300 municipalities of the 2019 grid, clustered by
   vervoerregio, scenario beleidsregisseur.
2. *Whole script rerun* through Streamlit's AppTest (everything the server does before sending
   the page: sidebar, tabs, tables, violations, map): 2025 grid, default page.
3. *Map payload* for the 2025 grid (base map + cluster layer, simplified for display only).

The browser side (click to paint, to figures, bytes per click) is bench/bench_browser.py.
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
from ui.mapcomponent.payload import (
    Edit,
    LiveState,
    SentStates,
    apply_edit,
    assignment_of,
    view_state,
)
from ui.mapview import (
    base_map,
    cluster_layer,
    display_geometry,
    geometry_collection,
    outline_geojson,
    payload_bytes,
)
from ui.model import map_features

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
    ed = Editor.start(plan, gd.adjacency)
    names = gd.units["name"].to_dict()
    live = LiveState()
    sent = SentStates()
    rng = random.Random(1)
    codes = list(gd.units.index)
    seq = [0]

    def one(n: int) -> None:
        picked = tuple(rng.sample(codes, n))
        cluster = ed.plan.clusters[rng.randrange(len(ed.plan.clusters))]
        seq[0] += 1
        out = apply_edit(ed, ev, live, Edit(seq[0], picked, cluster, "click"), names)
        assert out.ok, out
        st = live.get(ev, ed.plan)
        e = ev.evaluate(st, rs, scenario)
        state = view_state(
            ed.plan, ed.colours, e, assignment=assignment_of(st)[0], active=cluster, grid=2019,
            geometry="/g.json", meta_token="2019", outlines={},
        )  # fmt: skip
        sent.payload(state, full=False, extra={})

    one(1)
    ms = timed(lambda: one(1), 300)
    print(f"edit → numbers + view-state changes, 2019 grid, 300 municipalities: {stats(ms)}")
    ms = timed(lambda: one(20), 100)
    print(f"  the same for 20 municipalities in one edit (brush, box): {stats(ms)}")


def rerun_path(dd: Path) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ.setdefault("REGIOKAART_DATA_DIR", str(dd))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    t = time.perf_counter()
    at.run()
    print(f"first page (cold caches): {(time.perf_counter() - t) * 1000:.0f} ms")
    ms = []
    for _ in range(20):
        t = time.perf_counter()
        at.run()
        ms.append((time.perf_counter() - t) * 1000)
    assert not at.exception, at.exception
    print(
        f"whole page script, warm (AppTest, 2025 grid; an edit reruns only the editor): {stats(ms)}"
    )


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
