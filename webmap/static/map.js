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
    pin.className = "jz-pin" + (m.approx ? " jz-pin--approx" : "");
    pin.style.setProperty("--c", m.color || "#37474f");
    pin.appendChild(icon(m.icon || "location-dot"));
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
        var popup = layer.getPopup();
        if (popup && popup.isOpen()) popup.update();      // calls popupContent again, now with the HTML
      })
      .catch(function () { div.textContent = cfg.text.popup_failed; });    // not kept: try again next time
    return div;
  }

  function onEachFeature(feature, layer) {
    var p = feature.properties, tip = document.createElement("span");
    tip.textContent = displayName(p);
    layer.bindTooltip(tip, {sticky: !layer.getLatLng, direction: "top", className: "jz-tip"});
    layer.bindPopup(function () { return popupContent(p.id, layer); },
                    {maxWidth: 380, minWidth: 240, maxHeight: 360, autoPanPadding: [24, 24]});
    if (p.style) {
      layer.on("mouseover", function () {
        var rest = restStyle(p);
        layer.setStyle({weight: (rest.weight || 2) + 2,
                        fillOpacity: Math.min((rest.fillOpacity || 0) + 0.15, 0.6)});
      });
      layer.on("mouseout", function () { layer.setStyle(restStyle(p)); });
    }
  }

  function anchorOf(layer) {
    var a = layer.feature && layer.feature.properties.anchor;
    return a ? L.latLng(a[1], a[0]) : null;
  }

  /* Centre on a place, show a layer that holds it, and (by default) open its popup. */
  function focus(id, openPopup) {
    var hits = byId[id];
    if (!hits) return false;
    var hit = hits.filter(function (h) { return map.hasLayer(overlays[h.name]); })[0] || hits[0];
    if (!map.hasLayer(overlays[hit.name])) map.addLayer(overlays[hit.name]);
    var layer = hit.layer, at = anchorOf(layer);
    if (layer.getBounds && layer.feature.geometry.type !== "Point") {
      map.fitBounds(layer.getBounds(), {maxZoom: 15, padding: [48, 48], animate: false});
    } else {
      map.setView(at || layer.getLatLng(), Math.max(map.getZoom(), 14), {animate: false});
    }
    if (openPopup !== false) {
      var popup = layer.getPopup(), size = map.getSize();     // a small map (an iframe) keeps the place in view
      if (popup) {
        popup.options.maxHeight = Math.max(120, Math.min(360, Math.round(size.y * 0.5)));
        popup.options.minWidth = Math.max(120, Math.min(240, size.x - 90));
      }
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

  var Search = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "jz-search leaflet-bar");
      var input = L.DomUtil.create("input", "", div), list = L.DomUtil.create("ul", "jz-search-results", div);
      input.type = "search"; input.placeholder = cfg.text.search;
      input.setAttribute("aria-label", cfg.text.search_label);
      list.setAttribute("role", "listbox");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      function entries() {
        return Object.keys(byId).map(function (id) {
          var p = byId[id][0].layer.feature.properties;
          return {id: id, p: p, hay: (p.name + " " + p.name_en + " " + id).toLowerCase()};
        });
      }
      function pick(entry) {
        list.textContent = "";
        input.value = displayName(entry.p);
        focus(entry.id);
      }
      function render() {
        var q = input.value.trim().toLowerCase();
        list.textContent = "";
        if (!q) return;
        var hits = entries().filter(function (e) { return e.hay.indexOf(q) >= 0; }).slice(0, 12);
        if (!hits.length) {
          var none = L.DomUtil.create("li", "jz-none", list);
          none.textContent = cfg.text.no_match;
          return;
        }
        hits.forEach(function (entry) {
          var li = L.DomUtil.create("li", "", list), b = L.DomUtil.create("button", "", li);
          b.type = "button";
          b.textContent = displayName(entry.p);
          b.setAttribute("data-id", entry.id);
          // stopped here: the list is emptied by pick(), and a click whose button left the page
          // would reach the map as a click on the map, which closes the popup just opened
          L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); pick(entry); });
        });
      }
      input.addEventListener("input", render);
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

  /* Links in the panel keep the rest of the URL (place, layers) and change one parameter. */
  function wirePanel(root) {
    root.querySelectorAll("a[data-param]").forEach(function (a) {
      var url = new URL(window.location.href);
      url.searchParams.set(a.getAttribute("data-param"), a.getAttribute("data-value"));
      a.href = url.pathname + url.search;
    });
  }

  /* On a small screen the (always open) layer control folds into Leaflet's layers button. */
  function collapseLayerControl() {
    var box = map.getContainer().querySelector(".leaflet-control-layers");
    if (!box) return;
    box.classList.remove("leaflet-control-layers-expanded");
    var link = box.querySelector(".leaflet-control-layers-toggle");
    L.DomEvent.on(link, "click", function (e) {
      L.DomEvent.preventDefault(e);
      box.classList.toggle("leaflet-control-layers-expanded");
    });
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
  }

  /* ------------------------------------------------------------------ start */

  /* A layer's features; a layer that fails to load stays empty and the rest of the map still works. */
  function load(layer) {
    if (layer.data) return Promise.resolve(layer.data);
    return fetch(layer.url, {credentials: "same-origin", mode: "cors"}).then(function (r) {   // as preloaded
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
        var gj = L.geoJSON(collections[i], {style: function (f) { return restStyle(f.properties); },
                                            pointToLayer: pointToLayer, onEachFeature: onEachFeature});
        gj.eachLayer(function (l) {
          var id = l.feature && l.feature.properties.id;
          if (id) (byId[id] = byId[id] || []).push({layer: l, name: spec.name});
        });
        overlays[spec.name].addLayer(gj);
      });
      var b = visibleBounds();
      if (!b.isValid() && cfg.fit) b = L.latLngBounds(cfg.fit);
      var wide = map.getSize().x > 900;                 // keep the zones clear of the side controls
      if (b.isValid()) map.fitBounds(b, {paddingTopLeft: [wide ? 60 : 10, 20], paddingBottomRight: [wide ? 210 : 10, 20],
                                         maxZoom: 15, animate: false});
      if (cfg.highlight) highlight(cfg.highlight);
      if (params.get("place")) focus(params.get("place"), params.has("popup") ? params.get("popup") !== "0" : cfg.open_popup);
      JZ.ready = true;
      if (window.performance && performance.mark) performance.mark("jz-map-ready");
    });
  };
})();
