"""The app's side of saved plans (settings kept and brought back, names escaped) and uploads
validated like the CLI. The store itself: tests/test_planstore.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geo.context import load_grid_data
from geo.errors import PlanError
from geo.planstore import PlanRecord
from ui.store import open_state, plan_from_bytes, plan_from_record, record_of


def rec(**kw) -> PlanRecord:
    base = PlanRecord(
        grid=2025,
        rows=(("11002", "A", 0.98), ("11002", "K", 0.02)),
        cluster_names={"A": "Stad Antwerpen", "K": "KINA"},
        population_year=2020,
        rule_set="regierol-2012",
        scenario="bestuursregisseur",
        overrides={"rule_set": {"min_population": 150000}, "scenario": {"max_population": 9}},
        outline="vervoerregio",
    )
    return replace(base, **kw)


def years(grid: int) -> list[int]:
    return [2020, 2021, 2022] if grid == 2025 else [2016]


KNOWN = dict(
    grids=(2025, 2019, 2018),
    years=years,
    rule_sets=["regierol-2012"],
    scenarios=["bestuursregisseur"],
    layers=["vervoerregio"],
)


def test_open_state_brings_every_setting_back() -> None:
    st = open_state(rec(), **KNOWN)
    assert (st.grid, st.year) == (2025, 2020)
    assert st.session == {
        "grid": 2025,
        "year": 2020,
        "rule_set": "regierol-2012",
        "scenario": "bestuursregisseur",
        "outline": "vervoerregio",
        "rp-regierol-2012-min_population": 150000,
        "sp-bestuursregisseur-max_population": 9,
    }
    assert st.clear_prefixes == ("rp-regierol-2012-", "sp-bestuursregisseur-")
    assert st.notes == ()


def test_open_state_notes_what_is_no_longer_there() -> None:
    st = open_state(rec(population_year=1999, scenario="weg", outline="oud"), **KNOWN)
    assert st.year == 2022 and "scenario" not in st.session and "outline" not in st.session
    assert len(st.notes) == 3
    with pytest.raises(PlanError):
        open_state(rec(grid=2030), **KNOWN)


def test_record_of_keeps_shares_and_settings() -> None:
    plan = plan_from_record(rec())
    r = record_of(
        plan, {"A": "#E69F00"}, grid=2025, population_year=2020, rule_set="regierol-2012",
        scenario="", overrides={"rule_set": {}, "scenario": {"x": 1}}, outline="",
    )  # fmt: skip
    assert r.rows == rec().rows and r.overrides == {"scenario": {"x": 1}} and r.outline is None
    with pytest.raises(PlanError):
        record_of(
            plan, {}, grid=2019, population_year=2020, rule_set="", scenario="", overrides={},
            outline="",
        )  # fmt: skip


def test_upload_is_validated_like_the_cli(data_dir) -> None:
    gd = load_grid_data(2019, 2019, data_dir)
    good = b"gemeente,cluster\nGent,G\nSt.-Martens-Latem,G\nZomergem,G\n"
    p = plan_from_bytes(good, "gent.csv", gd)
    assert p.grid == 2019 and p.name == "gent"
    assert set(p.members("G")) == {"44021", "44064", "44085"}
    bad = b"gemeente,cluster\nGentt,G\nGent,H\nGent,G\n"
    with pytest.raises(PlanError) as info:
        plan_from_bytes(bad, "fout.csv", gd)
    text = str(info.value)
    assert "row 2" in text and "Gent" in text
    with pytest.raises(PlanError, match="CSV"):
        plan_from_bytes(b"x", "plan.pdf", gd)
    # an older grid is moved forward
    old = b"nis_code,cluster\n44048,N\n44029,N\n"  # Nevele, Lovendegem (2018)
    moved = plan_from_bytes(old, "oud.csv", gd)
    assert moved.grid == 2019 and any("moved" in n for n in moved.notes)
