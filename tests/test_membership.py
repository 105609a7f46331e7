"""The one membership model (geo.membership): value semantics, the reader, the validator (every
problem at once) and the mover, on a toy crosswalk and the toy units of conftest."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.codes import Crosswalk
from geo.coverage import coverage
from geo.errors import PlanError
from geo.membership import TOLERANCE, Membership, move_membership, parse_table, read_table
from geo.plans import Plan, move_plan, read_plan
from tests.conftest import toy_population, toy_units

# toy grids: on "2019" 11001+11002 merged into 11010; on "2025" 11003+11004 merged into 11020
CODES_2018 = [f"110{k:02d}" for k in range(1, 10)] + ["31001", "31002"]


def toy_crosswalk() -> Crosswalk:
    s18 = {c: c for c in CODES_2018}
    s18["11001"] = s18["11002"] = "11010"
    s19 = {c: c for c in sorted(set(s18.values()))}
    s19["11003"] = s19["11004"] = "11020"
    return Crosswalk({(2018, 2019): s18, (2019, 2025): s19}, {})


def table(rows, cols=("nis_code", "cluster")) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(cols), dtype=str)


# ------------------------------------------------------------------------------ value semantics
def test_membership_is_a_hashable_value():
    a = Membership.of(2018, [("11002", "b", 0.5), ("11001", "a", 1.0), ("11002", "a", 0.5)])
    b = Membership.of(2018, [("11001", "a", 1.0), ("11002", "a", 0.5), ("11002", "b", 0.5)])
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.rows == (("11001", "a", 1.0), ("11002", "a", 0.5), ("11002", "b", 0.5))
    assert a != Membership.of(2019, b.rows)  # the grid is part of the value
    assert list(a.frame.columns) == ["nis_code", "cluster", "share"]
    assert a.frame is a.frame  # cached view


def test_membership_refuses_bad_shares():
    with pytest.raises(PlanError, match="more than 1: 11001"):
        Membership.of(2018, [("11001", "a", 0.7), ("11001", "b", 0.4)])
    # a share within the tolerance of 1 is 1
    assert Membership.of(2018, [("11001", "a", 1 - TOLERANCE / 2)]).rows[0][2] == 1.0


def test_plan_is_sound():
    p = Plan.from_assignment(2018, {"11001": "a", "11002": "b"}, {"a": "Alfa"}, name="p")
    q = Plan.from_assignment(2018, {"11002": "b", "11001": "a"}, {"a": "Alfa"}, name="p")
    assert p == q and hash(p) == hash(q)
    assert dataclasses.replace(p, name="r").name == "r" and p.name == "p"
    with pytest.raises(TypeError):
        Plan(2018, p.frame)  # type: ignore[misc]  # keyword construction only
    assert p.grid == p.membership.grid == 2018
    assert p.assign("11003", "a") != p


# ------------------------------------------------------------------------------ validator
def test_every_problem_is_reported_at_once_with_rows():
    df = table(
        [
            ("11001", "a", ""),  # fine
            ("abc", "a", ""),  # format
            ("11002", "", ""),  # empty cluster
            ("21004", "a", ""),  # Brussels
            ("99999", "a", ""),  # not Flemish
            ("11010", "a", ""),  # a code of a later grid
            ("11005", "a", "1.5"),  # bad share
            ("11006", "a", ""),
            ("11006", "b", ""),  # double membership
            ("11007", "a", ""),
            ("11007", "a", ""),  # listed twice
            ("11008", "a", "0.6"),
            ("11008", "b", "0.6"),  # shares over 1
        ],
        ("nis_code", "cluster", "share"),
    )
    with pytest.raises(PlanError) as e:
        parse_table(df, 2018, toy_crosswalk(), source="t.csv")
    d = e.value.details
    assert len(d) == 9, d
    assert d[0].startswith("row 3: 'abc'")
    assert "row 4: empty cluster" in d
    assert any("row 5" in x and "Brussels" in x for x in d)
    assert any("row 6" in x and "99999 is not a Flemish" in x for x in d)
    assert any("row 7" in x and "use --grid 2019" in x for x in d)
    assert any("row 8: share '1.5'" in x for x in d)
    assert any("11006 is assigned to more than one cluster: row 9 (a), row 10 (b)" in x for x in d)
    assert any("11007 is listed twice: row 11 (a), row 12 (a)" in x for x in d)
    assert any("11008: shares add up to 1.2" in x for x in d)


def test_share_column_gives_split_units_and_absent_share_is_one():
    df = table(
        [("11001", "a", "0.25"), ("11001", "b", "0,75"), ("11002", "a", "")],
        ("nis_code", "cluster", "share"),
    )
    m = parse_table(df, 2018, toy_crosswalk()).membership
    assert m.rows == (("11001", "a", 0.25), ("11001", "b", 0.75), ("11002", "a", 1.0))


def test_mixed_grids_are_read_on_the_finest_grid_without_merging():
    # 11001 is a 2018 code; 11020 a 2025 code: both read on 2018 (11020 -> its predecessors)
    cw = toy_crosswalk()
    m = parse_table(table([("11001", "a"), ("11020", "b")]), 2025, cw).membership
    assert m.grid == 2018
    assert m.rows == (("11001", "a", 1.0), ("11003", "b", 1.0), ("11004", "b", 1.0))


def test_names_of_merged_parts_in_one_cluster_are_one_membership():
    cw = toy_crosswalk()
    own = {"Een": ("11001", 2018), "Twee": ("11002", 2018), "Drie": ("11003", 2025)}

    def resolve(name: str, grid: int, suggest: bool = True) -> tuple[str, int, str | None]:
        code, g = own[name]
        return code, g, None

    df = table([("Een", "a"), ("Twee", "a")], ("municipality", "cluster"))
    parsed = parse_table(df, 2025, cw, resolve)
    moved, _ = move_membership(parsed.membership, 2025, cw, {"11001": 3.0, "11002": 1.0})
    assert moved.rows == (("11010", "a", 1.0),)
    df = table([("Een", "a"), ("Twee", "b")], ("municipality", "cluster"))
    moved, notes = move_membership(
        parse_table(df, 2025, cw, resolve).membership, 2025, cw, {"11001": 3.0, "11002": 1.0}
    )
    assert moved.rows == (("11010", "a", 0.75), ("11010", "b", 0.25))
    assert any("11010" in n and "split" in n for n in notes)


# ------------------------------------------------------------------------------ reader
def test_reader_messages(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(PlanError, match=r"empty\.xlsx is empty"):
        read_table(empty)
    blank = tmp_path / "blank.xlsx"
    pd.DataFrame().to_excel(blank, index=False)
    with pytest.raises(PlanError, match="is empty"):
        read_table(blank)
    with pytest.raises(PlanError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_plan_csv_round_trip_keeps_shares(tmp_path):
    units, cw = toy_units(), toy_crosswalk()
    pop = toy_population(units)
    plan = Plan.from_frame(
        2018,
        table(
            [("11001", "a", "0.3"), ("11001", "b", "0.7"), ("11005", "b", "1")],
            ("nis_code", "cluster", "share"),
        ).astype({"share": float}),
        {"a": "Alfa", "b": "Beta"},
    )
    text = plan.to_csv_text()
    assert text.splitlines()[0] == "nis_code,cluster,cluster_name,share"
    p = tmp_path / "p.csv"
    p.write_text(text)
    back = read_plan(p, 2018, cw)
    assert back.membership == plan.membership and back.cluster_names == plan.cluster_names
    adj = {c: frozenset() for c in units.index}
    assert (
        coverage(back, units, pop, adj).to_dict()["population_covered"]
        == coverage(plan, units, pop, adj).to_dict()["population_covered"]
    )
    whole = Plan.from_assignment(2018, {"11001": "a"})
    assert whole.to_csv_text() == "nis_code,cluster,cluster_name\n11001,a,a\n"


# ------------------------------------------------------------------------------ properties
codes18 = st.sampled_from(CODES_2018)
clusters = st.sampled_from(["a", "b", "c"])


@st.composite
def memberships(draw) -> Membership:
    rows = []
    for code in draw(st.lists(codes18, unique=True, max_size=len(CODES_2018))):
        k = draw(st.integers(1, 3))
        cls = draw(st.lists(clusters, min_size=k, max_size=k, unique=True))
        cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=k - 1, max_size=k - 1)))
        bounds = [0, *cuts, draw(st.integers(max([0, *cuts]) + 1, 100))]
        for cl, lo, hi in zip(cls, bounds, bounds[1:], strict=False):
            if hi > lo:
                rows.append((code, cl, (hi - lo) / 100))
    return Membership.of(2018, rows)


@settings(max_examples=60, deadline=None)
@given(memberships())
def test_property_shares_per_unit_at_most_one(m):
    assert all(0 < s <= 1 for _, _, s in m.rows)
    assert all(t <= 1 + TOLERANCE for t in m.shares_by_unit().values())


@settings(max_examples=60, deadline=None)
@given(memberships())
def test_property_write_read_identity(tmp_path_factory, m):
    plan = Plan(membership=m, cluster_names={c: c.upper() for c in m.clusters})
    p = tmp_path_factory.mktemp("rt") / "p.csv"
    p.write_text(plan.to_csv_text())
    if not m.rows:
        return
    back = read_plan(p, 2018, toy_crosswalk())
    assert back.membership == m


@settings(max_examples=60, deadline=None)
@given(memberships(), st.lists(st.integers(1, 10_000), min_size=11, max_size=11))
def test_property_move_preserves_population_per_cluster(m, pops):
    cw = toy_crosswalk()
    w18 = dict(zip(CODES_2018, map(float, pops), strict=True))
    moved = move_plan(Plan(membership=m), 2025, cw, w18).membership
    m19 = cw.mapping(2018, 2025)
    w25: dict[str, float] = {}
    for c, v in w18.items():
        w25[m19[c]] = w25.get(m19[c], 0.0) + v
    for cl in {"a", "b", "c"}:
        before = sum(w18[c] * s for c, g, s in m.rows if g == cl)
        after = sum(w25[c] * s for c, g, s in moved.rows if g == cl)
        assert after == pytest.approx(before, rel=1e-9, abs=1e-6)
    assert all(t <= 1 + TOLERANCE for t in moved.shares_by_unit().values())
