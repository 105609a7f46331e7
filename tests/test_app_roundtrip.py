"""Issue 9 in the app: a plan with split municipalities (the 2017-2019 partnerships on the 2025 grid:
11002 is 98% Stad Antwerpen, 2% KINA) saved and opened again shows the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.realdata
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def figures(at: AppTest) -> dict[str, str]:
    """The map editor's figures (label -> value), from the component's data."""
    (el,) = at.get("bidi_component")
    return {label: value for label, value, _ in json.loads(el.proto.json)["f"]["items"]}


def test_save_then_open_keeps_every_figure(data_dir, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(tmp_path / "plans.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.selectbox(key="year").set_value(2022).run()  # the figures are of 1 January 2022
    before = figures(at)
    assert before["Inwoners Stad Antwerpen"] == "531.012"  # issue 9 (541.856 when shares are lost)
    assert before["Inwoners gedekt"] == "5.250.518"
    at.button_group(key="screen").set_value("bewaren").run()
    at.text_input(key="save_name").input("Gesplitst").run()
    at.button(key="save_button").click().run()
    assert not at.exception
    at.selectbox(key="year").set_value(2026).run()  # look elsewhere, then open the saved version
    at.button_group(key="screen").set_value("kaart").run()
    assert figures(at) != before
    at.button_group(key="screen").set_value("bewaren").run()
    at.button(key="open_plan").click().run()
    assert not at.exception, [e.message for e in at.exception]
    at.button_group(key="screen").set_value("kaart").run()
    assert figures(at) == before
