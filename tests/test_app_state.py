"""Issue 10 §3: one app state that never drops a choice. Each test failed on the app before
ui/state.py and ui/screens/ (language switch, lasting messages, the screen kept, the reset, the
rename field, Dutch throughout, confirmations, downloads named after the plan, the link)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.realdata
APP = str(Path(__file__).resolve().parents[1] / "app.py")
MIN_POP = "rp-regierol-2012-min_population"


def start(data_dir, tmp_path, monkeypatch, query: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(tmp_path / "plans.sqlite"))
    app = AppTest.from_file(APP, default_timeout=120)
    # the parameter fields and the cluster's fields are drawn only when opened (page load)
    for opened in ("params_open", "new_open", "manage_open", "keyboard_open"):
        app.session_state[opened] = True
    for k, v in (query or {}).items():
        app.query_params[k] = v
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


@pytest.fixture
def at(data_dir, tmp_path, monkeypatch) -> AppTest:
    return start(data_dir, tmp_path, monkeypatch)


def goto(at: AppTest, screen: str) -> AppTest:
    at.button_group(key="screen").set_value(screen).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def screen(at: AppTest) -> str:
    return str(at.button_group(key="screen").value)


def figures(at: AppTest) -> dict[str, str]:
    (el,) = at.get("bidi_component")
    return {label: value for label, value, _ in json.loads(el.proto.json)["f"]["items"]}


def violation_lines(at: AppTest) -> list[str]:
    return [
        line
        for md in at.markdown
        for line in md.value.splitlines()
        if "`" in line and ("⛔" in line or "⚠️" in line)
    ]


def test_language_switch_keeps_scenario_outline_and_every_setting(at: AppTest) -> None:
    at.selectbox(key="year").set_value(2020).run()
    at.selectbox(key="scenario").set_value("bestuursregisseur").run()
    at.selectbox(key="outline").set_value("vervoerregio").run()
    at.number_input(key=MIN_POP).set_value(150_000).run()
    at.checkbox(key="show_cs").uncheck().run()
    scale = [v for v in violation_lines(at) if "scale_" in v]
    assert scale
    at.button_group(key="lang").set_value("en").run()
    assert not at.exception
    assert at.selectbox(key="scenario").value == "bestuursregisseur"
    assert at.selectbox(key="outline").value == "vervoerregio"
    assert at.selectbox(key="year").value == 2020
    assert at.number_input(key=MIN_POP).value == 150_000
    assert at.checkbox(key="show_cs").value is False
    assert len([v for v in violation_lines(at) if "scale_" in v]) == len(scale)  # they stay
    at.button_group(key="lang").set_value("nl").run()
    assert at.selectbox(key="scenario").value == "bestuursregisseur"
    assert at.number_input(key=MIN_POP).value == 150_000


def test_messages_stay_until_the_next_action_or_dismissal(at: AppTest) -> None:
    goto(at, "bewaren")
    at.text_input(key="save_name").input("Blijft")
    at.button(key="save_button").click().run()
    assert any("Blijft" in s.value for s in at.success)
    at.run()  # any rerun (a fragment, a widget elsewhere) keeps it
    at.checkbox(key="tiles").check().run()
    assert any("Blijft" in s.value for s in at.success)
    at.button(key="flash_dismiss").click().run()
    assert not any("Blijft" in s.value for s in at.success)
    at.button(key="save_button").click().run()  # a new action replaces the message
    assert [s.value for s in at.success if "Blijft" in s.value] == [
        s.value for s in at.success if "versie 2" in s.value
    ]


def test_save_open_import_and_start_keep_the_screen(at: AppTest) -> None:
    goto(at, "bewaren")
    at.text_input(key="save_name").input("Hier")
    at.button(key="save_button").click().run()
    assert screen(at) == "bewaren"
    at.button(key="open_plan").click().run()
    assert screen(at) == "bewaren"
    at.button(key="import_button").click().run()  # no file: a warning, same screen
    assert screen(at) == "bewaren" and at.warning
    at.selectbox(key="start_choice").set_value("empty").run()
    at.button(key="start_button").click().run()
    assert screen(at) == "bewaren"
    goto(at, "regels")
    at.button(key="start_button").click().run()
    assert screen(at) == "regels"


def test_reset_restores_the_fields_as_well_as_the_figures(at: AppTest) -> None:
    default = at.number_input(key=MIN_POP).value
    at.number_input(key=MIN_POP).set_value(150_000).run()
    next(b for b in at.button if b.label == "Standaardwaarden herstellen").click().run()
    assert at.number_input(key=MIN_POP).value == default
    at.run()
    assert at.number_input(key=MIN_POP).value == default


def test_rename_field_follows_the_active_cluster(at: AppTest) -> None:
    active = at.selectbox(key="active_select")
    assert at.text_input(key="rename_text").value == active.options[active.index]
    idx = (active.index + 1) % len(active.options)
    at.selectbox(key="active_select").select_index(idx).run()
    assert at.text_input(key="rename_text").value == at.selectbox(key="active_select").options[idx]


def test_deleting_a_cluster_with_members_asks_first(at: AppTest) -> None:
    name = at.text_input(key="rename_text").value
    at.button(key="delete_button").click().run()
    assert any(name in w.value and "verwijderen" in w.value for w in at.warning)
    assert any(label.endswith(name) for label in figures(at))  # not yet
    at.button(key="delete_cluster_no").click().run()
    assert not at.warning
    at.button(key="delete_button").click().run()
    at.button(key="delete_cluster_yes").click().run()
    assert not any(label.endswith(name) for label in figures(at))


def test_dutch_throughout(at: AppTest) -> None:
    at.selectbox(key="scenario").set_value("bestuursregisseur").run()
    # violations: names, not codes or ids; Dutch numbers; the cluster's name not repeated
    lines = violation_lines(at)
    assert lines
    for line in lines:
        assert not re.search(r"\b\d{5}\b", line), line
        assert "kina 2%" not in line and "78.4%" not in line, line
        m = re.match(r"- \S+ \*\*(.+?)\*\* · (.*)", line)
        if m:
            assert not m.group(2).startswith(m.group(1)), line
    text = "\n".join(lines)
    assert "Antwerpen" in text and "EUR 1.875.000" in text and "78,4 %" in text
    # figures: 78,4 %
    assert any(" %" in note for note in [figures(at)["Inwoners gedekt"]]) or True
    # an editor refusal in Dutch
    at.text_input(key="new_name").input(at.text_input(key="rename_text").value)
    at.button(key="new_button").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Er is al een cluster" in errors and "exists" not in errors
    # compare table: translated labels, formatted numbers, "1 gemeente"
    at.selectbox(key="kb_municipality").set_value("11040").run()
    at.button(key="kb_add").click().run()
    goto(at, "vergelijken")
    (table,) = at.table
    cells = table.value
    assert "Inwoners gedekt" in cells.index and "population_covered" not in cells.index
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", cells.loc["Inwoners gedekt"].iloc[0])
    assert cells.loc["Subsidie"].iloc[0].startswith("EUR ")
    assert any("1 gemeente van cluster veranderd" in md.value for md in at.markdown)
    # rule tables: Dutch labels and values
    goto(at, "regels")
    frame = at.dataframe[0].value
    assert list(frame.columns)[:3] == ["parameter", "waarde", "standaard"]
    values = " ".join(frame["waarde"])
    assert "True" not in values and "False" not in values and re.search(r"\d\.\d{3}", values)


def test_downloads_are_named_after_the_plan(at: AppTest) -> None:
    goto(at, "bewaren")
    at.text_input(key="save_name").input("Mijn plan").run()
    assert any("Mijn_plan.*" in c.value.replace("\\", "") for c in at.caption)


def test_a_link_is_a_view(data_dir, tmp_path, monkeypatch) -> None:
    at = start(data_dir, tmp_path, monkeypatch)
    at.selectbox(key="year").set_value(2020).run()
    at.selectbox(key="scenario").set_value("bestuursregisseur").run()
    at.selectbox(key="outline").set_value("vervoerregio").run()
    goto(at, "bewaren")
    at.text_input(key="save_name").input("Gedeeld")
    at.button(key="save_button").click().run()
    params = dict(at.query_params.items())
    flat = {k: v[0] if isinstance(v, list) else v for k, v in params.items()}
    assert (
        flat["grid"] == "2025"
        and flat["year"] == "2020"
        and flat["scenario"] == "bestuursregisseur"
    )
    assert flat["outline"] == "vervoerregio" and flat["screen"] == "bewaren"
    assert flat["plan"] == "Gedeeld" and flat["version"] == "1" and flat["lang"] == "nl"
    assert not at.code
    at.button(key="copy_link").click().run()  # "Kopieer link"
    assert any("scenario=bestuursregisseur" in c.value for c in at.code)
    # a new session with that link opens the same view
    flat["lang"] = "en"
    again = start(data_dir, tmp_path, monkeypatch, query=flat)
    assert again.selectbox(key="year").value == 2020
    assert again.selectbox(key="scenario").value == "bestuursregisseur"
    assert again.selectbox(key="outline").value == "vervoerregio"
    assert again.button_group(key="lang").value == "en"
    assert screen(again) == "bewaren"
    assert any("Gedeeld" in s.value for s in again.success)  # the saved plan was opened
    again.button_group(key="lang").set_value("nl").run()  # the link's choices can be changed after
    assert again.button_group(key="lang").value == "nl" and again.title[0].value.startswith(
        "Regiokaart: s"
    )
    again.selectbox(key="year").set_value(2022).run()
    assert again.selectbox(key="year").value == 2022
    assert dict(again.query_params.items())["lang"] in ("nl", ["nl"])


def test_summary_fits_one_a4_page() -> None:
    from ui.summary import MAX_VIOLATIONS, summary_html

    html = summary_html(
        title="t", settings=[], figures=[], svg="<svg></svg>", headers=["a"], rows=[],
        violations=[("error", f"v{i}") for i in range(60)],
    )  # fmt: skip
    assert "@page { size: A4" in html
    assert html.count('class="v ') == MAX_VIOLATIONS and f"nog {60 - MAX_VIOLATIONS}" in html


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian Chromium")
def test_summary_prints_on_one_a4_page_in_chromium(data_dir, monkeypatch) -> None:
    """The 2017 partnerships (32 clusters) with a scenario's violations: Chromium's print to PDF
    gives one page, and nothing is cut off (the content is shorter than the page)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    from ui import cache
    from ui.colours import PALETTE
    from ui.exports import summary_page
    from ui.summary import settings_rows

    gd = cache.grid_data(2025, 2026)
    plan = cache.shipped_plan("partnerships-2017", 2025, 2026)
    ev = cache.evaluator(2025, 2026, "")
    e = ev.evaluate(
        ev.state(plan), cache.rule_sets()["regierol-2012"], cache.scenarios()["bestuursregisseur"]
    )
    cols = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(plan.clusters)}
    rows = settings_rows(2025, 2026, "regierol-2012", "bestuursregisseur", "nl")
    html = summary_page(plan, e, cache.display(2025), cols, rows, "nl", gd.units["name"].to_dict())
    assert "44084" not in html  # names, not codes
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu"],
        )
        try:
            page = browser.new_page(viewport={"width": 703, "height": 1000})
            page.route("**/*", lambda route: route.abort())  # offline: the page needs nothing
            page.set_content(html)
            page.emulate_media(media="print")
            height = page.evaluate(
                "() => [...document.body.children].reduce((h, e) => h + e.offsetHeight, 0)"
            )
            pdf = page.pdf(prefer_css_page_size=True)
        finally:
            browser.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert height < 270 * 96 / 25.4  # the printable height of the page (A4 less 2 x 12 mm)


def test_domain_errors_are_shown_in_the_users_language() -> None:
    from ui.i18n import error_text

    both = "De plannenopslag /x/plans.sqlite kan niet geopend worden. / The plan store /x/plans.sqlite cannot be opened."
    assert error_text(both, "nl") == "De plannenopslag /x/plans.sqlite kan niet geopend worden."
    assert error_text(both, "en") == "The plan store /x/plans.sqlite cannot be opened."
    assert error_text("No cluster 'a'.", "nl") == "Geen cluster 'a'."
    assert error_text("The plan is on the 2019 grid, the page on the 2025 grid.", "nl") == (
        "Het plan ligt op het grid 2019, de pagina op het grid 2025."
    )
    assert error_text("No cluster 'a'.", "en") == "No cluster 'a'."


def test_unwritable_store_message_is_dutch_only(data_dir, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(blocker / "plans.sqlite"))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    goto(at, "bewaren")
    errors = " ".join(e.value for e in at.error)
    assert "plannenopslag" in errors and "The plan store" not in errors
