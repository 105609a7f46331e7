"""The "Voorstel" screen without Streamlit: its choices, the arguments it gives
:func:`scenarios.propose.propose` / :func:`~scenarios.propose.repair`, the undo label, and a
:class:`~scenarios.propose.ProposalResult` turned into display rows (municipality names, not codes;
the engine's reasons in Dutch or English).

``ui/screens/proposal.py`` draws these; nothing here imports Streamlit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from geo.plans import Plan
from scenarios.definitions import Scenario
from scenarios.propose import ProposalResult
from scenarios.rules import RuleSet
from ui.i18n import t
from ui.model import fmt

Kind = Literal["propose", "repair"]
KEEP_CHOICES = ("meeting", "unblock", "none")
COVER_CHOICES = ("all", "start")
NO_LAYER = "none"
DEFAULT_SEED = 0
DEFAULT_TIME_LIMIT = 5.0

#: Start choices with a fixed meaning; any other key is a shipped plan id (e.g.
#: ``partnerships-2017``, moved to the grid) and ``saved:<name>`` a saved plan.
START_CURRENT = "current"
START_NONE = "none"


def default_start_options(lang: str = "nl") -> dict[str, str]:
    """The start plans the screen offers when the page gives none: the plan in the editor, the
    2017-2019 partnerships moved to the grid, or none."""
    return {
        START_CURRENT: t("pr_start_current", lang),
        "partnerships-2017": t("start_2017", lang),
        START_NONE: t("pr_start_none", lang),
    }


def layer_choice_options(
    layer_options: Mapping[str, str], scenario: Scenario | None, lang: str = "nl"
) -> dict[str, str]:
    """``none`` first, then the page's layers; the scenario's own layer is always offered."""
    out = {NO_LAYER: t("none", lang), **dict(layer_options)}
    if scenario is not None and scenario.comparison_layer and scenario.comparison_layer not in out:
        out[scenario.comparison_layer] = scenario.comparison_layer
    return out


def default_layer(scenario: Scenario | None) -> str:
    """The scenario's comparison layer, or ``none``."""
    return (scenario.comparison_layer if scenario is not None else "") or NO_LAYER


class State(Protocol):
    """A dict or Streamlit's session state."""

    def __contains__(self, key: str) -> bool: ...
    def __getitem__(self, key: str) -> Any: ...
    def __setitem__(self, key: str, value: Any) -> None: ...


def follow_default(state: State, key: str, default: Any) -> None:
    """Let the widget ``key`` follow ``default`` when the default changes (e.g. the page's
    scenario, or the scenario's layer), and keep the user's own choice while it does not."""
    marker = f"{key}__default"
    if key not in state or marker not in state or state[marker] != default:
        state[key] = default
    state[marker] = default


def undo_label(kind: Kind, scenario_id: str, lang: str = "nl") -> str:
    """The editor's undo label: "Voorstel bestuursregisseur", "Herstel beleidsregisseur"."""
    return t("pr_undo_propose" if kind == "propose" else "pr_undo_repair", lang, s=scenario_id)


@dataclass(frozen=True)
class Request:
    """Everything one run needs besides the grid data: the arguments of
    ``propose(gd, rule_set, scenario, **kwargs)`` (or of ``repair(gd, plan, ...)``)."""

    kind: Kind
    rule_set: RuleSet
    scenario: Scenario
    layer: str  # a layer id or "none"
    start: Plan | None  # propose: the start plan; repair: the plan repaired
    cover: str
    keep: str
    seed: int
    time_limit: float

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``propose``/``repair`` (without ``progress``/``evaluator``)."""
        kw: dict[str, Any] = {
            "layer": self.layer,
            "cover": self.cover,
            "keep": self.keep,
            "seed": self.seed,
            "time_limit": self.time_limit,
        }
        if self.kind == "propose":
            kw["start"] = self.start
        return kw


class ChoiceError(ValueError):
    """A combination of choices that cannot run (shown as a message)."""


def build_request(
    kind: Kind,
    rule_set: RuleSet,
    scenario: Scenario | None,
    *,
    layer: str,
    start_key: str,
    current: Plan,
    load_start: Callable[[str], Plan | None],
    cover: str,
    keep: str,
    seed: Any,
    time_limit: Any,
    lang: str = "nl",
) -> Request:
    """Check the screen's choices and turn them into a :class:`Request`.

    ``propose``: the start plan is ``current`` (the editor's) for ``current``, nothing for
    ``none``, else ``load_start(start_key)``. ``repair``: ``current`` is repaired, only its clusters
    with errors or scenario warnings are re-formed (``keep="meeting"``, ``cover="start"``)."""
    if scenario is None:
        raise ChoiceError(t("pr_need_scenario", lang))
    if keep not in KEEP_CHOICES:
        raise ChoiceError(f"keep: {keep!r}")
    if cover not in COVER_CHOICES:
        raise ChoiceError(f"cover: {cover!r}")
    try:
        seed_i = int(seed)
        limit = float(time_limit)
    except (TypeError, ValueError) as exc:
        raise ChoiceError(t("pr_bad_number", lang)) from exc
    if seed_i < 0 or not 0 < limit <= 600:
        raise ChoiceError(t("pr_bad_number", lang))
    layer = layer or NO_LAYER
    if kind == "repair":
        if not current.cluster_names:
            raise ChoiceError(t("pr_repair_empty", lang))
        return Request(kind, rule_set, scenario, layer, current, "start", "meeting", seed_i, limit)
    if start_key == START_CURRENT:
        start: Plan | None = current
    elif start_key == START_NONE:
        start = None
    else:
        start = load_start(start_key)
    if start is not None and not start.cluster_names:
        start = None
    if cover == "start" and start is None:
        raise ChoiceError(t("pr_cover_needs_start", lang))
    return Request(kind, rule_set, scenario, layer, start, cover, keep, seed_i, limit)


def run_request(
    req: Request,
    gd: Any,
    *,
    progress: Callable[[float, str], None] | None = None,
    evaluator: Any = None,
) -> ProposalResult:
    """Run ``propose`` or ``repair`` for ``req`` on grid data ``gd``."""
    from scenarios.propose import propose, repair

    kw = req.kwargs()
    if req.kind == "repair":
        assert req.start is not None
        return repair(
            gd, req.start, req.rule_set, req.scenario,
            progress=progress, evaluator=evaluator, **kw,
        )  # fmt: skip
    return propose(gd, req.rule_set, req.scenario, progress=progress, evaluator=evaluator, **kw)


def compare_plan(req: Request, before: Plan) -> Plan:
    """What the compare screen and the map's dashed municipalities compare the proposal with: the
    start plan (repair: the plan repaired); without one, the plan that was open before."""
    return req.start if req.start is not None else before


# ============================================================================ display
def summary_rows(
    result: ProposalResult, lang: str = "nl", start: bool = True
) -> list[tuple[str, str]]:
    """(label, value) for the summary: clusters, changed municipalities, kept start clusters,
    subsidy requested vs budget, elapsed."""
    ev = result.evaluation
    rows = [(t("clusters", lang), fmt(result.n_clusters, lang))]
    if start:
        rows.append((t("pr_changed", lang), fmt(len(result.changed), lang)))
        rows.append((t("pr_kept", lang), fmt(len(result.kept), lang)))
    if result.added:
        rows.append((t("pr_added", lang), fmt(len(result.added), lang)))
    rows.append(
        (
            t("pr_subsidy", lang),
            f"€ {fmt(ev.total_subsidy_eur, lang)} / € {fmt(ev.budget_eur, lang)}",
        )
    )
    secs = f"{result.elapsed_s:.1f} s"
    rows.append((t("pr_elapsed", lang), secs.replace(".", ",") if lang == "nl" else secs))
    return rows


@dataclass(frozen=True)
class UnmetRow:
    rule: str  # the rule, in words
    cluster: str  # the cluster's display name ("" for a municipality-level entry)
    municipalities: tuple[str, ...]  # names
    message: str  # the evaluator's message (names, not codes)
    reason: str  # why it could not be met


def rule_label(rule_id: str, lang: str = "nl") -> str:
    key = f"pr_rule_{rule_id}"
    try:
        return t(key, lang)
    except KeyError:
        return rule_id


def unmet_rows(
    result: ProposalResult, names: Mapping[str, str], lang: str = "nl"
) -> list[UnmetRow]:
    """The proposal's ``unmet`` entries in words: the rule, the cluster, the municipalities by
    name, the evaluator's message and the reason (the engine's English reason put in Dutch)."""
    plan = result.plan
    out = []
    for u in result.unmet:
        msg = u.message_en if lang == "en" else u.message_nl
        out.append(
            UnmetRow(
                rule=rule_label(u.rule_id, lang),
                cluster=plan.display_name(u.cluster) if u.cluster else "",
                municipalities=tuple(names.get(c, c) for c in u.municipalities),
                message=with_names(msg, names),
                reason=with_names(reason_text(u.reason, lang), names),
            )
        )
    return out


_CODE = re.compile(r"\b(\d{5})\b")


def with_names(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every five-digit NIS code of ``names`` replaced by the municipality's name."""
    return _CODE.sub(lambda m: names.get(m.group(1), m.group(1)), text)


def _nl_number(s: str) -> str:
    """ "117,096" -> "117.096" (Dutch thousands separator)."""
    return s.replace(",", ".")


_N = r"([\d,]+)"
_REGION_NOTE = re.compile(
    r"; the municipalities of (.+?) the search could use, connected to it \((\d+), "
    r"outside kept start clusters\), have " + _N + r" inhabitants$"
)
_ONE = re.compile("")  # marks the singular of the template before it (first group "1")
# (English pattern, Dutch template); groups are numbers (made Dutch) or names (kept)
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^a merged municipality the start plan already splits between clusters; its share "
            r"in a kept start cluster is left as it was$"
        ),
        "een gefuseerde gemeente die het startplan al over clusters verdeelt; haar deel in een "
        "behouden startcluster blijft zoals het was",
    ),
    (
        re.compile(r"^a start cluster outside the search \(kept as it was\)$"),
        "een startcluster buiten de zoektocht (behouden zoals hij was)",
    ),
    (
        re.compile(
            r"^the (\d+) connected municipalities not in kept start clusters around it have "
            + _N
            + r" inhabitants in all, fewer than "
            + _N
            + r"( \(kept start clusters close it off\))?$"
        ),
        "de {0} aaneengesloten gemeenten errond die niet in behouden startclusters zitten, hebben "
        "samen {1} inwoners, minder dan {2}{3}",
    ),
    (
        _ONE,
        "de enige aangrenzende gemeente die niet in een behouden startcluster zit, heeft {1} "
        "inwoners, minder dan {2}{3}",
    ),
    (
        re.compile(
            r"^the (\d+) municipalities of (.+?) connected to it and not in kept start clusters "
            r"have " + _N + r" inhabitants, fewer than " + _N + r": they cannot form a cluster "
            r"inside their region$"
        ),
        "de {0} gemeenten van {1} die eraan grenzen en niet in behouden startclusters zitten, "
        "hebben {2} inwoners, minder dan {3}: ze kunnen binnen hun regio geen cluster vormen",
    ),
    (
        _ONE,
        "de enige gemeente van {1} die eraan grenst en niet in een behouden startcluster zit, "
        "heeft {2} inwoners, minder dan {3}: ze kan binnen haar regio geen cluster vormen",
    ),
    (
        re.compile(
            r"^no contiguous cluster of at most (\d+) municipalities reaching "
            + _N
            + r" inhabitants was found without breaking another cluster$"
        ),
        "er werd geen aaneengesloten cluster van hoogstens {0} gemeenten met {1} inwoners "
        "gevonden zonder een andere cluster te breken",
    ),
    (
        re.compile(
            r"^no contiguous cluster of "
            + _N
            + r" inhabitants was found without breaking another cluster or leaving the "
            r"comparison region$"
        ),
        "er werd geen aaneengesloten cluster van {0} inwoners gevonden zonder een andere cluster "
        "te breken of de vergelijkingsregio te verlaten",
    ),
    (
        re.compile(r"^the comparison layer has no region for these municipalities$"),
        "de vergelijkingslaag heeft geen regio voor deze gemeenten",
    ),
    (
        re.compile(
            r"^a cluster that meets the size bounds had to reach across the comparison "
            r"region's border$"
        ),
        "een cluster die binnen de grenzen van de schaal blijft, moest over de grens van de "
        "vergelijkingsregio reiken",
    ),
    (
        re.compile(r"^no split into contiguous clusters within the bounds was found$"),
        "er werd geen opsplitsing in aaneengesloten clusters binnen de grenzen gevonden",
    ),
    (
        re.compile(r"^two centrumsteden could not be separated within the bounds$"),
        "twee centrumsteden konden binnen de grenzen niet gescheiden worden",
    ),
    (
        re.compile(r"^a start cluster kept as it was is not contiguous$"),
        "een ongewijzigd behouden startcluster is niet aaneengesloten",
    ),
    (
        re.compile(r"^not met within the time limit$"),
        "niet gehaald binnen de tijdslimiet",
    ),
]


def reason_text(reason: str, lang: str = "nl") -> str:
    """The engine's reason (English) in ``lang``; an unknown reason is shown as it is."""
    if lang == "en":
        return reason
    original, note = reason, ""
    m = _REGION_NOTE.search(reason)
    if m:
        reason = reason[: m.start()]
        note = (
            f"; de gemeenten van {m.group(1)} die de zoektocht kon gebruiken en die eraan grenzen "
            f"({m.group(2)}, buiten behouden startclusters), hebben {_nl_number(m.group(3))} "
            "inwoners"
        )
    for i, (pattern, template) in enumerate(_REASONS):
        if pattern is _ONE:
            continue
        hit = pattern.match(reason)
        if hit is None:
            continue
        groups = []
        for g in hit.groups():
            if g is None:
                groups.append("")
            elif g == " (kept start clusters close it off)":
                groups.append(" (behouden startclusters sluiten ze in)")
            elif re.fullmatch(r"[\d,]+", g):
                groups.append(_nl_number(g))
            else:
                groups.append(g)
        if groups[:1] == ["1"] and i + 1 < len(_REASONS) and _REASONS[i + 1][0] is _ONE:
            template = _REASONS[i + 1][1]
        return template.format(*groups) + note
    return original
