"""Adjusted Rand index against known values and a brute-force pair count."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.overlap import adjusted_rand_index, ari_labels


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),  # relabelling does not matter
        ([0, 0, 1, 2], [0, 0, 1, 1], 4 / 7),  # 0.5714..., scikit-learn's documented value
        ([0, 0, 1, 1], [0, 0, 1, 2], 4 / 7),
        ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
        ([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2], 0.24242424242424246),
        (["a", "a", "a"], ["x", "x", "x"], 1.0),  # both trivial in the same way
        ([1, 2, 3], [4, 5, 6], 1.0),
    ],
)
def test_known_values(a, b, expected):
    assert ari_labels(a, b) == pytest.approx(expected)


def test_hubert_arabie_contingency():
    # the contingency-table form gives the same value as the labels
    ct = np.array([[2, 0], [0, 1], [0, 1]])
    assert adjusted_rand_index(ct) == pytest.approx(ari_labels([0, 0, 1, 2], [0, 0, 1, 1]))


def test_fewer_than_two_items_is_nan():
    assert np.isnan(adjusted_rand_index(np.array([[1.0]])))


def _brute_force(a, b):
    pairs = list(combinations(range(len(a)), 2))
    tp = sum(1 for i, j in pairs if a[i] == a[j] and b[i] == b[j])
    fp = sum(1 for i, j in pairs if a[i] != a[j] and b[i] == b[j])
    fn = sum(1 for i, j in pairs if a[i] == a[j] and b[i] != b[j])
    tn = len(pairs) - tp - fp - fn
    denom = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
    return 1.0 if denom == 0 else 2.0 * (tp * tn - fn * fp) / denom


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=2, max_size=25))
def test_matches_pair_counting(pairs):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    assert ari_labels(a, b) == pytest.approx(_brute_force(a, b), abs=1e-9)
