/* The curation editor: pick a place, trace its shape with Leaflet-Geoman over a basemap, save.
 *
 * Coordinates on screen are in the basemap's datum (GCJ-02 on Amap, WGS-84 elsewhere); the server
 * converts both ways with geo.crs (exact inverse) and measures areas as the build does (pyproj,
 * geodesic), so the area shown while drawing is the one the layer will carry. Untrusted text
 * (names, quotes, notes) is only ever set as textContent.
 * Longer than ~250 lines: the one page's whole behaviour (the drawing tools and undo, the place's
 * panel, the review list), sharing the map, the shape being drawn and the request token. */
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);

  const map = L.map("map", { center: [36.66, 117.02], zoom: 12 });
  map.pm.addControls({
    position: "topleft", drawMarker: true, drawPolyline: true, drawPolygon: true, drawRectangle: false,
    drawCircle: false, drawCircleMarker: false, drawText: false, cutPolygon: false, rotateMode: false,
    editMode: true, dragMode: true, removalMode: true,
  });
  map.pm.setGlobalOptions({ snappable: true, snapDistance: 15, allowSelfIntersection: true });
  // Geoman titles the box around each tool button, not the button: a screen reader heard "button".
  map.getContainer().querySelectorAll(".leaflet-pm-toolbar .button-container").forEach((box) => {
    const button = box.querySelector(".leaflet-buttons-control-button");
    if (button && box.title && !button.getAttribute("aria-label")) button.setAttribute("aria-label", box.title);
  });

  const state = { basemap: null, crs: "wgs84", tiles: null, districts: null, reference: null,
                  place: null, shape: null, history: [], drawing: null };
  window.JZC = { map, state, ready: false };

  function api(url, body) {
    const init = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
    };
    // An answer that is not JSON (a proxy's 502 page) becomes a description like the server's own.
    return fetch(url, init).then((r) => r.text().then((text) => {
      try {
        return { status: r.status, data: JSON.parse(text) };
      } catch (err) {
        return { status: r.status, data: { description: `服务器错误 · Server error ${r.status} ${r.statusText}: not an answer from the editor.` } };
      }
    }));
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  /* ---------------------------------------------------------------- curator (asked once) */
  function showCurator(name) {
    $("curator-form").hidden = !!name;
    $("curator-shown").hidden = !name;
    $("curator-name").textContent = name || "";
  }
  $("curator-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    api("api/curator", { curator: $("curator").value }).then(({ status, data }) => {
      if (status === 200) showCurator(data.curator); else alert(data.description);
    });
  });

  /* ---------------------------------------------------------------- basemaps and datums */
  settings.basemaps.forEach((b) => $("basemap").appendChild(new Option(b.label, b.id)));

  function loadDistricts() {
    return api(`api/districts?crs=${state.crs}`).then(({ data }) => {
      if (state.districts) state.districts.remove();
      // Snappable (Geoman snaps to its vertices and edges) but never edited.
      state.districts = L.geoJSON(data, {
        pmIgnore: true, snapIgnore: false, interactive: false,
        style: { color: "#555", weight: 2, dashArray: "6 4", fill: false },
      }).addTo(map);
    });
  }

  function setBasemap(id) {
    const b = settings.basemaps.find((x) => x.id === id);
    const previous = state.crs;
    if (state.tiles) state.tiles.forEach((t) => t.remove());
    state.tiles = b.tiles.map((url) => L.tileLayer(url, {
      attribution: b.attribution, subdomains: b.subdomains || "abc", maxZoom: b.max_zoom,
    }).addTo(map));
    state.tiles.forEach((t) => t.bringToBack());
    state.basemap = id;
    state.crs = b.crs;
    if (previous === state.crs && state.districts) return Promise.resolve();
    const shapeNow = currentGeometry();
    return Promise.all([loadDistricts(), state.place ? loadPlace(state.place.id, true) : null]).then(() => {
      if (shapeNow) {          // keep the drawing where it is on the ground, in the new datum
        return api("api/measure", { geometry: shapeNow, crs: previous })
          .then(({ data }) => { setShape(data[state.crs]); state.history = [data[state.crs]]; });
      }
      return null;
    });
  }
  $("basemap").addEventListener("change", (ev) => setBasemap(ev.target.value));

  /* ---------------------------------------------------------------- the shape being traced */
  function currentGeometry() {
    return state.shape ? state.shape.toGeoJSON(false).geometry : null;      // full precision: rounded once, on save
  }

  function watch(layer) {
    layer.on("pm:edit pm:dragend", () => { remember(); measure(); });
  }

  function setShape(geometry) {
    if (state.shape) state.shape.remove();
    state.shape = null;
    if (geometry) {
      const group = L.geoJSON(geometry, { style: { color: "#d7301f", weight: 3 } });
      state.shape = group.getLayers()[0];
      state.shape.addTo(map);
      watch(state.shape);
    }
    measure();
  }

  function remember() {
    state.history.push(currentGeometry());
  }

  function undo() {
    const shape = map.pm.Draw.getActiveShape();
    if (shape && map.pm.Draw[shape]._removeLastVertex) {       // while drawing: the last vertex
      map.pm.Draw[shape]._removeLastVertex();
      if (state.drawing) measureDrawing(shape, state.drawing);   // the area of what is left
      return;
    }
    if (state.history.length > 1) {
      state.history.pop();
      setShape(state.history[state.history.length - 1]);
    }
  }
  $("undo").addEventListener("click", undo);

  map.on("pm:create", (e) => {
    if (state.shape) state.shape.remove();
    state.shape = e.layer;
    state.shape.setStyle && state.shape.setStyle({ color: "#d7301f", weight: 3 });
    watch(state.shape);
    state.drawing = null;
    remember();
    measure();
  });
  map.on("pm:remove", (e) => {
    if (e.layer === state.shape) { state.shape = null; remember(); measure(); }
  });
  map.on("pm:drawstart", (e) => {
    state.drawing = e.workingLayer;
    e.workingLayer.on("pm:vertexadded", () => measureDrawing(e.shape, e.workingLayer));
  });
  map.on("pm:drawend", () => { state.drawing = null; measure(); });   // cancelled: the shape's own area again
  // Escape leaves whatever tool is on (drawing, editing, dragging, removing); what is drawn stays.
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    map.pm.disableDraw();
    map.pm.disableGlobalEditMode();
    map.pm.disableGlobalDragMode();
    map.pm.disableGlobalRemovalMode();
  });

  /* ---------------------------------------------------------------- area while drawing */
  let measuring = 0;
  function show(geometry) {
    const n = ++measuring;
    if (!geometry) { $("measure").textContent = ""; return; }
    api("api/measure", { geometry, crs: state.crs }).then(({ status, data }) => {
      if (n !== measuring) return;
      if (status !== 200) { $("measure").textContent = data.description; return; }
      $("measure").textContent = data.area_km2 !== null ? `面积 · Area ${data.area_km2.toFixed(4)} km² (${data.vertices} vertices)`
        : data.length_km !== null ? `长度 · Length ${data.length_km.toFixed(3)} km` : "点 · Point";
    }).catch((err) => {
      if (n === measuring) $("measure").textContent = `未能连接编辑器 · Could not reach the editor (${err.message})`;
    });
  }
  function measure() { show(currentGeometry()); }
  function measureDrawing(shape, layer) {
    const pts = layer.getLatLngs().map((ll) => [ll.lng, ll.lat]);
    if (shape === "Polygon" && pts.length >= 3) show({ type: "Polygon", coordinates: [[...pts, pts[0]]] });
    else if (shape === "Line" && pts.length >= 2) show({ type: "LineString", coordinates: pts });
    else show(null);                                          // too few vertices to measure: no stale figure
  }

  /* ---------------------------------------------------------------- places */
  let searching = 0;
  $("search").addEventListener("input", (ev) => {
    const n = ++searching;
    api(`api/places?q=${encodeURIComponent(ev.target.value)}`).then(({ data }) => {
      if (n !== searching) return;
      const list = $("results");
      list.replaceChildren();
      (data.results || []).forEach((p) => {
        const b = el("button", `${p.name} · ${p.name_en} (${p.id})`);
        b.type = "button";
        b.dataset.id = p.id;
        b.addEventListener("click", () => loadPlace(p.id, false));
        const li = el("li");
        li.appendChild(b);
        list.appendChild(li);
      });
    });
  });

  function quote(c) {
    const li = el("li");
    let at = c.start;
    (c.marks || []).slice().sort((a, b) => a[0] - b[0]).forEach(([s, e]) => {
      if (s < at) return;
      li.appendChild(document.createTextNode(c.quote.slice(at - c.start, s - c.start)));
      li.appendChild(el("mark", c.quote.slice(s - c.start, e - c.start)));
      at = e;
    });
    li.appendChild(document.createTextNode(c.quote.slice(at - c.start)));
    li.appendChild(el("small", ` — ${c.outlet || ""} ${c.date || ""} (${c.doc})`));
    return li;
  }

  function showPlace(p) {
    const pr = p.provenance;
    $("place").hidden = false;
    $("edit").hidden = false;
    $("place-name").textContent = `${p.name} · ${p.name_en}`;
    $("place-facts").textContent = `${p.id} · ${p.kind} · ${p.district} · ${p.file}`
      + (p.area_km2 !== null ? ` · ${p.area_km2} km²` : "") + (p.borrowed_from ? ` · borrows ${p.borrowed_from}` : "");
    let prov = `method ${pr.method} · vertex_basis ${pr.vertex_basis} · precision ${pr.precision}`
      + (pr.uncertainty_m !== undefined && pr.uncertainty_m !== null ? ` ±${pr.uncertainty_m} m` : "");
    if (pr.traced) prov += ` · traced on ${pr.traced.basemap} ${pr.traced.date} by ${pr.traced.curator}`;
    if (pr.note) prov += ` — ${pr.note}`;
    $("place-provenance").textContent = prov;
    const sources = $("place-sources");
    sources.replaceChildren();
    (pr.sources || []).forEach((s) => {
      const li = el("li");
      const a = el("a", s.title || s.url);
      if (/^https?:\/\//.test(s.url)) { a.href = s.url; a.rel = "noopener noreferrer"; a.target = "_blank"; }
      li.appendChild(a);
      li.appendChild(el("small", ` ${s.publisher || ""} ${s.accessed || ""}`));
      sources.appendChild(li);
    });
    if (!(pr.sources || []).length && pr.no_source_reason) sources.appendChild(el("li", pr.no_source_reason));
    const quotes = $("place-quotes");
    quotes.replaceChildren(...p.citations.map(quote));
  }

  function loadPlace(id, keepDrawing) {
    return api(`api/places/${id}?crs=${state.crs}`).then(({ status, data }) => {
      if (status !== 200) { alert(data.description); return; }
      state.place = data;
      showPlace(data);
      if (state.reference) state.reference.remove();
      state.reference = null;
      if (data.geometry && data.borrowed_from) {
        // A borrowed shape is not this place's own: shown for reference (and snapping), not edited.
        state.reference = L.geoJSON(data.geometry, { pmIgnore: true, snapIgnore: false, interactive: false,
          style: { color: "#3182bd", weight: 2, dashArray: "2 4", fill: false } }).addTo(map);
      }
      if (!keepDrawing) {
        setShape(data.borrowed_from ? null : data.geometry);
        state.history = [currentGeometry()];
        const bounds = (state.shape || state.reference);
        if (bounds && bounds.getBounds) map.fitBounds(bounds.getBounds(), { maxZoom: 16 });
        else if (bounds && bounds.getLatLng) map.setView(bounds.getLatLng(), 16);
        $("outcome").replaceChildren();
      }
    });
  }

  /* ---------------------------------------------------------------- save */
  // The button is disabled while a save is in flight, so a double click saves once (the second
  // request would carry the old file hash and end in a false conflict); any failure re-enables it
  // and keeps the drawing.
  $("save").addEventListener("click", () => {
    const out = $("outcome");
    const button = $("save");
    const geometry = currentGeometry();
    if (!geometry) { out.replaceChildren(el("p", "没有图形 · Nothing drawn", "problems")); return; }
    button.disabled = true;
    out.replaceChildren(el("p", "保存中，正在检查并重建图层… · Checking and rebuilding…"));
    api(`api/places/${state.place.id}/shape`, {
      geometry, crs: state.crs, basemap: state.basemap, sha256: state.place.sha256, note: $("note").value,
      source: { url: $("source-url").value, title: $("source-title").value },
    }).then(({ status, data }) => {
      if (status === 200 && data.unchanged) {
        out.replaceChildren(el("p", "未更改 · Nothing changed: the shape is the one stored.", "ok unchanged"));
        return null;
      }
      if (status === 200) {
        const fmt = (v) => (v === null ? "—" : `${v.toFixed(3)} km²`);
        out.replaceChildren(el("p", `已保存 · Saved. Area ${fmt(data.before_area_km2)} → ${fmt(data.after_area_km2)}`, "ok saved"),
                            el("p", data.summary, "summary"));
        // Saved: a failure to reload the place must not read as a failed save.
        return loadPlace(state.place.id, true).catch(() => out.appendChild(
          el("p", "未能重新载入地点 · Saved, but the place could not be reloaded: reload the page before saving again.", "problems")));
      }
      const box = el("div", "", "problems");
      box.appendChild(el("p", status === 409 ? `冲突 · Conflict: ${data.description}` : data.description));
      if (data.problems) {
        const ul = el("ul");
        data.problems.forEach((p) => ul.appendChild(el("li", p)));
        box.appendChild(ul);
      }
      out.replaceChildren(box);
      return null;
    }).catch((err) => {
      out.replaceChildren(el("p", `未能连接编辑器 · Could not reach the editor (${err.message}); your drawing is kept, try Save again.`, "problems"));
    }).finally(() => { button.disabled = false; });
  });

  /* ---------------------------------------------------------------- review queue */
  // The names `geo add` queued: accept one as a new place (then draw it), merge it as an alias of an
  // existing place, or reject it for good. Each action rebuilds the layers on the server.
  function field(label, input) {
    const l = el("label", label);
    l.appendChild(input);
    return l;
  }

  function reviewItem(item, lists) {
    const li = el("li");
    li.dataset.name = item.name;
    li.appendChild(el("b", item.name));
    li.appendChild(el("small", ` · ${item.district || "区县不明 · district unknown"}`));
    const quotes = el("ol");
    item.quotes.forEach((q) => quotes.appendChild(el("li", `${q.quote} (${q.doc})`)));
    li.appendChild(quotes);
    const id = el("input"); id.name = "id"; id.value = item.suggested_id || ""; id.maxLength = 140;
    const nameEn = el("input"); nameEn.name = "name_en"; nameEn.maxLength = 120;
    const kind = el("select"); kind.name = "kind";
    lists.kinds.forEach((k) => kind.appendChild(new Option(k, k)));
    const district = el("select"); district.name = "district";
    lists.districts.forEach((d) => district.appendChild(new Option(d, d, false, d === item.district)));
    const place = el("input"); place.name = "place"; place.maxLength = 140; place.placeholder = "huaiyin/…";
    const button = (text, cls, fn) => { const b = el("button", text, cls); b.type = "button"; b.addEventListener("click", fn); return b; };
    li.append(field("编号 · id", id), field("英文名 · name_en", nameEn), field("类型 · kind", kind),
              field("区县 · district", district),
              button("接受 · Accept", "accept", () => reviewAction("accept", { name: item.name, id: id.value,
                name_en: nameEn.value, kind: kind.value, district: district.value })),
              field("并入已有地点（编号）· Merge into place (id)", place),
              button("合并 · Merge", "merge", () => reviewAction("merge", { name: item.name, place: place.value })),
              button("拒绝 · Reject", "reject", () => reviewAction("reject", { name: item.name })));
    return li;
  }

  function showReview(data) {
    $("review-loading").hidden = true;
    $("review-list").replaceChildren(...data.queue.map((item) => reviewItem(item, data)));
    $("review-empty").hidden = data.queue.length > 0;
  }

  function loadReview() {     // "Loading…" stays until the queue is in; a failure takes its place
    const failed = (text) => { $("review-loading").textContent = text; $("review-loading").className = "problems"; };
    return api("api/review")
      .then(({ status, data }) => (status === 200 ? showReview(data) : failed(data.description)))
      .catch((err) => failed(`未能连接编辑器 · Could not reach the editor (${err.message})`));
  }

  function reviewAction(action, body) {
    const out = $("review-outcome");
    out.replaceChildren(el("p", "正在重建图层… · Rebuilding…"));
    return api(`api/review/${action}`, body).then(({ status, data }) => {
      if (status !== 200) {
        const box = el("div", "", "problems");
        box.appendChild(el("p", data.description));
        (data.problems || []).forEach((p) => box.appendChild(el("p", p)));
        out.replaceChildren(box);
        return null;
      }
      const done = { accept: `已接受 · Accepted as ${data.result}`, merge: `已合并 · Merged into ${data.result}`,
                     reject: `已拒绝 · Rejected ${body.name}` }[action];
      // The outcome is shown once the queue on the page is the new one, so the two never disagree.
      return loadReview().then(() => {
        out.replaceChildren(el("p", `${done}; layers rebuilt.`, "ok"));
        if (action !== "reject") {
          const open = el("button", "在编辑器中打开 · Open to draw", "open-place");
          open.type = "button";
          open.addEventListener("click", () => loadPlace(data.result, false).then(() => {
            $("place").scrollIntoView({ block: "start" });       // below the queue, often off screen
          }));
          out.appendChild(open);
        }
      });
    });
  }

  /* ---------------------------------------------------------------- start */
  const start = new URLSearchParams(location.search);
  const first = settings.basemaps.some((b) => b.id === start.get("basemap")) ? start.get("basemap") : settings.basemaps[0].id;
  $("basemap").value = first;
  Promise.all([api("api/curator").then(({ data }) => showCurator(data.curator)), setBasemap(first), loadReview()])
    .then(() => (start.get("place") ? loadPlace(start.get("place"), false) : null))
    .then(() => { window.JZC.ready = true; });
})();
