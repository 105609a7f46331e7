"""Escaping of user text (cluster, plan, region, file and municipality names, error messages that
quote them) before the app shows it.

- :func:`md_escape` for anything Streamlit renders as Markdown (``st.markdown``, ``st.caption``,
  ``st.info``/``warning``/``error``/``success``, ``st.toast``, widget and expander labels, metric
  labels), including Markdown with ``unsafe_allow_html``: ``<`` and ``>`` become HTML entities and
  ASCII punctuation that can start Markdown gets a backslash (``-``, quotes and the like only at
  the start of a line, so "Sint-Niklaas" stays readable), so ``![x](http://evil/x.png)``
  shows as that text instead of loading a remote image, and ``www.evil.com`` or ``http://...`` never
  become links. Line breaks are kept as Markdown hard breaks.
- :func:`html_escape` for HTML (the printable summary, Leaflet tooltips).

Tables (``st.dataframe``) and select-box options are plain text and need neither.
"""

from __future__ import annotations

import html
import re
import string

_ENTITIES = {"<": "&lt;", ">": "&gt;"}
_HARMLESS = "-'\",;?/%=^."  # inline these never start Markdown or HTML (see _line)
_TABLE = {ord(c): _ENTITIES.get(c, "\\" + c) for c in string.punctuation if c not in _HARMLESS}
_TABLE[ord("\r")] = ""
_TABLE[ord("\t")] = " "


_WWW = re.compile(r"(www)\.", re.IGNORECASE)  # GFM turns www.x.y into a link
_ORDERED = re.compile(r"(\d+)([.)])")


def _line(line: str) -> str:
    out = _WWW.sub(r"\1\\.", line.translate(_TABLE))
    lead = out.lstrip(" ")
    indent = out[: len(out) - len(lead)]
    if lead[:1] in ("-", "="):  # "- item", "=== heading": only at a line start
        out = indent + "\\" + lead
    elif m := _ORDERED.match(lead):  # "1. item"
        out = indent + m.group(1) + "\\" + lead[len(m.group(1)) :]
    return out


def md_escape(text: object) -> str:
    """``text`` as Markdown (and Markdown-with-HTML) that renders exactly as the text."""
    return "  \n".join(_line(line) for line in str(text).split("\n"))


def html_escape(text: object) -> str:
    """``text`` for HTML element content and attribute values (quotes escaped)."""
    return html.escape(str(text), quote=True)
