"""Spreadsheet-safe cells: neutralise text that a spreadsheet would run as a formula.

OWASP "CSV injection": a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``,
``+cmd|...``). Every CSV and XLSX the tool writes passes its text cells through
:func:`neutralise_cell`, which prefixes a single quote (``'``); numbers stay numbers (``-1`` as a
number is not touched, ``"-1+1"`` as text is).

The plan CSV is also a file the tool reads back, so :func:`unneutralise_cell` strips exactly one
leading quote when the rest starts with one of those characters: a cluster named ``=SUM(1)`` is
written as ``'=SUM(1)`` and read back as ``=SUM(1)`` (names round-trip). A name the user typed with
a leading quote before such a character (``'=x``) therefore reads as ``=x``; that is the price of the
round trip and is documented in the README.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """``'`` + text for text that starts with = + - @ tab or CR; anything else unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def unneutralise_cell(value: Any) -> Any:
    """The inverse of :func:`neutralise_cell` for text the tool wrote (one quote stripped)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(DANGEROUS_FIRST):
        return value[1:]
    return value


def csv_cell(value: Any) -> Any:
    """:func:`neutralise_cell` for CSV, with carriage returns inside text as ``\\n``: a CSV writer
    with ``\\n`` line ends quotes a field holding ``\\n`` but not one holding a lone ``\\r``,
    which spreadsheet and pandas readers then take as a line end."""
    value = neutralise_cell(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _map_text(df: pd.DataFrame, fn: Any) -> pd.DataFrame:
    out = df.copy()
    out.columns = [fn(c) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            out.isetitem(i, col.map(fn, na_action="ignore"))
    return out


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are neutralised; numbers untouched."""
    return _map_text(df, neutralise_cell)


def unsafe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table read from a file with :func:`unneutralise_cell` applied to its text."""
    return _map_text(df, unneutralise_cell)


def csv_text(df: pd.DataFrame) -> str:
    """``df.to_csv(index=False)`` with neutralised text cells: the one CSV writer for tables."""
    return str(_map_text(df, csv_cell).to_csv(index=False))
