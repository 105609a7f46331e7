"""Closest-match suggestions ("did you mean ...") that stay fast for many unknown names.

``difflib.get_close_matches`` costs about 3 ms per unknown name against the ~300 names of a grid,
so 20,000 unknown names took over a minute. :func:`close_matches` gives the same answer faster:
results are cached per name, candidates are first filtered with difflib's own ``quick_ratio``
bound computed for all candidates at once (numpy: character counts), and a name longer than
:data:`MAX_SUGGEST_CHARS` gets no suggestion at all (nobody mistypes a municipality that long).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

MAX_SUGGEST_CHARS = 80


@lru_cache(maxsize=16)
def _profile(cands: tuple[str, ...]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    chars = sorted({ch for c in cands for ch in c})
    index = {ch: i for i, ch in enumerate(chars)}
    mat = np.zeros((len(cands), len(chars) + 1), dtype=np.int32)
    for r, c in enumerate(cands):
        for ch in c:
            mat[r, index[ch]] += 1
    lens = np.array([len(c) for c in cands], dtype=np.float64)
    return index, mat, lens


@lru_cache(maxsize=8192)
def _close(key: str, cands: tuple[str, ...], n: int, cutoff: float) -> tuple[str, ...]:
    if not cands:
        return ()
    index, mat, lens = _profile(cands)
    v = np.zeros(mat.shape[1], dtype=np.int32)
    for ch in key:
        i = index.get(ch)
        if i is not None:
            v[i] += 1
    upper = 2.0 * np.minimum(mat, v).sum(axis=1) / (lens + len(key))  # quick_ratio of each
    keep = [cands[i] for i in np.flatnonzero(upper >= cutoff)]
    return tuple(difflib.get_close_matches(key, keep, n=n, cutoff=cutoff))


def close_matches(
    key: str, candidates: Sequence[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """``difflib.get_close_matches(key, candidates, n, cutoff)``, cached and prefiltered."""
    if not key or len(key) > MAX_SUGGEST_CHARS:
        return []
    return list(_close(key, tuple(candidates), n, cutoff))
