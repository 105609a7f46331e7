"""Regiokaart's map editor: a bidirectional Streamlit component (``st.components.v2``) on the
locally served Leaflet.

API::

    result = map_editor(data, key="rk-map", on_edit=..., on_search=..., on_resync=...)

``data`` comes from :func:`ui.mapcomponent.payload.SentStates.payload` (a full view state once,
then only changes) plus ``f`` (figures), ``ack`` (outcomes of the latest edits), ``msg`` and
``focus`` (zoom to a municipality or cluster). The browser sends three trigger values, read in the
callbacks with :func:`trigger`:

* ``edit``: ``{seq, codes, cluster, gesture, rev}``, painted already; apply it with
  :func:`ui.mapcomponent.payload.apply_edit` and acknowledge it (``ack``);
* ``search``: ``{seq, text}``, a municipality name to find (answer with ``focus``);
* ``resync``: ``{rev}``, the browser lost track of the revisions: send a full state.

The front end (``editor.js``, ``editor.css``) is written once per content version to
``static/generated/`` (served at ``/app/static/``) and loaded by a two-line module, so a rerun
sends neither the script nor the geometry again; the geometry, outlines and points are static
files of the same kind, loaded once and cached by the browser.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st

from geo.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE.parents[1] / "static"
COMPONENT = "regiokaart.map_editor"


def write_static(text: str, stem: str, suffix: str, folder: Path = STATIC_DIR) -> str:
    """Write ``text`` under ``folder/generated`` named by content hash (atomic, once); return
    its URL under ``/app/static/``."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    name = f"{stem}-{digest}.{suffix}"
    target = folder / "generated" / name
    if not target.exists():
        atomic_write_text(target, text)
    return f"/app/static/generated/{name}"


@lru_cache(maxsize=1)
def _definition() -> tuple[str, str | None]:
    """(js, css) for the component: a small loader of the static module, or, when the static
    folder is not writable, the module and its style inline."""
    js = (HERE / "editor.js").read_text(encoding="utf-8")
    css = (HERE / "editor.css").read_text(encoding="utf-8")
    try:
        css_url = write_static(css, "rk-map", "css")
        js_url = write_static(js, "rk-map", "js")
    except OSError:
        return js, css
    leaflet = "/app/static/vendor/leaflet/leaflet"
    loader = (  # several lines: Streamlit takes a one-line string for a file path
        "// Regiokaart map editor: start loading Leaflet and the geometry, then the module\n"
        "export default function (c) {\n"
        "  const abs = (u) => new URL(u, document.baseURI).href;\n"
        "  const d = c.data || {};\n"
        "  const json = (window.__rkJson = window.__rkJson || new Map());\n"
        "  if (typeof d.geo === 'string' && d.geo && !json.has(d.geo)) {\n"
        "    json.set(d.geo, fetch(d.geo).then((r) => { if (!r.ok) throw new Error(d.geo); return r.json(); }));\n"
        "  }\n"
        "  if (!window.L && !window.__rkLeaflet) {\n"
        "    window.__rkLeaflet = new Promise((ok, fail) => {\n"
        "      const l = document.createElement('link');\n"
        f"      l.rel = 'stylesheet'; l.href = abs({json.dumps(leaflet + '.css')}); l.dataset.rkLeaflet = '1';\n"
        "      document.head.appendChild(l);\n"
        "      const s = document.createElement('script');\n"
        f"      s.src = abs({json.dumps(leaflet + '.js')});\n"
        "      s.onload = () => ok(window.L); s.onerror = () => fail(new Error('leaflet.js'));\n"
        "      document.head.appendChild(s);\n"
        "    });\n"
        "  }\n"
        f"  return import(abs({json.dumps(js_url)})).then((m) => m.default(c, abs({json.dumps(css_url)})));\n"
        "}\n"
    )
    return loader, None


@lru_cache(maxsize=1)
def _renderer() -> Any:
    js, css = _definition()
    return st.components.v2.component(COMPONENT, js=js, css=css, isolate_styles=False)


def map_editor(
    data: dict[str, Any],
    *,
    key: str,
    on_edit: Callable[[], None],
    on_search: Callable[[], None],
    on_resync: Callable[[], None],
) -> Any:
    """Mount the editor (see module docstring); returns the component's result."""
    return _renderer()(
        key=key,
        data=data,
        on_edit_change=on_edit,
        on_search_change=on_search,
        on_resync_change=on_resync,
        width="stretch",
        height="content",
    )


def trigger(key: str, name: str) -> Any:
    """The value of trigger ``name`` of the component ``key`` in this run (in a callback)."""
    value = st.session_state.get(key)
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None) if value is not None else None


__all__ = ["map_editor", "trigger", "write_static"]
