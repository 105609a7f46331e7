"""First start without data: the pinned files are fetched into the user cache, verified, and nothing
half-written is kept (``geo.firststart``, ``geo.sources.fetch``, ``make data``, the app).

Every server here is a loopback ``http.server`` serving ../shared/data at the manifest's paths (the
base-URL mirror ``REGIOKAART_DATA_BASE_URL``); it binds 127.0.0.1 only, and stops at the end of the
test or after ``SERVER_LIFETIME_S`` at the latest.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.errors import ChecksumError, DataDirError
from geo.firststart import data_status, ensure_data
from geo.settings import ENV_DATA_DIR
from geo.sources import ENV_BASE_URL, FileProgress, Manifest, fetch, load_manifest, verify

REPO = Path(__file__).resolve().parents[1]
SERVER_LIFETIME_S = 600


@contextlib.contextmanager
def loopback(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (an ephemeral port); stops on exit or after a bound."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    stopper = threading.Timer(SERVER_LIFETIME_S, srv.shutdown)
    stopper.daemon = True
    stopper.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        stopper.cancel()
        srv.shutdown()
        srv.server_close()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


@pytest.fixture
def no_data_anywhere(tmp_path, monkeypatch) -> Path:
    """No --data-dir, no REGIOKAART_DATA_DIR, no ../shared/data: the user cache (empty) is used."""
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    monkeypatch.delenv(ENV_BASE_URL, raising=False)
    monkeypatch.setattr("geo.settings.local_mirror", lambda: tmp_path / "no-shared" / "data")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "regiokaart" / "data"


# ---------------------------------------------------------------- fetch: progress, atomicity, errors
def test_fetch_reports_progress_per_file(tmp_path, data_dir):
    events: list[FileProgress] = []
    with loopback(data_dir) as url:
        rep = fetch(
            tmp_path, base_url=url, dataset_ids=["crosswalk", "refnis"], progress=events.append
        )
    assert sorted(rep.downloaded) == ["codes/TU_COM_REFNIS.txt", "codes/municipality_crosswalk.csv"]
    done = [e for e in events if e.status == "done"]
    assert [(e.index, e.count) for e in done] == [(1, 2), (2, 2)]
    for e in done:
        assert e.fraction == 1.0 and e.done == (data_dir / e.path).stat().st_size
    mid = [e for e in events if e.status == "progress" and e.total]
    assert mid and all(0.0 <= e.fraction <= 1.0 for e in mid)
    assert not leftovers(tmp_path)
    # already there: reported as present, nothing downloaded
    again: list[FileProgress] = []
    with loopback(data_dir) as url:
        rep = fetch(tmp_path, base_url=url, dataset_ids=["crosswalk"], progress=again.append)
    assert rep.downloaded == [] and [e.status for e in again] == ["present"]


def test_offline_says_what_failed_and_keeps_nothing(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(DataDirError) as exc:
        fetch(tmp_path / "c", base_url=url, dataset_ids=["crosswalk"], timeout=5)
    msg = str(exc.value)
    assert "Download failed for codes/municipality_crosswalk.csv" in msg and url in msg
    assert "Check the internet connection" in msg and ENV_BASE_URL in msg
    assert "Nothing half-written was kept" in msg
    assert not (tmp_path / "c" / "codes" / "municipality_crosswalk.csv").exists()
    assert not leftovers(tmp_path)


def test_checksum_mismatch_discards_the_download(tmp_path, data_dir):
    served = tmp_path / "served"
    (served / "codes").mkdir(parents=True)
    (served / "codes" / "municipality_crosswalk.csv").write_text("not the pinned file\n")
    target = tmp_path / "cache"
    with loopback(served) as url, pytest.raises(ChecksumError) as exc:
        fetch(target, base_url=url, dataset_ids=["crosswalk"])
    msg = str(exc.value)
    assert "codes/municipality_crosswalk.csv" in msg and "expected sha256" in msg
    assert "discarded" in msg and "do not replace the checksum" in msg
    assert not (target / "codes" / "municipality_crosswalk.csv").exists()
    assert not leftovers(tmp_path)


# ---------------------------------------------------------------- ensure_data
def test_ensure_fills_the_user_cache_from_the_mirror(no_data_anywhere, data_dir, monkeypatch):
    cache = no_data_anywhere
    status = data_status()
    assert status.data_dir.origin == "user cache" and status.fetchable and not status.complete
    with loopback(data_dir) as url:
        monkeypatch.setenv(ENV_BASE_URL, url)
        rep = ensure_data()
        assert rep.data_dir == cache and len(rep.downloaded) == status.n_files
        assert verify(cache).complete
        assert ensure_data().downloaded == []  # second start: nothing to do
    assert data_status().complete


def test_ensure_never_writes_into_a_folder_the_user_chose(tmp_path, monkeypatch):
    chosen = tmp_path / "mine"
    chosen.mkdir()
    monkeypatch.setenv(ENV_DATA_DIR, str(chosen))
    with pytest.raises(DataDirError, match="does not write into a folder you chose"):
        ensure_data(base_url=f"http://127.0.0.1:{closed_port()}")
    assert list(chosen.iterdir()) == []


def test_compiled_files_without_a_mirror_are_named(no_data_anywhere):
    m = load_manifest()
    only_compiled = Manifest({"centrumsteden": m["centrumsteden"]})
    with pytest.raises(DataDirError) as exc:
        ensure_data(manifest=only_compiled)
    msg = str(exc.value)
    assert "regions/centrumsteden.csv" in msg and "no public address" in msg and ENV_BASE_URL in msg


# ---------------------------------------------------------------- a fresh clone without ../shared
def fresh_copy(dest: Path) -> Path:
    """The working tree's tracked and untracked (not ignored) files, without ../shared beside it."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO, check=True, capture_output=True, timeout=60,
    ).stdout  # fmt: skip
    repo = dest / "regiokaart"
    for rel in filter(None, out.decode().split("\0")):
        src = REPO / rel
        if src.is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    assert not (repo.parent / "shared").exists()
    return repo


def fresh_env(tmp_path: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOKAART_")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        REGIOKAART_DATA_BASE_URL=base_url,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.mark.realdata
def test_make_data_on_a_fresh_clone_fetches_into_the_cache(tmp_path, data_dir):
    repo = fresh_copy(tmp_path)
    cache = tmp_path / "xdg-cache" / "regiokaart" / "data"
    with loopback(data_dir) as url:
        env = fresh_env(tmp_path, url)
        # PY_RUN= runs `python` from PATH (this interpreter) instead of `uv run`, which would
        # install a second environment
        cmd = ["make", "-s", "-C", str(repo), "data", "PY_RUN="]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "fetched and verified" in r.stdout and str(cache) in r.stdout
        assert verify(cache).complete
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and "user cache" in r.stdout  # second run: nothing fetched
    # offline with an empty cache: a clear message, exit code 2, nothing half-written
    shutil.rmtree(cache)
    env = fresh_env(tmp_path, f"http://127.0.0.1:{closed_port()}")
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "Download failed for" in r.stderr
    assert "Check the internet connection" in r.stderr
    assert not cache.exists() or not leftovers(cache)


APP_SCRIPT = """
import json
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=300)
at.run()
print(json.dumps({
    "exceptions": [e.message for e in at.exception],
    "errors": [e.value for e in at.error],
    "success": [s.value for s in at.success],
    "title": [t.value for t in at.title],
    "progress": len(at.get("progress")),
    # the map editor's figures (label, value, note), from the component's data
    "metrics": [f[0] for el in at.get("bidi_component") for f in json.loads(el.proto.json)["f"]["items"]],
}))
"""


@pytest.mark.realdata
def test_app_first_start_fetches_and_serves_a_working_page(tmp_path, data_dir):
    repo = fresh_copy(tmp_path)
    (repo / "first_start_apptest.py").write_text(APP_SCRIPT)
    cache = tmp_path / "xdg-cache" / "regiokaart" / "data"
    with loopback(data_dir) as url:
        r = subprocess.run(
            [sys.executable, "first_start_apptest.py"],
            cwd=repo, env=fresh_env(tmp_path, url), capture_output=True, text=True, timeout=480,
        )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    page = json.loads(r.stdout.strip().splitlines()[-1])
    assert page["exceptions"] == [] and page["errors"] == []
    n_files = sum(1 for _ in load_manifest().files())
    assert page["progress"] == n_files  # one progress bar per file
    assert any(f"{n_files} bestanden opgehaald" in s for s in page["success"])
    assert page["title"] and page["title"][0].startswith("Regiokaart")
    assert any(m.startswith("Gemeenten gedekt") for m in page["metrics"])
    assert verify(cache).complete


@pytest.mark.realdata
def test_app_first_start_offline_says_what_failed(tmp_path):
    repo = fresh_copy(tmp_path)
    (repo / "first_start_apptest.py").write_text(APP_SCRIPT)
    env = fresh_env(tmp_path, f"http://127.0.0.1:{closed_port()}")
    r = subprocess.run(
        [sys.executable, "first_start_apptest.py"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    page = json.loads(r.stdout.strip().splitlines()[-1])
    assert page["exceptions"] == [] and page["title"] == []  # stopped before the page
    (err,) = page["errors"]
    assert "Gegevens ophalen mislukt" in err and "Download failed for" in err
    assert "Check the internet connection" in err
    cache = tmp_path / "xdg-cache" / "regiokaart" / "data"
    assert not cache.exists() or not leftovers(cache)
