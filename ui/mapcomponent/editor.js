// Regiokaart's map editor: an st.components.v2 module on the locally served Leaflet.
// Plain ES module, no build step, nothing fetched from outside the app.
//
// Python sends a view state (municipality -> cluster, clusters, outlines, labels) in full once,
// then only what changed (see ui/mapcomponent/payload.py). A click paints at once, then sends the
// edit ("edit" trigger); Python answers with the changes and an acknowledgement; a refused edit is
// rolled back with the reason shown. Testability contract: every municipality polygon carries
// data-nis and data-cluster; the figures element carries data-testid="rk-figures" with
// data-population-covered and data-municipalities-covered.

const LEAFLET = "/app/static/vendor/leaflet/";
const PENDING_MS = 20000;
const instances = new WeakMap();
// Shared with the loader (ui/mapcomponent/__init__.py), which starts these loads before this
// module has arrived: the page fetches Leaflet, the geometry and the outlines in parallel.
const jsonCache = (window.__rkJson = window.__rkJson || new Map());

function loadLeaflet() {
  if (window.L && window.L.map) return Promise.resolve(window.L);
  if (!window.__rkLeaflet) {
    window.__rkLeaflet = new Promise((resolve, reject) => {
      if (!document.querySelector("link[data-rk-leaflet]")) {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = LEAFLET + "leaflet.css";
        link.dataset.rkLeaflet = "1";
        document.head.appendChild(link);
      }
      const s = document.createElement("script");
      s.src = LEAFLET + "leaflet.js";
      s.onload = () => resolve(window.L);
      s.onerror = () => reject(new Error("leaflet.js could not be loaded"));
      document.head.appendChild(s);
    });
  }
  return window.__rkLeaflet;
}

function loadCss(url) {
  if (!url || document.querySelector(`link[data-rk-css="${url}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = url;
  link.dataset.rkCss = url;
  document.head.appendChild(link);
}

function getJson(url) {
  if (!jsonCache.has(url)) {
    jsonCache.set(
      url,
      fetch(url).then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.json();
      }),
    );
  }
  return jsonCache.get(url);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
}

class MapEditor {
  constructor(root) {
    this.root = root;
    this.api = null;
    this.rev = null;
    this.st = { a: {}, c: {}, m: {}, active: "", d: [], ol: {}, lab: {}, un: "#d9d9d9", lang: "nl" };
    this.layers = new Map(); // nis -> Leaflet polygon layer
    this.override = new Map(); // nis -> {seq, target}: painted, not yet confirmed
    this.pending = new Map(); // seq -> {codes, t}
    this.count = 0;
    this.seqBase = Date.now() * 100;
    this.mode = "click";
    this.gesture = null;
    this.suppressClick = false;
    this.outlineLayers = {};
    this.lastFocus = null;
    this.geoUrl = null;
    this.dashed = new Set();
    this.build();
  }

  // ------------------------------------------------------------------ DOM
  build() {
    const L = window.L;
    this.wrap = el("div", { class: "rk-editor" });
    this.toolbar = el("div", { class: "rk-toolbar", role: "toolbar" });
    this.modeButtons = {};
    for (const m of ["click", "brush", "erase"]) {
      const b = el("button", { type: "button", class: "rk-mode", "data-mode": m, "aria-pressed": "false" });
      b.addEventListener("click", () => this.setMode(m));
      this.modeButtons[m] = b;
      this.toolbar.appendChild(b);
    }
    this.searchForm = el("form", { class: "rk-search", role: "search" });
    this.searchInput = el("input", { type: "search", class: "rk-search-input", list: "", autocomplete: "off" });
    this.searchButton = el("button", { type: "submit", class: "rk-search-button" });
    this.datalist = el("datalist", {});
    this.searchForm.append(this.searchInput, this.searchButton, this.datalist);
    this.searchForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.searchInput.value.trim();
      if (text) this.trigger("search", { text, seq: this.nextSeq() });
    });
    this.allButton = el("button", { type: "button", class: "rk-all" });
    this.allButton.addEventListener("click", () => this.fitAll());
    this.toolbar.append(this.searchForm, this.allButton);
    this.mapDiv = el("div", { class: "rk-map", tabindex: "0", role: "application" });
    this.status = el("div", { class: "rk-status", role: "status", "aria-live": "polite" });
    this.figures = el("div", { class: "rk-figures", "data-testid": "rk-figures" });
    this.legend = el("div", { class: "rk-legend" });
    this.wrap.append(this.toolbar, this.mapDiv, this.status, this.figures, this.legend);
    this.root.appendChild(this.wrap);

    const map = L.map(this.mapDiv, {
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      boxZoom: false,
      attributionControl: false,
      keyboard: true,
      keyboardPanDelta: 100,
    });
    L.control.scale({ imperial: false }).addTo(map);
    map.createPane("rk-outlines").style.zIndex = 450;
    map.createPane("rk-points").style.zIndex = 460;
    map.getPane("rk-outlines").style.pointerEvents = "none";
    map.getPane("rk-points").style.pointerEvents = "none";
    map.setView([51.05, 4.3], 8);
    this.map = map;
    this.box = el("div", { class: "rk-box", hidden: "" });
    this.mapDiv.appendChild(this.box);
    // until the user moves the map, it keeps all of Flanders in view as the page lays out
    this.userMoved = false;
    map.on("dragstart zoomstart", (e) => {
      if (!this.fitting) this.userMoved = true;
    });
    new ResizeObserver(() => {
      if (this.mapDiv.clientWidth === 0 || this.mapDiv.clientHeight === 0) return;
      map.invalidateSize();
      if (!this.userMoved) this.fitAll();
    }).observe(this.mapDiv);
    window.rkMap = map;
    window.rkEditor = this;
    this.bindGestures();
  }

  nextSeq() {
    this.count += 1;
    return this.seqBase + this.count;
  }

  trigger(name, value) {
    if (this.api) this.api.setTriggerValue(name, value);
  }

  lab(key, values = {}) {
    let s = this.st.lab[key] || key;
    for (const [k, v] of Object.entries(values)) s = s.replace(`{${k}}`, v);
    return s;
  }

  nf(x) {
    return new Intl.NumberFormat(this.st.lang === "en" ? "en-GB" : "nl-BE").format(x);
  }

  clusterName(cl) {
    return cl && this.st.c[cl] ? this.st.c[cl][0] : this.lab("unassigned");
  }

  // ------------------------------------------------------------------ data from Python
  async update(data) {
    if (!data) return;
    const full = data.base === null || data.base === undefined;
    if (data.rev !== this.rev) {
      if (!full && data.base !== this.rev) {
        this.trigger("resync", { rev: this.rev, seq: this.nextSeq() });
        return;
      }
      await this.applyState(data, full);
      this.rev = data.rev;
    }
    if (data.f) this.renderFigures(data.f);
    this.handleAcks(data.ack || [], data.msg);
    if (data.focus && data.focus.seq !== this.lastFocus) {
      this.lastFocus = data.focus.seq;
      this.applyFocus(data.focus);
    }
  }

  async applyState(d, full) {
    const st = this.st;
    const changed = new Set();
    let restyleAll = full;
    for (const k of ["m", "lab", "un", "lang", "grid"]) if (k in d) st[k] = d[k];
    if ("lab" in d || "lang" in d) this.renderLabels();
    if ("m" in d) this.renderDatalist();
    if ("c" in d) {
      if (full) st.c = {};
      for (const [cl, v] of Object.entries(d.c)) {
        if (v === null) delete st.c[cl];
        else st.c[cl] = v;
      }
      restyleAll = true; // colours and names follow everywhere
    }
    if ("a" in d) {
      if (full) {
        for (const code of Object.keys(st.a)) changed.add(code);
        st.a = {};
      }
      for (const [code, cl] of Object.entries(d.a)) {
        if (cl === null) delete st.a[code];
        else st.a[code] = cl;
        changed.add(code);
      }
    }
    if ("active" in d) {
      st.active = d.active;
      restyleAll = true;
      this.renderLabels();
    }
    if ("d" in d) {
      this.dashed = new Set(d.d);
      restyleAll = true;
    }
    if ("geo" in d && d.geo !== this.geoUrl) {
      await this.loadGeometry(d.geo);
      restyleAll = true;
    }
    if ("ol" in d) {
      st.ol = d.ol;
      for (const k of ["prov", "cmp", "cs"]) if (d.ol[k]) getJson(d.ol[k]); // in parallel
      this.outlinesDone = (this.outlinesDone || Promise.resolve()).then(() => this.renderOutlines());
    }
    if (restyleAll) for (const code of this.layers.keys()) this.paint(code);
    else for (const code of changed) this.paint(code);
    this.renderLegend();
  }

  async loadGeometry(url) {
    const L = window.L;
    this.geoUrl = url;
    this.status.textContent = this.lab("loading");
    const gj = await getJson(url);
    if (this.geoLayer) this.geoLayer.remove();
    this.layers = new Map();
    this.override = new Map();
    this.geoLayer = L.geoJSON(gj, {
      style: () => ({ weight: 0.6, color: "#ffffff", fillOpacity: 0.7, opacity: 1 }),
      onEachFeature: (f, layer) => {
        const code = f.properties.n;
        this.layers.set(code, layer);
        layer.bindTooltip(() => this.tooltip(code), { sticky: true });
        layer.on("click", (e) => this.onClick(code, e));
      },
    }).addTo(this.map);
    for (const [code, layer] of this.layers) {
      const p = layer._path;
      if (!p) continue;
      p.setAttribute("data-nis", code);
      p.setAttribute("tabindex", "0");
      p.setAttribute("role", "button");
    }
    this.bounds = this.geoLayer.getBounds();
    this.map.invalidateSize();
    this.fitAll();
    this.status.textContent = "";
  }

  async renderOutlines() {
    const L = window.L;
    const ol = this.st.ol || {};
    const specs = {
      prov: { color: "#222222", weight: 2.2 },
      cmp: { color: "#7B2D8E", weight: 2.5 },
      cs: { color: "#000000", weight: 1.5 },
    };
    for (const [k, spec] of Object.entries(specs)) {
      const url = ol[k] || null;
      const cur = this.outlineLayers[k];
      if (cur && cur.url === url) continue;
      if (cur) cur.layer.remove();
      delete this.outlineLayers[k];
      if (!url) continue;
      const gj = await getJson(url);
      const layer = L.geoJSON(gj, {
        pane: k === "cs" ? "rk-points" : "rk-outlines",
        // the comparison outline names its regions in a tooltip (plain text, never HTML)
        interactive: k === "cmp",
        style: () => ({ color: spec.color, weight: spec.weight, fill: false, opacity: 1 }),
        onEachFeature: (f, l) => {
          if (k !== "cmp" || !f.properties) return;
          // region_name is plain text; t (shipped outlines) is HTML-escaped: decode it inertly
          let name = f.properties.region_name;
          if (name == null && f.properties.t != null) {
            name = new DOMParser().parseFromString(String(f.properties.t), "text/html")
              .documentElement.textContent;
          }
          if (name) l.bindTooltip(el("span", {}, String(name)), { sticky: true });
        },
        pointToLayer: (f, latlng) =>
          L.circleMarker(latlng, {
            radius: 4, pane: "rk-points", interactive: false, color: "#000000",
            weight: 1.5, fillColor: "#ffffff", fillOpacity: 1,
          }),
      }).addTo(this.map);
      this.outlineLayers[k] = { url, layer };
    }
    const tiles = !!ol.tiles;
    if (tiles && !this.tiles && ol.tile_url) {
      this.tiles = L.tileLayer(ol.tile_url, { attribution: ol.tile_attr || "" }).addTo(this.map);
      this.map.attributionControl || L.control.attribution().addTo(this.map);
    } else if (!tiles && this.tiles) {
      this.tiles.remove();
      this.tiles = null;
    }
  }

  // ------------------------------------------------------------------ painting
  shown(code) {
    const o = this.override.get(code);
    if (o) return o.target;
    return this.st.a[code] || null;
  }

  paint(code) {
    const layer = this.layers.get(code);
    if (!layer) return;
    const cl = this.shown(code);
    const c = cl ? this.st.c[cl] : null;
    const strong = !!cl && cl === this.st.active;
    const dashed = this.dashed.has(code);
    layer.setStyle({
      fillColor: c ? c[1] : this.st.un,
      fillOpacity: 0.7,
      color: dashed || strong ? "#000000" : "#ffffff",
      weight: dashed ? 3 : strong ? 2.5 : 0.6,
      dashArray: dashed ? "4 3" : null,
      opacity: 1,
    });
    const p = layer._path;
    if (p) {
      p.setAttribute("data-cluster", cl || "");
      const meta = this.st.m[code];
      const name = meta ? meta[0] : code;
      p.setAttribute("aria-label", `${name}: ${this.clusterName(cl)}`);
    }
  }

  tooltip(code) {
    const meta = this.st.m[code] || [code, 0, 0];
    const cl = this.shown(code);
    const box = el("div", { class: "rk-tip" });
    box.append(el("b", { text: meta[0] }), " ", el("small", { text: code }), el("br"));
    box.append(`${this.lab("inhabitants")}: ${this.nf(meta[1])}`, el("br"));
    let ctext = `${this.lab("cluster")}: ${this.clusterName(cl)}`;
    if (cl && this.st.c[cl]) ctext += ` (${this.nf(this.st.c[cl][2])} ${this.lab("inhabitants").toLowerCase()})`;
    box.append(ctext);
    if (meta[2]) box.append(el("br"), this.lab("centrumstad"));
    return box;
  }

  // ------------------------------------------------------------------ edits
  // the cluster a gesture paints into: null frees (eraser), undefined: nothing to paint with
  target() {
    if (this.mode === "erase") return null;
    return this.st.active && this.st.c[this.st.active] ? this.st.active : undefined;
  }

  edit(codes, target, gesture) {
    codes = [...new Set(codes)].filter((c) => this.layers.has(c));
    if (!codes.length) return;
    if (target === undefined || (target !== null && !this.st.c[target])) {
      this.say(this.lab("no_active"), true);
      return;
    }
    const seq = this.nextSeq();
    this.pending.set(seq, { codes, t: performance.now() });
    for (const c of codes) {
      this.override.set(c, { seq, target });
      this.paint(c);
    }
    this.trigger("edit", { seq, codes, cluster: target, gesture, rev: this.rev });
  }

  onClick(code, e) {
    if (this.suppressClick) return;
    if (e && e.originalEvent && e.originalEvent.shiftKey) return;
    if (this.mode === "erase") this.edit([code], null, "erase");
    else {
      // click mode (a brush stroke suppresses its click; Enter on a municipality comes here too)
      const active = this.target();
      if (active === undefined) this.say(this.lab("no_active"), true);
      else this.edit([code], this.shown(code) === active ? null : active, "click");
    }
  }

  handleAcks(acks, msg) {
    let refused = null;
    for (const a of acks) {
      const p = this.pending.get(a.seq);
      if (!p) continue;
      this.pending.delete(a.seq);
      this.resolve(a.seq, p.codes);
      if (!a.ok) refused = a.reason;
    }
    const now = performance.now();
    for (const [seq, p] of this.pending) {
      if (now - p.t > PENDING_MS) {
        this.pending.delete(seq);
        this.resolve(seq, p.codes);
      }
    }
    if (refused) this.say(`${this.lab("refused")}: ${refused}`, true);
    else if (msg && msg.seq !== this.lastMsg) {
      this.lastMsg = msg.seq;
      this.say(msg.text, false);
    }
  }

  resolve(seq, codes) {
    for (const c of codes) {
      const o = this.override.get(c);
      if (o && o.seq === seq) this.override.delete(c);
      this.paint(c);
    }
  }

  say(text, error) {
    this.status.textContent = text;
    this.status.classList.toggle("rk-error", !!error);
    this.status.setAttribute("role", error ? "alert" : "status");
  }

  setMode(m) {
    this.mode = m;
    for (const [k, b] of Object.entries(this.modeButtons)) b.setAttribute("aria-pressed", String(k === m));
    this.mapDiv.classList.toggle("rk-painting", m !== "click");
    if (m === "click") this.map.dragging.enable();
    else this.map.dragging.disable();
  }

  codeAt(x, y) {
    const e = document.elementFromPoint(x, y);
    return e && e.getAttribute ? e.getAttribute("data-nis") : null;
  }

  bindGestures() {
    const div = this.mapDiv;
    const down = (ev) => {
      if (ev.button !== 0) return;
      if (ev.target.closest && ev.target.closest(".leaflet-control")) return;
      if (ev.shiftKey) {
        const r = div.getBoundingClientRect();
        this.gesture = { kind: "box", x0: ev.clientX - r.left, y0: ev.clientY - r.top, x1: 0, y1: 0 };
        this.map.dragging.disable();
        this.updateBox(ev);
        this.box.hidden = false;
        ev.preventDefault();
        ev.stopPropagation();
      } else if (this.mode !== "click") {
        const target = this.target();
        if (target === undefined) {
          this.say(this.lab("no_active"), true);
          return;
        }
        this.gesture = { kind: this.mode === "erase" ? "erase" : "brush", codes: new Set(), target, seq: this.nextSeq() };
        this.brushAt(ev.clientX, ev.clientY);
        ev.preventDefault();
        ev.stopPropagation();
      }
    };
    const move = (ev) => {
      const g = this.gesture;
      if (!g) return;
      if (g.kind === "box") this.updateBox(ev);
      else this.brushAt(ev.clientX, ev.clientY);
    };
    const up = (ev) => {
      const g = this.gesture;
      if (!g) return;
      this.gesture = null;
      this.suppressClick = true;
      setTimeout(() => (this.suppressClick = false), 0);
      if (g.kind === "box") {
        this.updateBox(ev, g);
        this.box.hidden = true;
        if (this.mode === "click") this.map.dragging.enable();
        const p0 = this.map.containerPointToLatLng([Math.min(g.x0, g.x1), Math.min(g.y0, g.y1)]);
        const p1 = this.map.containerPointToLatLng([Math.max(g.x0, g.x1), Math.max(g.y0, g.y1)]);
        const bounds = window.L.latLngBounds(p0, p1);
        const codes = [];
        for (const code of this.layers.keys()) {
          const m = this.st.m[code];
          if (m && bounds.contains([m[3], m[4]])) codes.push(code);
        }
        this.edit(codes, this.target(), "box");
      } else {
        // the brush painted as it went; one edit for the whole stroke
        for (const c of g.codes) this.override.delete(c);
        this.edit([...g.codes], g.target, g.kind);
      }
    };
    div.addEventListener("pointerdown", down, true);
    window.addEventListener("pointermove", move, true);
    window.addEventListener("pointerup", up, true);
    div.addEventListener("keydown", (ev) => this.onKey(ev));
  }

  brushAt(x, y) {
    const g = this.gesture;
    const code = this.codeAt(x, y);
    if (!code || g.codes.has(code)) return;
    g.codes.add(code);
    this.override.set(code, { seq: g.seq, target: g.target });
    this.paint(code);
  }

  updateBox(ev, g = this.gesture) {
    const r = this.mapDiv.getBoundingClientRect();
    g.x1 = ev.clientX - r.left;
    g.y1 = ev.clientY - r.top;
    Object.assign(this.box.style, {
      left: `${Math.min(g.x0, g.x1)}px`,
      top: `${Math.min(g.y0, g.y1)}px`,
      width: `${Math.abs(g.x1 - g.x0)}px`,
      height: `${Math.abs(g.y1 - g.y0)}px`,
    });
  }

  onKey(ev) {
    const code = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-nis");
    if (!code) return; // the map itself: Leaflet's keyboard handler pans
    const pan = { ArrowLeft: [-100, 0], ArrowRight: [100, 0], ArrowUp: [0, -100], ArrowDown: [0, 100] }[ev.key];
    if (pan) {
      this.map.panBy(pan);
      ev.preventDefault();
    } else if (ev.key === "Enter" || ev.key === " ") {
      this.onClick(code, null);
      ev.preventDefault();
    }
  }

  // ------------------------------------------------------------------ zoom and highlight
  fitAll() {
    // a container without a size yet (still being laid out) would give Leaflet a NaN zoom;
    // the ResizeObserver fits the map once it has one
    if (this.bounds && this.mapDiv.clientWidth > 0 && this.mapDiv.clientHeight > 0) {
      this.fitting = true;
      this.map.fitBounds(this.bounds, { padding: [4, 4], animate: false });
      this.fitting = false;
    }
  }

  applyFocus(f) {
    const L = window.L;
    if (Array.isArray(f.bounds) && f.bounds.length === 4) {
      const [s, w, n, e] = f.bounds.map(Number); // a province: (south, west, north, east)
      this.map.fitBounds([[s, w], [n, e]], { padding: [20, 20] });
      return;
    }
    let codes = [];
    if (f.code) codes = [f.code];
    else if (f.cluster) codes = Object.keys(this.st.a).filter((c) => this.st.a[c] === f.cluster);
    const layers = codes.map((c) => this.layers.get(c)).filter(Boolean);
    if (!layers.length) return;
    const b = L.featureGroup(layers).getBounds();
    this.map.fitBounds(b, { padding: [20, 20], maxZoom: f.code ? 11 : 10 });
    for (const l of layers) {
      if (l._path) l._path.classList.add("rk-flash");
    }
    setTimeout(() => layers.forEach((l) => l._path && l._path.classList.remove("rk-flash")), 2500);
    if (f.code) {
      const l = layers[0];
      l.openTooltip(l.getBounds().getCenter());
      if (l._path) l._path.focus({ preventScroll: true });
    }
    if (f.text) this.say(f.text, false);
  }

  // ------------------------------------------------------------------ texts around the map
  renderLabels() {
    const active = this.clusterName(this.st.active || null);
    const labels = { click: "click_help", brush: "brush_help", erase: "erase_help" };
    for (const [m, b] of Object.entries(this.modeButtons)) {
      b.textContent = this.lab(m);
      const help = this.lab(labels[m], { cluster: active });
      b.title = `${help}. ${this.lab("box")}.`;
      b.setAttribute("aria-label", `${this.lab(m)}: ${help}`);
    }
    this.searchInput.placeholder = this.lab("search");
    this.searchInput.setAttribute("aria-label", this.lab("search"));
    this.searchButton.textContent = this.lab("search_button");
    this.allButton.textContent = this.lab("zoom_all");
    this.mapDiv.setAttribute("aria-label", `${this.lab("map")}. ${this.lab("keys")}`);
    this.setMode(this.mode);
  }

  renderDatalist() {
    const id = `rk-names-${Math.random().toString(36).slice(2)}`;
    this.datalist.id = id;
    this.searchInput.setAttribute("list", id);
    this.datalist.replaceChildren(
      ...Object.values(this.st.m)
        .map((m) => m[0])
        .sort((a, b) => a.localeCompare(b))
        .map((n) => el("option", { value: n })),
    );
  }

  renderFigures(f) {
    this.figures.setAttribute("data-rev", String(this.rev));
    this.figures.setAttribute("data-population-covered", String(f.pop));
    this.figures.setAttribute("data-municipalities-covered", String(f.munis));
    this.figures.replaceChildren(
      ...f.items.map(([label, value, sub]) =>
        el("div", { class: "rk-figure" }, el("span", { class: "rk-fig-label", text: label }),
          el("span", { class: "rk-fig-value", text: value }),
          sub ? el("span", { class: "rk-fig-sub", text: sub }) : null),
      ),
    );
  }

  renderLegend() {
    const st = this.st;
    const items = Object.entries(st.c)
      .sort((a, b) => a[1][0].localeCompare(b[1][0]))
      .map(([cl, [name, colour, pop]]) => {
        const item = el("span", { class: "rk-leg" + (cl === st.active ? " rk-leg-active" : ""), "data-cluster": cl },
          el("span", { class: "rk-swatch", style: `background:${colour}` }), ` ${name} `,
          el("small", { text: `(${this.nf(pop)})` }));
        return item;
      });
    items.push(el("span", { class: "rk-leg" }, el("span", { class: "rk-swatch", style: `background:${st.un}` }), ` ${this.lab("unassigned")}`));
    const lines = [
      el("span", { class: "rk-leg" }, el("span", { class: "rk-line rk-line-active" }), ` ${this.lab("active")}`),
    ];
    if (st.ol.prov) lines.push(el("span", { class: "rk-leg" }, el("span", { class: "rk-line rk-line-prov" }), ` ${this.lab("provinces")}`));
    if (st.ol.cmp) lines.push(el("span", { class: "rk-leg" }, el("span", { class: "rk-line rk-line-cmp" }), ` ${st.ol.cmp_label || this.lab("comparison")}`));
    if (st.ol.cs) lines.push(el("span", { class: "rk-leg" }, el("span", { class: "rk-dot" }), ` ${this.lab("centrumstad")}`));
    if (this.dashed.size) lines.push(el("span", { class: "rk-leg" }, el("span", { class: "rk-line rk-line-dashed" }), ` ${this.lab("dashed")}`));
    this.legend.replaceChildren(
      el("div", { class: "rk-legend-title", text: this.lab("legend") }),
      el("div", { class: "rk-legend-items" }, ...items),
      el("div", { class: "rk-legend-items" }, ...lines),
    );
  }
}

export default async function mount(component, cssUrl) {
  const { parentElement, data } = component;
  loadCss(cssUrl);
  if (data && typeof data.geo === "string") getJson(data.geo);
  await loadLeaflet();
  let inst = instances.get(parentElement);
  if (!inst) {
    inst = new MapEditor(parentElement);
    instances.set(parentElement, inst);
  }
  inst.api = component;
  inst.queue = (inst.queue || Promise.resolve()).then(() => inst.update(data)).catch((e) => {
    console.error("regiokaart map:", e);
    inst.say(String(e), true);
  });
  await inst.queue;
}
