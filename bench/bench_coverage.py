"""Benchmark: load a grid with population, and compute coverage of a 300-municipality plan.

Prints figures; not a test. Run: ``uv run python bench/bench_coverage.py``
"""

from __future__ import annotations

import statistics

from timing import timed

from geo import codes, grids, names, population, sources
from geo.context import _adjacency, _grid_data, load_grid_data
from geo.plans import Plan
from geo.settings import resolve_data_dir


def clear_caches() -> None:
    for f in (
        grids._load_units_cached,
        grids.load_context,
        population._raw_population,
        codes.load_crosswalk,
        codes.read_refnis,
        names.name_index,
        _grid_data,
        _adjacency,
    ):
        f.cache_clear()
    sources._verified.clear()


def main() -> None:
    dd = resolve_data_dir().path

    def cold_load() -> None:
        clear_caches()
        load_grid_data(2019, 2019, dd)

    cold = timed(cold_load, 3)
    warm = timed(lambda: load_grid_data(2019, 2019, dd), 20)
    gd = load_grid_data(2019, 2019, dd)
    # a 300-municipality plan: every municipality of the 2019 grid, clustered by arrondissement
    plan = Plan.from_assignment(2019, gd.units["arrondissement"].to_dict())
    cov = timed(lambda: gd.coverage(plan), 30)
    moves = list(gd.units.index[:50])
    per_move = timed(lambda: [gd.coverage(plan.assign(c, "Gent")) for c in moves[:10]], 5)
    print(f"data dir: {dd}")
    print(
        f"load 2019 grid + population 2019 (cold, incl. checksums + adjacency): "
        f"median {statistics.median(cold):.0f} ms"
    )
    print(
        f"load 2019 grid + population 2019 (warm, cached): median {statistics.median(warm):.3f} ms"
    )
    print(
        f"coverage of a {len(plan.assignment)}-municipality plan ({len(plan.clusters)} clusters): "
        f"median {statistics.median(cov):.1f} ms, min {min(cov):.1f} ms"
    )
    print(f"assign one municipality + coverage: median {statistics.median(per_move) / 10:.1f} ms")


if __name__ == "__main__":
    main()
