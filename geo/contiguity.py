"""Adjacency of municipalities and the number of contiguous parts of a cluster.

Two municipalities are neighbours when their boundaries share a line (rook adjacency; touching in a
single point does not count). A municipality with no Flemish neighbour at all (Voeren, which borders
only Wallonia and the Netherlands) is linked to its nearest Flemish municipality, so a cluster with
Voeren and Riemst counts as one part. A municipality made of several pieces (Baarle-Hertog and its
exclaves) is one node: it never splits a cluster by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import shapely

Adjacency = Mapping[str, frozenset[str]]


def build_adjacency(
    units: gpd.GeoDataFrame, min_shared_m: float = 1.0
) -> dict[str, frozenset[str]]:
    """Rook adjacency between the units (index = NIS code), plus links for isolated units."""
    codes = list(units.index)
    geoms = np.asarray(units.geometry.values)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    nbrs: dict[str, set[str]] = {c: set() for c in codes}
    mask = left < right
    left, right = left[mask], right[mask]
    if len(left):
        shared = shapely.length(
            shapely.intersection(shapely.boundary(geoms[left]), shapely.boundary(geoms[right]))
        )
        for a, b, s in zip(left, right, shared, strict=True):
            if s >= min_shared_m:
                nbrs[codes[a]].add(codes[b])
                nbrs[codes[b]].add(codes[a])
    for i, c in enumerate(codes):
        if not nbrs[c] and len(codes) > 1:
            d = shapely.distance(geoms[i], geoms)
            d[i] = np.inf
            j = int(np.argmin(d))
            nbrs[c].add(codes[j])
            nbrs[codes[j]].add(c)
    return {c: frozenset(v) for c, v in nbrs.items()}


def components(members: Iterable[str], adjacency: Adjacency) -> list[list[str]]:
    """Connected parts of a set of municipalities, largest first (ties by first code)."""
    todo = set(members)
    parts: list[list[str]] = []
    while todo:
        start = min(todo)
        stack, seen = [start], {start}
        while stack:
            node = stack.pop()
            for n in adjacency.get(node, ()):
                if n in todo and n not in seen:
                    seen.add(n)
                    stack.append(n)
        todo -= seen
        parts.append(sorted(seen))
    return sorted(parts, key=lambda p: (-len(p), p[0]))


def n_parts(members: Iterable[str], adjacency: Adjacency) -> int:
    return len(components(members, adjacency))
