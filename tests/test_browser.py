"""The map editor in a real browser: ``streamlit run app.py`` on localhost, driven by Playwright
with Debian's Chromium (``/usr/bin/chromium``; ``make browser`` installs it). One page, offline
(any request outside localhost fails every test): the testability contract (``data-nis`` and
``data-cluster`` on every municipality, ``rk-figures`` with the coverage integers), a real click
that paints at once and whose figures follow, a brush stroke and a box as one undoable edit each,
the eraser, the name search (as the CLI resolves names), and an edit Python refuses (a locked
cluster) rolled back with the reason shown. ``bench/bench_browser.py`` measures the speed.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    sync_playwright,
)

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
ACTIVE = "Stad Antwerpen"  # default page: 2025 grid, 2017-2019 partnerships
ACTIVE_ID = "antwerpen"
ACTIVE_CODE = "11002"
ACTIVE_INHABITANTS = (
    554_296  # 1 January 2026 (default year); computed independently in tests/test_app.py
)
N_MUNICIPALITIES = 285  # 2025 grid
STARTUP_S = 60
LOAD_MS = 60_000
STEP_MS = 15_000
FIGURES = '[data-testid="rk-figures"]'

# --------------------------------------------------------------------------- browser-side code
READY = """(n) => document.querySelectorAll('path[data-nis]').length >= n
  && !!document.querySelector('[data-testid="rk-figures"][data-population-covered]')
  && !!window.rkEditor && window.rkEditor.rev !== null"""

# Points well inside municipalities, as the browser hit-tests them: the grid point nearest the
# middle of the polygon's box where its own path, and nothing else, is under the point and under
# four neighbours 4 px away. ``want``: "free" (unassigned), "other" (not in the active
# cluster) or a list of codes.
PICK = """([n, want]) => {
  const ed = window.rkEditor, active = ed.st.active;
  const near = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]];
  const codes = Array.isArray(want) ? want : [...ed.layers.keys()].sort();
  const out = [];
  for (const code of codes) {
    if (out.length >= n) break;
    const layer = ed.layers.get(code);
    if (!layer) continue;
    const here = ed.shown(code);
    if (want === "free" && here !== null) continue;
    if (want === "other" && here === active) continue;
    const p = layer._path, r = p.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    let best = null;
    for (let y = Math.ceil(r.top); y <= r.bottom; y += 2) {
      for (let x = Math.ceil(r.left); x <= r.right; x += 2) {
        if (!near.every(([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === p)) continue;
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (best === null || d < best.d) best = {x, y, d};
      }
    }
    if (best) out.push({code, x: best.x, y: best.y, name: ed.st.m[code][0], pop: ed.st.m[code][1]});
  }
  return out;
}"""

# Before a click: note the pointer-down time and when the polygon's data-cluster changes.
WATCH = """(code) => {
  const ed = window.rkEditor, path = ed.layers.get(code)._path;
  const w = {t0: null, t1: null, before: path.getAttribute('data-cluster'), after: null, seen: []};
  window.__rkWatch = w;
  ed.mapDiv.addEventListener('pointerdown', (e) => { w.t0 = e.timeStamp; }, {capture: true, once: true});
  const o = new MutationObserver(() => {
    const now = path.getAttribute('data-cluster');
    if (w.seen[w.seen.length - 1] !== now) w.seen.push(now);
    if (w.t1 === null && now !== w.before) { w.t1 = performance.now(); w.after = now; }
  });
  o.observe(path, {attributes: true, attributeFilter: ['data-cluster']});
  return w.before;
}"""


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


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium; missing is a failure, not a skip (``make test`` installs it)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Debian's Chromium is missing at {CHROMIUM}: install it with `make browser` "
            "(sudo apt-get install chromium); this test never downloads a browser"
        )
    return CHROMIUM


class Traffic:
    """Everything the page asked for outside localhost, failed local loads and page errors."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.local_failures: list[str] = []
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []

    def check(self) -> None:
        assert self.outside == [], (
            f"requests outside localhost: {list(dict.fromkeys(self.outside))}"
        )
        assert self.page_errors == [], f"uncaught errors in the page: {self.page_errors}"
        assert self.local_failures == [], f"failed local requests: {self.local_failures}"
        bad = [e for e in self.console_errors if re.search(r"failed to load|net::ERR|404", e, re.I)]
        assert bad == [], f"scripts or styles failed to load: {bad}"


@pytest.fixture(scope="module")
def session(chromium: Path, app_url: str) -> Iterator[tuple[Page, Traffic, float]]:
    """One page on the app (module-wide: the tests below continue each other's plan), with
    every request watched; yields the page, its traffic and the load time (s)."""
    traffic = Traffic()

    def on_request(req: Request) -> None:
        if not _is_local(req.url):
            traffic.outside.append(req.url)

    def on_failed(req: Request) -> None:
        if _is_local(req.url):
            traffic.local_failures.append(f"{req.url}: {req.failure}")

    def on_response(resp: Response) -> None:
        if _is_local(resp.url) and resp.status >= 400:
            traffic.local_failures.append(f"{resp.url}: HTTP {resp.status}")

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            traffic.console_errors.append(f"{msg.text} @ {msg.location.get('url', '')}")

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
            page.on("pageerror", lambda exc: traffic.page_errors.append(str(exc)))
            page.on(
                "websocket",
                lambda ws: None if _is_local(ws.url) else traffic.outside.append(ws.url),
            )
            t0 = time.perf_counter()
            page.goto(app_url, wait_until="domcontentloaded", timeout=LOAD_MS)
            page.wait_for_function(READY, arg=N_MUNICIPALITIES, timeout=LOAD_MS)
            loaded = time.perf_counter() - t0
            page.locator(".rk-map").scroll_into_view_if_needed()
            page.wait_for_timeout(300)  # the map's first fit
            yield page, traffic, loaded
            context.close()
        finally:
            browser.close()
    traffic.check()


def figures(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => { const f = document.querySelector('[data-testid="rk-figures"]');
        return {pop: +f.getAttribute('data-population-covered'),
                munis: +f.getAttribute('data-municipalities-covered'),
                rev: f.getAttribute('data-rev'),
                items: [...f.querySelectorAll('.rk-figure')].map(e => [
                  e.querySelector('.rk-fig-label').textContent,
                  e.querySelector('.rk-fig-value').textContent])}; }"""
    )


def active_inhabitants(page: Page) -> int:
    items = dict(figures(page)["items"])
    return int(items[f"Inwoners {ACTIVE}"].replace(".", ""))


def wait_figures_after(page: Page, rev: str | None) -> dict[str, Any]:
    page.wait_for_function(
        "(rev) => document.querySelector('[data-testid=\"rk-figures\"]').getAttribute('data-rev') !== rev"
        " && window.rkEditor.pending.size === 0",
        arg=rev,
        timeout=STEP_MS,
        polling=20,
    )
    return figures(page)


def cluster_of(page: Page, code: str) -> str | None:
    return page.get_attribute(f'path[data-nis="{code}"]', "data-cluster")


def status(page: Page) -> str:
    return page.inner_text(".rk-status")


def pick(page: Page, n: int, want: str | list[str]) -> list[dict[str, Any]]:
    page.locator(".rk-map").evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(100)
    found = page.evaluate(PICK, [n, want])
    assert len(found) >= min(n, 1), f"no clickable municipality ({want})"
    return list(found)


def click_and_time(page: Page, target: dict[str, Any]) -> dict[str, Any]:
    """A real mouse click on a municipality; returns when its polygon was repainted (ms after
    pointer-down, in the page) and the attribute values it showed."""
    page.evaluate(WATCH, target["code"])
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function("() => window.__rkWatch.t1 !== null", timeout=STEP_MS, polling=10)
    w = page.evaluate("() => window.__rkWatch")
    return {**w, "paint_ms": w["t1"] - w["t0"]}


def mode(page: Page, name: str) -> None:
    page.click(f'.rk-mode[data-mode="{name}"]')
    assert page.get_attribute(f'.rk-mode[data-mode="{name}"]', "aria-pressed") == "true"


# --------------------------------------------------------------------------- the tests
def test_page_loads_offline_with_the_contract(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, loaded = session
    n = page.evaluate("() => document.querySelectorAll('path[data-nis]').length")
    assert n == N_MUNICIPALITIES
    codes = page.evaluate(
        "() => [...document.querySelectorAll('path[data-nis]')].map(p => p.getAttribute('data-nis'))"
    )
    assert all(len(c) == 5 and c.isdigit() for c in codes)
    assert cluster_of(page, ACTIVE_CODE) == ACTIVE_ID
    f = figures(page)
    assert f["munis"] == 194 and f["pop"] > 5_000_000, f
    assert active_inhabitants(page) == ACTIVE_INHABITANTS
    # outlines (provinces) and centrumsteden are drawn too; the legend lists the clusters
    assert page.evaluate("() => document.querySelectorAll('.rk-map path').length") > n
    assert page.locator(".rk-legend").inner_text().count("(") > 10
    # screen-reader labels: the map, each municipality, and the modes name the active cluster
    assert "Kaart" in (page.get_attribute(".rk-map", "aria-label") or "")
    label = page.get_attribute(f'path[data-nis="{ACTIVE_CODE}"]', "aria-label") or ""
    assert label == f"Antwerpen: {ACTIVE}", label
    assert ACTIVE in (page.get_attribute('.rk-mode[data-mode="brush"]', "aria-label") or "")
    print(f"page load: {loaded:.1f} s")
    traffic.check()


def test_click_paints_at_once_then_figures_follow(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, _ = session
    (target,) = pick(page, 1, "free")
    before = figures(page)
    first = click_and_time(page, target)
    assert first["after"] == ACTIVE_ID, first
    after = wait_figures_after(page, before["rev"])
    assert after["pop"] == before["pop"] + target["pop"], (after, target)
    assert after["munis"] == before["munis"] + 1
    assert active_inhabitants(page) == ACTIVE_INHABITANTS + target["pop"]
    assert status(page) == f"{target['name']} zit nu in {ACTIVE}."
    # again: it leaves the cluster
    second = click_and_time(page, target)
    assert second["after"] == "", second
    back = wait_figures_after(page, after["rev"])
    assert back["pop"] == before["pop"] and active_inhabitants(page) == ACTIVE_INHABITANTS
    assert status(page) == f"{target['name']} is vrijgemaakt."
    print(
        f"click → paint: {first['paint_ms']:.0f} ms, {second['paint_ms']:.0f} ms"
        f" ({target['name']}); the numbers follow from Python"
    )
    assert first["paint_ms"] < 1000 and second["paint_ms"] < 1000  # in the page, no round trip
    traffic.check()


def test_brush_and_box_are_one_undoable_edit_each(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, _ = session
    before = figures(page)
    mode(page, "brush")
    stroke = pick(page, 6, "free")
    assert len(stroke) == 6
    page.mouse.move(stroke[0]["x"], stroke[0]["y"])
    page.mouse.down()
    for p in stroke[1:]:
        page.mouse.move(p["x"], p["y"])
    # painted while the mouse is still down, before Python has heard of it
    assert all(cluster_of(page, p["code"]) == ACTIVE_ID for p in stroke)
    page.mouse.up()
    after = wait_figures_after(page, before["rev"])
    assert after["munis"] == before["munis"] + 6
    assert after["pop"] == before["pop"] + sum(p["pop"] for p in stroke)
    assert status(page) == f"6 gemeenten zitten nu in {ACTIVE}."
    # one undo takes the whole stroke back
    page.get_by_role("button", name="Ongedaan maken").click()
    undone = wait_figures_after(page, after["rev"])
    assert undone["pop"] == before["pop"] and undone["munis"] == before["munis"]
    assert all(cluster_of(page, p["code"]) == "" for p in stroke)

    # box: shift + drag around municipalities' inner points
    mode(page, "click")
    (centre,) = pick(page, 1, "free")
    x0, y0 = centre["x"] - 40, centre["y"] - 40
    x1, y1 = centre["x"] + 40, centre["y"] + 40
    inside = page.evaluate(
        """([x0, y0, x1, y1]) => { const ed = window.rkEditor, map = window.rkMap;
        const r = ed.mapDiv.getBoundingClientRect();
        return Object.entries(ed.st.m).filter(([c, m]) => {
          const p = map.latLngToContainerPoint([m[3], m[4]]);
          const x = p.x + r.left, y = p.y + r.top;
          return x >= x0 && x <= x1 && y >= y0 && y <= y1; }).map(([c]) => c); }""",
        [x0, y0, x1, y1],
    )
    assert inside, "no municipality in the box"
    before = figures(page)
    page.keyboard.down("Shift")
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2)
    page.mouse.move(x1, y1)
    page.mouse.up()
    page.keyboard.up("Shift")
    after = wait_figures_after(page, before["rev"])
    assert all(cluster_of(page, c) == ACTIVE_ID for c in inside), inside
    assert after["munis"] >= before["munis"] + 1
    page.get_by_role("button", name="Ongedaan maken").click()
    undone = wait_figures_after(page, after["rev"])
    assert undone["munis"] == before["munis"] and undone["pop"] == before["pop"]
    traffic.check()


def test_eraser_frees(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, _ = session
    mode(page, "erase")
    (target,) = pick(page, 1, "other")
    assert cluster_of(page, target["code"]) not in ("", ACTIVE_ID)
    before = figures(page)
    w = click_and_time(page, target)
    assert w["after"] == ""
    after = wait_figures_after(page, before["rev"])
    assert after["munis"] == before["munis"] - 1
    assert cluster_of(page, target["code"]) == ""
    page.get_by_role("button", name="Ongedaan maken").click()
    undone = wait_figures_after(page, after["rev"])
    assert undone["munis"] == before["munis"]
    mode(page, "click")
    traffic.check()


@pytest.mark.parametrize(
    ("text", "code"),
    [("Sint Niklaas", "46021"), ("Anvers", "11002"), ("Borsbeek", "11002"), ("kortrijk", "34022")],
)
def test_search_finds_and_zooms(session: tuple[Page, Traffic, float], text: str, code: str) -> None:
    page, traffic, _ = session
    page.evaluate("() => window.rkEditor.fitAll()")
    page.wait_for_timeout(400)
    zoom0 = page.evaluate("() => window.rkMap.getZoom()")
    page.fill(".rk-search-input", text)
    page.press(".rk-search-input", "Enter")
    page.wait_for_function(
        "(code) => document.activeElement && document.activeElement.getAttribute('data-nis') === code",
        arg=code,
        timeout=STEP_MS,
    )
    assert f"({code})" in status(page)
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.rkMap.getZoom()") > zoom0
    traffic.check()


def test_keyboard_enter_assigns_and_arrows_pan(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, _ = session
    page.fill(".rk-search-input", "Kortrijk")
    page.press(".rk-search-input", "Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.getAttribute('data-nis') === '34022'",
        timeout=STEP_MS,
    )
    before = figures(page)
    old = cluster_of(page, "34022")
    assert old != ACTIVE_ID
    page.keyboard.press("Enter")
    assert cluster_of(page, "34022") == ACTIVE_ID  # at once
    after = wait_figures_after(page, before["rev"])
    assert status(page) == "Kortrijk zit nu in Stad Antwerpen."
    centre = page.evaluate("() => window.rkMap.getCenter()")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)
    moved = page.evaluate("() => window.rkMap.getCenter()")
    assert moved["lng"] > centre["lng"]
    page.get_by_role("button", name="Ongedaan maken").click()
    wait_figures_after(page, after["rev"])
    assert cluster_of(page, "34022") == old
    traffic.check()


def test_zoom_to_cluster_highlights_it(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, _ = session
    page.evaluate("() => window.rkEditor.fitAll()")
    page.wait_for_timeout(400)
    zoom0 = page.evaluate("() => window.rkMap.getZoom()")
    page.get_by_role("button", name="Zoom naar cluster").click()
    page.wait_for_function(
        f"() => document.querySelector('path[data-nis=\"{ACTIVE_CODE}\"]').classList.contains('rk-flash')",
        timeout=STEP_MS,
    )
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.rkMap.getZoom()") > zoom0
    traffic.check()


def test_refused_edit_is_rolled_back_with_the_reason(
    session: tuple[Page, Traffic, float],
) -> None:
    """A locked cluster: the eraser paints at once, Python refuses, the paint is undone."""
    page, traffic, _ = session
    page.get_by_text(f"Cluster beheren: {ACTIVE}").click()
    page.get_by_text("Vergrendeld").click()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    page.wait_for_timeout(500)
    page.evaluate("() => window.rkEditor.fitAll()")
    page.wait_for_timeout(400)
    mode(page, "erase")
    (target,) = pick(page, 1, [ACTIVE_CODE])
    before = figures(page)
    w = click_and_time(page, target)
    assert w["after"] == ""  # painted grey at once
    page.wait_for_function(
        f"() => document.querySelector('path[data-nis=\"{ACTIVE_CODE}\"]')"
        f".getAttribute('data-cluster') === '{ACTIVE_ID}'",
        timeout=STEP_MS,
    )
    assert "vergrendeld" in status(page), status(page)
    assert page.get_attribute(".rk-status", "role") == "alert"
    assert figures(page)["munis"] == before["munis"]
    mode(page, "click")
    page.screenshot(path=str(Path(os.environ.get("TMPDIR", "/tmp")) / "regiokaart-editor.png"))
    traffic.check()


def test_a_violations_show_makes_its_cluster_active_and_zooms(
    session: tuple[Page, Traffic, float],
) -> None:
    page, traffic, _ = session
    editor = page.evaluate_handle("() => window.rkEditor")
    pill = page.locator(".st-key-viol_show button").first
    name = pill.inner_text().strip()
    assert name and name != ACTIVE
    pill.click()
    page.wait_for_function(
        "(name) => { const ed = window.rkEditor; return ed.clusterName(ed.st.active) === name"
        " && document.querySelectorAll('path.rk-flash').length > 0; }",
        arg=name,
        timeout=STEP_MS,
    )
    assert page.evaluate("(ed) => ed === window.rkEditor", editor)  # the same map, zoomed
    traffic.check()


def test_without_an_active_cluster_nothing_is_painted(session: tuple[Page, Traffic, float]) -> None:
    page, traffic, _ = session
    editor = page.evaluate_handle("() => window.rkEditor")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="Vertrekpunt").click()
    page.get_by_role("option", name="Lege kaart").click()
    sidebar.get_by_role("button", name="Begin van dit vertrekpunt").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"rk-figures\"]')"
        "?.getAttribute('data-municipalities-covered') === '0'",
        timeout=STEP_MS,
    )
    page.evaluate("() => window.rkEditor.fitAll()")
    page.wait_for_timeout(400)
    (target,) = pick(page, 1, "free")
    page.evaluate("() => window.rkEditor.say('', false)")
    page.mouse.click(target["x"], target["y"])
    page.wait_for_timeout(300)
    assert cluster_of(page, target["code"]) == ""
    assert status(page) == "Kies of maak eerst een actieve cluster."
    assert page.evaluate("() => window.rkEditor.pending.size") == 0
    # the start message above the page did not rebuild the map
    assert page.evaluate("(ed) => ed === window.rkEditor", editor)
    traffic.check()


def idle(page: Page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=STEP_MS
    )
    page.wait_for_timeout(300)


def test_reset_restores_the_fields_and_language_keeps_every_choice(
    session: tuple[Page, Traffic, float],
) -> None:
    """Issue 10 §3 in the browser: "Standaardwaarden herstellen" puts the field back (the
    browser kept the changed number before); switching language keeps the scenario and the
    changed parameter, and the scale violations stay."""
    page, traffic, _ = session
    page.get_by_role("button", name="Ongedaan maken").click()  # back from the empty map
    idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Parameters van regels en scenario").click()
    field = sidebar.get_by_role(
        "spinbutton", name="Minimum aantal inwoners van een samenwerkingsverband"
    )
    field.fill("150000")
    field.press("Enter")
    idle(page)
    sidebar.get_by_role("button", name="Standaardwaarden herstellen").click()
    idle(page)
    assert field.input_value() == "60000"
    field.fill("150000")
    field.press("Enter")
    idle(page)
    box = sidebar.get_by_role("combobox", name="Scenario")
    box.click()
    page.keyboard.type("Bestuursregisseur")
    page.keyboard.press("Enter")
    idle(page)
    assert "scale_max_population" in page.inner_text("body")
    sidebar.get_by_text("English", exact=True).click()
    idle(page)
    scenario = sidebar.get_by_role("combobox", name="Scenario")
    assert "Governance director" in (scenario.input_value() or scenario.inner_text())
    field_en = sidebar.get_by_role(
        "spinbutton", name="Minimum number of inhabitants of a partnership"
    )
    if not field_en.is_visible():  # the expander's label changed with the language
        sidebar.get_by_text("Rule and scenario parameters").click()
    assert field_en.input_value() == "150000"
    assert "scale_max_population" in page.inner_text("body")
    sidebar.get_by_text("Nederlands", exact=True).click()
    idle(page)
    traffic.check()


def test_grid_switch_never_leaves_a_blank_map(session: tuple[Page, Traffic, float]) -> None:
    """Switching grid keeps the old map on view (with "Kaart laden…") until the new grid is
    painted: the page never shows a map without municipalities."""
    page, traffic, _ = session
    page.evaluate(
        """() => { window.__rkMin = Infinity; window.__rkLoading = false;
        window.__rkTimer = setInterval(() => {
          const n = document.querySelectorAll('path[data-nis]').length;
          window.__rkMin = Math.min(window.__rkMin, n);
          const s = document.querySelector('.rk-status');
          if (s && s.textContent.includes('laden')) window.__rkLoading = true;
        }, 5); }"""
    )
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_role("combobox", name="Gemeentegrid")
    box.click()
    page.keyboard.type("2018")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('path[data-nis]').length === 308", timeout=LOAD_MS
    )
    idle(page)
    low = page.evaluate("() => { clearInterval(window.__rkTimer); return window.__rkMin; }")
    assert low >= 285  # the 2025 map stayed until the 2018 map replaced it
    box.click()
    page.keyboard.type("2025")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('path[data-nis]').length === 285", timeout=LOAD_MS
    )
    idle(page)
    traffic.check()


def test_own_layer_upload_shows_overlap_and_its_outline(
    session: tuple[Page, Traffic, float], tmp_path: Path
) -> None:
    """Issue 11 in the browser: a small GeoPackage uploaded on the Overlap screen gives the
    overlap figures; picked as the outline in the sidebar, the map draws it (a static file),
    with the region names as tooltips."""
    import geopandas as gpd
    from shapely.geometry import box

    page, traffic, _ = session
    gpkg = tmp_path / "gebieden.gpkg"
    gpd.GeoDataFrame(
        {"gebied": ["Gent-Noord", "Gent-Zuid"]},
        geometry=[box(3.55, 51.05, 3.95, 51.2), box(3.55, 50.9, 3.95, 51.05)],
        crs="EPSG:4326",
    ).to_file(gpkg, driver="GPKG")
    page.get_by_text("Overlap met gebieden", exact=True).click()
    idle(page)
    page.locator('input[type="file"]').first.set_input_files(str(gpkg))
    page.get_by_role("button", name="Laag toevoegen").click(timeout=STEP_MS)
    idle(page)
    page.get_by_text("Aangepaste Rand-index").first.wait_for(timeout=STEP_MS)
    assert "Gent-Noord" in page.inner_text("body")  # the region table
    sidebar = page.get_by_test_id("stSidebar")
    box_ = sidebar.get_by_role("combobox", name="Omtrek van vergelijkingslaag")
    box_.click()
    page.keyboard.type("gebieden (eigen laag)")
    page.keyboard.press("Enter")
    idle(page)
    page.get_by_text("Kaart", exact=True).click()
    page.wait_for_function(READY, arg=N_MUNICIPALITIES, timeout=LOAD_MS)
    page.wait_for_function(
        """() => { const o = window.rkEditor.outlineLayers.cmp;
        return !!o && o.url.includes('/userlayer-') && o.layer.getLayers().length === 2; }""",
        timeout=STEP_MS,
    )
    tips = page.evaluate(
        """() => window.rkEditor.outlineLayers.cmp.layer.getLayers()
        .map(l => l.getTooltip() && l.getTooltip().getContent().textContent).sort()"""
    )
    assert tips == ["Gent-Noord", "Gent-Zuid"]
    n = page.evaluate("() => document.querySelectorAll('.leaflet-rk-outlines-pane path').length")
    assert n >= 2  # the outline's paths are drawn
    box_.click()
    page.keyboard.type("(geen)")
    page.keyboard.press("Enter")
    idle(page)
    traffic.check()
