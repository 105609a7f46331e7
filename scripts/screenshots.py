"""The README's screenshots, taken from the running app in Debian's Chromium (offline).

Run: ``uv run --extra dev python scripts/screenshots.py [NAME ...]`` (default: all). Starts
``streamlit run app.py`` on a free localhost port with the data directory the app would use, opens
each view through its link (the URL's query parameters carry the view), does the view's steps and
writes ``docs/<name>.png`` (1600 x 1000). Requests outside localhost are blocked, as in the tests.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_browser import start_server  # noqa: E402  (the benchmark's server starter)

DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
READY = """(n) => document.querySelectorAll('path[data-nis]').length >= n
  && !!document.querySelector('[data-testid="rk-figures"][data-population-covered]')"""


def _wait_map(page: Page, n: int = 285) -> None:
    page.wait_for_function(READY, arg=n, timeout=90_000)
    page.wait_for_timeout(800)  # the map's fit and the tables


def _click_text(page: Page, text: str) -> None:
    page.get_by_role("button", name=text).first.click()


def editor(page: Page) -> None:
    _wait_map(page)


def overlap(page: Page) -> None:
    page.get_by_text("Rand-index", exact=False).first.wait_for(timeout=90_000)
    page.get_by_label("Vergelijkingslaag", exact=True).click()  # the overlap screen's layer
    page.get_by_role("option", name="Referentieregio's").first.click()
    page.wait_for_timeout(2500)


def proposal(page: Page) -> None:
    _click_text(page, "Stel voor")
    page.get_by_text("Niet gehaald", exact=False).first.wait_for(timeout=120_000)
    page.get_by_text("Niet gehaald", exact=False).first.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)


#: name -> (query string of the view's link, steps)
VIEWS: dict[str, tuple[str, Callable[[Page], None]]] = {
    "screenshot": ("grid=2025&scenario=beleidsregisseur&outline=vervoerregio&screen=kaart", editor),
    "screenshot-overlap": (
        "grid=2025&outline=referentieregio&screen=overlap",
        overlap,
    ),
    "screenshot-proposal": (
        "grid=2019&year=2020&scenario=bestuursregisseur&screen=voorstel",
        proposal,
    ),
}


def main(names: list[str]) -> int:
    proc, url = start_server(Path(tempfile.mkdtemp(prefix="regiokaart-shots-")))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for name in names or list(VIEWS):
                query, steps = VIEWS[name]
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                context.route(
                    lambda u: urlsplit(u).hostname not in ("localhost", "127.0.0.1"),
                    lambda route: route.abort(),
                )
                page = context.new_page()
                page.goto(f"{url}/?{query}", wait_until="domcontentloaded", timeout=90_000)
                steps(page)
                out = DOCS / f"{name}.png"
                page.screenshot(path=str(out))
                print(f"written: {out.relative_to(ROOT)}")
                context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
