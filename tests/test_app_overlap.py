"""The overlap screen (ui/screens/overlap.py) through AppTest, on the real data, via a tiny harness
(tests/apps/overlap_harness.py) so it does not depend on ui/views.py: upload a polygon GeoPackage
(cutting municipalities, region column chosen) and a CSV membership table by municipality names;
every figure shown equals ``regiokaart overlap --format json`` for the same plan and layer; the
province filter restricts the figures (covered inhabitants summed here from the raw plan rows).

Streamlit 1.67's AppTest uploads files (``file_uploader(...).set_value((name, bytes, mime))``):
the upload goes through the real widget and its button callback."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from cli import main
from geo.context import load_grid_data, load_plan, plan_path
from geo.layers import load_layer

pytestmark = pytest.mark.realdata
HARNESS = str(Path(__file__).resolve().parent / "apps" / "overlap_harness.py")
PLAN = "partnerships-2017"


@pytest.fixture
def app(data_dir, monkeypatch):
    def make(grid: int = 2019, lang: str = "nl", plan: str = PLAN) -> AppTest:
        monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
        monkeypatch.setenv("OV_PLAN", plan)
        monkeypatch.setenv("OV_GRID", str(grid))
        monkeypatch.setenv("OV_LANG", lang)
        at = AppTest.from_file(HARNESS, default_timeout=120)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return make


def _cli(capsys, data_dir, layer: str, grid: int = 2019, *extra: str) -> dict:
    argv = ["overlap", "--plan", PLAN, "--grid", str(grid), "--layer", layer, *extra]
    assert main([*argv, "--data-dir", str(data_dir), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _band_gpkg(data_dir, path: Path) -> bytes:
    """Gent and Eeklo arrondissements (2019 grid) cut in a north and a south half: the halves cut
    through municipalities. Two text columns (``gebied``, ``opmerking``): the app asks which one
    names the region. Saved in EPSG:3857 (reprojected on reading)."""
    units = load_grid_data(2019, None, data_dir).units
    area = units[units["arrondissement"].isin(["Gent", "Eeklo"])].union_all()
    x0, y0, x1, y1 = area.bounds
    mid = (y0 + y1) / 2
    g = gpd.GeoDataFrame(
        {"gebied": ["Noord", "Zuid"], "opmerking": ["boven", "onder"]},
        geometry=[area.intersection(box(x0, mid, x1, y1)), area.intersection(box(x0, y0, x1, mid))],
        crs="EPSG:31370",
    ).to_crs("EPSG:3857")
    g.to_file(path, driver="GPKG")
    return path.read_bytes()


def _names_csv(data_dir, path: Path) -> bytes:
    """A membership table by municipality name: the Leuven and Halle-Vilvoorde arrondissements."""
    units = load_grid_data(2019, None, data_dir).units
    sel = units[units["arrondissement"].isin(["Leuven", "Halle-Vilvoorde"])]
    regio = sel["arrondissement"].map({"Leuven": "Oost-Brabant", "Halle-Vilvoorde": "Rand"})
    pd.DataFrame({"gemeente": sel["name"], "regio": regio}).to_csv(path, index=False)
    return path.read_bytes()


def _metric(at: AppTest, label: str) -> str:
    [m] = [m for m in at.metric if m.label == label]
    return str(m.value)


def _pct_nl(x: float) -> str:
    return f"{100 * x:.1f} %".replace(".", ",")  # the app's Dutch share format (78,4 %)


def _assert_same_as_cli(at: AppTest, cli: dict) -> None:
    """Every figure on the screen against the CLI's JSON report."""
    ari = cli["agreement"]
    assert _metric(at, "Aangepaste Rand-index") == f"{ari:.3f}".replace(".", ",")
    nested = f"{cli['n_nested']} van {cli['n_clusters_covered']}"
    assert _metric(at, "Clusters binnen één regio") == nested
    assert _metric(at, "Laag dekt") == _pct_nl(cli["layer_completeness"])
    clusters = at.dataframe[0].value
    cl = cli["clusters"]
    assert clusters["Cluster"].tolist() == [c["cluster_name"] for c in cl]
    assert clusters["Regio's geraakt"].tolist() == [c["regions_touched"] for c in cl]
    assert clusters["Gemeenten buiten de laag"].tolist() == [c["n_outside"] for c in cl]
    assert clusters["Binnen één regio"].tolist() == ["ja" if c["nested"] else "nee" for c in cl]
    dom = [c.get("dominant_region_name", c["dominant_region"]) or "–" for c in cl]
    assert clusters["Grootste regio"].tolist() == dom
    share = clusters["Aandeel inwoners in grootste regio"].tolist()
    assert share == pytest.approx([c["dominant_share"] for c in cl], abs=1e-12)
    regions = at.dataframe[1].value
    rg = cli["regions"]
    assert regions["Regio"].tolist() == [r["region"] for r in rg]
    assert regions["Inwoners"].tolist() == [round(r["population"]) for r in rg]
    assert regions["Clusters"].tolist() == [r["clusters_touching"] for r in rg]
    assert regions["Gemeenten"].tolist() == [r["n_municipalities"] for r in rg]
    cov = regions["Aandeel in een cluster"].tolist()
    assert cov == pytest.approx([r["covered_share"] for r in rg], abs=1e-12)
    for text, r in zip(regions["Aandeel inwoners van de regio per cluster"], rg, strict=True):
        assert text.count("%") == len(r["cluster_shares"])
        if r["cluster_shares"]:
            assert text.endswith(_pct_nl(r["cluster_shares"][-1]))
    prov = at.dataframe[2].value
    assert prov["Provincie"].tolist() == [p["province"] for p in cli["by_province"]]
    got = [None if math.isnan(v) else v for v in prov["Aangepaste Rand-index"]]
    want = [p["ari"] for p in cli["by_province"]]
    assert [g is None for g in got] == [w is None for w in want]
    assert [g for g in got if g is not None] == pytest.approx([w for w in want if w is not None])
    assert prov["Gemeenten in beide"].tolist() == [p["n_common"] for p in cli["by_province"]]


def test_polygon_geopackage_upload_equals_cli(app, capsys, data_dir, tmp_path):
    data = _band_gpkg(data_dir, tmp_path / "gebiedswerking.gpkg")
    at = app()
    up = at.file_uploader(key="ov_upload")
    assert {"gpkg", "geojson", "json", "zip", "csv", "xlsx"} <= {
        t.lstrip(".") for t in up.allowed_type
    }
    up.set_value(("gebiedswerking.gpkg", data, "application/octet-stream")).run()
    # two text columns: the app asks which one names the region
    col = at.selectbox(key="ov_region_column")
    assert col.options == ["gebied", "opmerking"] and col.value == "gebied"
    at.button(key="ov_add").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="ov_layer").value == "user:gebiedswerking"
    assert "gebiedswerking (eigen laag)" in at.selectbox(key="ov_layer").options
    assert at.session_state["user_layers"]["user:gebiedswerking"].kind == "polygons"
    cli = _cli(
        capsys, data_dir, str(tmp_path / "gebiedswerking.gpkg"), 2019, "--region-column", "gebied"
    )
    assert cli["layer"] == "gebiedswerking" and "spread evenly by area" in cli["weighting"]
    _assert_same_as_cli(at, cli)
    assert any("naar oppervlakte" in i.value for i in at.info)  # the area note
    # heat map and the layer's own outline (vega-lite), XLSX download
    assert len(at.get("vega_lite_chart")) == 2
    [dl] = at.get("download_button")
    assert dl.proto.label.startswith("Overlap (XLSX")
    # the XLSX sheets of the screen's figures equal the CLI's --format xlsx
    from ui.screens.overlap import compute

    gd = load_grid_data(2019, None, data_dir)
    plan = load_plan(plan_path(PLAN), gd)
    layer = at.session_state["user_layers"]["user:gebiedswerking"].layer
    view, _ = compute(plan, gd.units, gd.population, layer)
    out = tmp_path / "cli.xlsx"
    argv = [
        "overlap",
        "--plan",
        PLAN,
        "--grid",
        "2019",
        "--layer",
        str(tmp_path / "gebiedswerking.gpkg"),
    ]
    assert (
        main(
            [
                *argv,
                "--region-column",
                "gebied",
                "--data-dir",
                str(data_dir),
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    ours = pd.read_excel(io.BytesIO(view.xlsx()), sheet_name=None)
    theirs = pd.read_excel(out, sheet_name=None)
    assert list(ours) == list(theirs)
    for name in theirs:
        pd.testing.assert_frame_equal(ours[name], theirs[name])


def test_csv_membership_upload_equals_cli_and_errors_are_escaped(app, capsys, data_dir, tmp_path):
    data = _names_csv(data_dir, tmp_path / "brabant.csv")
    at = app()
    at.file_uploader(key="ov_upload").set_value(("brabant.csv", data, "text/csv")).run()
    assert "ov_region_column" not in [s.key for s in at.selectbox]  # one candidate: no question
    at.button(key="ov_add").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="ov_layer").value == "user:brabant"
    cli = _cli(capsys, data_dir, str(tmp_path / "brabant.csv"))
    _assert_same_as_cli(at, cli)
    assert not any("naar oppervlakte" in i.value for i in at.info)  # whole municipalities
    # a bad table: the CLI's message, escaped, under a Dutch lead
    bad = b"gemeente,regio\nGent,A\n**Nergensdorp**,B\n"
    at.file_uploader(key="ov_upload").set_value(("bad.csv", bad, "text/csv")).run()
    at.button(key="ov_add").click().run()
    [err] = at.error
    assert err.value.startswith(
        "**De laag kon niet worden ingelezen. Sommige rijen van de tabel kloppen niet"
    )
    assert "\\*\\*Nergensdorp\\*\\*" in err.value  # escaped: not bold
    assert set(at.session_state["user_layers"]) == {"user:brabant"}
    # a GeoPackage without a CRS: the Dutch explanation, then the CLI's message
    g = gpd.GeoDataFrame({"region": ["X"]}, geometry=[box(0, 0, 1, 1)])
    with pytest.warns(UserWarning):
        g.to_file(tmp_path / "nocrs.gpkg", driver="GPKG")
    raw = (tmp_path / "nocrs.gpkg").read_bytes()
    at.file_uploader(key="ov_upload").set_value(
        ("nocrs.gpkg", raw, "application/octet-stream")
    ).run()
    at.button(key="ov_add").click().run()
    [err] = at.error
    assert "geen coördinatenstelsel" in err.value and "no coordinate reference system" in err.value


def _crossing_plan(data_dir, path: Path) -> Path:
    """The 2017-2019 plan (2019 grid) with Knokke-Heist (West-Vlaanderen) moved into Eeklo's
    cluster (Oost-Vlaanderen): that cluster crosses the province border."""
    gd = load_grid_data(2019, None, data_dir)
    rows = pd.read_csv(io.StringIO(load_plan(plan_path(PLAN), gd).to_csv_text()), dtype=str)
    eeklo = rows.loc[rows["nis_code"] == "43005", ["cluster", "cluster_name"]].iloc[0]
    rows.loc[rows["nis_code"] == "31043", ["cluster", "cluster_name"]] = eeklo.to_list()
    rows.to_csv(path, index=False)
    return path


def test_province_filter_restricts_the_figures(app, data_dir, tmp_path):
    plan_file = _crossing_plan(data_dir, tmp_path / "plan.csv")
    at = app(grid=2025, plan=str(plan_file))
    at.selectbox(key="ov_layer").set_value("vervoerregio").run()
    assert at.selectbox(key="ov_province").options[0] == "alle"
    assert not [
        m for m in at.metric if m.label == "Inwoners gedekt"
    ]  # all of Flanders: no province
    at.selectbox(key="ov_province").set_value("Oost-Vlaanderen").run()
    assert not at.exception, [e.message for e in at.exception]
    gd = load_grid_data(2025, None, data_dir)
    plan = load_plan(plan_file, gd)
    assert plan.is_split  # moved to the 2025 grid: merged municipalities split by share
    prov = set(gd.units.index[gd.units["province"] == "Oost-Vlaanderen"])
    # covered inhabitants: summed here from the plan's rows (split municipalities by share)
    rows = pd.read_csv(io.StringIO(plan.to_csv_text()), dtype={"nis_code": str})
    rows = rows[rows["nis_code"].isin(prov)]
    share = rows["share"].astype(float) if "share" in rows else 1.0
    expected = round(float((rows["nis_code"].map(gd.population).astype(float) * share).sum()))
    assert int(_metric(at, "Inwoners gedekt").replace(".", "")) == expected
    # only clusters with members in the province, border-crossers marked
    m = plan.frame
    inside = set(m.loc[m["nis_code"].isin(prov), "cluster"])
    crossing = inside & set(m.loc[~m["nis_code"].isin(prov), "cluster"])
    assert len(crossing) == 1
    table = at.dataframe[0].value
    assert sorted(table["Cluster"]) == sorted(plan.display_name(c) for c in inside)
    marked = set(table.loc[table["Over de provinciegrens"] == "ja", "Cluster"])
    assert marked == {plan.display_name(c) for c in crossing}
    assert any(c.value.startswith("Clusters over de provinciegrens: ") for c in at.caption)
    # each region's inhabitants: only those living in the province
    layer = load_layer("vervoerregio", 2025, data_dir).frame
    lp = layer[layer["nis_code"].isin(prov)]
    pop = (
        (lp["nis_code"].map(gd.population).astype(float) * lp["weight"]).groupby(lp["region"]).sum()
    )
    regions = at.dataframe[1].value
    assert dict(zip(regions["Regio"], regions["Inwoners"], strict=True)) == {
        r: round(v) for r, v in pop.items()
    }
    assert at.dataframe[2].value["Provincie"].tolist() == ["Oost-Vlaanderen"]


def test_english(app):
    at = app(lang="en")
    assert at.selectbox(key="ov_province").options[0] == "all"
    labels = {m.label for m in at.metric}
    assert {"Adjusted Rand index", "Clusters inside one region", "Layer covers"} <= labels
    assert "Cluster" in at.dataframe[0].value.columns
