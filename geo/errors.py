"""Error types. Every error the user can cause is a :class:`RegiokaartError` with a clear message.

The CLI and the app print ``str(error)``; they never show a traceback for these.
"""

from __future__ import annotations

from collections.abc import Sequence


class RegiokaartError(Exception):
    """Base class for errors caused by input or data, with a message meant for the user."""

    def __init__(self, message: str, details: Sequence[str] = ()) -> None:
        self.message = message
        self.details = list(details)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


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


class CRSError(RegiokaartError):
    """Geometries with a missing or mismatched coordinate reference system."""


class LayerError(RegiokaartError):
    """A comparison layer is unknown, unreadable or invalid."""


class InputError(RegiokaartError):
    """An input table besides plans and layers (e.g. unemployment rates) is invalid."""
