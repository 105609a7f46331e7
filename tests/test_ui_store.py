"""Saved plans: atomic, nothing lost on a failed write; uploads validated like the CLI."""

from __future__ import annotations

import os

import pytest

from geo.context import load_grid_data
from geo.errors import PlanError
from geo.plans import Plan
from ui.store import PlanStore, plan_from_bytes, slug


def plan(n: int = 2) -> Plan:
    return Plan.from_assignment(2019, {f"1100{k}": "x" for k in range(1, n + 1)}, {"x": "Noord"})


def test_save_list_load_roundtrip(tmp_path) -> None:
    store = PlanStore(tmp_path / "plans")
    assert store.list() == []
    p = store.save("Mijn plan", plan(), {"x": "#E69F00"}, {"scenario": "beleidsregisseur"})
    assert p.name == "mijn-plan.plan.json"
    sp = store.load("Mijn plan")
    assert sp.name == "Mijn plan" and sp.grid == 2019 and sp.colours == {"x": "#E69F00"}
    assert sp.meta["scenario"] == "beleidsregisseur"
    assert sp.csv_text == plan().to_csv_text()
    store.save("Mijn plan", plan(3))  # overwrite
    assert store.load("Mijn plan").csv_text.count("\n") == 4
    assert [s.name for s in store.list()] == ["Mijn plan"]
    store.delete("Mijn plan")
    assert store.list() == []


def test_failed_write_keeps_the_previous_version(tmp_path, monkeypatch) -> None:
    store = PlanStore(tmp_path)
    store.save("p", plan(2))
    before = store.path("p").read_bytes()

    def crash(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.save("p", plan(3))
    assert store.path("p").read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["p.plan.json"]  # no temporary file left


def test_damaged_file_is_reported_not_loaded(tmp_path) -> None:
    store = PlanStore(tmp_path)
    store.save("goed", plan())
    (tmp_path / "kapot.plan.json").write_text("{not json", "utf-8")
    assert [s.name for s in store.list()] == ["goed"]
    plans, problems = store.scan()
    assert [s.name for s in plans] == ["goed"]
    assert any("kapot.plan.json" in p for p in problems)
    with pytest.raises(PlanError):
        store.load("kapot")
    with pytest.raises(PlanError):
        slug("  ?? ")


@pytest.mark.realdata
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
