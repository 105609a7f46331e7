"""The Streamlit app through AppTest: every tab, and the main interactions (start from a plan,
assign by keyboard (the map's clicks: tests/test_browser.py), undo/redo, new cluster, scenario and parameter changes,
comparison, saving, export buttons, English)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.context import load_grid_data
from geo.planstore import PlanStore
from geo.population import load_population
from tests.conftest import REAL_DATA
from ui.text import md_escape

pytestmark = pytest.mark.realdata
REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


@pytest.fixture
def at(data_dir, tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(tmp_path / "plans.sqlite"))
    app = AppTest.from_file(APP, default_timeout=120)
    # the parameter fields and the cluster's fields are drawn only when opened (page load)
    for opened in ("params_open", "new_open", "manage_open", "keyboard_open"):
        app.session_state[opened] = True
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _antwerpen_2026() -> int:
    """Stad Antwerpen (the 2017-2019 partnership, Antwerpen alone on the 2018 grid) on the 2025 grid
    in 2026, computed here from the raw files: Antwerpen 11002 merged with Borsbeek 11007 in 2025,
    so its 2026 figure (age65_2026_gem2025.csv, column population) is split by the 2018 figures."""
    raw = pd.read_csv(REAL_DATA / "population" / "age65_2026_gem2025.csv", dtype=str)
    a2026 = int(raw.loc[raw["public_geography_id"] == "11002", "population"].iloc[0])
    p18 = load_population(2018, 2018, REAL_DATA)
    return round(a2026 * p18["11002"] / (p18["11002"] + p18["11007"]))


def _raw_2026(code: str) -> int:
    """A municipality's 1 Jan 2026 inhabitants (2025 grid), read from the raw file."""
    raw = pd.read_csv(REAL_DATA / "population" / "age65_2026_gem2025.csv", dtype=str)
    return int(raw.loc[raw["public_geography_id"] == code, "population"].iloc[0])


def _raw_2023(code: str) -> int:
    """A municipality's 1 Jan 2023 inhabitants (2019 grid), read from the raw file."""
    raw = pd.read_csv(REAL_DATA / "population" / "population_BE_2023.csv", dtype=str)
    return int(raw.loc[raw["code_ins"].str.strip() == code, "total"].iloc[0])


def _n_violations(scenario: str | None, **overrides: int) -> int:
    """The violations of the shipped 2017-2019 plan on the 2025 grid (2026), counted by the domain
    evaluator (scenarios/), not by the app."""
    from geo.context import load_plan, plan_path
    from scenarios.definitions import load_scenario
    from scenarios.evaluate import evaluator_for
    from scenarios.rules import load_rule_set, with_overrides

    gd = load_grid_data(2025, 2026, REAL_DATA)
    sc = load_scenario(scenario) if scenario else None
    ev = evaluator_for(gd, sc.comparison_layer if sc else None)
    rs = with_overrides(load_rule_set("regierol-2012"), **overrides)
    state = ev.state(load_plan(plan_path("partnerships-2017"), gd))
    return len(ev.evaluate(state, rs, sc).violations)


def _raw_n_flemish(file: str, code: str) -> int:
    """Flemish municipalities in a raw population CSV (a grid's municipality count), via pandas."""
    raw = pd.read_csv(REAL_DATA / "population" / file, dtype=str)
    c = raw[code].str.strip()
    flemish = (c.str[0].isin(list("1347")) | c.str[:2].isin(["23", "24"])) & ~c.str.endswith("000")
    return int(c[flemish].nunique())


ANTWERPEN = _antwerpen_2026()  # 554,296
#: Municipalities of the 2025 grid, counted in the raw 2026 population file.
N_2025 = _raw_n_flemish("age65_2026_gem2025.csv", "public_geography_id")  # 285


def _covered_2025() -> int:
    """2025-grid municipalities the shipped 2017-2019 plan reaches, via geo/ (not the app)."""
    from geo.context import load_plan, plan_path

    gd = load_grid_data(2025, 2026, REAL_DATA)
    return gd.coverage(load_plan(plan_path("partnerships-2017"), gd)).n_municipalities_covered


#: The shipped 2017-2019 plan's clusters (id -> name), read from the file with pandas.
PARTNERSHIP_CLUSTERS = (
    pd.read_csv(REPO / "data" / "partnerships" / "partnerships_2017_2019.csv", dtype=str)
    .drop_duplicates("cluster")
    .set_index("cluster")["cluster_name"]
    .to_dict()
)
ANTWERPEN_NL = f"{ANTWERPEN:,}".replace(",", ".")


def figures(at: AppTest) -> list[list[str]]:
    """The figures the map editor shows (label, value, note), from the component's data."""
    (el,) = at.get("bidi_component")
    data = json.loads(el.proto.json)
    assert data["f"]["items"], data["f"]
    return data["f"]["items"]


def metric(at: AppTest, prefix: str) -> str:
    for label, value, _ in figures(at):
        if label.startswith(prefix):
            return value
    raise AssertionError(f"no figure {prefix!r}: {[f[0] for f in figures(at)]}")


def number(text: str) -> int:
    return int(text.split()[-1].replace(".", "").replace(",", ""))


def button(at: AppTest, key: str):
    return at.button(key=key)


def goto(at: AppTest, screen: str) -> AppTest:
    """Switch to a screen (the segmented control ``screen``)."""
    at.button_group(key="screen").set_value(screen).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_default_page_shows_2017_partnerships_on_the_2025_grid(at: AppTest) -> None:
    assert at.title[0].value.startswith("Regiokaart")
    assert N_2025 == 285
    assert metric(at, "Gemeenten gedekt") == f"{_covered_2025()} / {N_2025}"
    assert metric(at, "Inwoners Stad Antwerpen") == ANTWERPEN_NL
    screens = at.button_group(key="screen")
    assert list(screens.options) == [
        "Kaart",
        "Voorstel",
        "Overlap met gebieden",
        "Vergelijken",
        "Bewaren en exporteren",
        "Regels en scenario's",
    ]
    assert not at.tabs  # only the screen on view is built
    assert not at.get("download_button") and at.button_group(key="screen").value == "kaart"
    # the cluster table: one row per cluster of the plan (seed: 32 partnerships)
    table = "\n".join(md.value for md in at.markdown)
    assert len(PARTNERSHIP_CLUSTERS) == 32
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 32 + 1  # header + one row per cluster
    assert all(f"| {md_escape(name)} |" in table for name in PARTNERSHIP_CLUSTERS.values())


def test_keyboard_assign_undo_redo(at: AppTest) -> None:
    at.selectbox(key="kb_municipality").set_value("11002").run()  # Antwerpen itself: no change
    at.selectbox(key="kb_municipality").set_value("11008").run()
    button(at, "kb_add").click().run()
    grown = number(metric(at, "Inwoners Stad Antwerpen"))
    assert grown == ANTWERPEN + _raw_2026("11008")  # Brasschaat
    button(at, "undo").click().run()
    assert metric(at, "Inwoners Stad Antwerpen") == ANTWERPEN_NL
    button(at, "redo").click().run()
    assert number(metric(at, "Inwoners Stad Antwerpen")) == grown
    button(at, "kb_remove").click().run()
    assert metric(at, "Inwoners Stad Antwerpen") == ANTWERPEN_NL


def test_new_cluster_becomes_active_and_grows(at: AppTest) -> None:
    at.text_input(key="new_name").input("Scheldeland")
    button(at, "new_button").click().run()
    assert not at.exception
    assert metric(at, "Inwoners Scheldeland") == "0"
    at.selectbox(key="kb_municipality").set_value("11021").run()  # Hove
    button(at, "kb_add").click().run()
    assert number(metric(at, "Inwoners Scheldeland")) == _raw_2026("11021")
    at.text_input(key="rename_text").input("Schelde-Rupel")
    button(at, "rename_button").click().run()
    assert number(metric(at, "Inwoners Schelde-Rupel")) == _raw_2026("11021")
    button(at, "delete_button").click().run()  # it has a member: asks first
    assert any("Schelde-Rupel" in w.value for w in at.warning)
    button(at, "delete_cluster_yes").click().run()
    assert all("Schelde" not in label for label, _, _ in figures(at))


def test_scenario_and_parameters_reevaluate_at_once(at: AppTest) -> None:
    def n_violations() -> int:
        return sum(
            1
            for md in at.markdown
            for line in md.value.splitlines()
            if "`" in line and ("⛔" in line or "⚠️" in line)
        )

    base = n_violations()
    assert base == _n_violations(None)
    at.selectbox(key="scenario").set_value("bestuursregisseur").run()
    assert not at.exception
    with_scenario = n_violations()
    assert with_scenario == _n_violations("bestuursregisseur")
    assert with_scenario > base  # large partnerships do not fit 'small clusters'
    at.number_input(key="rp-regierol-2012-min_population").set_value(150_000).run()
    assert n_violations() == _n_violations("bestuursregisseur", min_population=150_000)
    assert n_violations() > with_scenario
    assert any("150.000" in md.value for md in at.markdown)


def test_start_from_other_plans(at: AppTest) -> None:
    at.selectbox(key="start_choice").set_value("empty").run()
    button(at, "start_button").click().run()
    assert metric(at, "Gemeenten gedekt") == "0 / 285"
    at.selectbox(key="start_choice").set_value("layer").run()
    at.selectbox(key="start_layer_id").set_value("vervoerregio").run()
    button(at, "start_button").click().run()
    assert metric(at, "Gemeenten gedekt") == "285 / 285"
    at.selectbox(key="start_choice").set_value("partnerships-2020").run()
    button(at, "start_button").click().run()
    assert not at.exception
    button(at, "undo").click().run()
    assert metric(at, "Gemeenten gedekt") == "285 / 285"


def test_grid_switch_keeps_each_grids_plan(at: AppTest) -> None:
    at.selectbox(key="grid").set_value(2018).run()
    assert metric(at, "Gemeenten gedekt") == "204 / 308"  # the seed's 204 municipalities
    at.selectbox(key="year").set_value(2016).run()
    share = next(note for label, _, note in figures(at) if label == "Inwoners gedekt")
    # seed: 78.7% (see README: Turnhout and ISOM differ); 5,085,888 / 6,477,804 = 78.5%, both
    # figures recomputed from the raw workbook in tests/test_partnerships_realdata.py
    assert share == "78,5 %"
    at.selectbox(key="grid").set_value(2025).run()
    assert metric(at, "Gemeenten gedekt") == f"{_covered_2025()} / {N_2025}"


def test_compare_save_and_export(at: AppTest, tmp_path) -> None:
    at.selectbox(key="kb_municipality").set_value("11040").run()
    button(at, "kb_add").click().run()
    goto(at, "vergelijken")
    assert any("1 gemeente van cluster veranderd" in md.value for md in at.markdown)
    goto(at, "bewaren")
    at.text_input(key="save_name").input("Test plan")
    button(at, "save_button").click().run()
    assert not at.exception
    assert [p.name for p in PlanStore(tmp_path / "plans.sqlite").list()] == ["Test plan"]
    assert any("Test plan" in a.value for a in at.success)
    labels = {b.proto.label for b in at.get("download_button")}
    goto(at, "vergelijken")
    at.selectbox(key="compare_choice").set_value("saved:Test plan").run()
    assert not at.exception
    assert any("Geen verschil" in i.value for i in at.info)  # split shares kept: same plan
    at.toggle(key="cmp_on_map").set_value(True).run()
    assert not at.exception
    assert {
        "Plan (CSV)",
        "Statistieken (XLSX)",
        "Clusters (GeoPackage)",
        "Clusters (GeoJSON)",
    } <= labels
    assert any(lbl.startswith("Samenvatting") for lbl in labels)


def test_rules_tab_lists_parameters_and_assumptions(at: AppTest) -> None:
    at.selectbox(key="scenario").set_value("terreinregisseur").run()
    goto(at, "regels")
    frames = [df.value for df in at.dataframe]
    params = next(f for f in frames if "parameter" in f.columns and "aanname" in f.columns)
    assert params["aanname"].eq("✔").any()
    assert any("Terreinregisseur" in h.value for h in at.subheader)


def test_year_picker_defaults_to_the_grids_latest_year(at: AppTest) -> None:
    year = at.selectbox(key="year")
    assert year.value == 2026 and year.options[:3] == ["2026", "2025", "2023"]  # no 2024
    assert "2024 is niet beschikbaar" in year.help
    at.selectbox(key="grid").set_value(2019).run()
    assert at.selectbox(key="year").value == 2023
    at.selectbox(key="grid").set_value(2018).run()
    assert at.selectbox(key="year").value == 2018
    at.selectbox(key="grid").set_value(2025).run()
    assert at.selectbox(key="year").value == 2026


def test_layer_completeness_shown_under_the_outline_picker(at: AppTest) -> None:
    at.selectbox(key="outline").set_value("wijkwerken").run()
    assert not at.exception
    # 98 + 23 rows of the two wijk-werken files (counted from the raw files in
    # tests/test_layers_registry.py), in Dutch in the Dutch page and in English in the English one
    captions = [c.value for c in at.sidebar.caption]
    assert any("ONVOLLEDIG: 121 van 300 gemeenten (40,3 %), grid 2019" in c for c in captions)
    at.button_group(key="lang").set_value("en").run()
    captions = [c.value for c in at.sidebar.caption]
    assert any("PARTIAL: 121 of 300 municipalities (40.3%), 2019 grid" in c for c in captions)


def test_english(at: AppTest) -> None:
    at.button_group(key="lang").set_value("en").run()
    assert at.title[0].value.startswith("Regiokaart: social economy")
    assert metric(at, "Inhabitants Stad Antwerpen") == f"{ANTWERPEN:,}"


def test_plan_carried_to_a_later_grid(at: AppTest) -> None:
    at.selectbox(key="grid").set_value(2019).run()
    at.selectbox(key="kb_municipality").set_value("11040").run()  # Schoten joins Stad Antwerpen
    button(at, "kb_add").click().run()
    # the 2019 grid in 2023: Antwerpen (without Borsbeek) plus Schoten, from the raw file
    assert number(metric(at, "Inwoners Stad Antwerpen")) == _raw_2023("11002") + _raw_2023("11040")
    at.selectbox(key="grid").set_value(2025).run()
    assert metric(at, "Inwoners Stad Antwerpen") == ANTWERPEN_NL  # the 2025 grid kept its own plan
    at.selectbox(key="start_choice").set_value("carry:2019").run()
    button(at, "start_button").click().run()
    assert not at.exception
    carried = number(metric(at, "Inwoners Stad Antwerpen"))
    # the 2026 figures: Schoten's plus Antwerpen's share of the Antwerpen+Borsbeek merger, weighted
    # here by 2023 (the latest year of the plan's 2019 grid; 2018 for the shipped 2017-2019 plan)
    p23, p26 = load_population(2023, 2019, REAL_DATA), load_population(2026, 2025, REAL_DATA)
    share = p23["11002"] / (p23["11002"] + p23["11007"])
    assert abs(carried - (share * p26["11002"] + p26["11040"])) < 1


# ----------------------------------------------------------------------------- saved plans
def saved_table(at: AppTest):
    return next(df.value for df in at.dataframe if "Versies" in df.value.columns)


def test_save_and_reopen_restores_the_plan_and_every_setting(at: AppTest, tmp_path) -> None:
    at.selectbox(key="year").set_value(2020).run()
    at.selectbox(key="scenario").set_value("bestuursregisseur").run()
    at.number_input(key="rp-regierol-2012-min_population").set_value(150_000).run()
    at.selectbox(key="outline").set_value("vervoerregio").run()
    at.selectbox(key="kb_municipality").set_value("11040").run()  # Schoten joins Stad Antwerpen
    button(at, "kb_add").click().run()
    figures = (metric(at, "Inwoners Stad Antwerpen"), metric(at, "Inwoners gedekt"))
    goto(at, "bewaren")
    at.text_input(key="save_name").input("東京")
    at.text_input(key="save_note").input("met Schoten")
    button(at, "save_button").click().run()
    assert not at.exception
    rec = PlanStore(tmp_path / "plans.sqlite").load("東京")
    assert (rec.grid, rec.population_year, rec.scenario, rec.outline) == (
        2025,
        2020,
        "bestuursregisseur",
        "vervoerregio",
    )
    assert rec.overrides == {"rule_set": {"min_population": 150_000}}
    assert rec.note == "met Schoten" and rec.is_split  # 11002 stays split (98% / 2%)
    # change everything, then open the saved version
    at.selectbox(key="scenario").set_value("").run()
    next(b for b in at.button if b.label == "Standaardwaarden herstellen").click().run()
    at.selectbox(key="outline").set_value("").run()
    at.selectbox(key="year").set_value(2022).run()
    at.selectbox(key="start_choice").set_value("empty").run()
    button(at, "start_button").click().run()
    assert at.button_group(key="screen").value == "bewaren"  # start keeps the screen
    goto(at, "kaart")
    assert metric(at, "Gemeenten gedekt") == "0 / 285"
    goto(at, "bewaren")
    at.selectbox(key="saved_pick").set_value("東京").run()
    button(at, "open_plan").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.button_group(key="screen").value == "bewaren"  # open keeps the screen
    goto(at, "kaart")
    assert at.session_state["scenario"] == "bestuursregisseur"
    assert at.session_state["year"] == 2020
    assert at.session_state["outline"] == "vervoerregio"
    assert at.number_input(key="rp-regierol-2012-min_population").value == 150_000
    assert (metric(at, "Inwoners Stad Antwerpen"), metric(at, "Inwoners gedekt")) == figures
    assert any("東京" in a.value for a in at.success)


def test_versions_case_sensitive_names_delete_and_restore(at: AppTest, tmp_path) -> None:
    goto(at, "bewaren")
    for name in ("Goed plan", "Goed plan", "GOED PLAN", "Goed-plan"):
        at.text_input(key="save_name").input(name)
        button(at, "save_button").click().run()
        assert not at.exception
    table = saved_table(at)
    assert dict(zip(table["Plan"], table["Versies"], strict=True)) == {
        "Goed plan": 2, "GOED PLAN": 1, "Goed-plan": 1,
    }  # fmt: skip
    at.selectbox(key="saved_pick").set_value("GOED PLAN").run()
    button(at, "ask_delete").click().run()
    assert any("GOED PLAN" in w.value and "verwijderen" in w.value for w in at.warning)
    assert sorted(saved_table(at)["Plan"]) == ["GOED PLAN", "Goed plan", "Goed-plan"]  # not yet
    button(at, "delete_yes").click().run()
    assert sorted(saved_table(at)["Plan"]) == ["Goed plan", "Goed-plan"]
    store = PlanStore(tmp_path / "plans.sqlite")
    assert [p.name for p in store.deleted()] == ["GOED PLAN"]
    at.selectbox(key="deleted_pick").set_value("GOED PLAN").run()
    button(at, "restore_plan").click().run()
    assert sorted(saved_table(at)["Plan"]) == ["GOED PLAN", "Goed plan", "Goed-plan"]
    # an older version can be opened
    at.selectbox(key="saved_pick").set_value("Goed plan").run()
    at.selectbox(key="saved_version").set_value(1).run()
    button(at, "open_plan").click().run()
    assert any("versie 1" in a.value for a in at.success)


def test_hostile_plan_names_are_shown_as_text(at: AppTest) -> None:
    name = "![x](http://example.invalid/x.png) <b>vet</b> :red[rood]"
    goto(at, "bewaren")
    at.text_input(key="save_name").input(name)
    button(at, "save_button").click().run()
    assert not at.exception
    shown = " ".join(a.value for a in at.success)
    assert "](http" not in shown and "<b>" not in shown and ":red[" not in shown


def test_unwritable_store_gives_a_message(data_dir, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(blocker / "plans.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    goto(at, "bewaren")
    assert any("plans.sqlite" in e.value.replace("\\", "") for e in at.error)
    at.text_input(key="save_name").input("p")
    button(at, "save_button").click().run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("plans.sqlite" in e and "Dat lukte niet" in e for e in errors)


def test_earlier_json_plans_are_imported_on_first_start(data_dir, tmp_path, monkeypatch) -> None:
    import json

    old = tmp_path / "plans"
    old.mkdir()
    doc = {
        "name": "Oud plan",
        "saved_at": "2026-05-01T10:00:00",
        "grid": 2025,
        "cluster_names": {"g": "Gent"},
        "colours": {"g": "red"},
        "settings": {"population_year": 2021, "rule_set": "regierol-2012", "scenario": ""},
        "plan_csv": "nis_code,cluster,cluster_name\n44021,g,Gent\n",
    }
    (old / "oud-plan.plan.json").write_text(json.dumps(doc), "utf-8")
    (old / "kapot.plan.json").write_text("{", "utf-8")
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(old))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(tmp_path / "plans.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    goto(at, "bewaren")
    assert list(saved_table(at)["Plan"]) == ["Oud plan"]
    assert any("kapot" in w.value for w in at.warning)
    button(at, "open_plan").click().run()
    assert not at.exception
    goto(at, "kaart")
    assert metric(at, "Gemeenten gedekt") == "1 / 285" and at.session_state["year"] == 2021
    assert (old / "kapot.plan.json").exists()


def test_first_page_loads_no_field_code_the_map_does_not_need(
    data_dir, tmp_path, monkeypatch
) -> None:
    """Page load: the first page draws no radio, number or text field (each is a script chunk the
    browser would load before the map's); the parameters and the new-cluster field come when
    opened, and their values are used closed as well."""
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    assert not app.radio and not app.number_input and not app.text_input
    app.session_state["params_open"] = True
    app.run()
    min_pop = app.number_input(key="rp-regierol-2012-min_population")
    figures = [m.value for m in app.markdown]
    min_pop.set_value(150_000).run()
    app.session_state["params_open"] = False
    app.run()
    assert not app.number_input and app.session_state["rp-regierol-2012-min_population"] == 150_000
    assert [m.value for m in app.markdown] != figures  # the closed field's value still counts
