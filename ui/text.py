"""Escaping of user text (cluster, plan, region, file and municipality names, error messages that
quote them) before the app shows it.

- :func:`md_escape` for anything Streamlit renders as Markdown (``st.markdown``, ``st.caption``,
  ``st.info``/``warning``/``error``/``success``, ``st.toast``, widget and expander labels, metric
  labels), including Markdown with ``unsafe_allow_html``: ``<``, ``>``, ``&`` and quotes become HTML
  entities and every other ASCII punctuation character gets a backslash, so ``![x](http://evil/x.png)``
  shows as that text instead of loading a remote image, and ``www.evil.com`` or ``http://...`` never
  become links. Line breaks are kept as Markdown hard breaks.
- :func:`html_escape` for HTML (the printable summary, Leaflet tooltips).

Tables (``st.dataframe``) and select-box options are plain text and need neither.
"""

from __future__ import annotations

import html
import string

_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;"}
_TABLE = {
    ord(c): _ENTITIES.get(c, "\\" + c) for c in string.punctuation
}  # every ASCII punctuation character
_TABLE[ord("\r")] = ""
_TABLE[ord("\t")] = " "


def md_escape(text: object) -> str:
    """``text`` as Markdown (and Markdown-with-HTML) that renders exactly as the text."""
    lines = str(text).translate(_TABLE).split("\n")
    return "  \n".join(lines)


def html_escape(text: object) -> str:
    """``text`` for HTML element content and attribute values (quotes escaped)."""
    return html.escape(str(text), quote=True)
