"""Saved plans on the user's own disk, and plan files brought in by upload.

A saved plan is **one** JSON file (``<slug>.plan.json``) holding the plan CSV text, its colours and
the settings it was made with. One file per plan, written atomically (temporary file, fsync,
rename): if the app stops mid-write, the previous version stays intact and no half file appears.
The folder is ``$REGIOKAART_PLANS_DIR``, else ``$XDG_DATA_HOME/regiokaart/plans`` (default
``~/.local/share/regiokaart/plans``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from geo.atomic import atomic_write_text
from geo.errors import PlanError
from geo.plans import Plan

SUFFIX = ".plan.json"


def plans_dir() -> Path:
    env = os.environ.get("REGIOKAART_PLANS_DIR")
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "regiokaart" / "plans"


def slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    s = re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()[:60]
    if not s:
        raise PlanError("Geef het plan een naam. / Give the plan a name.")
    return s


@dataclass(frozen=True)
class SavedPlan:
    name: str
    path: Path
    saved_at: str
    grid: int
    n_clusters: int
    meta: dict[str, Any]
    csv_text: str
    colours: dict[str, str]


class PlanStore:
    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else plans_dir()

    def path(self, name: str) -> Path:
        return self.folder / f"{slug(name)}{SUFFIX}"

    def save(
        self,
        name: str,
        plan: Plan,
        colours: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> Path:
        """Write (or overwrite) the plan ``name`` atomically."""
        doc = {
            "format": "regiokaart-plan/1",
            "name": name.strip(),
            "saved_at": datetime.now().isoformat(timespec="seconds"),
            "grid": plan.grid,
            "n_clusters": len(plan.clusters),
            "cluster_names": dict(plan.cluster_names),
            "colours": dict(colours or {}),
            "settings": dict(settings or {}),
            "plan_csv": plan.to_csv_text(),
        }
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        return atomic_write_text(self.path(name), text)

    def scan(self) -> tuple[list[SavedPlan], list[str]]:
        """The readable plans, newest first, and one problem line per unreadable file (a foreign
        or damaged file is reported, never loaded)."""
        plans: list[SavedPlan] = []
        bad: list[str] = []
        for p in sorted(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []:
            try:
                plans.append(self._read(p))
            except PlanError as exc:
                bad.append(str(exc))
        return sorted(plans, key=lambda s: s.saved_at, reverse=True), bad

    def list(self) -> list[SavedPlan]:
        return self.scan()[0]

    def load(self, name: str) -> SavedPlan:
        p = self.path(name)
        if not p.exists():
            raise PlanError(f"Geen bewaard plan '{name}'. / No saved plan '{name}'.")
        return self._read(p)

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    @staticmethod
    def _read(p: Path) -> SavedPlan:
        try:
            doc = json.loads(p.read_text("utf-8"))
            return SavedPlan(
                name=str(doc["name"]),
                path=p,
                saved_at=str(doc["saved_at"]),
                grid=int(doc["grid"]),
                n_clusters=int(doc.get("n_clusters", 0)),
                meta=dict(doc.get("settings") or {}),
                csv_text=str(doc["plan_csv"]),
                colours={str(k): str(v) for k, v in (doc.get("colours") or {}).items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PlanError(f"{p.name}: geen leesbaar plan / not a readable plan ({exc}).") from exc


def plan_from_bytes(data: bytes, filename: str, gd: Any) -> Plan:
    """An uploaded plan file, validated exactly like ``regiokaart evaluate --plan FILE``
    (names resolved, duplicates and double membership refused) and moved to ``gd.grid``."""
    from geo.context import load_plan

    suffix = Path(filename).suffix.lower() or ".csv"
    if suffix not in (".csv", ".txt", ".xlsx", ".xls", ".gpkg", ".geojson", ".json"):
        raise PlanError(
            f"{filename}: een plan is een CSV- of Excel-bestand. / A plan is a CSV or Excel file."
        )
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / (Path(filename).stem + suffix)
        p.write_bytes(data)
        plan = load_plan(p, gd)
    stem = Path(filename).stem
    return replace(plan, name=stem)
