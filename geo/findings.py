"""The seed report's claim on partnership areas, tested with the data we have.

Claim (Evaluatie regierol sociale economie, 2019, ch. 5): the 2017-2019 partnership areas coincide
more often with the Wijk-werken regions than with the Versterkt streekbeleid regions, except in
West-Vlaanderen, where they coincide with the streekbeleid regions (and, p. 13, "behoudens voor
Brugge-Oostende").

:func:`seed_claim_table` computes, on the 2018 grid, the agreement of the partnerships with each
comparison layer: overall, on the municipalities the (partial) Wijk-werken layer covers, outside
West-Vlaanderen and in West-Vlaanderen. ``docs/overlap-findings.md`` reports and discusses it;
``tests/test_overlap_findings.py`` recomputes them independently (and pins the headline figures as
regression pins of this module's output). Run ``python -m geo.findings`` to print it. Wijk-werken is
the merged ``wijk_werken.csv`` + ``wijk_werken_supplement.csv`` (121 of 300 municipalities).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from geo.codes import load_crosswalk, province_of
from geo.layers import Layer, layer_rows, load_layer, make_layer
from geo.overlap import Agreement, agreement
from geo.sources import checked_path

WVL = "West-Vlaanderen"
CLAIM_LAYERS = (
    "wijkwerken", "streekbeleid", "referentieregio", "vervoerregio", "streekwerking",
    "arrondissement", "eerstelijnszone", "woon-igs", "politiezone", "provincie",
)  # fmt: skip


def _subset(layer: Layer, codes: set[str], keep: bool = True) -> Layer:
    return layer.subset(codes, keep)


def _nest(a: Agreement) -> str:
    return f"{a.n_nested}/{a.n_clusters_covered}"


def seed_claim_table(data_dir: str | os.PathLike[str], grid: int = 2018) -> pd.DataFrame:
    """One row per layer: ARI, municipalities compared, nested / wholly covered partnerships and
    partnerships identical to a region; overall, on Wijk-werken's municipalities, outside and in
    West-Vlaanderen."""
    dd = Path(data_dir)
    plan = load_layer("partnerships-2017", grid, dd)
    ww_codes = set(load_layer("wijkwerken", grid, dd)["nis_code"])
    wvl = {c for c in load_crosswalk(dd).codes(grid) if province_of(c) == WVL}
    rows = []
    for lid in CLAIM_LAYERS:
        layer = load_layer(lid, grid, dd)
        a = agreement(plan, layer)
        on_ww = agreement(_subset(plan, ww_codes), layer)
        out = agreement(_subset(plan, wvl, False), _subset(layer, wvl, False))
        inn = agreement(_subset(plan, wvl), _subset(layer, wvl))
        rows.append(
            {
                "layer": lid,
                "partial": layer.partial,
                "ari": a.ari,
                "n": a.n_common,
                "nested": _nest(a),
                "identical": a.n_identical,
                "ari_on_wijkwerken_municipalities": on_ww.ari,
                "n_on_wijkwerken": on_ww.n_common,
                "ari_outside_wvl": out.ari,
                "n_outside_wvl": out.n_common,
                "nested_outside_wvl": _nest(out),
                "ari_wvl": inn.ari,
                "n_wvl": inn.n_common,
                "nested_wvl": _nest(inn),
                "identical_wvl": inn.n_identical,
            }
        )
    return pd.DataFrame(rows)


def sensitivity(data_dir: str | os.PathLike[str], grid: int = 2018) -> dict[str, Agreement]:
    """Variants: Wijk-werken with only the organisations whose membership is complete; the RESOC
    regions before their merger (RESOC Brugge and RESOC Oostende)."""
    dd = Path(data_dir)
    plan = load_layer("partnerships-2017", grid, dd)
    ww = load_layer("wijkwerken", grid, dd)
    raw = layer_rows("wijkwerken", dd)  # wijk_werken.csv + wijk_werken_supplement.csv
    partial = set(raw.loc[raw["region_layer"] == "wijk_werken_partial", "region_name"])
    ww_complete = _subset(ww, set(ww.loc[~ww["region"].isin(partial), "nis_code"]))
    rs = pd.read_csv(checked_path(dd, "regions/resoc_streekbeleid.csv"), dtype=str)
    rs = rs[rs["region_name"].isin(["RESOC Brugge", "RESOC Oostende"])]
    resoc_old = make_layer(
        pd.DataFrame({"nis_code": rs["nis_code"], "region": rs["region_name"], "weight": 1.0}),
        grid, "resoc-pre-merger", "RESOC Brugge + RESOC Oostende", True, "table",
    )  # fmt: skip
    return {
        "wijkwerken_complete_only": agreement(plan, ww_complete),
        "resoc_pre_merger": agreement(plan, resoc_old),
    }


def main() -> None:
    from geo.settings import resolve_data_dir

    dd = resolve_data_dir().path
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(seed_claim_table(dd).round(3).to_string(index=False))
        for k, a in sensitivity(dd).items():
            print(f"{k}: ARI {a.ari:.3f} on {a.n_common} municipalities; nested {_nest(a)}; "
                  f"identical {a.n_identical}")  # fmt: skip


if __name__ == "__main__":
    main()
