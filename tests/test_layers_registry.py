"""The shipped comparison layers: registry, loading on every grid, moves, completeness, outlines."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.codes import load_crosswalk
from geo.layers import (
    LayerError,
    completeness,
    layer_info,
    layer_outlines,
    layers_table,
    load_layer,
    make_layer,
    move_layer,
    registry,
)
from geo.settings import GRIDS

SHIPPED = [
    "wijkwerken", "streekbeleid", "vervoerregio", "referentieregio", "streekwerking", "provincie",
    "arrondissement", "woon-igs", "eerstelijnszone", "politiezone", "partnerships-2017",
    "partnerships-2020",
]  # fmt: skip


def test_registry_lists_the_shipped_ids():
    reg = registry()
    assert list(reg) == SHIPPED
    assert {i for i, info in reg.items() if info.partial} == {
        "wijkwerken",
        "streekbeleid",
        "partnerships-2020",
    }
    assert reg["streekbeleid"].label() == "Versterkt streekbeleid (RESOC/SERR) (ZEER ONVOLLEDIG)"
    assert reg["streekbeleid"].label("en").endswith("(RESOC/SERR) (VERY PARTIAL)")
    assert reg["wijkwerken"].label("en") == "Wijk-werken organisations (PARTIAL)"


def test_registry_files_are_in_the_manifest():
    from geo.sources import load_manifest

    manifest = load_manifest()
    for info in registry().values():
        for f in info.data_files() + ([info.polygons] if info.polygons else []):
            manifest.file_for(f)  # raises if not listed


def test_unknown_layer_suggests_closest():
    with pytest.raises(LayerError, match="Did you mean wijkwerken"):
        layer_info("wijkwerk")


@pytest.mark.parametrize("grid", sorted(GRIDS))
def test_every_layer_loads_on_every_grid(data_dir, grid):
    codes = set(load_crosswalk(data_dir).codes(grid))
    for lid in SHIPPED:
        layer = load_layer(lid, grid, data_dir)
        assert list(layer.columns) == ["nis_code", "region", "weight"]
        assert layer.attrs["grid"] == grid and layer.attrs["layer"] == lid
        assert layer.attrs["partial"] == registry()[lid].partial
        assert set(layer["nis_code"]) <= codes
        assert (layer["weight"] > 0).all() and (layer["weight"] <= 1).all()
        assert (layer.groupby("nis_code")["weight"].sum() <= 1 + 1e-9).all()


def _flemish(codes: pd.Series) -> pd.Series:
    """Flemish municipality codes (provinces 1, 3, 4, 7, 23, 24; not a subtotal)."""
    c = codes.astype(str).str.strip()
    return (c.str[0].isin(list("1347")) | c.str[:2].isin(["23", "24"])) & ~c.str.endswith("000")


def _raw_region_csv(data_dir, *files: str, layers: list[str]) -> pd.DataFrame:
    """The rows of raw membership CSVs of the data directory, read with pandas (not geo.layers)."""
    df = pd.concat([pd.read_csv(data_dir / "regions" / f, dtype=str) for f in files])
    return df[df["region_layer"].isin(layers)]


def _raw_n_municipalities(data_dir, file: str, code: str) -> int:
    df = pd.read_csv(data_dir / "population" / file, dtype=str)
    return int(df.loc[_flemish(df[code]), code].str.strip().nunique())


def _raw_population_2018(data_dir) -> pd.Series:
    """1 Jan 2018 inhabitants per Flemish municipality, from the raw Statbel workbook."""
    sheet = pd.read_excel(
        data_dir / "population" / "Bevolking_per_gemeente.xlsx",
        sheet_name="Bevolking in 2018",
        header=None,
        dtype=str,
    )
    rows = sheet[_flemish(sheet[0].fillna(""))]
    return rows.set_index(rows[0].str.strip())[4].astype(int)


def test_completeness_numbers(data_dir):
    from geo.settings import PARTNERSHIPS_DIR

    # independent: count the raw files with pandas
    n2019 = _raw_n_municipalities(data_dir, "population_BE_2023.csv", "code_ins")
    ww = _raw_region_csv(
        data_dir, "wijk_werken.csv", "wijk_werken_supplement.csv",
        layers=["wijk_werken", "wijk_werken_partial"],
    )  # fmt: skip
    c = completeness("wijkwerken", data_dir)
    assert (c.grid, c.n_covered, c.n_total, c.n_regions, c.partial) == (
        2019, ww["nis_code"].nunique(), n2019, ww["region_name"].nunique(), True,
    )  # fmt: skip
    assert (c.n_covered, c.n_total, c.n_regions) == (121, 300, 21)  # geo/layers.toml's note
    rb = _raw_region_csv(data_dir, "resoc_streekbeleid.csv", layers=["resoc"])
    rb = rb[rb["region_name"] == registry()["streekbeleid"].regions[0]]
    c = completeness("streekbeleid", data_dir)
    assert (c.n_covered, c.n_regions, c.partial) == (rb["nis_code"].nunique(), 1, True)
    assert c.n_covered == 17  # geo/layers.toml's note: "RESOC Noord-West-Vlaanderen (17 ...)"
    assert completeness("vervoerregio", data_dir).share == 1.0
    igs = pd.read_excel(data_dir / "regions" / "pinc" / "gemeente_igs.xlsx", dtype=str)
    in_igs = igs[_flemish(igs["gemeente"]) & (igs["Name igs"] != "Geen IGS")]
    assert completeness("woon-igs", data_dir).n_covered == in_igs["gemeente"].nunique() == 263
    plan = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.csv", dtype=str)
    c = completeness("partnerships-2017", data_dir)
    assert (c.grid, c.n_covered, c.n_regions) == (
        2018, plan["nis_code"].nunique(), plan["cluster"].nunique(),
    )  # fmt: skip
    # the seed (../shared/seeds/002_f9a1f878afa8c9a6.txt, "32 erkende initiatieven": "(204
    # gemeenten of 66,3 % ...)"
    assert (c.n_covered, c.n_regions) == (204, 32)
    t = layers_table(data_dir).set_index("id")
    assert t.loc["streekbeleid", "partial"] == "VERY PARTIAL"
    assert t.loc["provincie", "partial"] == "complete"


def test_forward_move_reports_split_municipalities(data_dir):
    # partnerships 2017-2019 (2018 grid) on the 2025 grid: Opglabbeek (GAOZ) and Meeuwen-Gruitrode
    # (Noord-Limburg) became Oudsbergen in 2019 -> split by population, reported
    layer = load_layer("partnerships-2017", 2025, data_dir)
    oud = layer[layer["nis_code"] == "72042"].set_index("region")["weight"]
    assert set(oud.index) == {"gaoz", "noord-limburg"}
    assert oud.sum() == pytest.approx(1.0)
    # independent: the weights are the predecessors' shares of the latest population on the 2018
    # grid (1 Jan 2018), read from Statbel's raw workbook
    raw = _raw_population_2018(data_dir)
    opglabbeek, meeuwen = raw["71047"], raw["72040"]
    assert oud["gaoz"] == pytest.approx(opglabbeek / (opglabbeek + meeuwen), rel=1e-12)
    assert any("72042" in n and "split" in n for n in layer.attrs["notes"])
    # Aalter (Meetjesland) + Knesselare (no partnership): part outside the layer
    aalter = layer[layer["nis_code"] == "44084"]
    assert len(aalter) == 1 and aalter["region"].iloc[0] == "meetjesland"
    assert aalter["weight"].iloc[0] == pytest.approx(
        raw["44001"] / (raw["44001"] + raw["44029"]), rel=1e-12
    )  # Aalter / (Aalter + Knesselare), 1 Jan 2018
    assert any("44084" in n and "outside the layer" in n for n in layer.attrs["notes"])


def test_forward_move_preserves_population(data_dir):
    from geo.population import load_population

    layer = load_layer("partnerships-2017", 2018, data_dir)
    moved = load_layer("partnerships-2017", 2025, data_dir)
    p18 = load_population(2018, 2018, data_dir).astype(float)
    p25 = load_population(2018, 2025, data_dir).astype(float)
    before = (layer["nis_code"].map(p18) * layer["weight"]).sum()
    after = (moved["nis_code"].map(p25) * moved["weight"]).sum()
    assert after == pytest.approx(before, rel=1e-9)


def test_backward_move_inherits_successor_region(data_dir):
    layer = load_layer("streekwerking", 2018, data_dir)
    assert layer.attrs["native_grid"] == 2025
    reg = layer.set_index("nis_code")["region"]
    # Kruibeke (46013) and Zwijndrecht (11056) merged into Beveren-Kruibeke-Zwijndrecht in 2025
    assert reg["46013"] == reg["11056"] == reg["46003"]
    assert (layer["weight"] == 1.0).all()
    # every municipality of the 2018 grid: the Flemish rows of Statbel's 2018 sheet (raw workbook)
    assert len(layer) == len(_raw_population_2018(data_dir)) == 308
    assert any("inherits" in n for n in layer.attrs["notes"])


def test_move_layer_toy_crosswalk():
    from geo.codes import Crosswalk

    cw = Crosswalk(
        {(2018, 2019): {"1": "1", "2": "1", "3": "3"}, (2019, 2025): {"1": "1", "3": "3"}}, {}
    )
    layer = make_layer(
        pd.DataFrame({"nis_code": ["1", "2", "3"], "region": ["X", "Y", "X"], "weight": 1.0}),
        2018, "toy", "toy", False, "table",
    )  # fmt: skip
    w = pd.Series({"1": 300.0, "2": 100.0, "3": 50.0})
    fwd = move_layer(layer, 2019, cw, w).set_index(["nis_code", "region"])["weight"]
    assert fwd[("1", "X")] == pytest.approx(0.75) and fwd[("1", "Y")] == pytest.approx(0.25)
    assert fwd[("3", "X")] == 1.0
    back = move_layer(make_layer(layer.iloc[[0, 2]], 2019, "t", "t", False, "table"), 2018, cw)
    assert back.set_index("nis_code")["region"].to_dict() == {"1": "X", "2": "X", "3": "X"}


def test_outlines_dissolve_municipalities(data_dir):
    out = layer_outlines("vervoerregio", 2025, data_dir)
    assert out.crs.to_epsg() == 31370
    vr = _raw_region_csv(data_dir, "vervoerregio.csv", layers=["vervoerregio_gem2025"])
    assert len(out) == vr["region_name"].nunique() == 15
    assert out["n_municipalities"].sum() == vr["nis_code"].nunique() == 285
    assert sorted(out["n_municipalities"]) == sorted(
        vr.groupby("region_name")["nis_code"].nunique()
    )
    assert out.geometry.is_valid.all()
    from geo.grids import load_units

    units = load_units(2025, data_dir)
    assert out.geometry.area.sum() == pytest.approx(units.geometry.area.sum(), rel=1e-6)
    part = layer_outlines("partnerships-2017", 2018, data_dir)
    from geo.settings import PARTNERSHIPS_DIR

    plan = pd.read_csv(PARTNERSHIPS_DIR / "partnerships_2017_2019.csv", dtype=str)
    assert len(part) == plan["cluster"].nunique() == 32  # seed: "32 erkende initiatieven"
    assert part["n_municipalities"].sum() == len(plan) == 204  # seed: "Totaal 204 5.092.811"
    assert "Westhoekpersoneel" in set(part["region_name"])
