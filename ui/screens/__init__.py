"""The app's screens: one module per screen, each with ``render(ctx)``, and the registry that
the page's screen switch lists. Adding a screen is one module, one line in :data:`SCREENS` and
its i18n keys (``screen_<id>``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ui.editor import Editor
from ui.state import Settings


@dataclass(frozen=True)
class Ctx:
    """What a screen gets: the settings, the editor of the grid on view, the grid's data, the
    plan's evaluation and the translator."""

    settings: Settings
    editor: Editor
    grid_data: Any
    evaluation: Any
    T: Callable[..., str]
    lang: str


@dataclass(frozen=True)
class Screen:
    id: str  # also the i18n key "screen_<id>" and the link's ``screen=`` value
    render: Callable[[Ctx], None]


def _screens() -> tuple[Screen, ...]:
    from ui.screens import bewaren, kaart, overlap, proposal, regels, vergelijken

    return (
        Screen("kaart", kaart.render),
        Screen("voorstel", proposal.render),
        Screen("overlap", overlap.render),
        Screen("vergelijken", vergelijken.render),
        Screen("bewaren", bewaren.render),
        Screen("regels", regels.render),
    )


SCREENS: tuple[Screen, ...] = _screens()
DEFAULT = SCREENS[0].id


def by_id(screen_id: str) -> Screen:
    return next((s for s in SCREENS if s.id == screen_id), SCREENS[0])
