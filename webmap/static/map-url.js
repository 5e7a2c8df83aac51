/* Jinan Zones — the view in the URL (after map.js). */
(function () {
  "use strict";

  var JZ = window.JZ, map, cfg, overlays, byId, focus;
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
    var open = params.has("popup") ? params.get("popup") !== "0" : cfg.open_popup;   // an embed's is closed
    if (params.get("place") && focus(params.get("place"), open, !view) && open) openPlace = params.get("place");
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

  JZ._.url = {
    stateURL: stateURL,
    record: record,
    opened: function (id) { openPlace = id; record(true); },
    /* Apply the URL once the features are in; on the main map, follow the person's choices. */
    start: function (core) {
      map = core.map; cfg = core.cfg; overlays = core.overlays; byId = core.byId; focus = core.focus;
      applyURL();
      if (cfg.url_state) followURL();
    }
  };
})();
