"""What the app computes between a click and the screen, without Streamlit.

``handle_click`` turns st_folium's click value into an edit; ``evaluate_plan`` runs the rules;
``map_features`` builds the cluster layer; ``cluster_rows`` and ``violation_rows`` build the tables.
``bench/bench_app.py`` times exactly this path (the server-side cost of a click).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.plans import Plan
from scenarios.definitions import Scenario
from scenarios.evaluate import Evaluation, Evaluator
from scenarios.model import fmt_en, fmt_nl
from scenarios.rules import RuleSet
from ui.colours import UNASSIGNED
from ui.editor import Editor
from ui.i18n import t, yes_no
from ui.mapview import DisplayGeometry, cluster_features, tooltip_html


def fmt(x: float, lang: str = "nl") -> str:
    return fmt_en(x) if lang == "en" else fmt_nl(x)


def pct(x: float, lang: str = "nl") -> str:
    """A share: 78,4 % in Dutch, 78.4% in English."""
    s = f"{100 * x:.1f}"
    return f"{s.replace('.', ',')} %" if lang == "nl" else f"{s}%"


def readable(
    text: str,
    lang: str,
    municipalities: Mapping[str, str],
    clusters: Mapping[str, str],
    cluster_name: str = "",
) -> str:
    """A rule's message for a reader: municipality and cluster names instead of NIS codes and
    internal ids, the cluster's own name not repeated at the start (it is shown beside it), and
    Dutch number formats (78,4 %, EUR 1.875.000) in Dutch."""
    if cluster_name:
        for lead in (f"{cluster_name}: ", f"{cluster_name} "):
            if text.startswith(lead):
                text = text[len(lead) :]
                text = text[:1].upper() + text[1:] if lead.endswith(": ") else text
                break

    def muni(m: re.Match[str]) -> str:
        code = m.group(2)
        return municipalities.get(code, m.group(0))

    text = re.sub(r"\b(Gemeente|Municipality) (\d{5})\b", muni, text)
    text = re.sub(r"\b()(\d{5})\b", lambda m: municipalities.get(m.group(2), m.group(0)), text)
    for cid in sorted(clusters, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(cid)}(?= \d+%)", clusters[cid], text)
    if lang == "nl":
        text = re.sub(r"(\d+)\.(\d)%", r"\1,\2 %", text)
        text = re.sub(r"(\d)%", r"\1 %", text)
        text = re.sub(r"(\d[\d.]*) EUR\b", r"EUR \1", text)
    return text


@dataclass(frozen=True)
class Click:
    nis_code: str | None  # None: outside Flanders
    cluster: str | None  # the cluster it is in after the click


def click_token(value: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """A token identifying one click in st_folium's returned value (None: no click yet)."""
    if not value:
        return None
    obj = value.get("last_object_clicked")
    if not obj:
        return None
    return (
        value.get("last_object_clicked_count"),
        round(float(obj["lat"]), 7),
        round(float(obj["lng"]), 7),
    )


def handle_click(editor: Editor, dg: DisplayGeometry, value: Mapping[str, Any]) -> Click:
    """Apply a map click: toggle the municipality under the point in the active cluster."""
    obj = value["last_object_clicked"]
    code = dg.locate(float(obj["lat"]), float(obj["lng"]))
    if code is None:
        return Click(None, None)
    return Click(code, editor.toggle(code))


def evaluate_plan(
    ev: Evaluator, plan: Plan, rule_set: RuleSet, scenario: Scenario | None
) -> Evaluation:
    return ev.evaluate(ev.state(plan), rule_set, scenario)


def fills_for(plan: Plan, colours: Mapping[str, str]) -> dict[str, str]:
    return {str(c): colours.get(str(cl), UNASSIGNED) for c, cl in plan.assignment.items()}


def map_features(
    dg: DisplayGeometry,
    plan: Plan,
    colours: Mapping[str, str],
    names: Mapping[str, str],
    population: Mapping[str, float],
    centrumsteden: Iterable[str],
    evaluation: Evaluation | None,
    active: str | None,
    lang: str = "nl",
    dashed: Iterable[str] = (),
) -> str:
    """The cluster layer: fill by cluster (a split municipality: its largest share), thick outline
    for the active cluster, tooltips with name, inhabitants, cluster(s) with their inhabitants (a
    split municipality lists each cluster with its share) and the centrumstad flag."""
    assignment = plan.assignment
    parts: dict[str, list[tuple[str, float]]] = {}
    for code, cl_id, share in plan.membership.rows:
        parts.setdefault(code, []).append((cl_id, share))
    cluster_pop = (
        {c.cluster: c.facts.population for c in evaluation.clusters}
        if evaluation is not None
        else {}
    )
    cs = set(centrumsteden)
    inh = t("col_pop", lang)
    tips: dict[str, str] = {}
    for code in dg.codes:
        cl = assignment.get(code)
        if cl is None:
            cl_text = f"{t('col_cluster', lang)}: {t('unassigned', lang)}"
        elif len(parts[code]) > 1 or parts[code][0][1] < 1.0:
            shown = ", ".join(
                f"{plan.display_name(c)} {pct(s, lang)}"
                for c, s in sorted(parts[code], key=lambda p: -p[1])
            )
            cl_text = f"{t('col_cluster', lang)}: {shown}"
        else:
            cl_text = f"{t('col_cluster', lang)}: {plan.display_name(cl)}"
            if cl in cluster_pop:
                cl_text += f" ({fmt(cluster_pop[cl], lang)} {inh.lower()})"
        extra = "centrumstad" if code in cs else ""
        tips[code] = tooltip_html(
            names.get(code, code),
            code,
            f"{inh}: {fmt(population.get(code, 0), lang)}",
            cl_text,
            extra,
        )
    strong = plan.members(active) if active else []
    return cluster_features(dg, fills_for(plan, colours), tips, strong=strong, dashed=dashed)


def cluster_rows(evaluation: Evaluation, lang: str = "nl") -> pd.DataFrame:
    """The cluster table of the app (one row per non-empty cluster, largest first)."""
    rows = []
    for c in evaluation.clusters:
        f = c.facts
        if not f.n_municipalities:
            continue
        align = "–"
        if f.dominant_share is not None:
            align = f"{f.dominant_region} {pct(f.dominant_share, lang)}"
        scen = [
            v
            for v in c.violations
            if v.rule_id.startswith("scale_") or v.rule_id in ("contiguity", "alignment")
        ]
        rows.append(
            {
                "id": f.cluster,
                t("col_cluster", lang): f.name,
                t("col_munis", lang): f.n_municipalities,
                t("col_pop", lang): f.population,
                t("col_subsidy", lang): c.subsidy.amount_eur,
                t("col_funded", lang): c.funded_eur,
                t("col_eligible", lang): yes_no(c.eligible, lang),
                t("col_scale", lang): yes_no(not scen, lang) if evaluation.scenario_id else "–",
                t("col_align", lang): align,
                t("col_cs", lang): ", ".join(x.name for x in f.centrumsteden),
                t("col_viol", lang): len(c.violations),
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    return df.sort_values(t("col_pop", lang), ascending=False).reset_index(drop=True)


def violation_rows(
    evaluation: Evaluation,
    lang: str = "nl",
    municipalities: Mapping[str, str] | None = None,
    clusters: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Violations, errors first, each with its cluster (None: the plan as a whole); the texts
    with names instead of codes (:func:`readable`) when ``municipalities`` is given."""
    names = {c.cluster: c.facts.name for c in evaluation.clusters}
    if clusters:
        names.update(clusters)
    out = []
    for v in evaluation.violations:
        out.append(
            {
                "rule_id": v.rule_id,
                "cluster": v.cluster,
                "cluster_name": names.get(v.cluster, v.cluster) if v.cluster else "",
                "severity": v.severity,
                "text": (
                    readable(
                        v.message_en if lang == "en" else v.message_nl,
                        lang,
                        municipalities,
                        names,
                        names.get(v.cluster, "") if v.cluster else "",
                    )
                    if municipalities is not None
                    else v.message_en
                    if lang == "en"
                    else v.message_nl
                ),
            }
        )
    return sorted(
        out, key=lambda r: (r["severity"] != "error", r["cluster_name"] or "", r["rule_id"])
    )
