"""Source manifest, data-directory resolution, checksum checks and `data fetch` (offline)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from cli import main
from geo.errors import ChecksumError, DataDirError
from geo.settings import ENV_DATA_DIR, resolve_data_dir
from geo.sources import Manifest, checked_path, fetch, load_manifest, sha256_of, verify


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest()


def test_manifest_lists_boundaries_pinned_to_commit(manifest):
    for grid in (2018, 2019, 2025):
        ds = manifest[f"gemeenten-{grid}"]
        assert ds.grid == grid and ds.crs == "EPSG:31370" and ds.licence and ds.attribution
        for f in ds.files:
            assert f.url and "3b1b6d8d3548e495f597db134f437f0d08898535" in f.url
            assert len(f.sha256) == 64
    assert any(f.path.endswith("gemeente2018.shp") for f in manifest["gemeenten-2018"].files)


def test_manifest_matches_the_mirror(manifest, data_dir):
    report = verify(data_dir, manifest)
    assert report.complete, (report.missing, report.mismatched)
    assert len(report.ok) == sum(1 for _ in manifest.files())


def test_unknown_dataset_message(manifest):
    with pytest.raises(DataDirError, match="Known:"):
        manifest["nope"]


def test_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path))
    assert resolve_data_dir().origin == ENV_DATA_DIR
    other = tmp_path / "x"
    other.mkdir()
    assert resolve_data_dir(other).path == other.resolve()
    monkeypatch.delenv(ENV_DATA_DIR)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setattr("geo.settings.local_mirror", lambda: mirror)
    assert resolve_data_dir().path == mirror.resolve()
    assert resolve_data_dir().origin.startswith("local mirror")
    monkeypatch.setattr("geo.settings.local_mirror", lambda: tmp_path / "no-mirror")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert resolve_data_dir().origin == "user cache"
    assert resolve_data_dir().path == tmp_path / "cache" / "regiokaart" / "data"
    with pytest.raises(DataDirError, match="not a folder"):
        resolve_data_dir(tmp_path / "missing")


def test_checked_path_missing_and_mismatch(tmp_path, data_dir):
    rel = "codes/municipality_crosswalk.csv"
    with pytest.raises(DataDirError, match="missing"):
        checked_path(tmp_path, rel)
    (tmp_path / "codes").mkdir()
    shutil.copy(data_dir / rel, tmp_path / rel)
    assert checked_path(tmp_path, rel) == tmp_path / rel
    (tmp_path / rel).write_text("tampered\n")
    with pytest.raises(ChecksumError, match="Checksum mismatch"):
        checked_path(tmp_path, rel)


@pytest.fixture
def loopback_server(data_dir):
    """A loopback HTTP server serving ../shared/data (stands in for the pinned addresses)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(data_dir))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_fetch_downloads_and_verifies(tmp_path, manifest, loopback_server, data_dir):
    target = tmp_path / "cache"
    rep = fetch(target, manifest, base_url=loopback_server)
    n = sum(1 for _ in manifest.files())
    assert len(rep.downloaded) == n and not rep.not_downloadable
    assert verify(target, manifest).complete
    # a second run downloads nothing
    rep2 = fetch(target, manifest, base_url=loopback_server)
    assert rep2.downloaded == [] and len(rep2.already_present) == n
    # the CLI can use the fetched folder
    assert main(["data", "verify", "--data-dir", str(target)]) == 0


def test_fetch_checksum_mismatch_keeps_nothing(tmp_path, manifest, loopback_server, data_dir):
    served = tmp_path / "served"
    shutil.copytree(data_dir / "codes", served / "codes")
    (served / "codes" / "municipality_crosswalk.csv").write_text("not the pinned file\n")
    import http.server as hs

    handler = functools.partial(hs.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    srv = hs.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with pytest.raises(ChecksumError, match=r"municipality_crosswalk\.csv"):
            fetch(
                tmp_path / "cache",
                manifest,
                base_url=f"http://127.0.0.1:{srv.server_address[1]}",
                dataset_ids=["crosswalk"],
            )
    finally:
        srv.shutdown()
        srv.server_close()
    assert not (tmp_path / "cache" / "codes" / "municipality_crosswalk.csv").exists()


def test_fetch_missing_on_server_is_clear(tmp_path, manifest, loopback_server):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataDirError, match="Download failed"):
        fetch(
            tmp_path / "c",
            manifest,
            base_url=loopback_server + "/nothing-here",
            dataset_ids=["refnis"],
        )


def test_sha256_of(tmp_path):
    p = tmp_path / "a"
    p.write_bytes(b"abc")
    assert sha256_of(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
