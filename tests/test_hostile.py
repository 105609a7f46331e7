"""Hostile input (issue 9, "What was found", item 4): every case gives a clear message within
10 s and 500 MB, or works, and no output carries a formula, a script or a remote image.

Cases: colours that are not #RRGGBB (a ``<script>``, "red") in the legend, the summary, the map and
the editor; cluster names that start a formula (``=HYPERLINK``, ``+cmd``, ``-1+1``, ``@SUM``, tab)
in every CSV/XLSX export, and the plan CSV that still reads back identical; Markdown images, links
and HTML in names wherever the app shows them; an XLSX zip bomb; a 25 MB plan; a million bad rows
and a million unknown names; 20,000 unknown names; a zip of 10,000 shapefiles; an empty .xlsx;
orphaned temporary files of killed saves; uploads in a private temporary folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from geo.atomic import TMP_PREFIX, atomic_write_text, cleanup_temp_files
from geo.cells import DANGEROUS_FIRST, neutralise_cell, safe_frame, unneutralise_cell
from geo.errors import LimitError, PlanError, RegiokaartError
from geo.export import csv_text, xlsx_bytes
from geo.limits import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    check_table_file,
    check_zip,
    count_csv_rows,
    count_xlsx_rows,
)
from geo.plans import Plan
from ui.colours import check_colour, clean_colours, safe_colour, valid_colour
from ui.text import html_escape, md_escape

SECONDS = 10.0
MEMORY = 500 * 1024 * 1024
MESSAGE = 8_000  # characters: "a few kB"

FORMULAS = [
    '=HYPERLINK("http://evil.example/x","klik")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
MARKDOWN = (
    "![x](http://evil.example/x.png) [klik](http://evil.example) <img src=x onerror=alert(1)>"
)
SCRIPT = "<script>alert(1)</script>"


@contextmanager
def budget(seconds: float = SECONDS, memory: int = MEMORY) -> Iterator[None]:
    """The block must finish within ``seconds`` and raise the process's peak resident memory by at
    most ``memory`` (``ru_maxrss``: a peak already higher before the block hides the block's own,
    so this bounds what the block adds; tracemalloc would slow the timed code several times)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    t0 = time.perf_counter()
    yield
    elapsed = time.perf_counter() - t0
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert grown < memory, f"peak memory grew by {grown / 1e6:.0f} MB"


def refused(fn: Callable[[], Any], error: type[Exception] = RegiokaartError) -> str:
    """The message of the error ``fn`` raises, within the time and memory budget."""
    with budget(), pytest.raises(error) as info:
        fn()
    msg = str(info.value)
    assert len(msg) <= MESSAGE, f"message of {len(msg)} characters"
    assert "Traceback" not in msg
    return msg


# =============================================================================== cells and exports
def test_neutralise_cell_prefixes_a_quote_and_leaves_numbers() -> None:
    for s in FORMULAS:
        assert neutralise_cell(s) == "'" + s
        assert unneutralise_cell(neutralise_cell(s)) == s
    for v in ("Gent", "'quoted", "", -1, -1.5, 3, None):
        assert neutralise_cell(v) == v
    assert unneutralise_cell("'plain") == "'plain"  # only a quote the tool wrote is stripped
    df = pd.DataFrame({"name": [*FORMULAS, "ok"], "n": [-1, -2, 3, 4, 5, 6, 7]})
    out = safe_frame(df)
    assert out["n"].tolist() == df["n"].tolist() and out["n"].dtype == df["n"].dtype
    assert not any(str(v).startswith(DANGEROUS_FIRST) for v in out["name"])


def assert_csv_safe(text: str) -> None:
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(DANGEROUS_FIRST):
                float(cell)  # only a real number may start with "-" or "+"


def assert_xlsx_safe(data: bytes) -> int:
    book = openpyxl.load_workbook(io.BytesIO(data))
    n = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(DANGEROUS_FIRST), cell.value
                    n += 1
    return n


def test_csv_and_xlsx_writers_never_write_a_formula() -> None:
    df = pd.DataFrame({"cluster": FORMULAS, "population": [-5, 1, 2, 3, 4, 5]})
    assert_csv_safe(csv_text(df))
    data = xlsx_bytes({"clusters": df})
    # every text cell counted: the two headers and the six names, each neutralised
    assert assert_xlsx_safe(data) == len(df.columns) + len(FORMULAS)
    ws0 = openpyxl.load_workbook(io.BytesIO(data))["clusters"]
    got = [ws0.cell(row=i + 2, column=1).value for i in range(len(FORMULAS))]
    # (XML turns a raw carriage return into a line feed on reading: "\r=1+1" comes back "'\n=1+1")
    assert got == ["'" + f.replace("\r", "\n") for f in FORMULAS]
    ws = openpyxl.load_workbook(io.BytesIO(data))["clusters"]
    assert ws["B2"].value == -5 and ws["B2"].data_type == "n"  # numbers stay numbers
    assert ws["A2"].value == "'" + FORMULAS[0]


def hostile_plan(codes: list[str]) -> Plan:
    ids = ["=cmd", "+a", "-1+1", "@b", "md"]
    names = [*FORMULAS[:4], MARKDOWN + " " + SCRIPT]
    assignment = {c: ids[i % len(ids)] for i, c in enumerate(codes)}
    return Plan.from_assignment(2025, assignment, dict(zip(ids, names, strict=True)), "=evil plan")


@pytest.mark.realdata
def test_plan_csv_is_neutralised_and_reads_back_identical(data_dir, tmp_path) -> None:
    from geo.context import load_grid_data, load_plan

    gd = load_grid_data(2025, 2022, data_dir)
    plan = hostile_plan(list(gd.units.index[:10]))
    text = plan.to_csv_text()
    assert_csv_safe(text)
    p = tmp_path / "plan.csv"
    p.write_text(text, encoding="utf-8")
    back = load_plan(p, gd)
    assert dict(back.cluster_names) == dict(plan.cluster_names)
    assert back.assignment.to_dict() == plan.assignment.to_dict()
    # the same plan as an XLSX the tool wrote (neutralised, text cells) reads back identical too
    frame = pd.read_csv(io.StringIO(text), dtype=str)  # as written: quoted names
    x = tmp_path / "plan.xlsx"
    x.write_bytes(xlsx_bytes({"plan": pd.DataFrame({c: frame[c] for c in frame})}))
    assert_xlsx_safe(x.read_bytes())
    back = load_plan(x, gd)
    assert dict(back.cluster_names) == dict(plan.cluster_names)


@pytest.mark.realdata
def test_every_app_export_is_neutralised_and_escaped(data_dir) -> None:
    from geo.context import load_grid_data
    from scenarios.evaluate import evaluator_for
    from scenarios.rules import load_rule_set
    from ui.exports import downloads
    from ui.mapview import display_geometry
    from ui.model import evaluate_plan

    gd = load_grid_data(2025, 2022, data_dir)
    plan = hostile_plan(list(gd.units.index[:12]))
    ev = evaluator_for(gd, "vervoerregio")
    evaluation = evaluate_plan(ev, plan, load_rule_set("regierol-2012"), None)
    colours = {c: SCRIPT for c in plan.clusters}
    colours["md"] = 'red" onmouseover="alert(1)'
    files = downloads(
        plan, evaluation, gd.units, gd.population, colours, display_geometry(gd.units),
        [("Plan", MARKDOWN)], "nl",
    )  # fmt: skip
    seen = set()
    for d in files:
        data = d.data()
        seen.add(d.file_name.rsplit(".", 1)[1])
        if d.file_name.endswith(".csv"):
            assert isinstance(data, str)
            assert_csv_safe(data)
        elif d.file_name.endswith(".xlsx"):
            assert isinstance(data, bytes)
            assert assert_xlsx_safe(data) > 0
            # every hostile cluster name is in the workbook, as inert text
            book = openpyxl.load_workbook(io.BytesIO(data))
            texts = {c.value for ws in book.worksheets for r in ws.iter_rows() for c in r}
            for name in plan.cluster_names.values():
                assert name in texts or "'" + name in texts, name
        elif d.file_name.endswith(".html"):
            assert isinstance(data, str)
            low = data.lower()
            assert "<script" not in low and "<img" not in low and "onmouseover" not in low
            assert "evil.example" in data  # shown, as text
            assert re.search(r"(fill|background):(?!#[0-9A-F]{6}\b)", data) is None
    assert {"csv", "xlsx", "html"} <= seen


# ====================================================================================== colours
def test_colours_only_as_rrggbb() -> None:
    assert valid_colour("#A1b2C3")
    for bad in ("red", SCRIPT, "#FFF", "#GGGGGG", "#123456;x", " #123456", None, 123, "url(x)"):
        assert not valid_colour(bad)
        assert safe_colour(bad) == "#DDDDDD"
        with pytest.raises(PlanError, match="#RRGGBB"):
            check_colour(bad)
    good, problems = clean_colours({"a": "#00ff00", "b": "red", "c": SCRIPT})
    assert good == {"a": "#00FF00"} and len(problems) == 2


def test_editor_refuses_foreign_colours_without_crashing() -> None:
    from ui.editor import Editor

    plan = Plan.from_assignment(2025, {"11002": "a", "44021": "b"}, {"a": "A", "b": "B"})
    ed = Editor.start(plan, {}, colours={"a": "red", "b": SCRIPT})
    assert all(valid_colour(c) for c in ed.colours.values())
    with pytest.raises(PlanError, match="#RRGGBB"):
        ed.recolour("a", "red")
    with pytest.raises(PlanError, match="#RRGGBB"):
        ed.new_cluster("C", colour=SCRIPT)
    ed.recolour("a", "#123abc")
    assert ed.colours["a"] == "#123ABC"


def test_summary_html_and_map_features_take_no_script() -> None:
    import numpy as np
    import shapely

    from ui.summary import summary_html, svg_map

    shapes = np.array([shapely.box(3, 50, 4, 51), shapely.box(4, 50, 5, 51)])
    svg = svg_map(["1", "2"], shapes, {"1": SCRIPT, "2": "#00FF00"})
    page = summary_html(
        title=MARKDOWN, settings=[("plan", SCRIPT)], figures=[(SCRIPT, "1")], svg=svg,
        headers=["cluster"], rows=[('#000000" onload="x', [SCRIPT])], violations=[("error", SCRIPT)],
        lang='"><script>',
    )  # fmt: skip
    low = page.lower()
    assert "<script" not in low and "<img" not in low and "onload=" not in low


def test_map_tooltips_and_colours_are_escaped() -> None:
    import json

    import shapely

    from ui.mapview import cluster_features, outline_geojson, point_features, tooltip_html

    class DG:
        codes = ("11002",)

    tip = tooltip_html(MARKDOWN, "<b>", SCRIPT, SCRIPT, SCRIPT)
    assert "<script" not in tip and "<img" not in tip
    js = cluster_features(DG(), {"11002": SCRIPT}, {"11002": tip})  # type: ignore[arg-type]
    assert "<" not in js  # nothing can close the <script> it sits in
    props = json.loads(js)["11002"]
    assert props["f"] == "#DDDDDD"
    import geopandas as gpd

    g = gpd.GeoDataFrame({"r": [SCRIPT]}, geometry=[shapely.box(0, 0, 1000, 1000)], crs=31370)
    for text in (outline_geojson(g, "r"), point_features([(51.0, 4.0, SCRIPT)])):
        assert "<" not in text
        assert "&lt;script&gt;" in json.loads(text)["features"][0]["properties"]["t"]


# ===================================================================================== escaping
def test_md_escape_neutralises_images_links_and_html() -> None:
    out = md_escape(MARKDOWN + " www.evil.example :red[x] $x$ **b**\n# kop")
    for raw in ("![", "](", "<img", "<", "www.evil", "http:", ":red[", "**", "\n#"):
        assert raw not in out, raw
    assert html_escape('"<a>"') == "&quot;&lt;a&gt;&quot;"


# ======================================================================================= limits
def test_error_lists_show_fifty_problems_and_a_count() -> None:
    err = PlanError("bad", [f"row {i}: " + "x" * 10_000 for i in range(1_000)])
    text = str(err)
    assert len(err.details) == 1_000  # all kept
    assert text.count("\n  - row ") == 50 and text.endswith("… and 950 more problems")
    assert len(text) < 20_000


def test_25_mb_plan_is_refused_before_parsing(tmp_path) -> None:
    p = tmp_path / "big.csv"
    with p.open("w") as fh:
        fh.write("nis_code,cluster\n")
        line = "11002," + "a" * 1000 + "\n"
        fh.write(line * (25 * 1024 * 1024 // len(line)))
    assert p.stat().st_size > MAX_FILE_BYTES
    msg = refused(lambda: check_table_file(p), LimitError)
    assert "25.0 MB" in msg and "20.0 MB" in msg


def million_rows(path: Path, first: str, make: Callable[[int], str]) -> Path:
    with path.open("w") as fh:
        fh.write(first + "\n")
        fh.write("".join(make(i) for i in range(1_000_000)))
    return path


@pytest.mark.realdata
def test_million_bad_rows_and_million_unknown_names(data_dir, tmp_path) -> None:
    from geo.context import load_grid_data, load_plan
    from geo.layers import read_user_layer

    gd = load_grid_data(2025, 2022, data_dir)
    bad = million_rows(tmp_path / "bad.csv", "nis_code,cluster", lambda i: f"x{i},\n")
    names = million_rows(
        tmp_path / "names.csv", "municipality,cluster", lambda i: f"Nergens{i},a\n"
    )
    for p in (bad, names):
        assert p.stat().st_size < MAX_FILE_BYTES  # the row limit, not the size limit, stops them
        msg = refused(lambda p=p: load_plan(p, gd), LimitError)
        assert f"{MAX_ROWS:,} rows" in msg
        msg = refused(lambda p=p: read_user_layer(p, 2025, data_dir), LimitError)


@pytest.mark.realdata
def test_20000_unknown_names_are_reported_fast(data_dir, tmp_path) -> None:
    from geo.context import load_grid_data, load_plan

    gd = load_grid_data(2025, 2022, data_dir)
    gd.resolve_name("Gent")  # the name index is built once per grid; not what is measured
    p = tmp_path / "names.csv"
    rows = [f"Gemeente{i:05d}x,a" for i in range(MAX_ROWS)]
    p.write_text("municipality,cluster\n" + "\n".join(rows) + "\n", encoding="utf-8")
    msg = refused(lambda: load_plan(p, gd), PlanError)
    assert "row 2: Unknown municipality 'Gemeente00000x'" in msg
    assert msg.endswith(f"… and {MAX_ROWS - 50} more problems")


def zip_bomb(path: Path, unpacked: int, name: str = "xl/worksheets/sheet1.xml") -> Path:
    """A valid zip whose one entry is ``unpacked`` bytes of zeros, written streamed."""
    zero = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open(name, "w", force_zip64=True) as fh:
            for _ in range(unpacked // len(zero)):
                fh.write(zero)
    return path


@pytest.mark.realdata
def test_xlsx_zip_bomb_is_refused_from_the_central_directory(data_dir, tmp_path) -> None:
    from geo.context import load_grid_data, load_plan
    from geo.layers import read_user_layer, read_user_layer_bytes

    big = zip_bomb(tmp_path / "bomb.xlsx", 110 * 1024 * 1024)
    assert big.stat().st_size < 2 * 1024 * 1024
    gd = load_grid_data(2025, 2022, data_dir)
    assert "unpacks to 110.0 MB" in refused(lambda: load_plan(big, gd), LimitError)
    refused(lambda: read_user_layer(big, 2025, data_dir), LimitError)
    refused(lambda: read_user_layer_bytes(big.read_bytes(), "x.xlsx", 2025, data_dir), LimitError)
    small = zip_bomb(tmp_path / "ratio.xlsx", 30 * 1024 * 1024)  # under 100 MB, but 1000:1
    assert "zip bomb" in refused(lambda: load_plan(small, gd), LimitError)


def sheet_xlsx(path: Path, rows: int, cols: int) -> Path:
    """A minimal XLSX (only what the limit checks read) with ``rows`` x ``cols`` number cells,
    built as text in a moment (openpyxl would take seconds for 400,000 cells)."""
    body = "".join(
        f'<row r="{i + 1}">' + "".join(f"<c><v>{i * j}</v></c>" for j in range(cols)) + "</row>"
        for i in range(rows)
    )
    xml = f'<worksheet xmlns="x"><sheetData>{body}</sheetData></worksheet>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    return path


def test_zip_that_lies_about_its_sizes_is_refused(tmp_path) -> None:
    """An entry declaring 1,000 bytes but holding 200 MB: ``ZipFile.read`` would unpack it all at
    once; the check streams it and stops after the declared size."""
    import struct

    p = zip_bomb(tmp_path / "lie.xlsx", 200 * 1024 * 1024)
    data = bytearray(p.read_bytes())
    for sig, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.rfind(sig) if sig == b"PK\x01\x02" else data.find(sig, 20)
        struct.pack_into("<I", data, at + offset, 1_000)
    p.write_bytes(bytes(data))
    with zipfile.ZipFile(p) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 1_000
    assert "larger than it declares" in refused(lambda: check_table_file(p), LimitError)


def test_xlsx_rows_and_cells_are_counted_without_parsing(tmp_path) -> None:
    many = sheet_xlsx(tmp_path / "many.xlsx", MAX_ROWS + 5, 2)
    assert "rows" in refused(lambda: check_table_file(many), LimitError)
    wide = sheet_xlsx(tmp_path / "wide.xlsx", 14_000, 30)  # fewer rows than the limit, too wide
    assert "cells" in refused(lambda: check_table_file(wide), LimitError)
    check_table_file(sheet_xlsx(tmp_path / "full.xlsx", MAX_ROWS + 1, 20))  # at the limits: fine
    q = tmp_path / "few.xlsx"
    pd.DataFrame({"nis_code": ["11002"] * 3, "cluster": "a"}).to_excel(q, index=False)
    assert count_xlsx_rows(q) == 3  # a real workbook from pandas/openpyxl
    assert count_csv_rows(b"a,b\n1,2\n3,4") == 2


@pytest.mark.realdata
def test_zip_of_10000_shapefiles_gives_a_small_error(data_dir, tmp_path) -> None:
    from geo.layers import read_user_layer

    p = tmp_path / "many.zip"
    with zipfile.ZipFile(p, "w") as zf:
        for i in range(10_000):
            zf.writestr(f"layer{i}.shp", b"")
    msg = refused(lambda: read_user_layer(p, 2025, data_dir), LimitError)
    assert "10,000 entries" in msg and len(msg) < 300
    with zipfile.ZipFile(tmp_path / "long.zip", "w") as zf:
        zf.writestr("a" * 5_000 + ".shp", b"")
    assert len(refused(lambda: check_zip(tmp_path / "long.zip"), LimitError)) < 300


@pytest.mark.realdata
def test_empty_and_fake_xlsx_give_clear_messages(data_dir, tmp_path) -> None:
    from geo.context import load_grid_data, load_plan

    gd = load_grid_data(2025, 2022, data_dir)
    empty = tmp_path / "leeg.xlsx"
    empty.write_bytes(b"")
    msg = refused(lambda: load_plan(empty, gd), PlanError)
    assert "leeg.xlsx is empty" in msg and "engine" not in msg
    fake = tmp_path / "fake.xlsx"
    fake.write_text("nis_code,cluster\n11002,a\n", encoding="utf-8")
    assert "not a valid zip archive" in refused(lambda: load_plan(fake, gd), PlanError)


# ================================================================================ temporary files
def test_orphaned_temporary_files_are_cleaned(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead = int(done.stdout)
    orphan = tmp_path / f"{TMP_PREFIX}{dead}.plan.json.abc.tmp"
    mine = tmp_path / f"{TMP_PREFIX}{os.getpid()}.plan.json.def.tmp"
    old = tmp_path / f"{TMP_PREFIX}{os.getpid()}.x.ghi.tmp"
    other = tmp_path / ".x.plan.json.jkl.tmp"  # not ours: never touched
    for p in (orphan, mine, old, other):
        p.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    removed = cleanup_temp_files(tmp_path)
    assert set(removed) == {orphan, old}
    assert mine.exists() and other.exists()
    orphan.write_bytes(b"x")
    atomic_write_text(tmp_path / "plan.csv", "a\n")  # a save cleans its folder first
    assert not orphan.exists() and (tmp_path / "plan.csv").read_text() == "a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX) and p != mine]


@pytest.mark.realdata
def test_uploaded_layer_goes_to_a_private_folder_that_is_removed(
    data_dir, tmp_path, monkeypatch
) -> None:
    import tempfile

    from geo.layers import read_user_layer_bytes

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = b"nis_code,region\n44021,A\n44020,A\n"
    layer = read_user_layer_bytes(data, "../../etc/evil.csv", 2025, data_dir)
    assert layer.set_index("nis_code")["region"].to_dict() == {"44020": "A", "44021": "A"}
    assert list(tmp_path.iterdir()) == []  # nothing left behind
    with pytest.raises(RegiokaartError):
        read_user_layer_bytes(b"nis_code,region\n", "x.csv", 2025, data_dir)
    for odd in ("x" * 300 + ".csv", "a\0b.csv"):
        assert len(read_user_layer_bytes(data, odd, 2025, data_dir)) == len(layer)
    with pytest.raises(RegiokaartError, match="unsupported layer format"):
        read_user_layer_bytes(data, "..", 2025, data_dir)
    assert list(tmp_path.iterdir()) == []


def test_app_upload_is_checked_before_it_is_read() -> None:
    from ui.actions import checked_upload as _checked_upload

    class Upload:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self.data, self.size = name, data, len(data)

        def getvalue(self) -> bytes:
            return self.data

    big = b"nis_code,cluster\n" + b"11002," + b"a" * (21 * 1024 * 1024) + b"\n"
    assert "limit is 20.0 MB" in refused(
        lambda: _checked_upload(Upload("big.csv", big)), LimitError
    )
    rows = b"nis_code,cluster\n" + b"x,\n" * 1_000_000
    assert "rows" in refused(lambda: _checked_upload(Upload("rows.csv", rows)), LimitError)
    assert "empty" in refused(lambda: _checked_upload(Upload("leeg.xlsx", b"")), PlanError)
    ok = b"nis_code,cluster\n11002,a\n"
    assert _checked_upload(Upload("ok.csv", ok)) == ok


@pytest.mark.realdata
def test_layer_table_with_20000_unknown_names_and_codes(data_dir, tmp_path) -> None:
    from geo.layers import LayerError, read_user_layer

    read_user_layer_warm = tmp_path / "warm.csv"
    read_user_layer_warm.write_text("municipality,region\nGent,A\n", encoding="utf-8")
    read_user_layer(read_user_layer_warm, 2025, data_dir)  # the name index, built once
    names = tmp_path / "names.csv"
    names.write_text(
        "municipality,region\n" + "".join(f"Plaats{i:05d}y,A\n" for i in range(MAX_ROWS)),
        encoding="utf-8",
    )
    msg = refused(lambda: read_user_layer(names, 2025, data_dir), LayerError)
    assert msg.endswith(f"… and {MAX_ROWS - 50} more problems")
    codes = tmp_path / "codes.csv"
    codes.write_text(
        "nis_code,region\n" + "".join(f"{11900 + i % 99},A\n" for i in range(MAX_ROWS)),
        encoding="utf-8",
    )
    assert "unknown NIS code" in refused(lambda: read_user_layer(codes, 2025, data_dir), LayerError)


# ======================================================================================= the app
@pytest.mark.realdata
def test_app_shows_hostile_names_and_colours_escaped(data_dir, tmp_path, monkeypatch) -> None:
    import sqlite3

    from streamlit.testing.v1 import AppTest

    from geo.planstore import PlanStore, record_from_plan

    db = tmp_path / "plans.sqlite"
    monkeypatch.setenv("REGIOKAART_DATA_DIR", str(data_dir))
    monkeypatch.setenv("REGIOKAART_PLANS_DIR", str(tmp_path / "plans"))
    monkeypatch.setenv("REGIOKAART_PLANS_DB", str(db))
    plan = Plan.from_assignment(
        2025, {"73028": "evil", "11002": "x"}, {"evil": MARKDOWN, "x": FORMULAS[0]}
    )
    rec = record_from_plan(plan, colours={"evil": "#000000", "x": "#000001"}, population_year=2022)
    PlanStore(db).save(MARKDOWN, rec)
    # the store refuses foreign colours on save; plant them as a damaged or foreign file would
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE colours SET colour = 'red' WHERE cluster = 'evil'")
        conn.execute("UPDATE colours SET colour = ? WHERE cluster = 'x'", (SCRIPT,))
    conn.close()
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=120)
    at.run()
    assert not at.exception
    at.button_group(key="screen").set_value("bewaren").run()
    next(b for b in at.button if b.key == "open_plan").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert sum(str(w.value).count("RRGGBB") for w in at.warning) == 2  # each refused colour named
    at.run()  # and every later rerun (a foreign colour crashed each one)
    assert not at.exception
    shown = [m.value for m in at.markdown] + [m.value for m in at.caption]
    shown += (
        [m.value for m in at.warning] + [m.value for m in at.success] + [m.value for m in at.error]
    )
    shown += [e.label for e in at.expander] + [m.label for m in at.metric]
    at.button_group(key="screen").set_value("kaart").run()  # the map screen: legend, violations
    assert not at.exception
    shown += [m.value for m in at.markdown] + [m.value for m in at.caption]
    shown += [e.label for e in at.expander] + [m.value for m in at.warning]
    text = "\n".join(str(s) for s in shown)
    for raw in ("![x](", "](http", "<img", "<script", 'red"', "evil.example/x.png)"):
        assert raw not in text, raw
    assert md_escape("![x](http://evil.example/x.png)") in text  # the legend, the saved-plan list
    assert sum(md_escape(MARKDOWN)[:30] in str(s) for s in shown) >= 2
    violations = [m for m in at.markdown if "⛔" in m.value or "⚠️" in m.value]
    assert any(md_escape(MARKDOWN)[:30] in m.value for m in violations)  # a violation names it
