"""User layers: polygons that follow municipal borders equal the membership table; bad files give
clear messages."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import CRSError, RegiokaartError
from geo.grids import load_units, require_same_crs
from geo.layers import (
    LayerError,
    make_layer,
    overlay_weights,
    plan_layer,
    polygon_layer,
    read_user_layer,
)
from geo.overlap import agreement, cluster_alignment
from geo.plans import Plan
from tests.conftest import toy_population, toy_units

TOY_REGIONS = {"11001": "West", "11004": "West", "11007": "West", "11002": "Mid", "11005": "Mid",
               "11008": "Mid", "11003": "East", "11006": "East", "11009": "East", "31001": "East"}  # fmt: skip


def _toy_plan() -> Plan:
    return Plan.from_assignment(
        2018,
        {"11001": "a", "11002": "a", "11004": "a", "11005": "b", "11006": "b", "11009": "b",
         "31001": "c", "31002": "c"},
    )  # fmt: skip


def test_toy_polygon_union_equals_membership_table():
    units = toy_units()
    pop = toy_population(units)
    g = units.loc[list(TOY_REGIONS), ["geometry"]].assign(region=list(TOY_REGIONS.values()))
    polys = g.dissolve(by="region").reset_index()
    from_polys = polygon_layer(polys, units, "toy")
    table = pd.DataFrame(
        {"nis_code": list(TOY_REGIONS), "region": list(TOY_REGIONS.values()), "weight": 1.0}
    )
    from_table = make_layer(table, 2018, "toy", "toy", False, "table")
    assert from_polys.membership == from_table.membership
    plan = _toy_plan()
    pd.testing.assert_frame_equal(
        cluster_alignment(plan, from_polys, pop), cluster_alignment(plan, from_table, pop)
    )
    assert (
        agreement(plan_layer(plan), from_polys).ari == agreement(plan_layer(plan), from_table).ari
    )
    assert any("spread evenly by area" in n for n in from_polys.attrs["notes"])


def test_toy_polygon_cutting_municipalities_gives_area_fractions():
    units = toy_units()
    pop = toy_population(units)
    # one region covering the western 1.5 km of the block: 11002/11005/11008 are cut in half
    polys = gpd.GeoDataFrame({"region": ["W"]}, geometry=[box(0, 0, 1500, 3000)], crs="EPSG:31370")
    layer = polygon_layer(polys, units, "cut")
    w = layer.set_index("nis_code")["weight"]
    assert w["11001"] == 1.0 and w["11002"] == pytest.approx(0.5)
    assert "11003" not in w.index
    out = cluster_alignment(Plan.from_assignment(2018, {"11001": "a", "11002": "a"}), layer, pop)
    # 10k wholly in W + half of 20k spread by area
    assert out.loc[0, "dominant_share"] == pytest.approx(20_000 / 30_000)
    assert out.loc[0, "outside_share"] == pytest.approx(10_000 / 30_000)
    assert not out.loc[0, "nested"]


def test_real_dissolved_municipalities_equal_membership_table(data_dir, tmp_path):
    units = load_units(2019, data_dir)
    regions = {"44021": "Gent+", "44020": "Gent+", "44013": "Zuid", "44034": "Zuid",
               "44012": "Zuid", "11002": "Antwerpen", "11008": "Antwerpen"}  # fmt: skip
    g = units.loc[list(regions), ["geometry"]].assign(region=list(regions.values()))
    polys = g.dissolve(by="region").reset_index()
    polys.to_file(tmp_path / "r.gpkg")
    polys.to_crs("EPSG:4326").to_file(tmp_path / "r.geojson")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    polys.to_file(shp_dir / "r.shp")
    with zipfile.ZipFile(tmp_path / "r.zip", "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    pd.DataFrame({"nis_code": list(regions), "region": list(regions.values())}).to_csv(
        tmp_path / "r.csv", index=False
    )
    table = read_user_layer(tmp_path / "r.csv", 2019, data_dir)
    from geo.population import load_population

    pop = load_population(2019, 2019, data_dir)
    plan = Plan.from_assignment(2019, {c: c[:2] for c in [*regions, "44019", "11004"]})
    expected = cluster_alignment(plan, table, pop)
    for name in ("r.gpkg", "r.geojson", "r.zip"):
        layer = read_user_layer(tmp_path / name, 2019, data_dir)
        pd.testing.assert_frame_equal(
            layer[["nis_code", "region", "weight"]], table[["nis_code", "region", "weight"]]
        )
        pd.testing.assert_frame_equal(cluster_alignment(plan, layer, pop), expected)
    assert "reprojected from EPSG:4326" in " ".join(
        read_user_layer(tmp_path / "r.geojson", 2019, data_dir).attrs["notes"]
    )


def test_membership_table_by_names_moves_to_a_later_grid(data_dir, tmp_path):
    p = tmp_path / "names.csv"
    # 2018-grid names; Zomergem and Lovendegem are now Lievegem: a whole region on the 2019 grid
    p.write_text("municipality;region\nZomergem;Noord\nLovendegem;Noord\nWaarschoot;Noord\n"
                 "Gent;Stad\n", encoding="utf-8")  # fmt: skip
    layer = read_user_layer(p, 2019, data_dir)
    assert layer.set_index("nis_code")["region"].to_dict() == {"44021": "Stad", "44085": "Noord"}
    assert (layer["weight"] == 1.0).all()


# ------------------------------------------------------------------------------ bad files
def test_later_grid_table_is_inherited(data_dir, tmp_path):
    # 46030 (Beveren-Kruibeke-Zwijndrecht) exists from the 2025 grid on; on the 2019 grid its
    # three predecessors inherit its region
    p = tmp_path / "t25.csv"
    p.write_text("nis_code,region\n46030,Waas\n44021,Gent\n", encoding="utf-8")
    layer = read_user_layer(p, 2019, data_dir)
    assert layer.attrs["native_grid"] == 2025
    assert layer.set_index("nis_code")["region"].to_dict() == {
        "11056": "Waas", "44021": "Gent", "46003": "Waas", "46013": "Waas",
    }  # fmt: skip


def test_no_crs(data_dir, tmp_path):
    p = tmp_path / "nocrs.geojson"
    p.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"region":"A"},'
        '"geometry":{"type":"Polygon","coordinates":[[[100000,190000],[110000,190000],'
        "[110000,200000],[100000,190000]]]}}]}",
        encoding="utf-8",
    )
    units = load_units(2019, data_dir)
    gdf = gpd.read_file(p).set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        polygon_layer(gdf, units, "x")
    # a zipped Shapefile without its .prj
    shp = tmp_path / "s"
    shp.mkdir()
    units.loc[["44021"], ["geometry"]].assign(region="A").to_file(shp / "a.shp")
    (shp / "a.prj").unlink()
    with zipfile.ZipFile(tmp_path / "noprj.zip", "w") as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    with pytest.raises(CRSError, match=r"no coordinate reference system.*\.prj"):
        read_user_layer(tmp_path / "noprj.zip", 2019, data_dir)


def test_mismatched_crs_raises():
    units = toy_units()
    other = units.to_crs("EPSG:4326")
    with pytest.raises(CRSError, match="CRS mismatch"):
        require_same_crs(units, other)
    with pytest.raises(CRSError, match="CRS mismatch"):
        overlay_weights(other.assign(region="x"), units)


def test_unknown_codes_and_names_suggest_closest(data_dir, tmp_path):
    p = tmp_path / "codes.csv"
    p.write_text("nis_code,region\n44021,A\n44022,A\n", encoding="utf-8")
    with pytest.raises(LayerError) as exc:
        read_user_layer(p, 2019, data_dir)
    msg = str(exc.value)
    assert "row 3: unknown NIS code 44022" in msg and "closest: " in msg and "44021 (Gent)" in msg
    p2 = tmp_path / "bxl.csv"
    p2.write_text("nis_code,region\n21004,A\n44021,A\n52011,B\n", encoding="utf-8")
    with pytest.raises(LayerError) as exc:
        read_user_layer(p2, 2019, data_dir)
    assert "row 2: 21004 is a Brussels municipality" in str(exc.value)
    assert "row 4: 52011 is not a Flemish municipality" in str(exc.value)
    p3 = tmp_path / "names.csv"
    p3.write_text("gemeente,regio\nGent,A\nDestelbergn,A\n", encoding="utf-8")
    with pytest.raises(
        LayerError, match=r"row 3: Unknown municipality 'Destelbergn'.*Destelbergen"
    ):
        read_user_layer(p3, 2019, data_dir)


def test_overlapping_polygons(data_dir, tmp_path):
    units = load_units(2019, data_dir)
    a = units.loc[["44021", "44020"]].union_all()
    b = units.loc[["44020", "44013"]].union_all()  # shares Destelbergen's neighbour 44020
    gpd.GeoDataFrame({"region": ["A", "B"]}, geometry=[a, b], crs="EPSG:31370").to_file(
        tmp_path / "ov.gpkg"
    )
    with pytest.raises(LayerError, match=r"1 pair\(s\) of regions overlap") as exc:
        read_user_layer(tmp_path / "ov.gpkg", 2019, data_dir)
    assert "'A' and 'B' overlap by" in str(exc.value)


def test_empty_files(data_dir, tmp_path):
    (tmp_path / "empty.gpkg").write_bytes(b"")
    with pytest.raises(LayerError, match="empty"):
        read_user_layer(tmp_path / "empty.gpkg", 2019, data_dir)
    (tmp_path / "empty.geojson").write_text(
        '{"type":"FeatureCollection","features":[]}', encoding="utf-8"
    )
    with pytest.raises(LayerError, match="no features"):
        read_user_layer(tmp_path / "empty.geojson", 2019, data_dir)
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(LayerError, match="empty"):
        read_user_layer(tmp_path / "empty.csv", 2019, data_dir)
    (tmp_path / "header.csv").write_text("nis_code,region\n", encoding="utf-8")
    with pytest.raises(LayerError, match="header but no rows"):
        read_user_layer(tmp_path / "header.csv", 2019, data_dir)


def test_broken_zip(data_dir, tmp_path):
    units = load_units(2019, data_dir)
    shp = tmp_path / "s"
    shp.mkdir()
    units.loc[["44021"], ["geometry"]].assign(region="A").to_file(shp / "a.shp")
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    data = good.read_bytes()
    (tmp_path / "trunc.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(LayerError, match="not a valid zip archive"):
        read_user_layer(tmp_path / "trunc.zip", 2019, data_dir)
    (tmp_path / "noise.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(LayerError, match="zip"):
        read_user_layer(tmp_path / "noise.zip", 2019, data_dir)
    with zipfile.ZipFile(tmp_path / "noshp.zip", "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    with pytest.raises(LayerError, match=r"holds no Shapefile"):
        read_user_layer(tmp_path / "noshp.zip", 2019, data_dir)


def test_unsupported_and_missing(data_dir, tmp_path):
    (tmp_path / "x.docx").write_bytes(b"x")
    with pytest.raises(LayerError, match="unsupported layer format"):
        read_user_layer(tmp_path / "x.docx", 2019, data_dir)
    with pytest.raises(LayerError, match="not found"):
        read_user_layer(tmp_path / "nope.gpkg", 2019, data_dir)
    assert issubclass(LayerError, RegiokaartError)


def test_upload_bytes_and_xlsx_table(data_dir, tmp_path):
    from geo.layers import read_user_layer_bytes

    x = tmp_path / "m.xlsx"
    pd.DataFrame({"NIS": ["44021", "44020"], "Gebied": ["G", "G"]}).to_excel(x, index=False)
    layer = read_user_layer_bytes(x.read_bytes(), "upload.xlsx", 2019, data_dir)
    assert layer.set_index("nis_code")["region"].to_dict() == {"44020": "G", "44021": "G"}
    with pytest.raises(LayerError, match="not a valid zip archive"):
        read_user_layer_bytes(b"PK\x03\x04broken", "regions.zip", 2019, data_dir)


def test_table_weights_and_double_membership(data_dir, tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("nis_code,region,weight\n44021,A,0.6\n44021,B,0.4\n44020,A,1\n", encoding="utf-8")
    layer = read_user_layer(p, 2019, data_dir)
    w = layer.set_index(["nis_code", "region"])["weight"]
    assert w[("44021", "A")] == pytest.approx(0.6) and w[("44021", "B")] == pytest.approx(0.4)
    p.write_text("nis_code,region\n44021,A\n44021,B\n", encoding="utf-8")
    with pytest.raises(
        LayerError,
        match=r"44021 \(Gent\) is assigned to more than one region: row 2 \(A\), row 3 \(B\)",
    ):
        read_user_layer(p, 2019, data_dir)
    p.write_text("nis_code,region,weight\n44021,A,1.5\n", encoding="utf-8")
    with pytest.raises(LayerError, match=r"row 2: weight '1.5' is not a number in \(0, 1\]"):
        read_user_layer(p, 2019, data_dir)


def test_region_column_choice(data_dir, tmp_path):
    units = load_units(2019, data_dir)
    g = units.loc[["44021", "44020"], ["geometry"]].assign(code=["1", "2"], label=["G", "M"])
    g.to_file(tmp_path / "two.gpkg")
    with pytest.raises(LayerError, match="cannot tell which column names the region"):
        read_user_layer(tmp_path / "two.gpkg", 2019, data_dir)
    layer = read_user_layer(tmp_path / "two.gpkg", 2019, data_dir, region_column="label")
    assert layer.set_index("nis_code")["region"].to_dict() == {"44020": "M", "44021": "G"}
    with pytest.raises(LayerError, match="no column 'nope'"):
        read_user_layer(tmp_path / "two.gpkg", 2019, data_dir, region_column="nope")
