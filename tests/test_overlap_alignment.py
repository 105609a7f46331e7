import pandas as pd
import pytest

from geo.layers import make_layer
from geo.overlap import cluster_alignment
from geo.plans import Plan


def regions(rows):
    df = pd.DataFrame(rows, columns=["nis_code", "region", "weight"])
    return make_layer(df, 2018, "toy", "toy", False, "table")


def test_alignment_dominant_share_and_nesting(population):
    plan = Plan.from_assignment(2018, {"11001": "a", "11002": "a", "11003": "b", "11004": "c"})
    reg = regions([("11001", "X", 1.0), ("11002", "Y", 1.0), ("11003", "X", 1.0)])
    out = cluster_alignment(plan, reg, population).set_index("cluster")
    # a: 10k in X, 20k in Y -> dominant Y with 2/3
    assert out.loc["a", "dominant_region"] == "Y"
    assert out.loc["a", "dominant_share"] == pytest.approx(2 / 3)
    assert out.loc["a", "regions_touched"] == 2 and not out.loc["a", "nested"]
    assert out.loc["b", "nested"] and out.loc["b", "dominant_share"] == pytest.approx(1.0)
    assert out.loc["c", "n_outside"] == 1 and pd.isna(out.loc["c", "dominant_region"])


def test_alignment_fractional_weights(population):
    plan = Plan.from_assignment(2018, {"11001": "a"})
    reg = regions([("11001", "X", 0.25), ("11001", "Y", 0.75)])
    out = cluster_alignment(plan, reg, population).set_index("cluster")
    assert out.loc["a", "dominant_region"] == "Y"
    assert out.loc["a", "dominant_share"] == pytest.approx(0.75)


def test_a_layer_that_lost_its_grid_or_is_of_another_grid_is_refused(population):
    from geo.errors import GridError

    plan = Plan.from_assignment(2018, {"11001": "a"})
    reg = regions([("11001", "X", 1.0)])
    lost = pd.concat([reg.frame, reg.frame.iloc[:0]])  # pandas drops attrs: no grid to check
    with pytest.raises(GridError, match=r"must be a geo\.layers\.Layer"):
        cluster_alignment(plan, lost, population)
    with pytest.raises(GridError, match="Layer on the 2018 grid, plan on the 2019 grid"):
        cluster_alignment(Plan.from_assignment(2019, {"11001": "a"}), reg, population)
