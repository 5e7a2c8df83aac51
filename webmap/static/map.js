/* Jinan Zones — the map's behaviour on top of Folium/Leaflet. Folium builds the map, its tiles,
 * scale and layer control with one empty overlay per layer; this script takes the layers'
 * display features (from the layers' script the page loads, inline, or fetched), draws them
 * (styles, markers, names, groups), fetches a place's popup when it is opened and fits it to the map. map-controls.js adds search, legend,
 * panel and fullscreen; map-url.js keeps the view in the URL.
 *
 * Popup HTML comes from the server (Jinja, autoescaped); legend and panel from <template>s in the
 * page. Everything built here from data (tooltips, search results) uses textContent, never innerHTML.
 * Longer than ~250 lines: drawing a feature (style, marker, tooltip, popup, hover, keyboard), placing
 * a place and building the layers share this file's state (the map, the places by id); what shares
 * less (controls, the URL) is in map-controls.js and map-url.js. */
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
      .then(function (r) {
        if (!r.ok) throw new Error("popup " + id + ": HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        popups[id] = html;                        // kept: the next opening needs no request
        div.className = "";
        div.innerHTML = html;                     // server-rendered, escaped (a group's item shows this div)
        var popup = layer.getPopup();
        if (popup && popup.isOpen()) popup.update();
      })
      .catch(function () { div.className = ""; div.textContent = cfg.text.popup_failed; });  // not kept: try again
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
    else JZ._.url.opened(id);
  }

  function onEachFeature(feature, layer) {
    var p = feature.properties, tip = document.createElement("span");
    if (p.kind === "overlap") return;          // where two zones overlap: drawn, explained in the legend
    tip.textContent = displayName(p) + (p.members ? ": " + p.members.slice(0, 4).map(displayName).join(", ")
                                                    + (p.members.length > 4 ? "…" : "") : "");
    layer.bindTooltip(tip, {sticky: !layer.getLatLng, direction: "top", className: "jz-tip"});
    if (!layer.getLatLng) {
      /* A zone's or district's path: the tooltip's focus listeners make Chromium alone take it for a
       * tab stop, with no name. Named and a tab stop in every browser; Enter opens its popup (Leaflet).
       * Focused from the keyboard (a click focuses it too), it comes into view as a marker does: its
       * tooltip opens at its centre. */
      layer.on("add", function () {
        (layer.getLayers ? layer.getLayers() : [layer]).forEach(function (part) {   // a geometry collection: its parts
          if (part.getLatLng) return;                                               // a marker is one already
          var el = part.getElement();
          el.setAttribute("tabindex", "0");
          el.setAttribute("role", "button");
          el.setAttribute("aria-label", displayName(p));
          L.DomEvent.on(el, "focus", function () {
            if (el.matches(":focus-visible")) map.panInside(part.getCenter(), {padding: [50, 50]});
          });
        });
      });
    }
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
      onHover(layer, function () {
        var hit = (byId[area] || [])[0];
        if (!hit || shown) return;
        shown = L.geoJSON(hit.layer.feature, {interactive: false, style: {
          color: p.marker.color, weight: 2, dashArray: "4 4", fillColor: p.marker.color, fillOpacity: 0.12}});
        shown.addTo(map);
        shown.eachLayer(function (l) { if (l.getElement && l.getElement()) l.getElement().classList.add("jz-area"); });
      }, function () { if (shown) { map.removeLayer(shown); shown = null; } });
    }
    if (p.style) {
      onHover(layer, function () {
        var rest = restStyle(p);
        layer.setStyle({weight: (rest.weight || 2) + 2,
                        fillOpacity: Math.min((rest.fillOpacity || 0) + 0.15, 0.6)});
      }, function () { layer.setStyle(restStyle(p)); });
    }
  }

  /* What the pointer's hover shows (a heavier outline, a group's area) the keyboard's focus shows
   * too; a click focuses a feature as well, and the pointer's own mouseout ends it then. */
  function onHover(layer, enter, leave) {
    layer.on("mouseover", enter);
    layer.on("mouseout", leave);
    layer.on("add", function () {
      (layer.getLayers ? layer.getLayers() : [layer]).forEach(function (part) {
        var el = part.getElement && part.getElement();
        if (!el) return;
        L.DomEvent.on(el, "focus", function () { if (el.matches(":focus-visible")) enter(); });
        L.DomEvent.on(el, "blur", function () { if (!el.matches(":hover")) leave(); });
      });
    });
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
  /* What map-controls.js and map-url.js share with this file (filled in by JZ.init). */
  JZ._ = {byId: byId, focus: focus, displayName: displayName, icon: icon, fitPopup: fitPopup};

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

  /* A highlighted place (a place page, an embed of one place) opens on itself, its neighbours around;
   * an item known only to its zone or district (its marker's `area`) on that zone or district, as the
   * embed of it does: its marker alone would say nothing of where it may be. */
  function placeBounds(id) {
    var b = L.latLngBounds([]);
    byId[id].forEach(function (hit) {
      var marker = hit.layer.feature.properties.marker, area = marker && marker.area && byId[marker.area];
      (area || []).concat([hit]).forEach(function (h) {
        b.extend(h.layer.getBounds ? h.layer.getBounds() : h.layer.getLatLng());
      });
    });
    return b;
  }

  /* Markers sharing a spot are spread on screen (dx, dy: up to a few pins from their place), which
   * fitting the places' box does not see: after the fit, the view pans so every shown marker is inside
   * the padded frame, or zooms out by half steps while they cannot all fit (a small embed). */
  function pinsInside(built, pad) {
    for (var tries = 0; tries < 4; tries++) {
      var size = map.getSize(), box = null;
      Object.keys(built).forEach(function (name) {
        if (!map.hasLayer(overlays[name])) return;
        built[name].eachLayer(function (l) {
          var m = l.feature && l.feature.properties.marker;
          (m ? (l.getLayers ? l.getLayers() : [l]) : []).forEach(function (part) {
            if (!part.getLatLng) return;
            var at = map.latLngToContainerPoint(part.getLatLng()).add([m.dx || 0, m.dy || 0]);
            box = box ? box.extend(at) : L.bounds(at, at);
          });
        });
      });
      if (!box) return;
      var roomX = size.x - pad.l - pad.r, roomY = size.y - pad.t - pad.b, need = box.getSize();
      if (need.x <= roomX && need.y <= roomY) {
        var dx = Math.min(0, box.min.x - pad.l) + Math.max(0, box.max.x - (size.x - pad.r));
        var dy = Math.min(0, box.min.y - pad.t) + Math.max(0, box.max.y - (size.y - pad.b));
        if (dx || dy) map.panBy([dx, dy], {animate: false});
        return;
      }
      map.setZoom(map.getZoom() - 0.5, {animate: false});
    }
  }

  /* The box of the shown overlays' features (`built`: each overlay's features, not yet on the map). */
  function visibleBounds(built) {
    var b = L.latLngBounds([]);
    Object.keys(built).forEach(function (name) {
      if (name !== "districts" && map.hasLayer(overlays[name])) b.extend(built[name].getBounds());
    });
    if (!b.isValid() && built.districts && map.hasLayer(overlays.districts)) b = built.districts.getBounds();
    return b;
  }

  /* Where a popup may open: below the top controls, above the bottom ones, and between the side
   * columns (the right one; an open legend, taller than a quarter of the map, on its side) when the
   * map is wide enough for a popup beside them (on a phone, below both columns). */
  function insets(width) {
    var box = map.getContainer().getBoundingClientRect(), left = 0, leftW = 0, right = 0, rightW = 0, bottom = 0;
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (el) {
      var r = el.getBoundingClientRect(), corner = el.parentNode.className;
      var low = corner.indexOf("leaflet-bottom") >= 0, onLeft = corner.indexOf("leaflet-left") >= 0;
      if (!r.height) return;
      if (low && r.height > box.height / 4) {              // the open legend: a column on its side
        if (onLeft) leftW = Math.max(leftW, r.right - box.left); else rightW = Math.max(rightW, box.right - r.left);
      } else if (low) bottom = Math.max(bottom, box.bottom - r.top);
      else if (onLeft) left = Math.max(left, r.bottom - box.top);
      else { right = Math.max(right, r.bottom - box.top); rightW = Math.max(rightW, box.right - r.left); }
    });
    var beside = box.width - rightW - leftW - 20 > width + 44;
    return {top: Math.min(beside ? left : Math.max(left, right), box.height / 3) + 8, right: beside ? rightW + 10 : 10,
            left: beside ? leftW + 10 : 10, bottom: Math.min(bottom, box.height / 4) + 8};
  }

  /* Popups fit the map: no wider than it, no taller than half of it (a small map, an iframe, keeps
   * the place in view), panned clear of the controls. */
  function fitPopup(popup) {
    var size = map.getSize(), width = Math.max(120, Math.min(380, size.x - 84)), gap = insets(width);  // margins: 44 px
    L.extend(popup.options, {maxWidth: width, minWidth: Math.max(120, Math.min(240, size.x - 90)),
                             maxHeight: Math.max(120, Math.min(360, Math.round(size.y * 0.5),
                                                               size.y - gap.top - gap.bottom - 60)),
                             autoPanPaddingTopLeft: [gap.left, gap.top], autoPanPaddingBottomRight: [gap.right, gap.bottom]});
  }

  /* ------------------------------------------------------------------ start */

  /* A layer's features: inline in the page's settings, from the layers' script the page loads
   * (/display/layers.js, which sets JZ_LAYERS), or, if that failed, fetched from the layer's own URL;
   * a layer that fails to load stays empty and the rest of the map still works. */
  function load(layer) {
    if (layer.data) return Promise.resolve(layer.data);
    if (window.JZ_LAYERS && window.JZ_LAYERS[layer.name]) return Promise.resolve(window.JZ_LAYERS[layer.name]);
    return fetch(layer.url).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).catch(function (e) {
      console.error("Jinan Zones: layer " + layer.name + " could not be loaded (" + e.message + ")");
      return {type: "FeatureCollection", features: []};
    });
  }

  JZ.init = function (theMap, groups, config) {
    map = theMap; cfg = config; overlays = groups;
    if (map.attributionControl) map.attributionControl.addAttribution(cfg.credit);
    JZ._.map = map; JZ._.cfg = cfg; JZ._.overlays = overlays;
    JZ._.controls.start(JZ._);
    var params = new URLSearchParams(window.location.search);
    var wanted = params.get("layers") ? params.get("layers").split(",").map(function (s) { return s.trim(); }) : null;
    if (wanted) {
      Object.keys(overlays).forEach(function (name) {
        if (wanted.indexOf(name) < 0) map.removeLayer(overlays[name]);
      });
    }
    Promise.all(cfg.layers.map(load)).then(function (collections) {
      /* Built off the map, the view fitted, then added: Leaflet projects and clips each path once,
       * at the final zoom, instead of at the opening zoom and again after fitBounds. */
      var built = {};
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
        built[spec.name] = gj;
      });
      var b = cfg.highlight && byId[cfg.highlight] ? placeBounds(cfg.highlight) : visibleBounds(built);
      if (!b.isValid() && cfg.fit) b = L.latLngBounds(cfg.fit);
      /* Keep the zones clear of the side controls: on the right the panel and layer list (at most
       * 320 px wide in any language, map.css), on the left the zoom buttons, and on its side (left;
       * in an embed right) the legend when it is open (at most 320 px too). Their widths come from
       * the style sheet and the open states, not from measuring: that would make the browser lay
       * out the page here, in the build of the map. 20 px more keep half a pin clear. On a map of
       * 900 px or less the layer list is open from 700 px wide and 500 high, the legend folded
       * (map-controls.js foldBySize): the list and the zoom buttons are kept clear. */
      var wide = map.getSize().x > 900, legend = map.getContainer().querySelector(".jz-legend details");
      var column = map.getContainer().querySelector(wide ? ".jz-panel, .leaflet-control-layers-expanded"
                                                         : ".leaflet-control-layers-expanded");
      var open = wide && legend && legend.open, onLeft = open && legend.closest(".leaflet-left");
      var left = wide || column ? (onLeft ? 340 : 60) : 10, right = column || open && !onLeft ? 350 : 10;
      if (b.isValid()) {
        map.fitBounds(b, {paddingTopLeft: [left, 20], paddingBottomRight: [right, 20], maxZoom: 15, animate: false});
        pinsInside(built, {l: left, t: 20, r: right, b: 20});
      }
      Object.keys(built).forEach(function (name) { overlays[name].addLayer(built[name]); });
      showLabels();
      map.on("zoomend", showLabels);
      if (cfg.highlight) highlight(cfg.highlight);
      JZ._.url.start(JZ._);
      JZ.ready = true;
      JZ._.url.record(false);
      if (window.performance && performance.mark) performance.mark("jz-map-ready");
    });
  };
})();
