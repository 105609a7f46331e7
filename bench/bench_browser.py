"""Benchmark: the map editor in a real browser (Playwright + Debian Chromium, as
tests/test_browser.py), on the 2025 grid with the default page.

Prints figures; not a test. Run: ``uv run --frozen --extra dev python bench/bench_browser.py``
(``--clicks N``, default 40; ``--url`` to use a running server instead of starting one).

1. Cold page load on a warm server: a new browser context opens the page; time until all 285
   municipality polygons are on the map and the figures are filled in (the map is interactive).
2. N real mouse clicks on different municipalities outside the active cluster: click → paint
   (from the pointer-down event to the next animation frame after the polygon's ``data-cluster``
   changed), click → figures (until ``rk-figures`` shows the new revision), and the bytes over the
   WebSocket per click (frames both ways, from the click until the figures arrived plus 300 ms).
3. One brush stroke and one box (shift + drag) over 20 municipalities each: pointer-up → figures,
   and the undo history grows by one per gesture.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, WebSocket, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
N_MUNICIPALITIES = 285
READY = """(n) => document.querySelectorAll('path[data-nis]').length >= n
  && !!document.querySelector('[data-testid="rk-figures"][data-population-covered]')"""

# Points well inside municipalities (the polygon's own path under the point and 4 px around it),
# for municipalities outside the active cluster, nearest the middle of their outline's box.
PICK = """([n, skip]) => {
  const ed = window.rkEditor, active = ed.st.active;
  const near = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]];
  const out = [];
  for (const [code, layer] of ed.layers) {
    if (out.length >= n) break;
    if (skip.includes(code) || ed.shown(code) === active) continue;
    const p = layer._path, r = p.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    let best = null;
    for (let y = Math.ceil(r.top); y <= r.bottom; y += 3) {
      for (let x = Math.ceil(r.left); x <= r.right; x += 3) {
        if (!near.every(([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === p)) continue;
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (best === null || d < best.d) best = {x, y, d};
      }
    }
    if (best) out.push({code, x: best.x, y: best.y});
  }
  return out;
}"""

# Before a click: note the pointer-down time, when the polygon's data-cluster changes (and the
# next animation frame after it), and when the figures show a later revision.
WATCH = """(code) => {
  const ed = window.rkEditor, path = ed.layers.get(code)._path;
  const fig = document.querySelector('[data-testid="rk-figures"]');
  const w = {t0: null, paint: null, frame: null, fig: null, rev0: fig.getAttribute('data-rev')};
  window.__rkWatch = w;
  ed.mapDiv.addEventListener('pointerdown', (e) => { w.t0 = e.timeStamp; }, {capture: true, once: true});
  const before = path.getAttribute('data-cluster');
  const o1 = new MutationObserver(() => {
    if (w.paint === null && path.getAttribute('data-cluster') !== before) {
      w.paint = performance.now();
      requestAnimationFrame(() => { w.frame = performance.now(); });
      o1.disconnect();
    }
  });
  o1.observe(path, {attributes: true});
  const o2 = new MutationObserver(() => {
    if (w.fig === null && fig.getAttribute('data-rev') !== w.rev0) { w.fig = performance.now(); o2.disconnect(); }
  });
  o2.observe(fig, {attributes: true});
}"""

GESTURE_WATCH = """() => {
  const ed = window.rkEditor, fig = document.querySelector('[data-testid="rk-figures"]');
  const w = {t0: null, fig: null, rev0: fig.getAttribute('data-rev')};
  window.__rkWatch = w;
  window.addEventListener('pointerup', (e) => { w.t0 = e.timeStamp; }, {capture: true, once: true});
  const o = new MutationObserver(() => {
    if (w.fig === null && fig.getAttribute('data-rev') !== w.rev0) { w.fig = performance.now(); o.disconnect(); }
  });
  o.observe(fig, {attributes: true});
}"""

# A box around the points of at least n municipalities outside the active cluster.
BOX = """(n) => {
  const ed = window.rkEditor, map = window.rkMap, active = ed.st.active;
  const r = ed.mapDiv.getBoundingClientRect();
  const pts = Object.entries(ed.st.m).filter(([c]) => ed.shown(c) !== active)
    .map(([c, m]) => { const p = map.latLngToContainerPoint([m[3], m[4]]); return {c, x: p.x, y: p.y}; })
    .filter(p => p.x > 30 && p.y > 30 && p.x < r.width - 30 && p.y < r.height - 30);
  pts.sort((a, b) => a.x - b.x);
  for (let i = 0; i + n <= pts.length; i++) {
    const sel = pts.slice(i, i + n);
    const ys = sel.map(p => p.y), xs = sel.map(p => p.x);
    const box = {x0: Math.min(...xs) - 2, x1: Math.max(...xs) + 2, y0: Math.min(...ys) - 2, y1: Math.max(...ys) + 2};
    const inside = Object.entries(ed.st.m).filter(([c, m]) => {
      const p = map.latLngToContainerPoint([m[3], m[4]]);
      return p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1;
    }).map(([c]) => c);
    if (inside.every(c => ed.shown(c) !== active) && inside.length >= n && inside.length <= n + 8)
      return {x0: r.left + box.x0, y0: r.top + box.y0, x1: r.left + box.x1, y1: r.top + box.y1, codes: inside};
  }
  return null;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``streamlit run app.py`` on a free localhost port with an empty plan store in ``tmp``
    (also used by ``scripts/screenshots.py``); returns the process and its URL."""
    port = _free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "REGIOKAART_PLANS_DIR": str(tmp / "plans"),
        "REGIOKAART_PLANS_DB": str(tmp / "plans.sqlite"),
    }
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "localhost", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"streamlit did not start; see {tmp / 'server.log'}")
        time.sleep(0.25)
    return proc, url


def stats(xs: list[float], unit: str = "ms") -> str:
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, round(0.9 * (len(xs) - 1)))]
    return (
        f"median {statistics.median(xs):7.1f} {unit} · p90 {p90:7.1f} {unit} · "
        f"max {max(xs):7.1f} {unit} (n={len(xs)})"
    )


class Frames:
    """WebSocket bytes (both directions) of the page's Streamlit connection."""

    def __init__(self) -> None:
        self.received = 0
        self.sent = 0

    def attach(self, ws: WebSocket) -> None:
        ws.on("framereceived", lambda p: self._add("received", p))
        ws.on("framesent", lambda p: self._add("sent", p))

    def _add(self, way: str, payload: str | bytes) -> None:
        n = len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)
        setattr(self, way, getattr(self, way) + n)


def open_page(browser: Any, url: str) -> tuple[Any, Page, Frames, float]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.route(
        lambda u: urlsplit(u).hostname not in ("localhost", "127.0.0.1"), lambda r: r.abort()
    )
    page = context.new_page()
    frames = Frames()
    page.on("websocket", frames.attach)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(READY, arg=N_MUNICIPALITIES, timeout=120_000, polling=10)
    return context, page, frames, time.perf_counter() - t0


def wait_watch(page: Page, key: str) -> None:
    try:
        page.wait_for_function(f"() => window.__rkWatch.{key} !== null", timeout=15_000, polling=5)
    except Exception:
        print("timed out; watch:", page.evaluate("() => window.__rkWatch"), file=sys.stderr)
        print("status:", page.evaluate("() => window.rkEditor.status.textContent"), file=sys.stderr)
        page.screenshot(path="/tmp/rk-bench-timeout.png")
        raise


def figures_pop(page: Page) -> int:
    return int(page.get_attribute('[data-testid="rk-figures"]', "data-population-covered") or 0)


def history_len(page: Page) -> str:
    return page.evaluate("() => document.querySelector('.rk-status').textContent")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clicks", type=int, default=40)
    ap.add_argument("--url", default="")
    ap.add_argument("--loads", type=int, default=5)
    args = ap.parse_args()
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="rk-bench-"))
    proc = None
    url = args.url
    if not url:
        proc, url = start_server(tmp)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            ctx, page, _, first = open_page(browser, url)  # warms the server's caches
            ctx.close()
            print(f"first page load (cold server): {first:.2f} s")
            loads = []
            for _ in range(args.loads):
                ctx, page, _, s = open_page(browser, url)
                loads.append(s * 1000)
                ctx.close()
            print(f"cold page load to an interactive map, warm server: {stats(loads)}")

            ctx, page, frames, _ = open_page(browser, url)
            page.wait_for_timeout(500)
            targets = page.evaluate(PICK, [args.clicks, []])
            paint, frame, fig, recv, sent = [], [], [], [], []
            for t in targets:
                page.evaluate(WATCH, t["code"])
                r0, s0 = frames.received, frames.sent
                page.mouse.click(t["x"], t["y"])
                wait_watch(page, "fig")
                page.wait_for_timeout(300)
                w = page.evaluate("() => window.__rkWatch")
                paint.append(w["paint"] - w["t0"])
                frame.append(w["frame"] - w["t0"])
                fig.append(w["fig"] - w["t0"])
                recv.append((frames.received - r0) / 1000)
                sent.append((frames.sent - s0) / 1000)
                cluster = page.get_attribute(f'path[data-nis="{t["code"]}"]', "data-cluster")
                assert cluster == page.evaluate("() => window.rkEditor.st.active"), t
            n = len(targets)
            print(f"{n} clicks on different municipalities (2025 grid):")
            print(f"  click → paint (attribute)       {stats(paint)}")
            print(f"  click → paint (next frame)      {stats(frame)}")
            print(f"  click → figures                 {stats(fig)}")
            print(f"  WebSocket per click, received   {stats(recv, 'kB')}")
            print(f"  WebSocket per click, sent       {stats(sent, 'kB')}")
            total = [a + b for a, b in zip(recv, sent, strict=True)]
            print(f"  WebSocket per click, both ways  {stats(total, 'kB')}")

            # brush: 20 municipalities in one stroke
            page.get_by_role("button", name="Penseel", exact=False).first.click()
            pts = page.evaluate(PICK, [20, []])
            page.evaluate(GESTURE_WATCH)
            r0 = frames.received
            page.mouse.move(pts[0]["x"], pts[0]["y"])
            page.mouse.down()
            for p in pts[1:]:
                page.mouse.move(p["x"], p["y"])
            page.mouse.up()
            wait_watch(page, "fig")
            page.wait_for_timeout(300)
            w = page.evaluate("() => window.__rkWatch")
            active = page.evaluate("() => window.rkEditor.st.active")
            painted = sum(
                page.get_attribute(f'path[data-nis="{p["code"]}"]', "data-cluster") == active
                for p in pts
            )
            print(
                f"brush stroke over {len(pts)} municipalities ({painted} assigned): pointer-up →"
                f" figures {w['fig'] - w['t0']:.0f} ms; {(frames.received - r0) / 1000:.1f} kB received"
            )

            # box: shift + drag around 20 municipalities
            page.get_by_role("button", name="Klikken", exact=False).first.click()
            box = page.evaluate(BOX, 20)
            if box is None:
                print("box: no suitable rectangle found")
            else:
                page.evaluate(GESTURE_WATCH)
                r0 = frames.received
                page.keyboard.down("Shift")
                page.mouse.move(box["x0"], box["y0"])
                page.mouse.down()
                page.mouse.move((box["x0"] + box["x1"]) / 2, (box["y0"] + box["y1"]) / 2)
                page.mouse.move(box["x1"], box["y1"])
                page.mouse.up()
                page.keyboard.up("Shift")
                wait_watch(page, "fig")
                page.wait_for_timeout(300)
                w = page.evaluate("() => window.__rkWatch")
                painted = sum(
                    page.get_attribute(f'path[data-nis="{c}"]', "data-cluster") == active
                    for c in box["codes"]
                )
                print(
                    f"box over {len(box['codes'])} municipalities ({painted} assigned): pointer-up →"
                    f" figures {w['fig'] - w['t0']:.0f} ms; {(frames.received - r0) / 1000:.1f} kB received"
                )
            ctx.close()
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
