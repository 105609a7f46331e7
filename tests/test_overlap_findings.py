"""The seed's claim, tested with the data we have (numbers reported in docs/overlap-findings.md).

Every number is either recomputed here independently of ``geo`` (memberships read from the raw files,
moved back to the 2018 grid with the raw crosswalk, the adjusted Rand index and the nesting counts by
pair counting in this file) or, where marked, a **regression pin**: the figure printed by
``uv run python -m geo.findings`` (the command that produced docs/overlap-findings.md).
"""

from __future__ import annotations

from collections import Counter
from math import comb, isnan
from pathlib import Path

import pandas as pd
import pytest

from geo.findings import seed_claim_table, sensitivity

pytestmark = pytest.mark.realdata
STAND_INS = ["referentieregio", "vervoerregio", "streekwerking"]
PARTNERSHIPS = Path(__file__).resolve().parents[1] / "data" / "partnerships"


# ---------------------------------------------------------------- independent reference computation
def _successors(dd: Path) -> tuple[dict[str, str], dict[str, str]]:
    """2018 -> 2019 and 2019 -> 2025 code maps from the raw crosswalk (mergers of 2019 and 2025)."""
    cw = pd.read_csv(dd / "codes" / "municipality_crosswalk.csv", dtype=str)
    to19 = cw[cw["valid_to"].str.startswith("2019")]
    to25 = cw[~cw["valid_to"].str.startswith("2019")]
    return dict(zip(to19["old_nis"], to19["new_nis"], strict=True)), dict(
        zip(to25["old_nis"], to25["new_nis"], strict=True)
    )


def _plan(dd: Path) -> dict[str, str]:
    df = pd.read_csv(PARTNERSHIPS / "partnerships_2017_2019.csv", dtype=str)
    return dict(zip(df["nis_code"], df["cluster"], strict=True))


def _codes_2018(dd: Path) -> list[str]:
    from geo.grids import load_units

    return list(load_units(2018, dd).index)


def _back_to_2018(layer: dict[str, str], grid: int, dd: Path) -> dict[str, str]:
    """Each 2018 municipality inherits the region of its successor on ``grid``."""
    to19, to25 = _successors(dd)
    out = {}
    for c in _codes_2018(dd):
        s = to19.get(c, c)
        if grid == 2025:
            s = to25.get(s, s)
        if s in layer:
            out[c] = layer[s]
    return out


def _csv_layer(dd: Path, files: list[str], region_layers: set[str], regions=None) -> dict[str, str]:
    df = pd.concat([pd.read_csv(dd / "regions" / f, dtype=str) for f in files])
    df = df[df["region_layer"].isin(region_layers)]
    if regions is not None:
        df = df[df["region_name"].isin(regions)]
    return dict(zip(df["nis_code"], df["region_name"].str.strip(), strict=True))


WW_FILES = ["wijk_werken.csv", "wijk_werken_supplement.csv"]
NWVL = "RESOC Noord-West-Vlaanderen (merger of RESOC Brugge + RESOC Oostende)"


def reference_layers(dd: Path) -> dict[str, dict[str, str]]:
    ww = _csv_layer(dd, WW_FILES, {"wijk_werken", "wijk_werken_partial"})
    pinc = pd.read_excel(dd / "regions" / "pinc" / "gemeente_streekwerking.xlsx", dtype=str)
    pinc = pinc.dropna(subset=["gemeente", "Name gebied streekwerking"])
    sw = dict(zip(pinc["gemeente"], pinc["Name gebied streekwerking"].str.strip(), strict=True))
    return {
        "wijkwerken": _back_to_2018(ww, 2019, dd),
        "streekbeleid": _back_to_2018(
            _csv_layer(dd, ["resoc_streekbeleid.csv"], {"resoc"}, [NWVL]), 2019, dd
        ),
        "referentieregio": _back_to_2018(
            _csv_layer(dd, ["referentieregio.csv"], {"referentieregio_regiodecreet_gem2019"}),
            2019,
            dd,
        ),
        "vervoerregio": _back_to_2018(
            _csv_layer(dd, ["vervoerregio.csv"], {"vervoerregio_gem2019"}), 2019, dd
        ),
        "streekwerking": _back_to_2018(sw, 2025, dd),
    }


def ari(a: dict[str, str], b: dict[str, str]) -> tuple[float, int]:
    """Adjusted Rand index (Hubert & Arabie) on the common municipalities, by pair counting."""
    common = sorted(a.keys() & b.keys())
    n = len(common)
    if n < 2:
        return float("nan"), n
    pairs = sum(comb(k, 2) for k in Counter((a[c], b[c]) for c in common).values())
    sa = sum(comb(k, 2) for k in Counter(a[c] for c in common).values())
    sb = sum(comb(k, 2) for k in Counter(b[c] for c in common).values())
    expected = sa * sb / comb(n, 2)
    top = (sa + sb) / 2
    return (1.0 if top == expected else (pairs - expected) / (top - expected)), n


def nesting(plan: dict[str, str], layer: dict[str, str]) -> tuple[str, int]:
    """ "nested/covered" partnerships and the number identical to a region."""
    clusters: dict[str, set[str]] = {}
    for c, k in plan.items():
        clusters.setdefault(k, set()).add(c)
    members: dict[str, set[str]] = {}
    for c, r in layer.items():
        members.setdefault(r, set()).add(c)
    covered = [m for m in clusters.values() if m <= layer.keys()]
    nested = [m for m in covered if len({layer[c] for c in m}) == 1]
    identical = sum(1 for m in nested if members[layer[next(iter(m))]] == m)
    return f"{len(nested)}/{len(covered)}", identical


def only(d: dict[str, str], keep) -> dict[str, str]:
    return {c: r for c, r in d.items() if keep(c)}


def wvl(c: str) -> bool:
    return c.startswith("3")  # province West-Vlaanderen


def outside(c: str) -> bool:
    return not wvl(c)


@pytest.fixture(scope="module")
def table(data_dir):
    return seed_claim_table(data_dir).set_index("layer")


@pytest.fixture(scope="module")
def ref(data_dir):
    return _plan(data_dir), reference_layers(data_dir)


def close(x: float, y: float) -> bool:
    return (isnan(x) and isnan(y)) or x == pytest.approx(y, abs=1e-9)


# ---------------------------------------------------------------- the table equals the reference
@pytest.mark.parametrize("lid", ["wijkwerken", "streekbeleid", *STAND_INS])
def test_table_equals_independent_computation(table, ref, lid):
    plan, layers = ref
    layer, row = layers[lid], table.loc[lid]
    ww = set(layers["wijkwerken"])
    a, n = ari(plan, layer)
    assert close(row["ari"], a) and row["n"] == n
    assert (row["nested"], row["identical"]) == nesting(plan, layer)
    a, n = ari(only(plan, ww.__contains__), layer)
    assert close(row["ari_on_wijkwerken_municipalities"], a) and row["n_on_wijkwerken"] == n
    a, n = ari(only(plan, outside), only(layer, outside))
    assert close(row["ari_outside_wvl"], a) and row["n_outside_wvl"] == n
    assert row["nested_outside_wvl"] == nesting(only(plan, outside), only(layer, outside))[0]
    a, n = ari(only(plan, wvl), only(layer, wvl))
    assert close(row["ari_wvl"], a) and row["n_wvl"] == n
    assert (row["nested_wvl"], row["identical_wvl"]) == nesting(only(plan, wvl), only(layer, wvl))


def test_wijkwerken_layer_merges_both_files(ref, data_dir):
    from geo.layers import layer_rows, load_layer

    raw = pd.concat([pd.read_csv(data_dir / "regions" / f, dtype=str) for f in WW_FILES])
    # regression pin: the two files' data rows, `uv run python -c "import pandas as pd;
    # print(len(pd.read_csv('../shared/data/regions/wijk_werken.csv')))"` (98; supplement: 23);
    # 121 municipalities: geo/layers.toml's note ("121 of 300 municipalities")
    assert len(raw) == 98 + 23 and raw["nis_code"].nunique() == 121
    layer = load_layer("wijkwerken", 2019, data_dir)
    assert set(layer["nis_code"]) == set(raw["nis_code"])
    rows = layer_rows("wijkwerken", data_dir)
    assert rows["source"].notna().all() and rows["file"].nunique() == 2  # per-row sources kept
    # on the 2018 grid: the 2018 municipalities whose 2019 successor is in the layer
    assert set(load_layer("wijkwerken", 2018, data_dir)["nis_code"]) == set(ref[1]["wijkwerken"])


def test_sensitivity_equals_independent_computation(data_dir, ref):
    plan, layers = ref
    s = sensitivity(data_dir)
    raw = pd.concat([pd.read_csv(data_dir / "regions" / f, dtype=str) for f in WW_FILES])
    partial = set(raw.loc[raw["region_layer"] == "wijk_werken_partial", "region_name"])
    complete = {c: r for c, r in layers["wijkwerken"].items() if r not in partial}
    a, n = ari(plan, complete)
    got = s["wijkwerken_complete_only"]
    assert got.ari == pytest.approx(a, abs=1e-9) and got.n_common == n
    nested, identical = nesting(plan, complete)
    assert (f"{got.n_nested}/{got.n_clusters_covered}", got.n_identical) == (nested, identical)
    rs = pd.read_csv(data_dir / "regions" / "resoc_streekbeleid.csv", dtype=str)
    rs = rs[rs["region_name"].isin(["RESOC Brugge", "RESOC Oostende"])]
    old = dict(zip(rs["nis_code"], rs["region_name"], strict=True))
    b = s["resoc_pre_merger"]
    assert b.ari == pytest.approx(ari(plan, old)[0]) and b.n_identical == nesting(plan, old)[1]


# ---------------------------------------------------------------- the claim
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


# ---------------------------------------------------------------- regression pins
def test_regression_pins_of_the_reported_figures(table, data_dir):
    """Regression pins: the figures of docs/overlap-findings.md as printed by
    ``uv run python -m geo.findings`` (wijk_werken.csv + wijk_werken_supplement.csv). The tests
    above prove them; these catch a silent change of data or method."""
    t = table
    assert (round(t.loc["wijkwerken", "ari"], 3), t.loc["wijkwerken", "n"]) == (0.904, 85)
    assert (t.loc["wijkwerken", "nested"], t.loc["wijkwerken", "identical"]) == ("9/12", 6)
    assert round(t.loc["wijkwerken", "ari_outside_wvl"], 3) == 0.828
    assert t.loc["wijkwerken", "n_outside_wvl"] == 69
    pins = {"referentieregio": 0.657, "vervoerregio": 0.595, "streekwerking": 0.630}
    for lid, v in pins.items():
        assert round(t.loc[lid, "ari_on_wijkwerken_municipalities"], 3) == v, lid
    s = sensitivity(data_dir)["wijkwerken_complete_only"]
    assert (round(s.ari, 3), s.n_common, s.n_nested, s.n_clusters_covered) == (0.827, 67, 7, 10)
    assert s.n_identical == 4
