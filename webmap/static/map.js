/* Jinan Zones — the map's behaviour on top of Folium/Leaflet. Folium builds the map, its tiles,
 * scale and layer control with one empty overlay per layer; this script fetches each layer's
 * display features (or takes them inline), draws them (styles, markers), fetches a place's popup
 * when it is opened, adds search, legend, panel and fullscreen, and applies the view asked for in
 * the URL (?place=<id>, ?layers=a,b, ?popup=0).
 *
 * Popup HTML comes from the server (Jinja, autoescaped); legend and panel from <template>s in the
 * page. Everything built here from data (tooltips, search results) uses textContent, never innerHTML. */
(function () {
  "use strict";

  var JZ = window.JZ = {};
  var map, cfg, overlays = {}, byId = {}, popups = {};
  var SVG = "http://www.w3.org/2000/svg";

  /* An icon of the page's inline sprite (templates/_icons.html). */
  function icon(name) {
    var svg = document.createElementNS(SVG, "svg"), use = document.createElementNS(SVG, "use");
    svg.setAttribute("class", "jz-i");
    svg.setAttribute("aria-hidden", "true");
    use.setAttribute("href", "#jz-i-" + name);
    svg.appendChild(use);
    return svg;
  }

  /* A feature's resting style: its own, drawn heavier when it is the highlighted place. */
  function restStyle(p) {
    if (!cfg || cfg.highlight !== p.id) return p.style;
    return L.extend({}, p.style, {weight: (p.style.weight || 2) + 3, opacity: 1,
                                  fillOpacity: Math.max(p.style.fillOpacity || 0, 0.35)});
  }

  function pointToLayer(feature, latlng) {
    var m = feature.properties.marker || {}, size = 26, dx = m.dx || 0, dy = m.dy || 0;
    var pin = document.createElement("span");
    pin.className = "jz-pin" + (m.approx ? " jz-pin--approx jz-pin--" + m.approx : "");
    pin.style.setProperty("--c", m.color || "#37474f");
    pin.appendChild(icon(m.icon || "location-dot"));
    pin.setAttribute("aria-label", displayName(feature.properties) + (m.count ? " · " + m.count : ""));
    if (m.count) {                       // a group: the items of one zone or district, counted
      var n = L.DomUtil.create("b", "jz-count", pin);
      n.textContent = m.count;
      pin.classList.add("jz-pin--group");
    }
    return L.marker(latlng, {
      icon: L.divIcon({
        className: "jz-marker", html: pin, iconSize: [size, size],
        iconAnchor: [size / 2 - dx, size / 2 - dy], popupAnchor: [dx, dy - size / 2], tooltipAnchor: [dx + size / 2, dy]
      }),
      alt: feature.properties.name, riseOnHover: true
    });
  }

  function displayName(p) {
    if (cfg && cfg.lang === "en" && p.name_en) return p.name_en + " · " + p.name;
    return p.name;
  }

  /* The popup of a place, fetched from the server the first time it is opened. */
  function popupContent(id, layer) {
    var div = document.createElement("div");
    if (popups[id] !== undefined) {
      div.innerHTML = popups[id];                 // server-rendered, escaped
      return div;
    }
    div.className = "jz-loading";
    div.textContent = cfg.text.loading;
    fetch(cfg.popup.replace("__ID__", encodeURI(id)))
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        popups[id] = html;
        div.className = "";
        div.innerHTML = html;                     // server-rendered, escaped
        var popup = layer.getPopup();
        if (popup && popup.isOpen()) popup.update();
      });
    return div;
  }

  /* A group's popup: its members, each opening its own popup in the same place. */
  function groupContent(layer) {
    var p = layer.feature.properties, div = document.createElement("div"), h = L.DomUtil.create("h3", "", div);
    div.className = "jz-pop";
    h.textContent = displayName(p) + " · " + p.members.length;
    L.DomUtil.create("p", "jz-muted", div).textContent = cfg.text["group_" + p.marker.approx] || "";
    var ul = L.DomUtil.create("ul", "jz-members", div);
    p.members.forEach(function (m) {
      var b = L.DomUtil.create("button", "jz-linkish", L.DomUtil.create("li", "", ul));
      b.type = "button"; b.textContent = displayName(m); b.setAttribute("data-id", m.id);
      L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); showMember(layer, m.id); });
    });
    return div;
  }

  function showMember(layer, id) {
    var popup = layer.getPopup();
    popup._jzPlace = id;
    fitPopup(popup);
    popup.setContent(popupContent(id, layer));
    if (!popup.isOpen()) layer.openPopup();
    else { openPlace = id; record(true); }
  }

  function onEachFeature(feature, layer) {
    var p = feature.properties, tip = document.createElement("span");
    tip.textContent = displayName(p) + (p.members ? ": " + p.members.slice(0, 4).map(displayName).join(", ")
                                                    + (p.members.length > 4 ? "…" : "") : "");
    layer.bindTooltip(tip, {sticky: !layer.getLatLng, direction: "top", className: "jz-tip"});
    if (p.members) {
      var list = function () { fitPopup(layer.getPopup()); return groupContent(layer); };
      layer.bindPopup(list);
      layer.on("popupclose", function () { layer.getPopup()._jzPlace = null; layer.setPopupContent(list); });
    } else {
      layer.bindPopup(function () { fitPopup(layer.getPopup()); return popupContent(p.id, layer); });
    }
    var area = p.marker && p.marker.area;
    if (area) {                          // an item known only to its zone or district: show that area
      var shown = null;
      layer.on("mouseover", function () {
        var hit = (byId[area] || [])[0];
        if (!hit || shown) return;
        shown = L.geoJSON(hit.layer.feature, {interactive: false, style: {
          color: p.marker.color, weight: 2, dashArray: "4 4", fillColor: p.marker.color, fillOpacity: 0.12}});
        shown.addTo(map);
        shown.eachLayer(function (l) { if (l.getElement && l.getElement()) l.getElement().classList.add("jz-area"); });
      });
      layer.on("mouseout", function () { if (shown) { map.removeLayer(shown); shown = null; } });
    }
    if (p.style) {
      layer.on("mouseover", function () {
        var rest = restStyle(p);
        layer.setStyle({weight: (rest.weight || 2) + 2,
                        fillOpacity: Math.min((rest.fillOpacity || 0) + 0.15, 0.6)});
      });
      layer.on("mouseout", function () { layer.setStyle(restStyle(p)); });
    }
  }

  /* A zone's or district's name on the map, under its middle (a group of its items stands above
   * it); not clickable, so a click there still opens the zone. Which labels show depends on the
   * zoom: districts when zoomed out, zones when zoomed in; a small map (a place page) shows both. */
  function addLabel(group, p) {
    var span = document.createElement("span");
    span.textContent = cfg.lang === "en" && p.name_en ? p.name_en : p.name;
    L.marker(L.latLng(p.anchor[1], p.anchor[0]), {interactive: false, keyboard: false,
      icon: L.divIcon({className: "jz-label jz-label--" + p.label, html: span, iconSize: null, iconAnchor: [0, -4]})
    }).addTo(group);
  }

  function showLabels() {
    var el = map.getContainer(), small = cfg.controls.indexOf("panel") < 0;
    el.classList.toggle("jz-near", map.getZoom() >= 12.5 || small);
    el.classList.toggle("jz-far", map.getZoom() < 12.5 || small);
  }

  function anchorOf(layer) {
    var a = layer.feature && layer.feature.properties.anchor;
    return a ? L.latLng(a[1], a[0]) : null;
  }

  /* Centre on a place, show a layer that holds it, and (by default) open its popup. */
  function focus(id, openPopup, move) {
    var hits = byId[id];
    if (!hits) return false;
    var hit = hits.filter(function (h) { return map.hasLayer(overlays[h.name]); })[0] || hits[0];
    if (!map.hasLayer(overlays[hit.name])) map.addLayer(overlays[hit.name]);
    var layer = hit.layer, at = anchorOf(layer);
    if (move === false) {
      // the view is given (the URL's #map=): keep it
    } else if (layer.getBounds && layer.feature.geometry.type !== "Point") {
      map.fitBounds(layer.getBounds(), {maxZoom: 15, padding: [48, 48], animate: false});
    } else {
      map.setView(at || layer.getLatLng(), Math.max(map.getZoom(), 14), {animate: false});
    }
    if (openPopup !== false && hit.member) showMember(layer, id);   // one of a group's items
    else if (openPopup !== false) {
      if (layer.getLatLng) layer.openPopup(); else layer.openPopup(at);
    }
    return true;
  }

  JZ.layerOf = function (id) { return byId[id] ? byId[id][0].layer : null; };

  /* Draw a place heavier, its markers larger and on top; its elements get the class jz-highlight. */
  function highlight(id) {
    (byId[id] || []).forEach(function (hit) {
      var layer = hit.layer;
      if (!map.hasLayer(overlays[hit.name])) return;
      if (layer.feature.properties.style && layer.setStyle) layer.setStyle(restStyle(layer.feature.properties));
      (layer.getLayers ? layer.getLayers() : [layer]).forEach(function (part) {
        var el = part.getElement && part.getElement();
        if (el) el.classList.add("jz-highlight");
        if (part.setZIndexOffset) part.setZIndexOffset(1000);
        else if (part.bringToFront) part.bringToFront();
      });
    });
  }

  /* A highlighted place (a place page, an embed of one place) opens on itself, its neighbours around. */
  function placeBounds(id) {
    var b = L.latLngBounds([]);
    byId[id].forEach(function (hit) { b.extend(hit.layer.getBounds ? hit.layer.getBounds() : hit.layer.getLatLng()); });
    return b;
  }

  function visibleBounds() {
    var b = L.latLngBounds([]);
    Object.keys(overlays).forEach(function (name) {
      if (name !== "districts" && map.hasLayer(overlays[name])) b.extend(overlays[name].getBounds());
    });
    if (!b.isValid() && overlays.districts && map.hasLayer(overlays.districts)) b = overlays.districts.getBounds();
    return b;
  }

  /* ------------------------------------------------------------------ controls */

  /* A box holding the content of one of the page's <template>s (server-rendered, escaped). */
  var FromTemplate = L.Control.extend({
    onAdd: function () {
      var div = L.DomUtil.create("div", "jz-control " + this.options.className);
      div.appendChild(this.options.template.content.cloneNode(true));
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });

  var Fullscreen = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "leaflet-bar jz-fullscreen");
      var a = L.DomUtil.create("a", "", div), shown = icon("expand");
      a.appendChild(shown);
      a.href = "#"; a.setAttribute("role", "button");
      a.title = cfg.text.fullscreen; a.setAttribute("aria-label", cfg.text.fullscreen);
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) document.exitFullscreen();
        else if (el.requestFullscreen) el.requestFullscreen();
      });
      document.addEventListener("fullscreenchange", function () {
        var on = !!document.fullscreenElement, next = icon(on ? "compress" : "expand");
        a.replaceChild(next, shown); shown = next;
        map.getContainer().classList.toggle("jz-is-fullscreen", on);
        map.invalidateSize();
      });
      return div;
    }
  });

  /* The members of a framework shown together, with a popup naming the framework. */
  function showFramework(entry) {
    var b = L.latLngBounds([]), found = [];
    entry.members.forEach(function (id) {
      var hit = (byId[id] || [])[0];
      if (!hit) return;
      if (!map.hasLayer(overlays[hit.name])) map.addLayer(overlays[hit.name]);
      b.extend(hit.layer.getBounds ? hit.layer.getBounds() : hit.layer.getLatLng());
      found.push(hit.member || hit.layer.feature.properties);
    });
    if (!b.isValid()) return;
    map.fitBounds(b, {maxZoom: 15, padding: [48, 48], animate: false});
    var div = document.createElement("div"), h = L.DomUtil.create("h3", "", div);
    div.className = "jz-pop";
    h.textContent = displayName(entry);
    if (entry.url) {
      var link = L.DomUtil.create("a", "", L.DomUtil.create("p", "jz-pop-links", div));
      link.href = entry.url; link.textContent = cfg.text.framework_page;
    }
    var ul = L.DomUtil.create("ul", "jz-members", div);
    found.forEach(function (p) {
      var btn = L.DomUtil.create("button", "jz-linkish", L.DomUtil.create("li", "", ul));
      btn.type = "button"; btn.textContent = displayName(p);
      L.DomEvent.on(btn, "click", function (e) { L.DomEvent.stop(e); map.closePopup(); focus(p.id); });
    });
    var popup = L.popup();
    fitPopup(popup);
    popup.setLatLng(b.getCenter()).setContent(div).openOn(map);
  }

  /* After a pick from the search list, the list goes and the map lies under a pointer that has
   * not moved: the browser's own mouseover there must not open a stray tooltip. The pointer's
   * next real move (one with a distance) brings tooltips back. */
  var quiet = false;
  document.addEventListener("mousemove", function (e) { if (e.movementX || e.movementY) quiet = false; }, true);

  var Search = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "jz-search leaflet-bar");
      var input = L.DomUtil.create("input", "", div), list = L.DomUtil.create("ul", "jz-search-results", div);
      var asked = 0, timer = null;
      input.type = "search"; input.placeholder = cfg.text.search;
      input.setAttribute("aria-label", cfg.text.search_label);
      list.setAttribute("role", "listbox");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      /* The list is emptied only after the click that picked from it is over: emptied during the
       * click, the button leaves the page and Leaflet takes the click for one on the map, which
       * closes the popup just opened. */
      function pick(entry, e) {
        if (e) L.DomEvent.stop(e);
        quiet = true;
        input.value = displayName(entry);
        setTimeout(function () {
          list.textContent = "";
          if (entry.type === "framework") showFramework(entry); else focus(entry.id);
        }, 0);
      }
      function render(q, results) {
        list.textContent = "";
        if (!q) return;
        if (!results.length) {
          var none = L.DomUtil.create("li", "jz-none", list);
          none.textContent = cfg.text.no_match;
          return;
        }
        results.forEach(function (entry) {
          if (entry.type !== "framework" && !byId[entry.id]) return;     // not on this map
          var li = L.DomUtil.create("li", "", list), b = L.DomUtil.create("button", "", li);
          b.type = "button";
          b.textContent = displayName(entry);
          if (entry.type === "framework") {
            var tag = L.DomUtil.create("small", "jz-tag", b);
            tag.textContent = " · " + cfg.text.framework;
          }
          b.setAttribute("data-id", entry.id);
          L.DomEvent.on(b, "click", function (e) { pick(entry, e); });
        });
      }
      function ask() {
        var q = input.value.trim(), n = ++asked;
        if (!q) { render("", []); return; }
        fetch(cfg.search + (cfg.search.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q))
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) { if (n === asked) render(q, data.results); });
      }
      input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter") {
          var first = list.querySelector("button");
          if (first) first.click();
        } else if (e.key === "Escape") {
          input.value = ""; list.textContent = "";
        }
      });
      return div;
    }
  });

  /* Links in the panel (basemap, language) keep the rest of the URL: place, layers and the view. */
  function wirePanel(root) {
    root.querySelectorAll("a[data-param]").forEach(function (a) {
      L.DomEvent.on(a, "click", function (e) {
        var url = new URL(window.location.href);
        if (cfg.url_state) url = stateURL();
        url.searchParams.set(a.getAttribute("data-param"), a.getAttribute("data-value"));
        L.DomEvent.preventDefault(e);
        window.location.assign(url.toString());
      });
    });
  }

  /* ------------------------------------------------------------------ the view in the URL */
  /* The main map keeps what a person chose in its address (the history API): ?place (the open
   * popup), ?layers (when not all are shown) and the view as #map=zoom/lat/lon. A choice (a layer,
   * a place) is a new history entry, a pan or zoom replaces the current one; Back and Forward
   * apply the entry's URL again. */
  var applying = false, openPlace = null;

  function stateURL() {
    var url = new URL(window.location.href), names = Object.keys(overlays);
    var shown = names.filter(function (n) { return map.hasLayer(overlays[n]); });
    if (shown.length === names.length || !shown.length) url.searchParams.delete("layers");
    else url.searchParams.set("layers", shown.join(","));
    if (openPlace) url.searchParams.set("place", openPlace); else url.searchParams.delete("place");
    url.searchParams.delete("popup");
    var c = map.getCenter(), shift = cfg.shift || [0, 0];       // the URL's view is WGS-84 on every basemap
    c = L.latLng(c.lat - shift[0], c.lng - shift[1]);
    url.hash = "map=" + Math.round(map.getZoom() * 100) / 100 + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    return url;
  }

  function record(push) {
    if (applying || !cfg.url_state || !JZ.ready) return;
    var url = stateURL().toString();
    if (url === window.location.href) return;
    if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  }

  function hashView() {
    var m = /(?:^#|&)map=(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)/.exec(window.location.hash);
    var shift = cfg.shift || [0, 0];
    return m ? {zoom: +m[1], center: L.latLng(+m[2] + shift[0], +m[3] + shift[1])} : null;
  }

  /* The URL's layers, view and place, applied: on load (once the features are in) and on Back. */
  function applyURL() {
    applying = true;
    var params = new URLSearchParams(window.location.search), view = hashView();
    var wanted = params.get("layers") ? params.get("layers").split(",").map(function (s) { return s.trim(); }) : null;
    Object.keys(overlays).forEach(function (name) {
      var on = !wanted || wanted.indexOf(name) >= 0;
      if (on && !map.hasLayer(overlays[name])) map.addLayer(overlays[name]);
      if (!on && map.hasLayer(overlays[name])) map.removeLayer(overlays[name]);
    });
    if (view) map.setView(view.center, view.zoom, {animate: false});
    map.closePopup();
    openPlace = null;
    if (params.get("place") && focus(params.get("place"), params.get("popup") !== "0", !view)
        && params.get("popup") !== "0") openPlace = params.get("place");
    applying = false;
  }

  function followURL() {
    map.on("popupopen", function (e) {
      var p = e.popup._source && e.popup._source.feature && e.popup._source.feature.properties;
      if (!p || p.kind === "district" || p.members && !e.popup._jzPlace) return;
      openPlace = e.popup._jzPlace || p.id;
      record(true);
    });
    map.on("popupclose", function () { if (openPlace) { openPlace = null; record(false); } });
    map.on("overlayadd overlayremove", function () { record(true); });
    map.on("moveend", function () { record(false); });
    window.addEventListener("popstate", applyURL);
  }

  /* On a small screen the (always open) layer control folds into Leaflet's layers button: a tap on
   * the button opens it (Leaflet does that), a tap anywhere outside it folds it again. */
  function collapseLayerControl() {
    var box = map.getContainer().querySelector(".leaflet-control-layers");
    if (!box) return;
    box.classList.remove("leaflet-control-layers-expanded");
    document.addEventListener("pointerdown", function (e) {
      if (!box.contains(e.target)) box.classList.remove("leaflet-control-layers-expanded");
    }, true);
  }

  /* Where a popup may open: below the top controls, above the bottom ones, and left of the right
   * column when the map is wide enough for a popup beside it (on a phone, below both columns). */
  function insets(width) {
    var box = map.getContainer().getBoundingClientRect(), left = 0, right = 0, rightW = 0, bottom = 0;
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect(), corner = el.parentNode.className;
      if (!r.height) return;
      if (corner.indexOf("leaflet-bottom") >= 0) bottom = Math.max(bottom, box.bottom - r.top);
      else if (corner.indexOf("leaflet-left") >= 0) left = Math.max(left, r.bottom - box.top);
      else { right = Math.max(right, r.bottom - box.top); rightW = Math.max(rightW, box.right - r.left); }
    });
    var beside = box.width - rightW - left - 20 > width + 44;
    return {top: Math.min(beside ? left : Math.max(left, right), box.height / 3) + 8, right: beside ? rightW + 10 : 10,
            bottom: Math.min(bottom, box.height / 4) + 8};
  }

  /* Popups fit the map: no wider than it, no taller than half of it (a small map, an iframe, keeps
   * the place in view), panned clear of the controls. */
  function fitPopup(popup) {
    var size = map.getSize(), width = Math.max(120, Math.min(380, size.x - 84)), gap = insets(width);  // margins: 44 px
    L.extend(popup.options, {maxWidth: width, minWidth: Math.max(120, Math.min(240, size.x - 90)),
                             maxHeight: Math.max(120, Math.min(360, Math.round(size.y * 0.5),
                                                               size.y - gap.top - gap.bottom - 60)),
                             autoPanPaddingTopLeft: [10, gap.top], autoPanPaddingBottomRight: [gap.right, gap.bottom]});
  }

  /* On a small screen the bottom-left controls (scale, legend) stand above the attribution, which
   * there spans the whole width. */
  function clearAttribution() {
    var corner = map.getContainer().querySelector(".leaflet-bottom.leaflet-left"),
        attribution = map.getContainer().querySelector(".leaflet-control-attribution");
    if (!corner || !attribution) return;
    var lift = function () {
      corner.style.bottom = map.getSize().x < 700 ? attribution.offsetHeight + "px" : "";
    };
    lift();
    map.on("resize", lift);
  }

  function addControls() {
    var has = function (c) { return cfg.controls.indexOf(c) >= 0; };
    var panelHtml = document.getElementById("jz-panel-html"), legendHtml = document.getElementById("jz-legend-html");
    if (has("panel") && panelHtml) {
      var panel = new FromTemplate({position: "topright", className: "jz-panel", template: panelHtml}).addTo(map);
      wirePanel(panel.getContainer());
      var corner = map.getContainer().querySelector(".leaflet-top.leaflet-right");
      corner.insertBefore(panel.getContainer(), corner.firstChild);
    }
    if (has("search")) new Search().addTo(map);
    if (has("fullscreen")) new Fullscreen().addTo(map);
    if (has("legend") && legendHtml) {
      var legend = new FromTemplate({position: "bottomleft", className: "jz-legend", template: legendHtml}).addTo(map);
      if (map.getSize().y < 700 || map.getSize().x < 700) legend.getContainer().querySelector("details").open = false;
    }
    if (map.getSize().x < 700) collapseLayerControl();
    clearAttribution();
  }

  /* ------------------------------------------------------------------ start */

  function load(layer) {
    if (layer.data) return Promise.resolve(layer.data);
    return fetch(layer.url, {credentials: "same-origin", mode: "cors"}).then(function (r) {   // as preloaded
      if (!r.ok) throw new Error("layer " + layer.name + ": HTTP " + r.status);
      return r.json();
    });
  }

  JZ.init = function (theMap, groups, config) {
    map = theMap; cfg = config; overlays = groups;
    if (map.attributionControl) map.attributionControl.addAttribution(cfg.credit);
    map.on("tooltipopen", function (e) { if (quiet) map.closeTooltip(e.tooltip); });
    addControls();
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("layers") ? params.get("layers").split(",").map(function (s) { return s.trim(); }) : null;
    if (wanted) {
      Object.keys(overlays).forEach(function (name) {
        if (wanted.indexOf(name) < 0) map.removeLayer(overlays[name]);
      });
    }
    Promise.all(cfg.layers.map(load)).then(function (collections) {
      cfg.layers.forEach(function (spec, i) {
        var labelled = [], gj = L.geoJSON(collections[i], {style: function (f) { return restStyle(f.properties); },
                                            pointToLayer: pointToLayer, onEachFeature: onEachFeature});
        gj.eachLayer(function (l) {
          var id = l.feature && l.feature.properties.id;
          if (id) (byId[id] = byId[id] || []).push({layer: l, name: spec.name});
          if (l.feature && l.feature.properties.label) labelled.push(l);
          (l.feature && l.feature.properties.members || []).forEach(function (m) {
            (byId[m.id] = byId[m.id] || []).push({layer: l, name: spec.name, member: m});
          });
        });
        labelled.forEach(function (l) { addLabel(gj, l.feature.properties); });
        overlays[spec.name].addLayer(gj);
      });
      showLabels();
      map.on("zoomend", showLabels);
      var b = cfg.highlight && byId[cfg.highlight] ? placeBounds(cfg.highlight) : visibleBounds();
      if (!b.isValid() && cfg.fit) b = L.latLngBounds(cfg.fit);
      var wide = map.getSize().x > 900;                 // keep the zones clear of the side controls
      if (b.isValid()) map.fitBounds(b, {paddingTopLeft: [wide ? 60 : 10, 20], paddingBottomRight: [wide ? 210 : 10, 20],
                                         maxZoom: 15, animate: false});
      if (cfg.highlight) highlight(cfg.highlight);
      applyURL();
      if (cfg.url_state) followURL();
      JZ.ready = true;
      record(false);
      if (window.performance && performance.mark) performance.mark("jz-map-ready");
    });
  };
})();
