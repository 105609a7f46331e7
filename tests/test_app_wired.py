"""The Overlap and Voorstel screens wired into the real app (app.py, not the harnesses): an own
layer uploaded on the Overlap screen is the map's outline (a static file), the proposal's
alignment layer and kept with a saved version; "Stel voor" opens a proposal as one undo step; the
sidebar's province filter zooms the map and restricts the figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.context import load_grid_data, load_plan, plan_path
from geo.planstore import PlanStore
from tests.test_app import APP, goto
from tests.test_app_overlap import _band_gpkg

pytestmark = pytest.mark.realdata
STATIC = Path(__file__).resolve().parents[1] / "static"
OWN = "user:gebiedswerking"
OWN_LABEL = "gebiedswerking (eigen laag)"


@pytest.fixture
def at(data_dir, tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(tmp_path / "plans.sqlite"))
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _upload(at: AppTest, data_dir, tmp_path) -> None:
    """Upload the GeoPackage on the Overlap screen (region column ``gebied``)."""
    goto(at, "overlap")
    data = _band_gpkg(data_dir, tmp_path / "gebiedswerking.gpkg")
    at.file_uploader(key="ov_upload").set_value(
        ("gebiedswerking.gpkg", data, "application/octet-stream")
    ).run()
    assert at.selectbox(key="ov_region_column").value == "gebied"
    at.button(key="ov_add").click().run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="ov_layer").value == OWN


def _map_data(at: AppTest) -> dict:
    (el,) = at.get("bidi_component")
    return json.loads(el.proto.json)


def test_own_layer_is_the_outline_and_shows_overlap_figures(at, data_dir, tmp_path) -> None:
    _upload(at, data_dir, tmp_path)
    labels = [m.label for m in at.metric]
    assert {"Aangepaste Rand-index", "Clusters binnen één regio", "Laag dekt"} <= set(labels)
    assert at.dataframe[0].value["Cluster"].tolist()  # the clusters' table
    assert at.get("download_button")  # XLSX export
    # the own layer in every layer choice, labelled "(eigen laag)"
    outline = at.selectbox(key="outline")
    assert OWN_LABEL in outline.options
    at.selectbox(key="start_choice").set_value("layer").run()
    assert OWN_LABEL in at.selectbox(key="start_layer_id").options
    outline.set_value(OWN).run()
    _ok(at)
    goto(at, "kaart")
    at.session_state["rk_force_full"] = True
    at.run()
    _ok(at)
    url = _map_data(at)["ol"]["cmp"]
    assert url.startswith("/app/static/generated/userlayer-2025-") and url.endswith(".json")
    gj = json.loads((STATIC / url.removeprefix("/app/static/")).read_text(encoding="utf-8"))
    assert {f["properties"]["region_name"] for f in gj["features"]} == {"Noord", "Zuid"}
    assert _map_data(at)["ol"]["cmp_label"] == OWN_LABEL
    # start from the own layer as clusters: its two regions
    at.selectbox(key="start_layer_id").set_value(OWN).run()
    at.button(key="start_button").click().run()
    _ok(at)
    ed = at.session_state["editors"][2025]
    assert set(ed.plan.cluster_names.values()) == {"Noord", "Zuid"}


def test_voorstel_proposes_in_one_undo_step(at) -> None:
    goto(at, "voorstel")
    at.selectbox(key="pr_scenario").set_value("bestuursregisseur").run()
    at.number_input(key="pr_time_limit").set_value(2.0).run()
    ed = at.session_state["editors"][2025]
    before, pos = ed.plan, ed.pos
    at.button(key="pr_propose").click().run()
    _ok(at)
    ed = at.session_state["editors"][2025]
    assert ed.plan is not before and ed.plan.membership != before.membership
    assert ed.pos == pos + 1 and ed.can_undo
    ed.undo()
    assert ed.plan.membership == before.membership


def test_proposal_aligns_with_an_own_layer(at, data_dir, tmp_path) -> None:
    _upload(at, data_dir, tmp_path)
    goto(at, "voorstel")
    at.selectbox(key="pr_scenario").set_value("bestuursregisseur").run()
    assert OWN_LABEL in at.selectbox(key="pr_layer").options
    at.selectbox(key="pr_layer").set_value(OWN).run()
    at.number_input(key="pr_time_limit").set_value(2.0).run()
    at.button(key="pr_propose").click().run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["pr_last"]["kind"] == "propose"


def test_province_filter_zooms_and_restricts(at, data_dir) -> None:
    province = "Limburg"
    at.selectbox(key="province").set_value(province).run()
    _ok(at)
    focus = at.session_state["rk_focus"]
    south, west, north, east = focus["bounds"]
    assert 50.6 < south < north < 51.4 and 4.8 < west < east < 6.0  # Limburg
    # covered inhabitants: summed here from the plan's rows (shares) and the population
    gd = load_grid_data(2025, 2026, data_dir)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    codes = set(gd.units.index[gd.units["province"] == province])
    rows = plan.membership.rows
    covered = round(sum(gd.population[c] * w for c, _, w in rows if c in codes))
    text = f"{covered:,}".replace(",", ".")
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"Provincie {province}: {text} inwoners gedekt" in captions
    # the overlap screen uses the sidebar's province (no filter of its own)
    goto(at, "overlap")
    at.selectbox(key="ov_layer").set_value("referentieregio").run()
    _ok(at)
    assert not at.selectbox(key="ov_layer").disabled
    assert "ov_province" not in [s.key for s in at.selectbox]
    got = next(m.value for m in at.metric if m.label == "Inwoners gedekt")
    assert got == text
    provinces = at.dataframe[2].value["Provincie"].tolist()
    assert provinces == [province]
    assert at.query_params["province"] == [province] or at.query_params["province"] == province


def test_save_with_own_layer_and_open_it_back(at, data_dir, tmp_path) -> None:
    _upload(at, data_dir, tmp_path)
    at.selectbox(key="outline").set_value(OWN).run()
    goto(at, "bewaren")
    at.text_input(key="save_name").input("Met gebieden")
    at.button(key="save_button").click().run()
    _ok(at)
    rec = PlanStore(tmp_path / "plans.sqlite").load("Met gebieden")
    assert rec.layer is not None and rec.layer.kind == "polygons" and rec.outline == OWN
    # a later session: the own layer is gone
    at.session_state["user_layers"] = {}
    at.run()
    _ok(at)
    assert OWN_LABEL not in at.selectbox(key="outline").options
    at.selectbox(key="saved_pick").set_value("Met gebieden").run()
    at.button(key="open_plan").click().run()
    _ok(at)
    assert OWN_LABEL in at.selectbox(key="outline").options
    assert at.selectbox(key="outline").value == OWN
    goto(at, "overlap")
    assert at.selectbox(key="ov_layer").value == OWN


def test_compare_with_an_own_layer(at, data_dir, tmp_path) -> None:
    _upload(at, data_dir, tmp_path)
    goto(at, "vergelijken")
    choice = at.selectbox(key="compare_choice")
    assert f"Een vergelijkingslaag als clusters: {OWN_LABEL}" in choice.options
    choice.set_value(f"layer:{OWN}").run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert at.table  # the figures before and after
