"""Issue 9 in the app: a plan with split municipalities (the 2017-2019 partnerships on the 2025 grid:
11002 is 98% Stad Antwerpen, 2% KINA) saved and opened again shows the same figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.realdata
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def figures(at: AppTest) -> dict[str, str]:
    return {m.label: str(m.value) for m in at.metric}


def test_save_then_open_keeps_every_figure(data_dir, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    before = figures(at)
    assert before and any(v == "531.012" for v in before.values())  # Stad Antwerpen, issue 9
    at.text_input(key="save_name").input("Gesplitst").run()
    at.button(key="save_button").click().run()
    assert not at.exception
    at.button(key="open-0").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert figures(at) == before
