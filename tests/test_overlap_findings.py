"""The seed's claim, tested with the data we have (numbers reported in docs/overlap-findings.md)."""

from __future__ import annotations

import pytest

from geo.findings import seed_claim_table, sensitivity


@pytest.fixture(scope="module")
def table(data_dir):
    return seed_claim_table(data_dir).set_index("layer")


STAND_INS = ["referentieregio", "vervoerregio", "streekwerking"]


def test_reported_numbers(table):
    t = table
    assert t.loc["wijkwerken", "ari"] == pytest.approx(0.913, abs=5e-4)
    assert t.loc["wijkwerken", "n"] == 63
    assert t.loc["wijkwerken", "nested"] == "7/9"
    assert t.loc["wijkwerken", "identical"] == 4
    assert t.loc["streekbeleid", "ari"] == pytest.approx(0.0, abs=1e-9)
    assert t.loc["streekbeleid", "n"] == 17
    expected = {"referentieregio": 0.605, "vervoerregio": 0.557, "streekwerking": 0.547}
    for lid, ari in expected.items():
        assert t.loc[lid, "ari"] == pytest.approx(ari, abs=5e-4), lid
        assert t.loc[lid, "n"] == 204
    on_ww = {"referentieregio": 0.769, "vervoerregio": 0.747, "streekwerking": 0.750}
    for lid, ari in on_ww.items():
        assert t.loc[lid, "ari_on_wijkwerken_municipalities"] == pytest.approx(ari, abs=5e-4)
        assert t.loc[lid, "n_on_wijkwerken"] == 63
    assert t.loc["wijkwerken", "ari_outside_wvl"] == pytest.approx(0.798, abs=5e-4)
    outside = {"referentieregio": 0.433, "vervoerregio": 0.407, "streekwerking": 0.397}
    for lid, ari in outside.items():
        assert t.loc[lid, "ari_outside_wvl"] == pytest.approx(ari, abs=5e-4)
    wvl = {"referentieregio": 1.0, "vervoerregio": 0.891, "streekwerking": 0.843}
    for lid, ari in wvl.items():
        assert t.loc[lid, "ari_wvl"] == pytest.approx(ari, abs=5e-4)
        assert t.loc[lid, "n_wvl"] == 63
    assert t.loc["referentieregio", "nested_wvl"] == "5/5"
    assert t.loc["referentieregio", "identical_wvl"] == 4


def test_claim_overall_wijkwerken_beats_streekbeleid_stand_ins(table):
    ww = table.loc["wijkwerken"]
    for lid in ["streekbeleid", *STAND_INS]:
        assert ww["ari"] > table.loc[lid, "ari"], lid
    # also on the same municipalities (Wijk-werken's coverage is partial and selective)
    for lid in STAND_INS:
        assert ww["ari"] > table.loc[lid, "ari_on_wijkwerken_municipalities"], lid
        assert ww["ari_outside_wvl"] > table.loc[lid, "ari_outside_wvl"], lid


def test_claim_west_vlaanderen_is_the_exception(table):
    # in West-Vlaanderen the subregional divisions agree far better than elsewhere ...
    for lid in STAND_INS:
        assert table.loc[lid, "ari_wvl"] > table.loc[lid, "ari_outside_wvl"] + 0.3, lid
    # ... except Brugge-Oostende: two partnerships inside the one RESOC Noord-West-Vlaanderen
    sb = table.loc["streekbeleid"]
    assert sb["ari_wvl"] == pytest.approx(0.0, abs=1e-9) and sb["nested_wvl"] == "2/2"
    # Wijk-werken cannot be tested there: no West-Flemish partnership is wholly covered
    assert table.loc["wijkwerken", "nested_wvl"] == "0/0"


def test_sensitivity(data_dir):
    s = sensitivity(data_dir)
    a = s["wijkwerken_complete_only"]
    assert a.ari == pytest.approx(0.796, abs=5e-4) and a.n_common == 45
    assert (a.n_nested, a.n_clusters_covered, a.n_identical) == (5, 7, 2)
    b = s["resoc_pre_merger"]
    assert b.ari == pytest.approx(1.0) and b.n_identical == 2
