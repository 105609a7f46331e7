"""A printable one-page summary of a plan: settings, coverage, the map (inline SVG, so it prints
and works offline), the cluster table and the violations. Plain HTML with print CSS for A4; the
browser's *Print / Save as PDF* makes the PDF."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import shapely

from ui.colours import UNASSIGNED, safe_colour
from ui.i18n import t
from ui.text import html_escape


def svg_map(
    codes: Sequence[str],
    shapes: np.ndarray,
    fills: Mapping[str, str],
    width: int = 700,
) -> str:
    """Municipalities (EPSG:4326) as an SVG in a simple equirectangular view scaled by
    cos(latitude), which is close to a conformal view at Flemish latitudes."""
    minx, miny, maxx, maxy = shapely.total_bounds(shapes)
    k = math.cos(math.radians((miny + maxy) / 2))
    sx = width / ((maxx - minx) * k)
    height = int((maxy - miny) * sx) + 2

    def path(g: shapely.Geometry) -> str:
        out = []
        polys = getattr(g, "geoms", [g])
        for p in polys:
            for ring in [p.exterior, *p.interiors]:
                xy = np.asarray(ring.coords)
                px = (xy[:, 0] - minx) * k * sx
                py = (maxy - xy[:, 1]) * sx
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
                out.append(f"M{pts}Z")
        return "".join(out)

    body = "".join(
        f'<path d="{path(g)}" fill="{safe_colour(fills.get(c), UNASSIGNED)}" stroke="#fff" stroke-width="0.4"/>'
        for c, g in zip(codes, shapes, strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="map">{body}</svg>'
    )


def settings_rows(
    grid: int, year: int, rule_set_id: str, scenario_id: str | None, lang: str = "nl"
) -> list[tuple[str, str]]:
    """The settings line of the summary (the app's sidebar choices; also ``regiokaart summary``)."""
    return [
        (t("grid", lang), str(grid)),
        (t("year", lang), str(year)),
        (t("rule_set", lang), rule_set_id),
        (t("scenario", lang), scenario_id or t("no_scenario", lang)),
    ]


MAX_VIOLATIONS = 8  # so that the summary fits one A4 page; all of them are in the CSV

CSS = """
@page { size: A4; margin: 12mm; }
html, body { max-width: 186mm; }
@media print { html, body { height: 270mm; max-height: 270mm; overflow: hidden; } }
table { font-size: 7pt; line-height: 1.0; }
.sw { vertical-align: middle; width: 2.5mm !important; height: 2.5mm !important; }
.v { line-height: 1.2; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
th, td { padding: 0.1mm 1mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 60mm; }
.map svg { display: block; margin: 0 auto; max-height: 55mm; max-width: 100%; width: auto; height: auto; }
.v { font-size: 7.5pt; }
body { font-family: system-ui, sans-serif; font-size: 9pt; color: #111; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 2mm; }
.meta { color: #444; margin-bottom: 2mm; }
.figs span { display: inline-block; margin-right: 6mm; }
.figs b { font-size: 11pt; }
table { border-collapse: collapse; width: 100%; margin-top: 2mm; }
th, td { border-bottom: 1px solid #ccc; padding: 0.6mm 1mm; text-align: left; }
td.n { text-align: right; }
.sw { display: inline-block; width: 3mm; height: 3mm; border: 1px solid #555; margin-right: 1mm; }
.v { margin: 0.5mm 0; }
.err { color: #a00; } .warn { color: #850; }
@media print { .noprint { display: none; } }
"""


def summary_html(
    *,
    title: str,
    settings: Sequence[tuple[str, str]],
    figures: Sequence[tuple[str, str]],
    svg: str,
    headers: Sequence[str],
    rows: Sequence[tuple[str, Sequence[str]]],  # (colour, cells)
    violations: Sequence[tuple[str, str]],  # (severity, text)
    lang: str = "nl",
) -> str:
    e = html_escape  # every text; colours only as #RRGGBB
    head = "".join(f"<th>{e(h)}</th>" for h in ["", *headers])
    body = "".join(
        f'<tr><td><span class="sw" style="background:{safe_colour(colour)}"></span></td>'
        + "".join(
            f'<td class="{"n" if c[:1].isdigit() or c[:1] in "€-" else ""}">{e(c)}</td>'
            for c in cells
        )
        + "</tr>"
        for colour, cells in rows
    )
    shown = list(violations)[:MAX_VIOLATIONS]
    more = len(violations) - len(shown)
    vs = "".join(
        f'<div class="v {"err" if sev == "error" else "warn"}">{e(text)}</div>'
        for sev, text in shown
    ) + (
        (
            f"<div>… en nog {more} (zie de overtredingen als CSV).</div>"
            if lang == "nl"
            else f"<div>… and {more} more (see the violations CSV).</div>"
        )
        if more > 0
        else ""
    ) or ("<div>Geen overtredingen.</div>" if lang == "nl" else "<div>No violations.</div>")
    today = date.today().isoformat()
    return f"""<!doctype html><html lang="{"en" if lang == "en" else "nl"}"><head><meta charset="utf-8">
<title>{e(title)}</title><style>{CSS}</style></head><body>
<h1>{e(title)}</h1>
<div class="meta">{" · ".join(f"{e(k)}: {e(v)}" for k, v in settings)} · {today}</div>
<div class="figs">{"".join(f"<span>{e(k)}<br><b>{e(v)}</b></span>" for k, v in figures)}</div>
<div class="map">{svg}</div>
<table><tr>{head}</tr>{body}</table>
<h2 style="font-size:11pt; margin:2mm 0 1mm">{"Overtredingen" if lang == "nl" else "Violations"}</h2>
{vs}
<p class="noprint" style="color:#666">{"Afdrukken: Ctrl+P (of Bewaar als PDF)." if lang == "nl" else "Print: Ctrl+P (or Save as PDF)."}</p>
</body></html>"""
