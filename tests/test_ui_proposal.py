"""ui/proposal.py (the "Voorstel" screen without Streamlit) on tiny synthetic grids, and the
screen itself through AppTest on the real 2019 grid (tests/apps/proposal_harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.plans import Plan
from scenarios.definitions import with_scenario_overrides
from scenarios.propose import propose, repair
from scenarios.propose.adapter import plan_rows
from tests.test_propose import BELEID, BESTUUR, RS, square_evaluator
from ui.proposal import (
    ChoiceError,
    build_request,
    compare_plan,
    default_layer,
    default_start_options,
    follow_default,
    layer_choice_options,
    reason_text,
    rule_label,
    run_request,
    summary_rows,
    undo_label,
    unmet_rows,
    with_names,
)

FLAT = with_scenario_overrides(BESTUUR, comparison_layer="")
HARNESS = str(Path(__file__).resolve().parent / "apps" / "proposal_harness.py")


def _start(ev_codes: list[str]) -> Plan:
    """Cluster a: 3 squares of 20,000 (meets everything); b: 2 squares (40,000, below 60,000)."""
    c = ev_codes
    return Plan.from_assignment(
        2019, {c[0]: "a", c[1]: "a", c[4]: "a", c[2]: "b", c[3]: "b"}, {"a": "A", "b": "B"}, "s"
    )


def _request(kind: str = "propose", **kw: object):
    args: dict[str, object] = {
        "layer": "none", "start_key": "current", "current": Plan.empty(2019),
        "load_start": lambda key: None, "cover": "all", "keep": "meeting", "seed": 0,
        "time_limit": 5.0,
    }  # fmt: skip
    args.update(kw)
    return build_request(kind, RS, FLAT, **args)  # type: ignore[arg-type]


# ============================================================================ choices
def test_default_choices() -> None:
    assert list(default_start_options("nl")) == ["current", "partnerships-2017", "none"]
    assert default_start_options("nl")["current"] == "Het huidige plan"
    assert default_start_options("en")["none"] == "None (from scratch)"
    assert default_layer(BESTUUR) == "referentieregio"
    assert default_layer(FLAT) == "none"
    assert default_layer(None) == "none"
    opts = layer_choice_options({"vervoerregio": "Vervoerregio"}, BESTUUR, "nl")
    assert list(opts) == ["none", "vervoerregio", "referentieregio"]  # the scenario's is offered


def test_follow_default_keeps_a_choice_until_the_default_changes() -> None:
    state: dict[str, object] = {}
    follow_default(state, "pr_scenario", "bestuursregisseur")
    assert state["pr_scenario"] == "bestuursregisseur"
    state["pr_scenario"] = "beleidsregisseur"  # the user picks another
    follow_default(state, "pr_scenario", "bestuursregisseur")
    assert state["pr_scenario"] == "beleidsregisseur"
    follow_default(state, "pr_scenario", "netwerkregisseur")  # the page's scenario changed
    assert state["pr_scenario"] == "netwerkregisseur"


def test_undo_label() -> None:
    assert undo_label("propose", "bestuursregisseur", "nl") == "Voorstel bestuursregisseur"
    assert undo_label("repair", "beleidsregisseur", "nl") == "Herstel beleidsregisseur"
    assert undo_label("propose", "bestuursregisseur", "en") == "Proposal bestuursregisseur"


def test_build_request_start_plans() -> None:
    ev = square_evaluator(4, [20_000] * 16)
    current = _start(list(ev.codes))
    loaded: list[str] = []

    def load(key: str) -> Plan:
        loaded.append(key)
        return current

    req = _request(current=current)
    assert req.start is current and req.kwargs()["start"] is current
    assert req.kwargs() == {
        "layer": "none", "cover": "all", "keep": "meeting", "seed": 0, "time_limit": 5.0,
        "start": current,
    }  # fmt: skip
    assert _request(current=current, start_key="none").start is None
    assert _request(start_key="partnerships-2017", load_start=load).start is current
    assert loaded == ["partnerships-2017"]
    # an empty plan is no start plan; then "only the start plan's municipalities" cannot run
    assert _request(start_key="current").start is None
    with pytest.raises(ChoiceError, match="startplan"):
        _request(start_key="none", cover="start")
    with pytest.raises(ChoiceError, match="scenario"):
        build_request(
            "propose", RS, None, layer="none", start_key="none", current=current,
            load_start=load, cover="all", keep="meeting", seed=0, time_limit=5,
        )  # fmt: skip
    for bad in ({"seed": -1}, {"time_limit": 0}, {"seed": "x"}):
        with pytest.raises(ChoiceError, match="Toevalsgetal"):
            _request(**bad)


def test_build_request_repair_touches_only_failing_clusters() -> None:
    ev = square_evaluator(4, [20_000] * 16)
    current = _start(list(ev.codes))
    req = _request("repair", current=current, keep="none", cover="all", start_key="none")
    # repair always keeps what meets everything and stays within the plan's municipalities
    assert (req.start, req.keep, req.cover) == (current, "meeting", "start")
    assert "start" not in req.kwargs()
    with pytest.raises(ChoiceError, match="geen clusters"):
        _request("repair")
    assert compare_plan(req, Plan.empty(2019)) is current


def test_compare_plan_without_start_is_the_plan_before() -> None:
    before = Plan.empty(2019, "before")
    assert compare_plan(_request(start_key="none"), before) is before


# ============================================================================ runs
def test_run_request_gives_what_propose_gives() -> None:
    ev = square_evaluator(4, [20_000] * 16)
    start = _start(list(ev.codes))
    seen: list[float] = []
    req = _request(current=start, seed=3)
    got = run_request(req, None, progress=lambda f, m: seen.append(f), evaluator=ev)
    want = propose(None, RS, FLAT, start=start, seed=3, evaluator=ev)  # type: ignore[arg-type]
    assert got.csv_text() == want.csv_text()
    assert got.kept == ("a",)
    assert seen[-1] == 1.0
    rep = run_request(_request("repair", current=start), None, evaluator=ev)
    want_rep = repair(None, start, RS, FLAT, evaluator=ev)  # type: ignore[arg-type]
    assert rep.csv_text() == want_rep.csv_text()
    assert {code for code, _, _ in plan_rows(rep.plan)} == set(plan_rows_codes(start))


def plan_rows_codes(plan: Plan) -> list[str]:
    return [code for code, _, _ in plan_rows(plan)]


def test_summary_rows() -> None:
    ev = square_evaluator(4, [20_000] * 16)
    start = _start(list(ev.codes))
    res = run_request(_request(current=start), None, evaluator=ev)
    rows = dict(summary_rows(res, "nl"))
    assert rows["Clusters"] == str(res.n_clusters)
    assert rows["Gewijzigde gemeenten"] == str(len(res.changed))
    assert rows["Behouden startclusters"] == "1"
    assert rows["Nieuw gedekte gemeenten"] == "11"  # 16 squares, 5 in the start plan
    budget = res.evaluation.budget_eur
    assert rows["Subsidie gevraagd / budget"] == (
        f"€ {res.evaluation.total_subsidy_eur:,} / € {budget:,}".replace(",", ".")
    )
    assert rows["Rekentijd"].endswith(" s") and "," in rows["Rekentijd"]
    en = dict(summary_rows(res, "en", start=False))
    assert "Changed municipalities" not in en and "Elapsed" in en


def test_unmet_rows_name_municipalities_and_say_why_in_dutch() -> None:
    ev = square_evaluator(3, [5_000] * 9)  # 45,000 in all: no cluster reaches 60,000
    res = run_request(_request(), None, evaluator=ev)
    rows = unmet_rows(res, ev.names, "nl")
    assert rows and {r.rule for r in rows} == {"Minimum inwoners (regelset)"}
    assert sorted(m for r in rows for m in r.municipalities) == sorted(f"G{i}" for i in range(9))
    for row, u in zip(rows, res.unmet, strict=True):
        assert row.cluster == res.plan.display_name(u.cluster or "")
        assert "inwoners, minder dan het minimum van 60.000" in row.message
        assert row.reason == (
            "de 9 aaneengesloten gemeenten errond die niet in behouden startclusters zitten, "
            "hebben samen 45.000 inwoners, minder dan 60.000"
        )
    en = unmet_rows(res, ev.names, "en")[0]
    assert en.rule == "Minimum inhabitants (rule set)"
    assert en.reason == res.unmet[0].reason


def test_with_names_and_rule_labels() -> None:
    names = {"11002": "Antwerpen", "44021": "Gent"}
    assert with_names("Gemeente 11002 hoort bij 2 clusters; 99999 niet", names) == (
        "Gemeente Antwerpen hoort bij 2 clusters; 99999 niet"
    )
    assert rule_label("alignment", "nl") == "Aansluiting bij de vergelijkingslaag"
    assert rule_label("no_such_rule", "nl") == "no_such_rule"


NOTE = (
    "; the municipalities of Westhoek the search could use, connected to it (17, outside kept "
    "start clusters), have 201,096 inhabitants"
)
NOTE_NL = (
    "; de gemeenten van Westhoek die de zoektocht kon gebruiken en die eraan grenzen (17, buiten "
    "behouden startclusters), hebben 201.096 inwoners"
)


@pytest.mark.parametrize(
    ("en", "nl"),
    [
        (
            "the 4 connected municipalities not in kept start clusters around it have 38,427 "
            "inhabitants in all, fewer than 60,000 (kept start clusters close it off)",
            "de 4 aaneengesloten gemeenten errond die niet in behouden startclusters zitten, "
            "hebben samen 38.427 inwoners, minder dan 60.000 (behouden startclusters sluiten ze in)",
        ),
        (
            "the 1 connected municipalities not in kept start clusters around it have 79 "
            "inhabitants in all, fewer than 60,000 (kept start clusters close it off)",
            "de enige aangrenzende gemeente die niet in een behouden startcluster zit, heeft 79 "
            "inwoners, minder dan 60.000 (behouden startclusters sluiten ze in)",
        ),
        (
            "the 5 municipalities of Aalst connected to it and not in kept start clusters have "
            "117,096 inhabitants, fewer than 150,000: they cannot form a cluster inside their "
            "region",
            "de 5 gemeenten van Aalst die eraan grenzen en niet in behouden startclusters zitten, "
            "hebben 117.096 inwoners, minder dan 150.000: ze kunnen binnen hun regio geen cluster "
            "vormen",
        ),
        (
            "the 1 municipalities of Roeselare connected to it and not in kept start clusters "
            "have 8,612 inhabitants, fewer than 150,000: they cannot form a cluster inside their "
            "region",
            "de enige gemeente van Roeselare die eraan grenst en niet in een behouden startcluster "
            "zit, heeft 8.612 inwoners, minder dan 150.000: ze kan binnen haar regio geen cluster "
            "vormen",
        ),
        (
            "no contiguous cluster of at most 6 municipalities reaching 60,000 inhabitants was "
            "found without breaking another cluster" + NOTE,
            "er werd geen aaneengesloten cluster van hoogstens 6 gemeenten met 60.000 inwoners "
            "gevonden zonder een andere cluster te breken" + NOTE_NL,
        ),
        (
            "no contiguous cluster of 150,000 inhabitants was found without breaking another "
            "cluster or leaving the comparison region" + NOTE,
            "er werd geen aaneengesloten cluster van 150.000 inwoners gevonden zonder een andere "
            "cluster te breken of de vergelijkingsregio te verlaten" + NOTE_NL,
        ),
        (
            "a cluster that meets the size bounds had to reach across the comparison region's "
            "border" + NOTE,
            "een cluster die binnen de grenzen van de schaal blijft, moest over de grens van de "
            "vergelijkingsregio reiken" + NOTE_NL,
        ),
        (
            "no split into contiguous clusters within the bounds was found",
            "er werd geen opsplitsing in aaneengesloten clusters binnen de grenzen gevonden",
        ),
        (
            "two centrumsteden could not be separated within the bounds" + NOTE,
            "twee centrumsteden konden binnen de grenzen niet gescheiden worden" + NOTE_NL,
        ),
        (
            "the comparison layer has no region for these municipalities",
            "de vergelijkingslaag heeft geen regio voor deze gemeenten",
        ),
        (
            "a start cluster kept as it was is not contiguous",
            "een ongewijzigd behouden startcluster is niet aaneengesloten",
        ),
        (
            "a start cluster outside the search (kept as it was)",
            "een startcluster buiten de zoektocht (behouden zoals hij was)",
        ),
        (
            "a merged municipality the start plan already splits between clusters; its share in "
            "a kept start cluster is left as it was",
            "een gefuseerde gemeente die het startplan al over clusters verdeelt; haar deel in een "
            "behouden startcluster blijft zoals het was",
        ),
        ("not met within the time limit", "niet gehaald binnen de tijdslimiet"),
    ],
)
def test_reasons_in_dutch(en: str, nl: str) -> None:
    assert reason_text(en, "nl") == nl
    assert reason_text(en, "en") == en


def test_unknown_reason_is_shown_as_it_is() -> None:
    assert reason_text("something new" + NOTE, "nl") == "something new" + NOTE


# ============================================================================ the screen
@pytest.fixture
def app(data_dir, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    at = AppTest.from_file(HARNESS, default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.realdata
def test_screen_proposes_bestuursregisseur_from_2017_and_undo_restores(app, data_dir) -> None:
    from geo.context import load_grid_data, load_plan, plan_path

    ed = app.session_state["editor"]
    before = ed.plan
    assert app.selectbox(key="pr_scenario").value == "bestuursregisseur"
    assert app.selectbox(key="pr_layer").value == "referentieregio"  # the scenario's
    assert app.number_input(key="pr_seed").value == 0
    assert app.number_input(key="pr_time_limit").value == 5.0
    app.selectbox(key="pr_start").set_value("partnerships-2017")
    app.number_input(key="pr_time_limit").set_value(60.0)  # no time-out on a loaded machine
    app.button(key="pr_propose").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert not app.error, [e.value for e in app.error]

    gd = load_grid_data(2019, 2020, data_dir)
    start = load_plan(plan_path("partnerships-2017"), gd)
    want = propose(
        gd, RS, BESTUUR, layer="referentieregio", start=start, cover="all", keep="meeting",
        seed=0, time_limit=60.0,
    )  # fmt: skip
    assert not want.timed_out
    assert ed.plan.to_csv_text() == want.csv_text()
    assert ed.pos == 1 and ed.undo_label == "Voorstel bestuursregisseur"
    assert plan_rows(ed.meta["start_plan"]) == plan_rows(start)  # the compare screen's plan
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Clusters"] == str(want.n_clusters)
    assert metrics["Gewijzigde gemeenten"] == str(len(want.changed))
    assert metrics["Behouden startclusters"] == str(len(want.kept))
    # unmet entries show names, not codes, and why in Dutch
    names = gd.units["name"].to_dict()
    text = "\n".join(m.value for m in app.markdown)
    assert want.unmet, "the 2017 start leaves pockets that cannot meet the bounds (docs)"
    assert f"Niet gehaald ({len(want.unmet)})" in text
    for u in want.unmet:
        for code in u.municipalities:
            assert names[code] in text.replace("\\", "")
            assert code not in text
    assert "waarom: de " in text
    assert "\\(voorstel\\)" in text  # user text (cluster names) is escaped

    app.button(key="undo").click().run()
    assert ed.plan is before and ed.pos == 0
    assert any("niet meer het open plan" in i.value for i in app.info)


@pytest.mark.realdata
def test_screen_repair_and_errors_as_messages(app) -> None:
    ed = app.session_state["editor"]
    before = ed.plan
    app.selectbox(key="pr_scenario").set_value("beleidsregisseur").run()
    assert app.selectbox(key="pr_layer").value == "vervoerregio"  # follows the scenario
    app.number_input(key="pr_time_limit").set_value(60.0)
    app.button(key="pr_repair").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert ed.pos == 1 and ed.undo_label == "Herstel beleidsregisseur"
    assert ed.meta["start_plan"] is before
    # repair only re-forms the plan's clusters: the municipalities covered stay the same
    assert {c for c, _, _ in plan_rows(ed.plan)} == {c for c, _, _ in plan_rows(before)}
    # an impossible combination is a message, not a traceback, and changes nothing
    app.selectbox(key="pr_start").set_value("none")
    app.radio(key="pr_cover").set_value("start")
    app.button(key="pr_propose").click().run()
    assert not app.exception
    (err,) = app.error
    assert err.value.startswith("Dat lukte niet") and "vraagt een startplan" in err.value
    assert ed.pos == 1


@pytest.mark.realdata
def test_screen_in_english(app) -> None:
    app.session_state["lang"] = "en"
    app.run()
    assert not app.exception
    assert app.button(key="pr_propose").label == "Propose"
    assert app.button(key="pr_repair").label == "Repair"
    assert app.selectbox(key="pr_start").options == [
        "The current plan", "Partnerships 2017-2019", "None (from scratch)",
    ]  # fmt: skip
    assert default_layer(BELEID) == "vervoerregio"
