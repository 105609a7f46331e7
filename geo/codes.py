"""NIS (REFNIS) codes: provinces, arrondissements, the REFNIS history and the grid crosswalk.

A NIS code is a 5-character string. Its first two digits name the arrondissement (``11`` = Antwerpen,
``23`` = Halle-Vilvoorde, ...) and its first digit the province, except Vlaams-Brabant (``23``/``24``).

The **grid crosswalk** maps each code of one grid to its successor on a later grid. All Flemish changes
between the 2018, 2019 and 2025 grids are mergers, so moving a table forward is a sum over predecessors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import pandas as pd

from geo.errors import DataDirError, GridError
from geo.settings import GRIDS
from geo.sources import checked_path

NIS_RE = re.compile(r"^\d{5}$")

ARRONDISSEMENTS: dict[str, str] = {
    "11": "Antwerpen", "12": "Mechelen", "13": "Turnhout",
    "23": "Halle-Vilvoorde", "24": "Leuven",
    "31": "Brugge", "32": "Diksmuide", "33": "Ieper", "34": "Kortrijk", "35": "Oostende",
    "36": "Roeselare", "37": "Tielt", "38": "Veurne",
    "41": "Aalst", "42": "Dendermonde", "43": "Eeklo", "44": "Gent", "45": "Oudenaarde",
    "46": "Sint-Niklaas",
    "71": "Hasselt", "72": "Maaseik", "73": "Tongeren",
    "21": "Brussel-Hoofdstad",
}  # fmt: skip

PROVINCES: dict[str, str] = {
    "1": "Antwerpen", "23": "Vlaams-Brabant", "24": "Vlaams-Brabant", "3": "West-Vlaanderen",
    "4": "Oost-Vlaanderen", "7": "Limburg", "21": "Brussels Hoofdstedelijk Gewest",
}  # fmt: skip


def normalise_code(value: object) -> str:
    """Return a 5-character NIS code string or raise ``ValueError``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if not NIS_RE.match(s):
        raise ValueError(f"'{value}' is not a 5-digit NIS code")
    return s


def is_flemish(code: str) -> bool:
    """True for municipality codes of the Flemish Region (provinces 1, 23/24, 3, 4, 7)."""
    return code[0] in "1347" or code[:2] in ("23", "24")


def is_brussels(code: str) -> bool:
    return code[:2] == "21"


def province_of(code: str) -> str:
    return PROVINCES.get(code[:2]) or PROVINCES.get(code[0]) or "?"


def arrondissement_of(code: str) -> str:
    return ARRONDISSEMENTS.get(code[:2], "?")


def is_municipality_code(code: str) -> bool:
    """Municipal rows in Statbel tables: not a region/province/arrondissement subtotal."""
    return bool(NIS_RE.match(code)) and not code.endswith("000") and code not in ("20001", "20002")


# --------------------------------------------------------------------------------------- REFNIS
@lru_cache(maxsize=4)
def read_refnis(data_dir: Path) -> pd.DataFrame:
    """Statbel REFNIS table, municipalities only (level 4), with parsed validity dates."""
    p = checked_path(data_dir, "codes/TU_COM_REFNIS.txt")
    df = pd.read_csv(p, sep="|", dtype=str, encoding="utf-8-sig")
    df = df[df["LVL_REFNIS"] == "4"].copy()
    df["start"] = pd.to_datetime(df["DT_VLDT_START"], format="%d/%m/%Y")
    df["end"] = pd.to_datetime(df["DT_VLDT_END"].str.replace("9999", "2262"), format="%d/%m/%Y")
    return df.rename(columns={"CD_REFNIS": "nis_code"}).reset_index(drop=True)


# ------------------------------------------------------------------------------------ crosswalk
@dataclass(frozen=True)
class Crosswalk:
    """Successor codes between consecutive grids: ``steps[(2018, 2019)][old] = new``.

    Codes that do not change map to themselves; only Flemish and Brussels codes are included.
    """

    steps: dict[tuple[int, int], dict[str, str]]
    names: dict[str, str]

    def mapping(self, source: int, target: int) -> dict[str, str]:
        """Code mapping from ``source`` grid to a later ``target`` grid (composed steps)."""
        if source == target:
            return {c: c for c in self.codes(source)}
        if target < source:
            raise GridError(
                f"Cannot move a table from the {source} grid back to the {target} grid: merged "
                "municipalities cannot be split. Use data of the older grid instead."
            )
        grids = sorted(GRIDS)
        chain = grids[grids.index(source) : grids.index(target) + 1]
        m = {c: c for c in self.steps[(chain[0], chain[1])]}
        for a, b in pairwise(chain):
            step = self.steps[(a, b)]
            m = {old: step[mid] for old, mid in m.items()}
        return m

    def predecessors(self, source: int, target: int) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for old, new in self.mapping(source, target).items():
            out.setdefault(new, []).append(old)
        return out

    def codes(self, grid: int) -> list[str]:
        """All municipality codes (Flanders and Brussels) of ``grid``."""
        for (a, _), step in self.steps.items():
            if a == grid:
                return sorted(step)
        last = max(self.steps)
        if grid == last[1]:
            return sorted(set(self.steps[last].values()))
        raise GridError(f"Unknown grid {grid}; known grids: {', '.join(map(str, GRIDS))}.")

    def grids_of(self, code: str) -> list[int]:
        """The grids on which ``code`` is a municipality."""
        return [g for g in GRIDS if code in set(self.codes(g))]


@lru_cache(maxsize=4)
def load_crosswalk(data_dir: Path) -> Crosswalk:
    """Build the 2018 -> 2019 -> 2025 crosswalk from the manifest's code tables.

    2019 -> 2025 comes from Provincies in Cijfers' complete mapping (checked against the merger list);
    2018 -> 2019 from the merger list applied to the 2019 mapping's source codes.
    """
    full = pd.read_excel(checked_path(data_dir, "codes/gemeente2024_gemeente.xlsx"), dtype=str)
    step_19_25 = {
        normalise_code(a): normalise_code(b)
        for a, b in zip(full["gemeente2024"], full["gemeente"], strict=True)
    }
    step_19_25 = {a: b for a, b in step_19_25.items() if is_flemish(a) or is_brussels(a)}
    cw = pd.read_csv(checked_path(data_dir, "codes/municipality_crosswalk.csv"), dtype=str)
    cw["old_nis"] = cw["old_nis"].map(normalise_code)
    cw["new_nis"] = cw["new_nis"].map(normalise_code)
    names = dict(zip(cw["old_nis"], cw["old_name_nl"], strict=True))
    merges_2019 = cw[(cw["valid_to"] == "2019-01-01") & cw["old_nis"].map(is_flemish)]
    step_18_19 = {c: c for c in step_19_25}
    for old, new in zip(merges_2019["old_nis"], merges_2019["new_nis"], strict=True):
        step_18_19[old] = new
    # new 2019 codes are not 2018 codes
    for new in set(merges_2019["new_nis"]):
        if new not in set(merges_2019["old_nis"]):
            step_18_19.pop(new, None)
    # check the 2025 merger list agrees with the complete mapping
    merges_2025 = cw[cw["valid_to"] == "2025-01-01"]
    for old, new in zip(merges_2025["old_nis"], merges_2025["new_nis"], strict=True):
        if step_19_25.get(old) != new:
            raise DataDirError(
                f"Crosswalk tables disagree for {old}: merger list says {new}, "
                f"gemeente2024_gemeente.xlsx says {step_19_25.get(old)}."
            )
    return Crosswalk({(2018, 2019): step_18_19, (2019, 2025): step_19_25}, names)


def move_table(
    table: pd.DataFrame | pd.Series, source: int, target: int, crosswalk: Crosswalk
) -> pd.DataFrame | pd.Series:
    """Move a table of additive statistics (indexed by NIS code) to a later grid by summing.

    Totals are preserved exactly. Codes not on the ``source`` grid raise :class:`GridError`.
    """
    mapping = crosswalk.mapping(source, target)
    unknown = [c for c in table.index if c not in mapping]
    if unknown:
        raise GridError(
            f"{len(unknown)} code(s) are not municipalities of the {source} grid: "
            + ", ".join(unknown[:10])
        )
    moved = table.groupby(table.index.map(mapping)).sum()
    moved.index.name = "nis_code"
    moved.attrs = {**table.attrs, "grid": target, "moved_from_grid": source}
    return moved
