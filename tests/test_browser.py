"""The app in a real browser: ``streamlit run app.py`` on localhost, driven by Playwright with
Debian's Chromium (``/usr/bin/chromium``; ``make browser`` installs it). Loads the page, clicks a
municipality on the Leaflet map with the real mouse, measures click-to-repaint, checks that the
active cluster's inhabitants follow (and return on a second click), that nothing is fetched from
outside localhost, and saves a screenshot under the pytest temp dir.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Frame,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)

from tests.test_app import ANTWERPEN_NL, N_2025, _raw_2026

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAP_FRAME = "streamlit_folium.st_folium"  # in the URL of st_folium's iframe
ACTIVE = "Stad Antwerpen"  # default page: 2025 grid, 2017-2019 partnerships
ACTIVE_CODE = "11002"
# 2026 (default year), computed from the raw files in tests/test_app.py (554.296)
ACTIVE_INHABITANTS = ANTWERPEN_NL
N_MUNICIPALITIES = N_2025  # 2025 grid: 285, counted in the raw 2026 population file
# Municipalities to click, first one that is outside the active cluster, has another fill and
# shows a clickable interior on the map: Schoten, Hove, then any other.
CANDIDATES = ["11040", "11021"]
STARTUP_S = 60
LOAD_MS = 60_000
STEP_MS = 15_000

# --------------------------------------------------------------------------- browser-side code
# Every cluster-layer polygon on the map, by NIS code (the layer is removed and re-added on each
# update, so it is always looked up afresh).
_LAYERS = """
const rkLayers = () => {
  const out = {};
  window.map.eachLayer(l => {
    const p = l.feature && l.feature.properties;
    if (p && p.n && l._path) out[p.n] = l;
  });
  return out;
};
const rkStyle = (code) => {
  const l = rkLayers()[code];
  return l ? l._path.getAttribute("fill") + " " + l._path.getAttribute("stroke") : null;
};
"""

MAP_READY = """(n) => {
  if (!window.map || !window.map.eachLayer) return false;
  RK_HELPERS;
  return Object.keys(rkLayers()).length >= n
    && document.querySelectorAll("path.leaflet-interactive").length >= n;
}""".replace("RK_HELPERS;", _LAYERS)

MAP_STATE = """() => {
  RK_HELPERS;
  const layers = rkLayers();
  return {
    layers: Object.keys(layers).length,
    interactive: document.querySelectorAll("path.leaflet-interactive").length,
    paths: document.querySelectorAll("path").length,
    same: window.map === window.map_div,
  };
}""".replace("RK_HELPERS;", _LAYERS)

# A point well inside a municipality's polygon, as the browser hit-tests it: the grid point
# nearest the middle of its outline's box where the polygon's own path, and nothing else (controls,
# other polygons), is under the point and under four neighbours 4 px away.
PICK_TARGET = """([candidates, active]) => {
  RK_HELPERS;
  const layers = rkLayers();
  const activeFill = layers[active]._path.getAttribute("fill");
  const order = [...candidates, ...Object.keys(layers).sort()];
  const near = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]];
  for (const code of order) {
    const l = layers[code];
    if (!l || code === active) continue;
    const fill = l._path.getAttribute("fill");
    if (fill === activeFill || l._path.getAttribute("stroke") === "#000000") continue;
    const r = l._path.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    let best = null;
    for (let y = Math.ceil(r.top); y <= r.bottom; y += 2) {
      for (let x = Math.ceil(r.left); x <= r.right; x += 2) {
        if (!near.every(([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === l._path)) continue;
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (best === null || d < best.d) best = {x, y, d};
      }
    }
    if (best === null) continue;
    const ll = window.map.containerPointToLatLng(
      window.map.mouseEventToContainerPoint({clientX: best.x, clientY: best.y}));
    return {code, x: best.x, y: best.y, fill, tooltip: l.feature.properties.t,
            inside: l.getBounds().contains(ll)};
  }
  return null;
}""".replace("RK_HELPERS;", _LAYERS)

# Before a click: remember the municipality's style, note the time of the real click on the map
# and poll (every 20 ms, and on every DOM change of the map) until the style changes.
WATCH = """(code) => {
  RK_HELPERS;
  const w = {code, before: rkStyle(code), after: null, t0: null, t1: null};
  window.__rkWatch = w;
  const box = window.map.getContainer();
  box.addEventListener("click", () => { if (w.t0 === null) w.t0 = performance.now(); },
                      {capture: true, once: true});
  let timer = null, obs = null;
  const check = () => {
    if (w.t0 === null || w.t1 !== null) return;
    const s = rkStyle(code);
    if (s !== null && s !== w.before) {
      w.t1 = performance.now();
      w.after = s;
      clearInterval(timer);
      obs.disconnect();
    }
  };
  timer = setInterval(check, 20);
  obs = new MutationObserver(check);
  obs.observe(box, {subtree: true, childList: true, attributes: true});
  return w.before;
}""".replace("RK_HELPERS;", _LAYERS)

METRICS = """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(m => [
  (m.querySelector('[data-testid="stMetricLabel"]') || {innerText: ""}).innerText.trim(),
  (m.querySelector('[data-testid="stMetricValue"]') || {innerText: ""}).innerText.trim(),
])"""

METRIC_IS_NOT = """([label, value]) => Array.from(
  document.querySelectorAll('[data-testid="stMetric"]')).some(m => {
    const l = m.querySelector('[data-testid="stMetricLabel"]');
    const v = m.querySelector('[data-testid="stMetricValue"]');
    return l && v && l.innerText.trim() === label && v.innerText.trim() !== value;
  })"""


# --------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except OSError:
        return False


@pytest.fixture(scope="module")
def app_url(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free localhost port, on the real data and an empty plans
    folder; stopped afterwards."""
    tmp = tmp_path_factory.mktemp("streamlit")
    log_path = tmp / "server.log"
    port = _free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "REGIOKAART_DATA_DIR": str(data_dir),
        "REGIOKAART_PLANS_DIR": str(tmp / "plans"),
    }
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "localhost",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # edits to the sources during the test change nothing
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {proc.returncode}" if proc.poll() is not None else "timed out"
                pytest.fail(
                    f"streamlit did not answer on {url}/_stcore/health ({state}); log:\n"
                    + log_path.read_text(errors="replace")
                )
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        print(f"\nstreamlit log: {log_path}")


# --------------------------------------------------------------------------- helpers
def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


def _number(text: str) -> int:
    return int(text.replace(".", "").replace(" ", ""))


def _metric(page: Page, label: str) -> str:
    metrics = dict(page.evaluate(METRICS))
    assert label in metrics, f"no metric {label!r} on the page: {metrics}"
    return str(metrics[label])


def _map_frame(page: Page) -> Frame:
    handle = page.wait_for_selector(f'iframe[src*="{MAP_FRAME}"]', timeout=LOAD_MS)
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None, "st_folium iframe without a frame"
    return frame


def _frame_offset(page: Page) -> tuple[float, float]:
    """Where the map iframe's content starts in the page's viewport (CSS px)."""
    x, y = page.eval_on_selector(
        f'iframe[src*="{MAP_FRAME}"]',
        "el => { const r = el.getBoundingClientRect();"
        " return [r.left + el.clientLeft, r.top + el.clientTop]; }",
    )
    return float(x), float(y)


def _click_and_time(page: Page, frame: Frame, code: str, x: float, y: float) -> dict:
    """Click the map with the real mouse at (x, y) of the iframe's viewport; wait until the
    municipality's polygon is drawn in another style. Returns the timings (ms)."""
    before = frame.evaluate(WATCH, code)
    assert before is not None, f"no polygon for {code} before the click"
    ox, oy = _frame_offset(page)
    under = page.evaluate(
        "([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.tagName; }",
        [ox + x, oy + y],
    )
    assert under == "IFRAME", f"the map is covered at the click point by {under}"
    t0 = time.perf_counter()
    page.mouse.click(ox + x, oy + y)
    frame.wait_for_function("() => window.__rkWatch.t1 !== null", timeout=STEP_MS, polling=20)
    wall_ms = (time.perf_counter() - t0) * 1000
    w = frame.evaluate("() => window.__rkWatch")
    assert w["t0"] is not None, "the click did not reach the map"
    return {
        "code": code,
        "before": w["before"],
        "after": w["after"],
        "browser_ms": w["t1"] - w["t0"],  # from the click event to the new style, in the page
        "wall_ms": wall_ms,  # from Playwright's click to noticing the change, in the test
    }


def _wait_metric_change(page: Page, label: str, old: str) -> str:
    page.wait_for_function(METRIC_IS_NOT, arg=[label, old], timeout=STEP_MS, polling=50)
    return _metric(page, label)


def _wait_toast(page: Page, text: str) -> None:
    page.get_by_test_id("stToast").filter(has_text=text).first.wait_for(
        state="visible", timeout=STEP_MS
    )


# --------------------------------------------------------------------------- the test
@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium; missing is a failure, not a skip (``make test`` installs it)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Debian's Chromium is missing at {CHROMIUM}: install it with `make browser` "
            "(sudo apt-get install chromium); this test never downloads a browser"
        )
    return CHROMIUM


def test_click_on_map_changes_active_cluster(chromium: Path, app_url: str, tmp_path: Path) -> None:
    t_start = time.perf_counter()
    outside: list[str] = []
    local_failures: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []

    def on_request(req: Request) -> None:
        if not _is_local(req.url):
            outside.append(req.url)

    def on_failed(req: Request) -> None:
        if _is_local(req.url):
            local_failures.append(f"{req.url}: {req.failure}")

    def on_response(resp: Response) -> None:
        if _is_local(resp.url) and resp.status >= 400:
            local_failures.append(f"{resp.url}: HTTP {resp.status}")

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            console_errors.append(f"{msg.text} @ {msg.location.get('url', '')}")

    def block(route: Route) -> None:  # recorded by on_request
        route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route(lambda url: not _is_local(url), block)
            context.on("request", on_request)
            context.on("requestfailed", on_failed)
            context.on("response", on_response)
            page = context.new_page()
            page.on("console", on_console)
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.on("websocket", lambda ws: None if _is_local(ws.url) else outside.append(ws.url))

            # 1. load: the map with every municipality, and the active cluster's metric
            page.goto(app_url, wait_until="domcontentloaded", timeout=LOAD_MS)
            frame = _map_frame(page)
            frame.wait_for_function(MAP_READY, arg=N_MUNICIPALITIES, timeout=LOAD_MS)
            state = frame.evaluate(MAP_STATE)
            assert state["layers"] == state["interactive"] == N_MUNICIPALITIES, state
            assert state["paths"] > state["interactive"], state  # province outlines too
            assert state["same"], "window.map is not st_folium's map_div"
            label = f"Inwoners {ACTIVE}"
            page.get_by_test_id("stMetricLabel").filter(has_text=label).first.wait_for(
                timeout=LOAD_MS
            )
            initial = _metric(page, label)
            assert initial == ACTIVE_INHABITANTS
            t_loaded = time.perf_counter()
            frame.evaluate("() => { window.__rkSameMap = window.map; }")

            # 2. click a municipality outside the active cluster: it joins the cluster
            page.locator(f'iframe[src*="{MAP_FRAME}"]').scroll_into_view_if_needed()
            target = frame.evaluate(PICK_TARGET, [CANDIDATES, ACTIVE_CODE])
            assert target is not None, "no clickable municipality outside the active cluster"
            assert target["inside"], target
            code = target["code"]
            m = re.search(r"<b>(.+?)</b>.*?Inwoners: ([\d.]+)", target["tooltip"])
            assert m, target["tooltip"]
            name, inhabitants = m.group(1), _number(m.group(2))
            assert inhabitants == _raw_2026(code)  # the raw 2026 file's figure
            first = _click_and_time(page, frame, code, target["x"], target["y"])
            grown = _wait_metric_change(page, label, initial)
            assert _number(grown) > _number(initial)
            assert _number(grown) == _number(initial) + inhabitants, (grown, name, inhabitants)
            _wait_toast(page, f"{name} zit nu in {ACTIVE}")
            assert label in dict(page.evaluate(METRICS))  # still the same active cluster
            page.screenshot(path=str(tmp_path / "regiokaart-clicked.png"))

            # 3. click it again at the same spot: it leaves the cluster again
            frame = _map_frame(page)
            assert frame.evaluate("() => window.__rkSameMap === window.map"), (
                "the map was rebuilt on the click instead of updated in place"
            )
            second = _click_and_time(page, frame, code, target["x"], target["y"])
            back = _wait_metric_change(page, label, grown)
            assert back == initial
            _wait_toast(page, f"{name} is vrijgemaakt")
            assert second["after"] != first["after"]

            # 4. screenshot, timings
            shot = tmp_path / "regiokaart.png"
            page.screenshot(path=str(shot), full_page=True)
            context.close()
        finally:
            browser.close()

    # a real PNG of the whole page: the signature, then IHDR with the viewport's width
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", shot
    assert int.from_bytes(head[16:20], "big") == 1600, shot
    assert int.from_bytes(head[20:24], "big") >= 1000, shot  # full page: at least the viewport
    total_s = time.perf_counter() - t_start
    timings = {
        "municipality": {"code": code, "name": name, "inhabitants": inhabitants},
        "click_to_repaint_ms": [round(first["browser_ms"], 1), round(second["browser_ms"], 1)],
        "click_to_repaint_wall_ms": [round(first["wall_ms"], 1), round(second["wall_ms"], 1)],
        "page_load_s": round(t_loaded - t_start, 2),
        "browser_total_s": round(total_s, 2),
        "console_errors": console_errors,
    }
    (tmp_path / "click_to_repaint.json").write_text(json.dumps(timings, indent=2) + "\n")
    for step, t in (("add", first), ("remove", second)):
        print(
            f"click-to-repaint: {t['browser_ms']:.0f} ms ({step} {name};"
            f" seen by the test after {t['wall_ms']:.0f} ms)"
        )
    print(f"page load: {t_loaded - t_start:.1f} s; browser part: {total_s:.1f} s")
    print(f"screenshot: {shot}")
    print(f"timings: {tmp_path / 'click_to_repaint.json'}")
    if console_errors:
        print("console errors:\n  " + "\n  ".join(console_errors))

    assert outside == [], f"requests outside localhost: {list(dict.fromkeys(outside))}"
    assert page_errors == [], f"uncaught errors in the page: {page_errors}"
    assert local_failures == [], f"failed local requests: {local_failures}"
    load_errors = [e for e in console_errors if re.search(r"failed to load|net::ERR|404", e, re.I)]
    assert load_errors == [], f"scripts or styles failed to load: {load_errors}"
    for t in (first, second):
        assert 0 < t["browser_ms"] < STEP_MS, t
