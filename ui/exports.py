"""Files the app offers for download, built from one plan and its evaluation (pure functions).

Statistics use the unsimplified EPSG:31370 geometry; GeoJSON is written in WGS 84 (RFC 7946).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.export import (
    cluster_polygons,
    csv_text,
    gpkg_bytes,
    membership_frame,
    membership_geodata,
    plan_geojson,
    xlsx_bytes,
)
from geo.plans import Plan
from scenarios.evaluate import Evaluation
from ui.colours import UNASSIGNED
from ui.i18n import t
from ui.mapview import DisplayGeometry
from ui.model import cluster_rows, fmt, pct, violation_rows
from ui.summary import summary_html, svg_map


def municipality_frame(plan: Plan, units: gpd.GeoDataFrame, population: pd.Series) -> pd.DataFrame:
    """The plan's membership with shares (one row per municipality and cluster)."""
    return membership_frame(plan, units, population)


def coverage_frame(evaluation: Evaluation) -> pd.DataFrame:
    cov = evaluation.coverage
    d = {} if cov is None else {k: v for k, v in cov.to_dict().items() if k != "uncovered"}
    d.update(
        rule_set=evaluation.rule_set_id,
        scenario=evaluation.scenario_id or "",
        total_subsidy_eur=evaluation.total_subsidy_eur,
        total_funded_eur=evaluation.total_funded_eur,
        budget_eur=evaluation.budget_eur,
        n_violations=len(evaluation.violations),
    )
    return pd.DataFrame(list(d.items()), columns=["key", "value"])


def statistics_xlsx(
    plan: Plan, evaluation: Evaluation, units: gpd.GeoDataFrame, population: pd.Series
) -> bytes:
    return xlsx_bytes(
        {
            "summary": coverage_frame(evaluation),
            "clusters": evaluation.cluster_frame(),
            "violations": evaluation.violation_frame(),
            "municipalities": municipality_frame(plan, units, population),
        }
    )


def cluster_geodata(
    plan: Plan, evaluation: Evaluation, units: gpd.GeoDataFrame, colours: Mapping[str, str]
) -> gpd.GeoDataFrame:
    table = evaluation.cluster_frame()
    table = table[table["n_municipalities"] > 0]
    g = cluster_polygons(plan, units, table)
    g["colour"] = g["cluster"].map(lambda c: colours.get(c, UNASSIGNED))
    return g


def clusters_gpkg(
    plan: Plan, evaluation: Evaluation, units: gpd.GeoDataFrame, colours: Mapping[str, str],
    population: pd.Series,
) -> bytes:  # fmt: skip
    munis = membership_geodata(plan, units)
    return gpkg_bytes(
        {"clusters": cluster_geodata(plan, evaluation, units, colours), "municipalities": munis}
    )


def clusters_geojson(
    plan: Plan, evaluation: Evaluation, units: gpd.GeoDataFrame, colours: Mapping[str, str]
) -> str:
    return plan_geojson(cluster_geodata(plan, evaluation, units, colours), plan)


def summary_page(
    plan: Plan,
    evaluation: Evaluation,
    dg: DisplayGeometry,
    colours: Mapping[str, str],
    settings: Sequence[tuple[str, str]],
    lang: str = "nl",
    names: Mapping[str, str] | None = None,
) -> str:
    fills = {str(c): colours.get(str(cl), UNASSIGNED) for c, cl in plan.assignment.items()}
    cov = evaluation.coverage
    figs = []
    if cov is not None:
        figs += [
            (
                t("cov_munis", lang),
                f"{cov.n_municipalities_covered} / {cov.n_municipalities_total} ({pct(cov.municipality_share, lang)})",
            ),
            (
                t("cov_pop", lang),
                f"{fmt(cov.population_covered, lang)} ({pct(cov.population_share, lang)})",
            ),
        ]
    figs.append(
        (
            t("subsidy_total", lang),
            f"€ {fmt(evaluation.total_subsidy_eur, lang)} / € {fmt(evaluation.total_funded_eur, lang)}",
        )
    )
    rows_df = cluster_rows(evaluation, lang)
    headers = [
        t(k, lang) for k in ("col_cluster", "col_munis", "col_pop", "col_subsidy", "col_eligible")
    ]
    rows = []
    for r in rows_df.to_dict("records"):
        cells = [
            str(r[headers[0]]),
            str(r[headers[1]]),
            fmt(r[headers[2]], lang),
            fmt(r[headers[3]], lang),
            str(r[headers[4]]),
        ]
        rows.append((colours.get(r["id"], UNASSIGNED), cells))
    vs = [
        (v["severity"], (f"{v['cluster_name']} · " if v["cluster_name"] else "") + v["text"])
        for v in violation_rows(evaluation, lang, names or {}, dict(plan.cluster_names))
    ]
    return summary_html(
        title=plan.name or "Regiokaart",
        settings=settings,
        figures=figs,
        svg=svg_map(dg.codes, dg.shapes, fills),
        headers=headers,
        rows=rows,
        violations=vs,
        lang=lang,
    )


@dataclass(frozen=True)
class Download:
    key: str  # i18n key of the button label, also the widget key
    data: Callable[[], str | bytes]  # built only when the user clicks
    file_name: str
    mime: str


def downloads(
    plan: Plan,
    evaluation: Evaluation,
    units: gpd.GeoDataFrame,
    population: pd.Series,
    colours: Mapping[str, str],
    dg: DisplayGeometry,
    settings: Sequence[tuple[str, str]],
    lang: str = "nl",
) -> list[Download]:
    """Every file the app offers, as deferred builders (nothing is computed until asked)."""
    stem = (plan.name or "plan").replace(" ", "_")
    cols = dict(colours)
    p = functools.partial
    return [
        Download("dl_plan", p(plan.to_csv_text), f"{stem}.csv", "text/csv"),
        Download("dl_xlsx", p(statistics_xlsx, plan, evaluation, units, population),
                 f"{stem}_statistieken.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Download("dl_csv", p(lambda: csv_text(evaluation.cluster_frame())), f"{stem}_clusters.csv", "text/csv"),
        Download("dl_viol", p(lambda: csv_text(evaluation.violation_frame())), f"{stem}_overtredingen.csv", "text/csv"),
        Download("dl_gpkg", p(clusters_gpkg, plan, evaluation, units, cols, population), f"{stem}.gpkg", "application/geopackage+sqlite3"),
        Download("dl_geojson", p(clusters_geojson, plan, evaluation, units, cols), f"{stem}.geojson", "application/geo+json"),
        Download("dl_summary", p(summary_page, plan, evaluation, dg, cols, settings, lang, units["name"].to_dict()), f"{stem}_samenvatting.html", "text/html"),
    ]  # fmt: skip
