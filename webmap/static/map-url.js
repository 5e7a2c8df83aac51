/* Jinan Zones — the view in the URL (after map.js). */
(function () {
  "use strict";

  var JZ = window.JZ, map, cfg, overlays, byId, focus;
  /* ------------------------------------------------------------------ the view in the URL */
  /* The main map keeps what a person chose in its address (the history API): ?place (the open
   * popup), ?layers (when not all are shown) and the view as #map=zoom/lat/lon.
   * One history entry per choice: opening a popup (a place, from the search or a click on the
   * map; a framework, a district, a group's list) or (un)ticking a layer pushes one; panning, zooming
   * and closing a popup by hand replace the current one (Back then skips the closed place).
   * Back and Forward apply the entry's URL again.
   * A choice comes with side effects in the same task: Leaflet closes the open popup (popupclose)
   * and the new place's fit moves the map (moveend) before its popupopen. Recorded at once, those
   * would overwrite the entry of the place before; so the changes of one task are noted and
   * recorded together once it is over, as one push if any of them was a choice. */
  var applying = false, openPlace = null, pending = null, pushing = false;
  /* ?place=X&popup=0: centred on X, its popup closed. It stays in the URL until a popup is opened. */
  var closedPlace = null;

  function stateURL() {
    var url = new URL(window.location.href), names = Object.keys(overlays);
    var shown = names.filter(function (n) { return map.hasLayer(overlays[n]); });
    if (shown.length === names.length) url.searchParams.delete("layers");
    else url.searchParams.set("layers", shown.join(","));            // none shown: a bare ?layers=
    var kept = closedPlace && (byId[closedPlace] || []).some(function (h) { return map.hasLayer(overlays[h.name]); });
    url.searchParams.delete("popup");
    if (openPlace) url.searchParams.set("place", openPlace);
    else if (kept) { url.searchParams.set("place", closedPlace); url.searchParams.set("popup", "0"); }  // a layer shows it
    else url.searchParams.delete("place");
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

  /* A change to record once this task is over; `push` when it is a choice. */
  function note(push) {
    if (applying || !cfg.url_state || !JZ.ready) return;
    pushing = pushing || push;
    if (pending === null) {
      pending = setTimeout(function () {
        var p = pushing;
        pending = null; pushing = false;
        record(p);
      }, 0);
    }
  }

  function hashView() {
    var m = /(?:^#|&)map=(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)/.exec(window.location.hash);
    var shift = cfg.shift || [0, 0];
    return m ? {zoom: +m[1], center: L.latLng(+m[2] + shift[0], +m[3] + shift[1])} : null;
  }

  /* The URL's layers, view and place, applied: on load (once the features are in) and on Back. */
  function applyURL() {
    clearTimeout(pending);                 // what was noted before Back belongs to the entry left
    pending = null; pushing = false;
    applying = true;
    var params = new URLSearchParams(window.location.search), view = hashView();
    var wanted = params.has("layers") ? params.get("layers").split(",").map(function (s) { return s.trim(); }) : null;
    Object.keys(overlays).forEach(function (name) {
      var on = !wanted || wanted.indexOf(name) >= 0;
      if (on && !map.hasLayer(overlays[name])) map.addLayer(overlays[name]);
      if (!on && map.hasLayer(overlays[name])) map.removeLayer(overlays[name]);
    });
    if (view) map.setView(view.center, view.zoom, {animate: false});
    map.closePopup();
    openPlace = null;
    var open = params.has("popup") ? params.get("popup") !== "0" : cfg.open_popup;   // an embed's is closed
    closedPlace = null;
    if (params.get("place") && focus(params.get("place"), open, !view)) {
      if (open) openPlace = params.get("place"); else closedPlace = params.get("place");
    }
    applying = false;
  }

  function followURL() {
    map.on("popupopen", function (e) {
      if (applying) return;
      closedPlace = null;
      var p = e.popup._source && e.popup._source.feature && e.popup._source.feature.properties;
      // a place's popup names it in the URL; a district's, a group's list or a framework's is a choice too
      if (p && p.kind !== "district" && (!p.members || e.popup._jzPlace)) openPlace = e.popup._jzPlace || p.id;
      note(true);
    });
    map.on("popupclose", function () { if (!applying && openPlace) { openPlace = null; note(false); } });
    map.on("overlayadd overlayremove", function () { note(true); });
    map.on("moveend", function () { note(false); });
    window.addEventListener("popstate", applyURL);
  }

  JZ._.url = {
    stateURL: stateURL,
    record: record,
    opened: function (id) { openPlace = id; note(true); },
    /* Apply the URL once the features are in; on the main map, follow the person's choices. */
    start: function (core) {
      map = core.map; cfg = core.cfg; overlays = core.overlays; byId = core.byId; focus = core.focus;
      applyURL();
      if (cfg.url_state) followURL();
    }
  };
})();
