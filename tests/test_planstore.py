"""The SQLite plan store: exact names, versions, soft delete, transactions, JSON import."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import PlanError, RegiokaartError, StoreError
from geo.plans import Plan
from geo.planstore import (
    SCHEMA_VERSION,
    PlanRecord,
    PlanStore,
    plan_from_record,
    record_from_plan,
    resolve_db_path,
)

ROOT = Path(__file__).resolve().parents[1]


def rec(n: int = 2, **kw) -> PlanRecord:
    rows = tuple((f"1100{k}", "x", 1.0) for k in range(1, n + 1))
    base = PlanRecord(
        grid=2025,
        rows=rows,
        cluster_names={"x": "Noord"},
        colours={"x": "#E69F00"},
        population_year=2024,
        rule_set="regierol-2012",
        scenario="bestuursregisseur",
        overrides={"rule_set": {"min_population": 150000}, "scenario": {"x": 0.5}},
        outline="vervoerregio",
    )
    return replace(base, **kw)


def same(a: PlanRecord, b: PlanRecord) -> bool:
    """Equal apart from what the store adds (note, timestamp)."""
    return replace(a, note="", created="") == replace(b, note="", created="")


def test_where_the_store_lives(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("REGIOKAART_PLANS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_db_path() == tmp_path / "xdg" / "regiokaart" / "plans.sqlite"
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db_path() == tmp_path / "env.sqlite"
    assert resolve_db_path(tmp_path / "cli.sqlite") == tmp_path / "cli.sqlite"


def test_save_load_versions_and_wal(tmp_path) -> None:
    store = PlanStore(tmp_path / "plans.sqlite")
    assert store.list() == []
    assert store.save("Mijn plan", rec(2), note="eerste") == 1
    assert store.save("Mijn plan", rec(3), note="tweede") == 2
    latest = store.load("Mijn plan")
    assert len(latest.rows) == 3 and latest.note == "tweede" and latest.created.endswith("Z")
    first = store.load("Mijn plan", version=1)
    assert same(first, rec(2)) and first.note == "eerste"
    [s] = store.list()
    assert (s.name, s.versions, s.grid, s.n_clusters, s.last_note) == (
        "Mijn plan",
        2,
        2025,
        1,
        "tweede",
    )
    assert [v.version for v in store.history("Mijn plan")] == [1, 2]
    assert [v.n_rows for v in store.history("Mijn plan")] == [2, 3]
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION
    )
    # rows, not a blob
    assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 5


def test_names_are_exact_and_case_sensitive(tmp_path) -> None:
    store = PlanStore(tmp_path / "p.sqlite")
    for name in ("Goed plan", "GOED PLAN", "Goed-plan", "東京", "🚀", "x" * 200):
        assert store.save(name, rec()) == 1
    assert sorted(s.name for s in store.list()) == sorted(
        ["Goed plan", "GOED PLAN", "Goed-plan", "東京", "🚀", "x" * 200]
    )
    store.save("GOED PLAN", rec(3))
    assert len(store.load("Goed plan").rows) == 2
    assert len(store.load("GOED PLAN").rows) == 3
    assert len(store.load("東京").rows) == 2
    for bad, why in (
        ("", "naam"),
        ("   ", "naam"),
        ("x" * 201, "200"),
        ("a\nb", "control"),
        ("a\x00b", "control"),
        (" lead", "space"),
    ):
        with pytest.raises(PlanError, match=why):
            store.save(bad, rec())


def test_unknown_names_and_versions_suggest(tmp_path) -> None:
    store = PlanStore(tmp_path / "p.sqlite")
    store.save("Westhoek", rec())
    with pytest.raises(StoreError, match="Westhoek"):
        store.load("Westhoeck")
    with pytest.raises(StoreError, match="versie 7"):
        store.load("Westhoek", 7)
    with pytest.raises(StoreError):
        store.history("nope")
    with pytest.raises(StoreError):
        store.delete("nope")


def test_delete_is_soft_exact_and_restorable(tmp_path) -> None:
    store = PlanStore(tmp_path / "p.sqlite")
    store.save("Plan", rec(2))
    store.save("Plan (kopie)", rec(3))
    store.save("plan", rec(4))
    store.delete("Plan (kopie)")
    assert sorted(s.name for s in store.list()) == ["Plan", "plan"]
    assert [s.name for s in store.deleted()] == ["Plan (kopie)"]
    assert store.deleted()[0].deleted
    with pytest.raises(StoreError, match="verwijderd"):
        store.load("Plan (kopie)")
    with pytest.raises(StoreError, match="restore"):
        store.save("Plan (kopie)", rec())
    store.restore("Plan (kopie)")
    assert len(store.load("Plan (kopie)").rows) == 3
    assert store.deleted() == []
    with pytest.raises(StoreError):
        store.restore("Plan")  # not deleted


def test_colours_checked_on_save_and_on_load(tmp_path) -> None:
    store = PlanStore(tmp_path / "p.sqlite")
    for bad in ("red", "#E69F0", "#E69F00;}<script>", "url(x)"):
        with pytest.raises(PlanError, match="kleur"):
            store.save("p", rec(colours={"x": bad}))
    store.save("p", rec())
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE colours SET colour = 'red</style><script>'")
    conn.commit()
    conn.close()
    loaded = store.load("p")
    assert loaded.colours == {} and "not #RRGGBB" in loaded.problems[0]


def test_bad_records_are_refused_with_every_problem(tmp_path) -> None:
    store = PlanStore(tmp_path / "p.sqlite")
    bad = rec(
        rows=(("11001", "x", 0.6), ("11001", "y", 0.6), ("11002", "x", 0.0), ("11002", "x", 1.0)),
        overrides={"a": float("nan")},
    )
    with pytest.raises(PlanError) as info:
        store.save("p", bad)
    text = str(info.value)
    assert "add up to 1.2" in text and "> 0" in text and "twice" in text and "JSON" in text
    assert store.list() == []


def test_a_failed_save_leaves_the_store_as_it_was(tmp_path, monkeypatch) -> None:
    store = PlanStore(tmp_path / "p.sqlite")
    store.save("p", rec(2))
    original = PlanStore._insert

    def half(self, conn, *a, **k):
        original(self, conn, *a, **k)  # every row written, then the failure before COMMIT
        raise RuntimeError("killed")

    monkeypatch.setattr(PlanStore, "_insert", half)
    with pytest.raises(RuntimeError):
        store.save("p", rec(3))
    with pytest.raises(RuntimeError):
        store.save("new", rec(3))
    monkeypatch.undo()
    assert [v.version for v in store.history("p")] == [1]
    assert [s.name for s in store.list()] == ["p"]
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 2


def test_a_killed_process_leaves_the_store_consistent(tmp_path) -> None:
    db = tmp_path / "p.sqlite"
    PlanStore(db).save("p", rec(2))
    code = f"""
import os
from geo.planstore import PlanStore
from tests.test_planstore import rec
orig = PlanStore._insert
def die(self, conn, *a, **k):
    orig(self, conn, *a, **k)
    os._exit(9)  # killed mid-transaction: no rollback, no commit
PlanStore._insert = die
PlanStore({str(db)!r}).save("p", rec(5))
"""
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 9, r.stderr
    store = PlanStore(db)
    assert [v.version for v in store.history("p")] == [1]
    assert len(store.load("p").rows) == 2
    assert store.save("p", rec(4)) == 2
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_unwritable_places_give_a_clear_error(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = PlanStore(blocker / "plans.sqlite")
    with pytest.raises(StoreError, match=re.escape(str(blocker / "plans.sqlite"))):
        store.list()
    with pytest.raises(StoreError, match=r"plans\.sqlite"):
        store.save("p", rec())
    not_a_db = tmp_path / "garbage.sqlite"
    not_a_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"garbage\.sqlite"):
        PlanStore(not_a_db).list()


def test_unwritable_location_names_the_path(tmp_path) -> None:
    """A store whose folder cannot be made (here: a file stands where the folder should be; the
    tests run as root, so a read-only folder would not refuse) is a StoreError naming the path."""
    blocker = tmp_path / "ro"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="ro"):
        PlanStore(blocker / "plans.sqlite").save("p", rec())
    assert blocker.read_text() == "not a folder"


def test_a_store_that_cannot_be_written_is_still_readable(tmp_path, monkeypatch) -> None:
    db = tmp_path / "p.sqlite"
    PlanStore(db).save("東京", rec())

    def refuse(self):
        raise StoreError(f"cannot write {self.path}")

    monkeypatch.setattr(PlanStore, "_open", refuse)  # what a read-only folder does
    store = PlanStore(db)
    assert [s.name for s in store.list()] == ["東京"]
    assert same(store.load("東京"), rec())
    with pytest.raises(StoreError, match="cannot write"):
        store.save("x", rec())
    with pytest.raises(StoreError, match="cannot write"):
        PlanStore(tmp_path / "missing.sqlite").list()


def test_newer_schema_is_refused(tmp_path) -> None:
    db = tmp_path / "p.sqlite"
    PlanStore(db).list()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        PlanStore(db).list()


def test_plan_converters_keep_shares() -> None:
    import pandas as pd

    m = pd.DataFrame(
        [("11002", "A", 0.98), ("11002", "K", 0.02), ("44085", "M", 1 / 3), ("11001", "A", 1.0)],
        columns=["nis_code", "cluster", "share"],
    )
    plan = Plan.from_frame(2025, m, {"A": "Stad Antwerpen", "K": "KINA", "M": "Meetjesland"}, "x")
    r = record_from_plan(plan, colours={"A": "#E69F00", "gone": "#000000"}, population_year=2024)
    assert r.is_split and r.colours == {"A": "#E69F00"}
    back = plan_from_record(r, "x")
    assert back.grid == 2025 and dict(back.cluster_names) == dict(plan.cluster_names)
    assert back.membership == plan.membership
    # shares are kept to 12 decimals (geo.membership.SHARE_DECIMALS: what XLSX keeps exactly)
    want = sorted((c, cl, round(sh, 12)) for c, cl, sh in m.itertuples(index=False))
    assert sorted(back.membership.rows) == want
    csv = r.to_csv_text().splitlines()
    assert csv[0] == "nis_code,cluster,cluster_name,share"
    assert "11002,K,KINA,0.02" in csv and f"44085,M,Meetjesland,{round(1 / 3, 12)!r}" in csv
    assert rec().to_csv_text().splitlines()[0] == "nis_code,cluster,cluster_name"


# ----------------------------------------------------------------------------- JSON import
def _json_plan(folder: Path, stem: str, name: str, colours: dict[str, str]) -> None:
    doc = {
        "format": "regiokaart-plan/1",
        "name": name,
        "saved_at": "2026-05-01T10:00:00",
        "grid": 2019,
        "n_clusters": 1,
        "cluster_names": {"g": "Gent & co"},
        "colours": colours,
        "settings": {
            "grid": 2019,
            "population_year": 2019,
            "rule_set": "regierol-2012",
            "scenario": "",
        },
        "plan_csv": "nis_code,cluster,cluster_name\n44021,g,Gent & co\n44064,g,Gent & co\n",
    }
    (folder / f"{stem}.plan.json").write_text(json.dumps(doc), "utf-8")


def test_json_plans_imported_once(tmp_path) -> None:
    old = tmp_path / "plans"
    old.mkdir()
    _json_plan(old, "gent", "Gent", {"g": "#009E73"})
    _json_plan(old, "rood", "Rood", {"g": "red"})
    (old / "kapot.plan.json").write_text("{not json", "utf-8")
    store = PlanStore(tmp_path / "p.sqlite")
    report = store.import_json_once(old)
    assert sorted(report.imported) == ["Gent", "Rood"]
    assert len(report.problems) == 1 and "kapot.plan.json" in report.problems[0]
    gent = store.load("Gent")
    assert gent.grid == 2019 and gent.population_year == 2019 and gent.rule_set == "regierol-2012"
    assert gent.rows == (("44021", "g", 1.0), ("44064", "g", 1.0))
    assert gent.colours == {"g": "#009E73"} and gent.cluster_names == {"g": "Gent & co"}
    assert "imported from gent.plan.json" in gent.note
    assert store.load("Rood").colours == {} and "red" in store.load("Rood").note
    assert (old / "kapot.plan.json").exists() and (old / "gent.plan.json").exists()
    _json_plan(old, "later", "Later", {})
    assert store.import_json_once(old).already_done
    assert [v.version for v in store.history("Gent")] == [1]
    assert "Later" not in store.names()
    assert json.loads(store.meta("json_import") or "{}")["imported"]


# ----------------------------------------------------------------------------- property
names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=200).filter(
    lambda s: s.strip() == s and s.strip() != ""
)
labels = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
shares = st.floats(min_value=1e-9, max_value=1.0, allow_nan=False)
codes = st.from_regex(r"[1-9][0-9]{4}", fullmatch=True)


@st.composite
def records(draw) -> PlanRecord:
    clusters = draw(st.lists(labels, min_size=1, max_size=5, unique=True))
    units = draw(st.lists(codes, max_size=12, unique=True))
    rows = []
    for u in units:
        k = draw(st.integers(1, len(clusters)))
        chosen = draw(st.permutations(clusters))[:k]
        parts = [draw(shares) for _ in chosen]
        total = sum(parts)
        for cl, p in zip(chosen, parts, strict=True):
            rows.append((u, cl, min(1.0, p / total) if total > 1 else p))
    return PlanRecord(
        grid=draw(st.sampled_from([2018, 2019, 2025])),
        rows=tuple(rows),
        cluster_names={c: draw(labels) for c in clusters},
        colours={c: draw(st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True)) for c in clusters},
        population_year=draw(st.none() | st.integers(2000, 2030)),
        rule_set=draw(st.text(max_size=20)),
        scenario=draw(st.text(max_size=20)),
        overrides=draw(
            st.dictionaries(
                st.text(max_size=10),
                st.integers() | st.booleans() | st.text(max_size=5),
                max_size=3,
            )
        ),
        outline=draw(st.none() | st.text(min_size=1, max_size=20)),
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=names, record=records(), note=st.text(max_size=50))
def test_save_then_load_is_identical(tmp_path, name, record, note) -> None:
    try:
        validate = PlanStore(tmp_path / "prop.sqlite")
        v = validate.save(name, record, note=note)
    except RegiokaartError as exc:  # only impossible shares may be refused
        assert "add up" in str(exc), exc
        return
    loaded = validate.load(name, v)
    assert loaded == replace(record, note=note, created=loaded.created)
    assert name in validate.names()


# ---------------------------------------------------------------------------- own layers (schema 2)
def _toy_layers():
    import geopandas as gpd
    from shapely.geometry import box

    from geo.layers import make_layer, polygon_layer
    from tests.conftest import toy_units

    units = toy_units()
    table = make_layer(
        __import__("pandas").DataFrame(
            {"nis_code": ["11001", "11002", "31001"], "region": ["R", "R", "S"], "weight": 1.0}
        ),
        2018, "mijn regio's", "mijn regio's", False, "table",
        region_names={"R": "Regio <R>", "S": "Zuid"},
    )  # fmt: skip
    polys = gpd.GeoDataFrame(
        {"region": ["W", "E"]}, geometry=[box(0, 0, 1500, 3000), box(1500, 0, 4000, 3000)],
        crs="EPSG:31370",
    )  # fmt: skip
    return units, table, polygon_layer(polys, units, "band"), polys


def test_own_layer_round_trip(tmp_path, monkeypatch) -> None:
    from geo.planstore import layer_from_stored, stored_layer

    units, table, poly, polys = _toy_layers()
    plan = Plan.from_assignment(2018, {"11001": "a", "11002": "a", "31001": "b"})
    store = PlanStore(tmp_path / "p.sqlite")
    # a membership table: its rows say everything
    st_table = stored_layer(table, b"nis_code,region\n", "regions.csv", "region")
    assert st_table.file_bytes is None and st_table.kind == "table"
    store.save("Met laag", record_from_plan(plan, layer=st_table))
    back = store.load("Met laag")
    assert back.layer == st_table
    layer = layer_from_stored(back.layer, back.grid)
    assert layer.membership == table.membership and dict(layer.region_names) == dict(
        table.region_names
    )
    # polygons: the derived weights (fractions) and the original file
    gpkg = tmp_path / "band.gpkg"
    polys.to_file(gpkg, driver="GPKG")
    data = gpkg.read_bytes()
    st_poly = stored_layer(poly, data, "band.gpkg")
    store.save("Met laag", record_from_plan(plan, layer=st_poly), note="polygonen")
    again = store.load("Met laag", 2)
    assert again.layer is not None and again.layer.rows == poly.membership.rows
    assert again.layer.file_bytes == data and again.layer.kind == "polygons"
    assert any(w < 1.0 for _, _, w in again.layer.rows)  # fractions kept exactly
    monkeypatch.setattr("geo.layers.load_units", lambda g, d: units)
    layer = layer_from_stored(again.layer, 2018, tmp_path)
    assert layer.membership == poly.membership and layer.weighting == "area"
    assert layer.polygons is not None and sorted(layer.polygons["region"]) == ["E", "W"]
    assert store.load("Met laag", 1).layer == st_table  # versions keep their own layer
    assert store.save("Zonder", rec()) == 1 and store.load("Zonder").layer is None
    assert again.to_json()["layer"]["file_size"] == len(data)
    # refused: weights out of range, a file over the limit
    bad = replace(st_table, rows=(("11001", "R", 1.5),))
    with pytest.raises(PlanError):
        store.save("Slecht", record_from_plan(plan, layer=bad))
    from geo.limits import MAX_FILE_BYTES

    big = replace(st_poly, file_bytes=b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(PlanError, match="layer file"):
        store.save("Slecht", record_from_plan(plan, layer=big))
    assert "Slecht" not in store.names()


def test_schema_1_store_migrates_in_place(tmp_path) -> None:
    from geo.planstore import _migrate_0_to_1

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    _migrate_0_to_1(conn)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO plans (name, created) VALUES ('Oud plan', '2025-01-01T00:00:00Z')")
    conn.execute(
        "INSERT INTO versions VALUES (1, 1, 1, '2025-01-01T00:00:00Z', 'v1', 2025, 2024, "
        "'regierol-2012', '', '{}', 'vervoerregio')"
    )
    conn.execute("INSERT INTO members VALUES (1, 0, '11001', 'x', 1.0)")
    conn.execute("INSERT INTO members VALUES (1, 1, '11002', 'x', 0.5)")
    conn.execute("INSERT INTO cluster_names VALUES (1, 0, 'x', 'Noord')")
    conn.execute("COMMIT")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    store = PlanStore(path)
    old = store.load("Oud plan")
    assert old.rows == (("11001", "x", 1.0), ("11002", "x", 0.5)) and old.layer is None
    assert (old.note, old.outline, old.cluster_names) == ("v1", "vervoerregio", {"x": "Noord"})
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
    conn.close()
    _, table, _, _ = _toy_layers()
    from geo.planstore import stored_layer

    assert store.save("Oud plan", replace(old, layer=stored_layer(table))) == 2
    assert store.load("Oud plan").layer is not None
    assert store.load("Oud plan", 1).layer is None
