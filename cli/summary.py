"""``regiokaart summary``: the one-page printable summary the app offers (HTML with the map,
the figures, the cluster table and the violations; *Print -> Save as PDF* gives an A4 page).

The page is built by the same functions as the app's download (:func:`ui.exports.summary_page`),
with the colours the app gives a freshly opened plan, so the figures are the app's figures.
"""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import (
    add_data_args,
    add_output_args,
    add_plan_args,
    add_rule_args,
    emit,
    grid_data,
    plan_from_args,
    rule_set_from_args,
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "summary", help="the one-page printable summary of a plan (HTML with the map)"
    )
    add_plan_args(p)
    add_rule_args(p, overrides=False)
    p.add_argument(
        "--scenario", help="scenario id (see `regiokaart scenarios`; default: no scenario)"
    )
    p.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of the page")
    add_output_args(p, ["html"], out_help="the HTML file to write", out_required=True)
    add_data_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    emit(summary_text(args), args.out)
    return 0


def summary_text(args: argparse.Namespace) -> str:
    """The summary page named by the arguments of ``regiokaart summary``."""
    from scenarios.definitions import load_scenario
    from scenarios.evaluate import evaluator_for
    from ui.editor import Editor
    from ui.exports import summary_page
    from ui.mapview import display_geometry
    from ui.model import evaluate_plan
    from ui.summary import settings_rows

    rule_set = rule_set_from_args(args)
    scenario = load_scenario(args.scenario) if args.scenario else None
    gd = grid_data(args)
    plan = plan_from_args(args, gd)
    evaluator = evaluator_for(gd, scenario.comparison_layer if scenario else None)
    evaluation = evaluate_plan(evaluator, plan, rule_set, scenario)
    colours = Editor.start(plan, gd.adjacency).colours
    settings = settings_rows(
        gd.grid, gd.population_year, rule_set.id, scenario.id if scenario else None, args.lang
    )
    return summary_page(plan, evaluation, display_geometry(gd.units), colours, settings, args.lang)
