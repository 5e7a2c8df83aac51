/* Jinan Zones — the map's controls (after map.js): the panel and legend from the page's
 * <template>s, fullscreen, the search box (results from /search.json), and what a phone needs (the
 * layers button folds, the scale bar above the attribution). Text from data goes in as textContent.
 * Longer than ~250 lines: each control is a few small functions, and the search box alone (results,
 * keys, input methods, the list's place) is a third of it; split, they would share the same state
 * through JZ._ as map-url.js does, for no clearer reading. */
(function () {
  "use strict";

  var JZ = window.JZ, map, cfg, overlays, byId, focus, displayName, icon, fitPopup;
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
   * next real move (one with a distance) brings tooltips back; the one of a feature the keyboard
   * focuses (Leaflet opens it on focus) shows meanwhile too. */
  var quiet = false;
  document.addEventListener("mousemove", function (e) { if (e.movementX || e.movementY) quiet = false; }, true);

  var Search = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "jz-search leaflet-bar");
      var input = L.DomUtil.create("input", "", div), list = L.DomUtil.create("ul", "jz-search-results", div);
      /* `shown`: the text the list is for; `enter`: Enter was pressed before that list came. */
      var asked = 0, timer = null, shown = null, enter = false;
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
          close();
          if (entry.type === "framework") showFramework(entry); else focus(entry.id);
        }, 0);
      }
      function first() {
        var b = list.querySelector("button");
        if (b) b.click();
      }
      function render(q, results) {
        list.textContent = ""; shown = q;
        fill(q, results);
        if (enter) { enter = false; first(); }
      }
      function fill(q, results) {
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
      function close() { list.textContent = ""; shown = null; enter = false; }
      input.addEventListener("input", function () { enter = false; clearTimeout(timer); timer = setTimeout(ask, 120); });
      /* A click or tap anywhere else (the map above all) folds the list; back in the box, it comes again. */
      document.addEventListener("pointerdown", function (e) { if (!div.contains(e.target)) close(); }, true);
      input.addEventListener("focus", function () { if (shown === null && input.value.trim()) ask(); });
      /* Arrow keys go down the results and back up to the box; Enter on a result picks it (a button). */
      L.DomEvent.on(div, "keydown", function (e) {
        if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
        var items = [input].concat(Array.prototype.slice.call(list.querySelectorAll("button")));
        var i = items.indexOf(document.activeElement), next = items[i + (e.key === "ArrowDown" ? 1 : -1)];
        if (i < 0 || !next) return;
        L.DomEvent.preventDefault(e);
        next.focus();
      });
      input.addEventListener("keydown", function (e) {
        if (e.isComposing || e.keyCode === 229) return;      // an input method's Enter confirms its text
        if (e.key === "Enter") {
          /* The list shown may be for an older text (results come 120 ms after the last key, then
           * over the network): Enter then asks at once and opens the first result when it comes. */
          if (shown === input.value.trim()) first();
          else { enter = true; clearTimeout(timer); ask(); }
        } else if (e.key === "Escape") {
          input.value = ""; close();
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
        if (cfg.url_state) url = JZ._.url.stateURL();
        url.searchParams.set(a.getAttribute("data-param"), a.getAttribute("data-value"));
        L.DomEvent.preventDefault(e);
        window.location.assign(url.toString());
      });
    });
  }

  /* What stands open depends on the map's size, at load and whenever it changes (a phone turned, a
   * window narrowed or widened): on a small or low map the layer list folds into Leaflet's layers
   * button (a tap opens it, a tap anywhere outside folds it again) and the legend into its title;
   * a map of 900 px wide or less has no room for the legend beside the open layer list (map.js
   * keeps the zones clear of that one). Back on a large map both open again, except a legend the
   * person folded by hand: that was their choice, not the size's, and it stands until they open it. */
  function foldBySize() {
    var box = map.getContainer().querySelector(".leaflet-control-layers"),
        legend = map.getContainer().querySelector(".jz-legend details"), was = {}, byHand = false;
    if (legend) {
      legend.querySelector("summary").addEventListener("click", function () { byHand = legend.open; });
    }
    if (box) {
      document.addEventListener("pointerdown", function (e) {
        if (was.small && !box.contains(e.target)) box.classList.remove("leaflet-control-layers-expanded");
      }, true);
    }
    var fold = function () {
      var size = map.getSize(), small = size.x < 700 || size.y < 500;
      var low = size.x < 700 || size.y < 700 || !!box && size.x <= 900;
      if (box && small !== was.small) {
        box.classList.toggle("leaflet-control-layers-expanded", !small);
        var list = box.querySelector(".leaflet-control-layers-list");     // Leaflet's height for a low map
        if (!small && list) { list.style.height = ""; list.classList.remove("leaflet-control-layers-scrollbar"); }
      }
      if (legend && low !== was.low) legend.open = !low && !byHand;
      was = {small: small, low: low};
    };
    fold();
    map.on("resize", fold);
  }

  /* The open legend stands in a bottom corner and grows upwards: it stops 10 px below the controls
   * of the top corner on its side (zoom, search, fullscreen; an embed's layers button) and scrolls
   * within that. Sized by a ResizeObserver, which reads the boxes the browser has just laid out (the
   * page's build forces no layout) and runs again when the map or that corner changes size (a
   * window resized, search results listed). */
  function fitLegend(side) {
    var legend = map.getContainer().querySelector(".jz-legend"),
        top = map.getContainer().querySelector(".leaflet-top.leaflet-" + side);
    if (!legend || !top || !window.ResizeObserver) return;
    var observer = new ResizeObserver(function () {
      var pad = getComputedStyle(legend), room = legend.getBoundingClientRect().bottom - top.getBoundingClientRect().bottom
                - 10 - parseFloat(pad.paddingTop) - parseFloat(pad.paddingBottom);
      var height = room > 60 ? Math.floor(room) + "px" : "";      // no room at all (a tiny embed): as it is
      if (legend.style.maxHeight !== height) legend.style.maxHeight = height;
    });
    observer.observe(map.getContainer());
    observer.observe(top);
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

  /* A popup opened from the keyboard (Enter on a focused marker or outline) takes the focus, so that
   * the next Tab reaches its links rather than the next marker, as a dialog would; a popup opened
   * with the pointer or from the search list leaves the focus where it is. Escape closes the open
   * popup wherever the focus is (Leaflet's own needs the map itself focused, not a marker or a link
   * in the popup); closed while the focus was in it (Escape, its × button), the focus goes back to
   * the marker or outline the popup came from. */
  function escapeClosesPopups() {
    var open = null;
    var sourceOf = function (popup) {
      var source = popup._source;
      return source && source.getElement ? source.getElement() : null;
    };
    map.on("popupopen", function (e) {
      open = e.popup;
      var from = sourceOf(e.popup), content = e.popup.getElement().querySelector(".leaflet-popup-content");
      if (from && from === document.activeElement && from.matches(":focus-visible") && content) {
        content.setAttribute("tabindex", "-1");
        content.focus({preventScroll: true});
      }
    });
    map.on("popupclose", function (e) {
      if (open === e.popup) open = null;
      var el = e.popup.getElement(), from = sourceOf(e.popup);
      if (el && from && el.contains(document.activeElement)) from.focus({preventScroll: true});
    });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !open || e.target.closest && e.target.closest(".jz-search")) return;
      var from = sourceOf(open);
      map.closePopup(open);
      if (from) from.focus({preventScroll: true});
    });
  }

  /* Folium's zoom buttons carry Leaflet's English titles: named in the page's language. */
  function nameZoomButtons() {
    [["in", cfg.text.zoom_in], ["out", cfg.text.zoom_out]].forEach(function (b) {
      var a = map.getContainer().querySelector(".leaflet-control-zoom-" + b[0]);
      if (a && b[1]) { a.title = b[1]; a.setAttribute("aria-label", b[1]); }
    });
  }

  /* The page's first tab stop, shown when focused: a link to the search box, before the map itself
   * and its zoom buttons. It moves the focus only (a #fragment would replace the URL's #map=). */
  function skipToSearch(input) {
    var a = document.createElement("a"), el = map.getContainer();
    a.className = "jz-skip"; a.href = "#"; a.textContent = cfg.text.skip_to_search;
    a.addEventListener("click", function (e) { e.preventDefault(); input.focus(); });
    el.parentNode.insertBefore(a, el);
  }

  function addControls() {
    var has = function (c) { return cfg.controls.indexOf(c) >= 0; };
    /* Leaflet puts its controls after the panes: Tab went through every zone and marker first. */
    var el = map.getContainer();
    el.insertBefore(el.querySelector(".leaflet-control-container"), el.firstChild);
    var panelHtml = document.getElementById("jz-panel-html"), legendHtml = document.getElementById("jz-legend-html");
    if (has("panel") && panelHtml) {
      var panel = new FromTemplate({position: "topright", className: "jz-panel", template: panelHtml}).addTo(map);
      wirePanel(panel.getContainer());
      var corner = map.getContainer().querySelector(".leaflet-top.leaflet-right");
      corner.insertBefore(panel.getContainer(), corner.firstChild);
    }
    if (has("search")) skipToSearch(new Search().addTo(map).getContainer().querySelector("input"));
    if (has("fullscreen")) new Fullscreen().addTo(map);
    if (has("legend") && legendHtml) {
      /* An embed has no attribution box (its credit is the caption below): the legend takes that
       * free corner, and leaves the left column to zoom, fullscreen and scale on a small map. */
      var side = map.attributionControl ? "left" : "right";
      new FromTemplate({position: "bottom" + side, className: "jz-legend", template: legendHtml}).addTo(map);
      fitLegend(side);
    }
    foldBySize();
    clearAttribution();
  }

  JZ._.controls = {
    start: function (core) {
      map = core.map; cfg = core.cfg; overlays = core.overlays; byId = core.byId;
      focus = core.focus; displayName = core.displayName; icon = core.icon; fitPopup = core.fitPopup;
      map.on("tooltipopen", function (e) {
        var source = e.tooltip._source, el = source && source.getElement && source.getElement();
        if (quiet && el !== document.activeElement) map.closeTooltip(e.tooltip);   // the focus's is no stray
      });
      addControls();
      nameZoomButtons();
      escapeClosesPopups();
    }
  };
})();
