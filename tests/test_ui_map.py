"""Map data: display geometry, click location, the cluster layer, and no web addresses."""

from __future__ import annotations

import json

import pytest
import shapely

from geo.context import load_grid_data, load_plan, plan_path
from geo.plans import Plan
from ui.colours import UNASSIGNED
from ui.editor import Editor
from ui.mapview import (
    base_map,
    cluster_features,
    cluster_layer,
    display_geometry,
    external_urls,
    geometry_collection,
    outline_geojson,
    payload_bytes,
    point_features,
    write_geometry_file,
)
from ui.model import click_token, handle_click, map_features


def test_display_geometry_locates_clicks(units) -> None:
    dg = display_geometry(units, tolerance=10)
    assert dg.codes == tuple(units.index)
    for code, (lat, lng) in dg.points.items():
        assert dg.locate(lat, lng) == code
    assert dg.locate(0.0, 0.0) is None  # far outside
    s, w, n, e = dg.bounds
    assert s < n and w < e and 49 < s < 52 and 2 < w < 6  # EPSG:4326 around Belgium


def test_display_geometry_refuses_other_crs(units) -> None:
    with pytest.raises(ValueError, match="31370"):
        display_geometry(units.to_crs(4326))


def test_cluster_properties_and_geometry_collection(units) -> None:
    dg = display_geometry(units, tolerance=10)
    props = json.loads(
        cluster_features(
            dg, {"11001": "#E69F00"}, {"11001": "<b>Gem1</b>"}, strong=["11001"], dashed=["11002"]
        )
    )
    assert set(props) == set(units.index)
    fc = json.loads(geometry_collection(dg))
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"]["n"] for f in fc["features"]] == list(dg.codes)
    assert props["11001"]["f"] == "#E69F00" and props["11001"]["w"] == 2.5
    assert props["11002"]["f"] == UNASSIGNED and props["11002"]["d"]
    assert props["11001"]["t"] == "<b>Gem1</b>"


def test_base_map_loads_nothing_from_the_web(units) -> None:
    dg = display_geometry(units, tolerance=10)
    m = base_map(
        dg,
        provinces=outline_geojson(units.dissolve(by="province").reset_index(), "province"),
        centrumsteden=point_features([(*dg.points["11005"], "Gem5")]),
    )
    assert external_urls(m) == []
    html = m.get_root().render()
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "tile.openstreetmap"):
        assert cdn not in html
    # tiles only on request, and then the only web address is the tile server
    with_tiles = base_map(dg, tiles=True).get_root().render()
    assert "tile.openstreetmap.org" in with_tiles


def test_geometry_file_is_written_once_by_content(units, tmp_path) -> None:
    dg = display_geometry(units, tolerance=10)
    url = write_geometry_file(dg, tmp_path)
    assert url.startswith("/app/static/generated/geometry-2018-") and url.endswith(".json")
    files = list((tmp_path / "generated").iterdir())
    assert len(files) == 1 and json.loads(files[0].read_text())["type"] == "FeatureCollection"
    assert write_geometry_file(dg, tmp_path) == url
    # the layer loads that URL (from this server), or carries the geometry inline
    m = base_map(dg)
    cluster_layer(cluster_features(dg, {}, {}), url).add_to(m)
    html = m.get_root().render()
    assert f'"{url}"' in html and "fetch(url)" in html
    m2 = base_map(dg)
    cluster_layer(cluster_features(dg, {}, {}), None, geometry_collection(dg)).add_to(m2)
    assert '"FeatureCollection"' in m2.get_root().render()
    with pytest.raises(ValueError):
        cluster_layer("{}", None)


def test_click_toggles_the_municipality_under_the_point(units) -> None:
    dg = display_geometry(units, tolerance=10)
    ed = Editor.start(Plan.from_assignment(2018, {"11001": "a"}, {"a": "A"}))
    lat, lng = dg.points["11002"]
    value = {"last_object_clicked": {"lat": lat, "lng": lng}, "last_object_clicked_count": 1}
    assert click_token(value) == (1, round(lat, 7), round(lng, 7))
    assert click_token({"last_object_clicked": None}) is None
    click = handle_click(ed, dg, value)
    assert (click.nis_code, click.cluster) == ("11002", "a")
    assert handle_click(ed, dg, value).cluster is None
    outside = {"last_object_clicked": {"lat": 10.0, "lng": 10.0}, "last_object_clicked_count": 3}
    assert handle_click(ed, dg, outside).nis_code is None


@pytest.mark.realdata
def test_map_payload_2025_is_small_enough(data_dir) -> None:
    gd = load_grid_data(2025, 2022, data_dir)
    dg = display_geometry(gd.units)
    plan = load_plan(plan_path("partnerships-2017"), gd)
    ed = Editor.start(plan, gd.adjacency)
    feats = map_features(
        dg, plan, ed.colours, gd.units["name"].to_dict(), gd.population.to_dict(),
        gd.units.index[gd.units["centrumstad"]], None, ed.active,
    )  # fmt: skip
    prov = gd.units.dissolve(by="province").reset_index()
    m = base_map(dg, provinces=outline_geojson(prov, "province"))
    size = payload_bytes(m, cluster_layer(feats, "/app/static/generated/g.json"), dg)
    assert size <= 1_500_000, f"map payload {size / 1e6:.2f} MB"
    # display geometry is simplified for the map only: statistics keep the real areas
    assert gd.units["area_km2"].sum() == pytest.approx(13_600, rel=0.01)
    web_area = shapely.area(gd.units.geometry.to_crs(4326).values).sum()
    assert shapely.area(dg.shapes).sum() == pytest.approx(web_area, rel=0.01)
