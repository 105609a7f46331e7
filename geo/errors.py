"""Error types. Every error the user can cause is a :class:`RegiokaartError` with a clear message.

The CLI and the app print ``str(error)``; they never show a traceback for these.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_SHOWN_PROBLEMS = 50  # an error message lists at most this many problems, then a count
MAX_PROBLEM_CHARS = 300  # and cuts each problem at this many characters


class RegiokaartError(Exception):
    """Base class for errors caused by input or data, with a message meant for the user.

    ``details`` keeps every problem; the message shows the first :data:`MAX_SHOWN_PROBLEMS`
    (each cut at :data:`MAX_PROBLEM_CHARS`) and "... and N more problems", so a file with a million
    bad rows gives a message of a few kilobytes."""

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        self.message = message
        self.details = list(details)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.details:
            return self.message
        shown = [_cut(str(d)) for d in self.details[:MAX_SHOWN_PROBLEMS]]
        rest = len(self.details) - len(shown)
        if rest > 0:
            shown.append(f"… and {rest} more problem{'s' if rest != 1 else ''}")
        return self.message + "\n" + "\n".join(f"  - {d}" for d in shown)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_PROBLEM_CHARS else text[: MAX_PROBLEM_CHARS - 1] + "…"


class DataDirError(RegiokaartError):
    """The data directory or one of its files is missing, unreadable or corrupt."""


class ChecksumError(DataDirError):
    """A data file does not match the sha256 pinned in the source manifest."""


class GridError(RegiokaartError):
    """A code, table or year does not belong to the requested municipality grid."""


class UnknownNameError(RegiokaartError):
    """A municipality name could not be resolved to a NIS code."""


class PlanError(RegiokaartError):
    """A plan file is invalid (unknown codes, duplicates, a municipality in two clusters, ...)."""


class StoreError(RegiokaartError):
    """The plan store cannot be opened or written, or a saved plan or version does not exist."""


class CRSError(RegiokaartError):
    """Geometries with a missing or mismatched coordinate reference system."""


class LimitError(RegiokaartError):
    """An input is larger than the tool accepts (file size, rows, zip entries, unpacked size)."""


class LayerError(RegiokaartError):
    """A comparison layer is unknown, unreadable or invalid."""


class InputError(RegiokaartError):
    """An input table besides plans and layers (e.g. unemployment rates) is invalid."""


class ProvinceError(RegiokaartError):
    """An unknown province."""
