"""Per-region alignment, agreement with nesting, and the report on toy data."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import GridError
from geo.layers import make_layer, plan_layer
from geo.overlap import agreement, cluster_alignment, overlap_report, region_alignment
from geo.plans import Plan


def layer(rows, grid=2018):
    return make_layer(
        pd.DataFrame(rows, columns=["nis_code", "region", "weight"]), grid, "t", "t", False, "table"
    )


PLAN = {"11001": "a", "11002": "a", "11003": "b", "11004": "b", "11005": "c"}
LAYER = [("11001", "X", 1.0), ("11002", "X", 1.0), ("11003", "X", 1.0), ("11004", "Y", 1.0),
         ("11006", "Y", 1.0)]  # fmt: skip


def test_region_alignment(population):
    plan = Plan.from_assignment(2018, PLAN)
    out = region_alignment(plan, layer(LAYER), population).set_index("region")
    # X: 11001-11003 (10k+20k+30k), clusters a (30k) and b (30k)
    assert out.loc["X", "clusters_touching"] == 2 and out.loc["X", "covered_share"] == 1.0
    assert out.loc["X", "dominant_cluster_share"] == pytest.approx(0.5)
    # Y: 11004 (40k, cluster b) and 11006 (60k, no cluster)
    assert out.loc["Y", "clusters"] == ["b"]
    assert out.loc["Y", "covered_share"] == pytest.approx(0.4)


def test_agreement_nesting_and_identity(population):
    plan = Plan.from_assignment(2018, PLAN)
    ag = agreement(plan_layer(plan), layer(LAYER))
    assert ag.n_common == 4
    # a is wholly in X (nested, not identical: X also holds 11003); b straddles X and Y;
    # c is not covered
    assert (ag.n_clusters_covered, ag.n_nested, ag.n_identical) == (2, 1, 0)
    same = agreement(plan_layer(plan), plan_layer(plan))
    assert same.ari == 1.0 and same.n_identical == 3 and same.share_nested == 1.0
    with pytest.raises(GridError):
        agreement(plan_layer(plan), layer(LAYER, grid=2019))


def test_cluster_alignment_outside_share(population):
    plan = Plan.from_assignment(2018, {"11001": "a", "11002": "a"})
    out = cluster_alignment(plan, layer([("11001", "X", 1.0), ("11002", "X", 0.5)]), population)
    assert out.loc[0, "outside_share"] == pytest.approx(10_000 / 30_000)
    assert out.loc[0, "n_outside"] == 0 and not out.loc[0, "nested"]


def test_report_keys(population, units):
    plan = Plan.from_assignment(2018, PLAN)
    rep = overlap_report(plan, layer(LAYER), population, units["area_km2"])
    assert rep["layer_completeness"] == pytest.approx(4 / 5)
    assert rep["agreement"] == pytest.approx(agreement(plan_layer(plan), layer(LAYER)).ari)
    assert [c["cluster"] for c in rep["clusters"]] == ["a", "b", "c"]
    assert rep["clusters"][2]["dominant_region"] is None
    assert "dominant_share_area" in rep["clusters"][0]
