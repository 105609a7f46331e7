"""``regiokaart plans``: list, show, history, save, export, delete, restore."""

from __future__ import annotations

import csv
import io
import json

import pytest

from geo.planstore import PlanRecord, PlanStore
from regiokaart_cli import main


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "no-json-plans"))
    monkeypatch.delenv("REGIOKAART_PLANS_DB", raising=False)
    return tmp_path / "plans.sqlite"


def split_record() -> PlanRecord:
    return PlanRecord(
        grid=2025,
        rows=(("11002", "A", 0.98), ("11002", "K", 0.02), ("11008", "A", 1.0)),
        cluster_names={"A": "Stad Antwerpen", "K": "KINA"},
        colours={"A": "#E69F00", "K": "#56B4E9"},
        population_year=2024,
        rule_set="regierol-2012",
        scenario="bestuursregisseur",
        overrides={"rule_set": {"min_population": 150000}},
        outline="vervoerregio",
    )


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_show_history_export(db, capsys, tmp_path) -> None:
    store = PlanStore(db)
    store.save("東京", split_record(), note="eerste")
    store.save("東京", split_record(), note="tweede")
    store.save("Goed plan", split_record())
    store.save("GOED PLAN", split_record())
    code, out, _ = run(capsys, "plans", "--plans-db", str(db), "list")
    assert code == 0 and "東京" in out and "Goed plan" in out and "GOED PLAN" in out
    code, out, _ = run(capsys, "plans", "list", "--plans-db", str(db), "--format", "json")
    rows = json.loads(out)
    assert {r["name"]: r["versions"] for r in rows} == {"東京": 2, "Goed plan": 1, "GOED PLAN": 1}
    code, out, _ = run(
        capsys, "plans", "history", "東京", "--plans-db", str(db), "--format", "json"
    )
    assert [v["note"] for v in json.loads(out)["versions"]] == ["eerste", "tweede"]
    code, out, _ = run(capsys, "plans", "show", "東京", "--version", "1", "--plans-db", str(db))
    assert code == 0 and "version 1" in out and "KINA" in out and "bestuursregisseur" in out
    assert "split municipalities: 11002" in out
    code, out, _ = run(capsys, "plans", "show", "東京", "--plans-db", str(db), "--format", "json")
    doc = json.loads(out)
    assert doc["version"] == 2 and doc["overrides"] == {"rule_set": {"min_population": 150000}}
    target = tmp_path / "out.csv"
    code, _, err = run(
        capsys, "plans", "export", "東京", "--plans-db", str(db), "--out", str(target)
    )
    assert code == 0 and "written" in err
    got = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert [(r["nis_code"], r["cluster"], r["cluster_name"], float(r["share"])) for r in got] == [
        ("11002", "A", "Stad Antwerpen", 0.98),
        ("11002", "K", "KINA", 0.02),
        ("11008", "A", "Stad Antwerpen", 1.0),
    ]


def test_unknown_names_and_versions_exit_2_with_suggestions(db, capsys, tmp_path) -> None:
    PlanStore(db).save("Westhoek", split_record())
    code, _, err = run(capsys, "plans", "show", "Westhoeck", "--plans-db", str(db))
    assert code == 2 and "Westhoek" in err and err.startswith("regiokaart: ")
    code, _, err = run(
        capsys, "plans", "export", "Westhoek", "--version", "4", "--plans-db", str(db)
    )
    assert code == 2 and "version 4" in err
    code, _, err = run(capsys, "plans", "delete", "nope", "--plans-db", str(db))
    assert code == 2
    code, _, err = run(
        capsys, "plans", "export", "Westhoek", "--plans-db", str(db), "--out", str(tmp_path)
    )
    assert code == 2 and "folder" in err


def test_delete_and_restore(db, capsys) -> None:
    store = PlanStore(db)
    store.save("Plan", split_record())
    store.save("Plan (kopie)", split_record())
    code, out, _ = run(capsys, "plans", "delete", "Plan (kopie)", "--plans-db", str(db))
    assert code == 0 and "restore" in out
    assert [s.name for s in store.list()] == ["Plan"]
    code, out, _ = run(capsys, "plans", "list", "--deleted", "--plans-db", str(db))
    assert "Plan (kopie)" in out
    code, out, _ = run(capsys, "plans", "restore", "Plan (kopie)", "--plans-db", str(db))
    assert code == 0 and sorted(s.name for s in store.list()) == ["Plan", "Plan (kopie)"]


def test_env_variable_chooses_the_store(db, capsys, monkeypatch) -> None:
    PlanStore(db).save("via env", split_record())
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(db))
    code, out, _ = run(capsys, "plans", "list")
    assert code == 0 and "via env" in out


@pytest.mark.realdata
def test_save_then_export_equals_the_plan_file(db, capsys, tmp_path, data_dir) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "nis_code,cluster,cluster_name\n44021,G,Gent & Leie\n44064,G,Gent & Leie\n11002,A,=A1\n",
        "utf-8",
    )
    args = ["plans", "save", "Goed plan", "--plan", str(plan), "--plans-db", str(db)]
    args += ["--data-dir", str(data_dir), "--grid", "2025"]
    code, out, err = run(capsys, *args, "--note", "eerste")
    assert code == 0, err
    assert "version 1" in out
    code, out, err = run(capsys, *args)
    assert "version 2" in out
    code, out, _ = run(capsys, "plans", "save", "GOED PLAN", *args[3:])
    assert "version 1" in out  # another plan
    out_csv = tmp_path / "back.csv"
    code, _, _ = run(
        capsys, "plans", "export", "Goed plan", "--version", "1", "--out", str(out_csv),
        "--plans-db", str(db),
    )  # fmt: skip
    assert code == 0

    def rows(p):
        return sorted(tuple(r) for r in csv.reader(io.StringIO(p.read_text("utf-8"))))

    assert rows(out_csv) == rows(plan)
    code, _, err = run(capsys, "plans", "save", "", *args[3:])
    assert code == 2 and "naam" in err
    shipped = [
        "plans",
        "save",
        "2017",
        "--plan",
        "partnerships-2017",
        "--plans-db",
        str(db),
        "--grid",
        "2025",
    ]
    code, out, err = run(capsys, *shipped, "--data-dir", str(data_dir))
    assert code == 0, err
    assert PlanStore(db).load("2017").grid == 2018  # kept on its own grid
