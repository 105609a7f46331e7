"""``regiokaart overlap`` and ``regiokaart layers``: output formats and one-message errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_overlap_json(capsys, data_dir):
    code, out, _ = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2018",
        "--layer", "wijkwerken", "--format", "json", "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code == 0
    rep = json.loads(out)
    assert rep["layer"] == "wijkwerken" and rep["layer_partial"] is True
    # regression pins (uv run python -m geo.findings; proved in tests/test_overlap_findings.py)
    assert rep["layer_completeness"] == pytest.approx(85 / 204)
    assert rep["agreement"] == pytest.approx(0.904, abs=5e-4)
    assert rep["population_year"] == 2018
    assert len(rep["clusters"]) == 32
    for c in rep["clusters"]:
        assert {"cluster", "regions_touched", "dominant_region", "dominant_share", "nested"} <= set(
            c
        )
        assert 0.0 <= c["dominant_share"] <= 1.0
    by = {c["cluster"]: c for c in rep["clusters"]}
    assert by["maasland"]["nested"] is True and by["maasland"]["dominant_share"] == 1.0
    assert by["kina"]["dominant_region"] is None and by["kina"]["n_outside"] == 20
    assert any("PARTIAL" in n for n in rep["notes"])
    assert {"province", "ari", "n_common"} <= set(rep["by_province"][0])
    assert rep["regions"] and "covered_share" in rep["regions"][0]


def test_overlap_table_csv_xlsx(capsys, data_dir, tmp_path):
    dd = str(data_dir)
    code, out, _ = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2025",
        "--layer", "streekwerking", "--data-dir", dd,
    )  # fmt: skip
    assert code == 0
    assert "agreement (adjusted Rand index" in out and "moved from the 2018 grid" in out
    code, out, _ = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2019",
        "--layer", "vervoerregio", "--format", "csv", "--data-dir", dd,
    )  # fmt: skip
    assert code == 0 and out.startswith("cluster,cluster_name,regions_touched")
    x = tmp_path / "o.xlsx"
    code, _, _ = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2019",
        "--layer", "vervoerregio", "--format", "xlsx", "--out", str(x), "--data-dir", dd,
    )  # fmt: skip
    assert code == 0
    assert set(pd.ExcelFile(x).sheet_names) == {
        "summary",
        "clusters",
        "regions",
        "provinces",
        "notes",
    }


def test_overlap_user_polygon_layer(capsys, data_dir, tmp_path):
    from geo.grids import load_units

    units = load_units(2019, data_dir)
    g = units[units["arrondissement"].isin(["Gent", "Eeklo"])][["arrondissement", "geometry"]]
    g.dissolve(by="arrondissement").reset_index().to_crs("EPSG:4326").to_file(
        tmp_path / "gent.geojson"
    )
    code, out, _ = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2019",
        "--layer", str(tmp_path / "gent.geojson"), "--format", "json", "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code == 0
    rep = json.loads(out)
    assert "spread evenly by area" in rep["weighting"]
    by = {c["cluster"]: c for c in rep["clusters"]}
    assert by["gent"]["nested"] is True and by["gent"]["dominant_region"] == "Gent"
    assert "dominant_share_area" in by["meetjesland"]


def test_layers_command(capsys, data_dir):
    code, out, _ = run(capsys, "layers", "--data-dir", str(data_dir))
    assert code == 0
    assert "VERY PARTIAL" in out and "PARTIAL: 121 of 300 municipalities" in out
    code, out, _ = run(capsys, "layers", "--format", "json", "--data-dir", str(data_dir))
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["streekbeleid"]["partial"] == "VERY PARTIAL"
    assert rows["vervoerregio"]["coverage"] == 1.0
    ww = rows["wijkwerken"]
    assert (ww["n_municipalities"], ww["completeness_grid"]) == (121, 2019)  # 98 + 23 rows
    assert ww["completeness"].startswith("PARTIAL: 121 of 300 municipalities (40.3%), 2019 grid")
    assert "17 complete (101 municipalities), 4 known only in part (20)" in ww["completeness"]


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("wijkwerk", "Unknown layer 'wijkwerk'. Did you mean wijkwerken"),
        ("missing.gpkg", "Layer file not found"),
    ],
)
def test_overlap_errors_exit_2(capsys, data_dir, layer, message):
    code, out, err = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2018", "--layer", layer,
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_overlap_xlsx_needs_out(capsys, data_dir):
    code, _, err = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2018",
        "--layer", "provincie", "--format", "xlsx", "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code == 2 and "--format xlsx needs --out" in err


def test_overlap_default_year_named(capsys, data_dir):
    code, out, _ = run(
        capsys, "overlap", "--plan", "partnerships-2017", "--grid", "2019",
        "--layer", "vervoerregio", "--data-dir", str(data_dir),
    )  # fmt: skip
    assert code == 0 and "population 1 January 2023 (latest year for the grid)" in out
