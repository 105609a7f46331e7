"""ui/userlayers.py (pure): ids, building from an upload, choices, outline GeoJSON (escaped),
stored-layer round trip. Toy grid; the app screen with real data: tests/test_app_overlap.py."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.errors import CRSError, LayerError, RegiokaartError
from geo.planstore import StoredLayer
from tests.conftest import toy_units
from ui import userlayers
from ui.userlayers import UserLayer


def _gpkg(
    path: Path, names: tuple[str, str] = ("West", "East"), crs: str | None = "EPSG:4326"
) -> bytes:
    """Two regions cutting the toy block's middle column in half."""
    g = gpd.GeoDataFrame(
        {"region": list(names), "opmerking": ["a", "b"]},
        geometry=[box(0, 0, 1500, 3000), box(1500, 0, 4000, 3000)],
        crs="EPSG:31370",
    )
    g = g.to_crs(crs) if crs else g.set_crs(None, allow_override=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided": on purpose
        g.to_file(path, driver="GPKG")
    return path.read_bytes()


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> gpd.GeoDataFrame:
    units = toy_units()
    monkeypatch.setattr("geo.layers.load_units", lambda g, d: units)
    return units


def test_slug_and_ids():
    assert userlayers.slug("Zorgregio's Oost-Vlaanderen 2024") == "zorgregio-s-oost-vlaanderen-2024"
    assert userlayers.slug("Éénheid") == "eenheid" and userlayers.slug("<>") == "layer"
    assert userlayers.new_id("gebieden.gpkg") == "user:gebieden"
    assert userlayers.new_id("gebieden.gpkg", ["user:gebieden"]) == "user:gebieden-2"
    assert userlayers.new_id("g.csv", ["user:g", "user:g-2"]) == "user:g-3"
    assert {"gpkg", "geojson", "json", "zip", "csv", "xlsx"} <= set(userlayers.UPLOAD_TYPES)


def test_from_upload_polygons_choices_and_same_file_again(toy, tmp_path):
    data = _gpkg(tmp_path / "gebied.gpkg")
    assert userlayers.upload_candidates(data, "gebied.gpkg") == ["region", "opmerking"]
    ul = userlayers.from_upload(data, "gebied.gpkg", 2018, tmp_path, "region")
    assert (ul.id, ul.name, ul.kind, ul.grid, ul.region_column) == (
        "user:gebied", "gebied", "polygons", 2018, "region"
    )  # fmt: skip
    assert ul.layer.id == "gebied" and ul.layer.weighting == "area"  # as the CLI names it
    w = ul.layer.frame.set_index(["nis_code", "region"])["weight"]
    assert w[("11002", "West")] == pytest.approx(0.5, abs=1e-6)
    # the same file again keeps its id; another file of the same name gets a new one
    again = userlayers.from_upload(data, "gebied.gpkg", 2018, tmp_path, "region", {ul.id: ul})
    assert again.id == ul.id
    other = _gpkg(tmp_path / "o.gpkg", ("Noord", "Zuid"))
    new = userlayers.from_upload(other, "gebied.gpkg", 2018, tmp_path, "region", {ul.id: ul})
    assert new.id == "user:gebied-2" and new.digest != ul.digest
    shipped = {"vervoerregio": "Vervoerregio's"}
    layers = {ul.id: ul, new.id: new}
    assert userlayers.choices(shipped, layers, "nl") == {
        "vervoerregio": "Vervoerregio's",
        "user:gebied": "gebied (eigen laag)",
        "user:gebied-2": "gebied (eigen laag)",
    }
    assert userlayers.user_choices({ul.id: ul}, "en") == {"user:gebied": "gebied (own layer)"}
    assert userlayers.on_grid(ul, 2018, tmp_path) is ul


def test_upload_errors_are_the_clis(toy, tmp_path):
    with pytest.raises(CRSError, match="no coordinate reference system"):
        userlayers.from_upload(_gpkg(tmp_path / "n.gpkg", crs=None), "n.gpkg", 2018, tmp_path)
    with pytest.raises(LayerError, match="cannot tell which column names the region"):
        g = gpd.GeoDataFrame(
            {"a": ["x"], "b": ["y"]}, geometry=[box(0, 0, 900, 900)], crs="EPSG:31370"
        )
        g.to_file(tmp_path / "two.gpkg", driver="GPKG")
        userlayers.from_upload((tmp_path / "two.gpkg").read_bytes(), "two.gpkg", 2018, tmp_path)
    with pytest.raises(LayerError, match="unsupported"):
        userlayers.upload_candidates(b"%PDF", "regions.pdf")
    with pytest.raises(RegiokaartError, match=r"the limit is 20\.0 MB"):
        userlayers.from_upload(b"x" * (20 * 2**20 + 1), "big.csv", 2018, tmp_path)


def test_outline_geojson_is_wgs84_with_escaped_tooltips(toy, tmp_path):
    data = _gpkg(tmp_path / "x.gpkg", ("<b>West</b>", "Oost & co"))
    ul = userlayers.from_upload(data, "x.gpkg", 2018, tmp_path)
    text = userlayers.outline_geojson(ul)
    assert "<" not in text  # safe inside a <script>
    gj = json.loads(text)
    props = [f["properties"] for f in gj["features"]]
    assert [p["region"] for p in props] == ["<b>West</b>", "Oost & co"]
    assert props[0]["t"] == "&lt;b&gt;West&lt;/b&gt;" and props[1]["t"] == "Oost &amp; co"
    xs = [pt[0] for f in gj["features"] for ring in f["geometry"]["coordinates"] for pt in ring]
    assert all(2.0 < x < 3.0 for x in xs)  # longitudes near Lambert's origin, not metres
    # a table layer is drawn as its municipalities dissolved (needs the units)
    import pandas as pd

    from geo.layers import make_layer

    table = make_layer(
        pd.DataFrame({"nis_code": ["11001", "11002"], "region": "R", "weight": 1.0}),
        2018, "t", "t", False, "table",
    )  # fmt: skip
    assert (
        json.loads(userlayers.outline_geojson(table, toy))["features"][0]["properties"]["region"]
        == "R"
    )


def test_stored_round_trip(toy, tmp_path):
    data = _gpkg(tmp_path / "s.gpkg")
    ul = userlayers.from_upload(data, "s.gpkg", 2018, tmp_path, "region")
    stored = userlayers.to_stored(ul)
    assert isinstance(stored, StoredLayer) and stored.kind == "polygons"
    assert stored.file_bytes == data and stored.region_column == "region"
    back = userlayers.from_stored(stored, 2018, tmp_path, taken=[ul.id])
    assert isinstance(back, UserLayer) and back.id == "user:s-2" and back.kind == "polygons"
    assert back.layer.membership.rows == ul.layer.membership.rows
    assert back.layer.polygons is not None and back.layer.weighting == "area"
    # a table keeps only its rows: it cannot be read for another grid
    table = StoredLayer(name="t", kind="table", rows=(("11001", "R", 1.0),))
    tl = userlayers.from_stored(table, 2018)
    assert tl.file_bytes == b"" and tl.kind == "table" and tl.layer.grid == 2018
    with pytest.raises(LayerError, match="Upload the file again"):
        userlayers.on_grid(tl, 2019, tmp_path)


def test_error_hints_name_the_kind_of_problem(toy, tmp_path):
    from geo.errors import LimitError
    from ui.i18n import TEXT
    from ui.screens.overlap import error_hint

    cases = {
        "ov_err_crs": CRSError("x has no coordinate reference system (CRS)."),
        "ov_err_limit": LimitError("big.csv is 21.0 MB; the limit is 20.0 MB."),
        "ov_err_overlap": LayerError("g.gpkg: 1 pair(s) of regions overlap; a layer must ..."),
        "ov_err_column": LayerError("t.csv: cannot tell which column names the region; ..."),
        "ov_err_table": LayerError("a.csv: 1 problem(s) in the table.", ["row 3: Unknown"]),
        "ov_err_unreadable": LayerError("e.zip is not a valid zip archive (broken or truncated)"),
        "ov_err_empty": LayerError("d.csv has a header but no rows."),
    }
    for key, exc in cases.items():
        assert error_hint(exc) == key and key in TEXT
    assert error_hint(LayerError("something else")) is None


def test_user_outline_url_is_a_static_content_named_file(toy, tmp_path, monkeypatch):
    from ui import cache

    monkeypatch.setattr(cache, "STATIC_DIR", tmp_path / "static")
    ul = userlayers.from_upload(_gpkg(tmp_path / "u.gpkg"), "u.gpkg", 2018, tmp_path)
    url = cache.user_outline_url(ul, toy)
    assert url is not None and url.startswith("/app/static/generated/userlayer-2018-")
    written = tmp_path / "static" / "generated" / url.rsplit("/", 1)[1]
    assert json.loads(written.read_text(encoding="utf-8")) == json.loads(
        userlayers.outline_geojson(ul)
    )
