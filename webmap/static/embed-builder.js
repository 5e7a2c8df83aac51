/* Jinan Zones — the embed builder: choices → the /embed URL, a live preview, the snippet (responsive
 * by default: full width at a fixed ratio; or a fixed-size <iframe>) and a plain link. It writes URLs
 * and snippets exactly as webmap/embed/builder.py does (View.query, iframe_html, responsive_html), so
 * the first state, rendered by the server, and every later one agree. */
(function () {
  "use strict";

  var SIZE = [200, 2000];

  function esc(s) {                       // as markupsafe.escape
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&#34;").replace(/'/g, "&#39;");
  }

  function px(value, fallback) {
    var n = parseInt(value, 10);
    return isNaN(n) ? fallback : Math.min(SIZE[1], Math.max(SIZE[0], n));
  }

  function wire(root) {
    var form = root.querySelector("form"), el = form.elements;
    var preview = root.querySelector(".jz-builder-preview"), snippet = root.querySelector(".jz-builder-snippet");
    var link = root.querySelector(".jz-builder-link"), open = root.querySelector(".jz-builder-open");
    var image = root.querySelector(".jz-builder-image"), status = root.querySelector(".jz-builder-status");
    var shown = preview.getAttribute("src"), timer = null;

    function ticked(name) {
      return Array.prototype.filter.call(form.querySelectorAll("input[name='" + name + "']"),
                                         function (box) { return box.checked; });
    }

    function current() {
      var mode = form.querySelector("input[name='mode']:checked").value, lang = el.lang.value;
      var q = new URLSearchParams(), name, picture = null;
      if (mode === "place") {
        var option = el.place.options[el.place.selectedIndex];
        q.set("place", el.place.value);
        name = option.getAttribute("data-" + lang);
        picture = el.place.value;
      } else {
        var boxes = ticked("layers");
        if (boxes.length) q.set("layers", boxes.map(function (b) { return b.value; }).join(","));
        name = boxes.length ? boxes.map(function (b) { return b.getAttribute("data-" + lang); }).join(" · ")
                            : root.getAttribute("data-site-" + lang);
        boxes.some(function (b) { if (b.value !== "districts") { picture = b.value; return true; } return false; });
      }
      if (el.basemap.value !== "osm") q.set("basemap", el.basemap.value);
      if (lang !== "zh") q.set("lang", lang);
      var controls = ticked("controls").map(function (b) { return b.value; }).join(",");
      if (controls !== "zoom") q.set("controls", controls);
      if (mode === "place" && el.popup.checked) q.set("popup", "1");
      if (el.scroll.checked) q.set("scroll", "1");
      if (el.legend.checked) q.set("legend", "1");
      var title = el.title.value.trim();
      if (title) q.set("title", title);
      var query = q.toString(), src = root.getAttribute("data-embed") + (query ? "?" + query : "");
      var fixed = form.querySelector("input[name='sizing']:checked").value === "fixed";
      var w = px(el.width.value, 640), h = px(el.height.value, 480), ratio = el.ratio.value;
      var frame = '<iframe src="' + esc(src) + '" ' + (fixed ? 'width="' + w + '" height="' + h + '" ' : "") +
        'title="' + esc(title || name) + '" loading="lazy" allowfullscreen style="' +
        (fixed ? "border:0;max-width:100%" : "position:absolute;top:0;left:0;width:100%;height:100%;border:0") + '"></iframe>';
      var html = fixed ? frame : '<div style="position:relative;width:100%;height:0;padding-top:' +
        el.ratio.options[el.ratio.selectedIndex].getAttribute("data-padding") + '">' + frame + "</div>";
      return {mode: mode, src: src, html: html, width: fixed ? w : null, height: h, ratio: ratio, picture: picture,
              lang: lang};
    }

    function update() {
      var s = current();
      el.popup.disabled = s.mode !== "place";
      snippet.value = s.html;
      link.value = s.src;
      open.href = s.src;
      preview.style.width = s.width ? s.width + "px" : "100%";
      preview.style.height = s.width ? s.height + "px" : "";
      preview.style.aspectRatio = s.width ? "" : s.ratio.replace(":", " / ");
      image.hidden = !s.picture;
      if (s.picture) image.querySelector("a").href = root.getAttribute("data-images") + s.picture + ".png" +
                                                     (s.lang !== "zh" ? "?lang=" + s.lang : "");     // its words too
      status.textContent = "";
      if (s.src !== shown) {               // reload the preview once the typing stops
        shown = s.src;
        clearTimeout(timer);
        timer = setTimeout(function () { preview.src = s.src; }, 300);
      }
    }

    /* Choosing a place or ticking a layer picks that mode; a ratio or a size picks its sizing. */
    el.ratio.addEventListener("change", function () { form.querySelector("input[value='responsive']").checked = true; });
    [el.width, el.height].forEach(function (input) {
      input.addEventListener("input", function () { form.querySelector("input[value='fixed']").checked = true; });
    });
    el.place.addEventListener("change", function () { form.querySelector("input[value='place']").checked = true; });
    form.querySelectorAll("input[name='layers']").forEach(function (box) {
      box.addEventListener("change", function () { form.querySelector("input[value='layers']").checked = true; });
    });
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function (e) { e.preventDefault(); update(); });

    root.querySelector(".jz-builder-copy").addEventListener("click", function () {
      function done() { status.textContent = root.getAttribute("data-copied"); }
      snippet.select();
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(snippet.value).then(done, function () {
        if (document.execCommand("copy")) done();
      });
      else if (document.execCommand("copy")) done();
    });
    update();
  }

  document.querySelectorAll(".jz-builder").forEach(wire);
})();
