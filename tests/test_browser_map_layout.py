"""The map's controls and view where a person meets them (QA pass of 2026-11-30, items 4, 5, 7, 10, 11).

Zoom stops at the same last level on every basemap (none included); the legend never covers the
buttons above it and the opening view keeps the zones clear of the layer list in either language
(also on a map of 800 px, where the legend opens folded);
an item known only to its zone or district opens on that area; popups open clear of the legend;
the layer list and legend fold and unfold when the map's size changes, not only at load.
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map

pytestmark = pytest.mark.browser
LAST_ZOOM = 19                                   # OpenStreetMap's deepest tiles (webmap/core/mapview.py)


@pytest.fixture
def desktop(browser):
    """A 1280×800 page in Chinese that keeps script errors and console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    p = context.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" else None)
    yield p
    context.close()


def zoom(page) -> float:
    return page.evaluate("() => JZ._.map.getZoom()")


# ------------------------------------------------------------------ QA 4: the last zoom level

def test_plus_stops_and_is_disabled_at_the_last_zoom_without_a_basemap(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none&place=lixia/cbd")
    plus = desktop.locator(".leaflet-control-zoom-in")
    for _ in range(25):
        if "leaflet-disabled" in plus.get_attribute("class"):
            break
        plus.click()
        desktop.wait_for_timeout(120)
    desktop.wait_for_timeout(400)
    assert zoom(desktop) == LAST_ZOOM
    assert "leaflet-disabled" in plus.get_attribute("class")
    plus.click(force=True)                                    # a click on the disabled button does nothing
    desktop.wait_for_timeout(400)
    assert zoom(desktop) == LAST_ZOOM
    assert desktop.errors == []


def test_a_link_beyond_the_last_zoom_is_clamped_not_drawn_with_nan(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none#map=999/36.66/117.09")
    desktop.wait_for_timeout(300)
    assert zoom(desktop) == LAST_ZOOM
    assert "#map=19/" in desktop.url
    assert desktop.locator(".leaflet-overlay-pane path[d*='NaN']").count() == 0
    assert desktop.errors == []


def test_every_basemap_has_the_same_last_zoom_so_switching_keeps_the_view(desktop, live_server):
    offline(desktop, live_server)                             # tiles of other hosts are refused: no internet here
    open_map(desktop, f"{live_server}/?basemap=osm#map={LAST_ZOOM}/36.66420/117.09565")
    assert zoom(desktop) == LAST_ZOOM
    for label, basemap in (("CartoDB 浅色", "positron"), ("高德地图（GCJ-02）", "amap"), ("无底图", "none")):
        desktop.locator(".jz-panel a", has_text=label).click()
        desktop.wait_for_url(f"**basemap={basemap}**")
        desktop.wait_for_function("() => window.JZ && window.JZ.ready === true")
        assert desktop.evaluate("() => JZ._.map.getMaxZoom()") == LAST_ZOOM, basemap
        assert zoom(desktop) == LAST_ZOOM, basemap


# ------------------------------------------------------------------ QA 7: items known only to their area

@pytest.mark.parametrize("place", ["huaiyin/huaiyin-hospital", "huaiyin/cdc-relocation",
                                   "lixia/cbd-consumption-district"])
def test_place_page_of_an_item_known_to_its_zone_or_district_opens_on_that_area(desktop, live_server, place):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/places/{place}?basemap=none")
    seen = desktop.evaluate("""id => {
        const map = JZ._.map, box = map.getContainer().getBoundingClientRect();
        const area = JZ.layerOf(id).feature.properties.marker.area, outline = JZ.layerOf(area);
        const r = outline.getElement().getBoundingClientRect();
        return {area, zoom: map.getZoom(), inside: r.width > 50 && r.left >= box.left - 1 && r.right <= box.right + 1
                && r.top >= box.top - 1 && r.bottom <= box.bottom + 1, share: r.width * r.height / (box.width * box.height)};
    }""", place)
    assert seen["inside"], seen                   # the whole zone or district outline is on the map
    assert seen["share"] > 0.1, seen              # and not a speck: the map opens on it
    assert seen["zoom"] < 15, seen
    assert desktop.locator(".jz-marker.jz-highlight").is_visible()
    assert desktop.errors == []


# ------------------------------------------------------------------ QA 5: the legend and the layer list

HIDDEN_UNDER = """sels => {
    const boxes = sels.map(s => document.querySelector(s).getBoundingClientRect()), hidden = [];
    const under = r => r.width > 0 && boxes.some(c => r.left < c.right && r.right > c.left
                                                    && r.top < c.bottom && r.bottom > c.top);
    const visit = (name, layer) => {
        if (layer.eachLayer) { layer.eachLayer(l => visit(name, l)); return; }
        const el = layer.getElement && layer.getElement();
        if (el && name !== "districts" && under(el.getBoundingClientRect()))
            hidden.push(layer.feature ? layer.feature.properties.id : name);
    };
    Object.entries(JZ._.overlays).forEach(([name, group]) => visit(name, group));
    return hidden;
}"""


SIZES = [(1280, 800, "en"), (1280, 720, "zh"), (1280, 800, "zh")]


@pytest.fixture
def sized(browser, request):
    """A desktop page of the parametrised size and language (of the map, ?lang=)."""
    width, height, lang = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    p = context.new_page()
    p.lang = lang
    yield p
    context.close()


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1280x800-en", "1280x720-zh", "1280x800-zh"])
def test_fullscreen_button_is_not_covered_by_the_open_legend(sized, live_server):
    offline(sized, live_server)
    open_map(sized, f"{live_server}/?basemap=none&lang={sized.lang}")
    assert sized.locator(".jz-legend details").get_attribute("open") is not None
    sized.locator(".jz-fullscreen a").click(timeout=3000)      # Playwright clicks only what is not covered
    sized.wait_for_function("() => document.fullscreenElement === JZ._.map.getContainer()", timeout=3000)
    sized.locator(".jz-fullscreen a").click(timeout=3000)
    sized.wait_for_function("() => !document.fullscreenElement", timeout=3000)


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1280x800-en", "1280x720-zh", "1280x800-zh"])
def test_opening_view_keeps_zones_and_pins_clear_of_the_layer_list_panel_and_legend(sized, live_server):
    offline(sized, live_server)
    open_map(sized, f"{live_server}/?basemap=none&lang={sized.lang}")
    assert sized.locator(".jz-legend details").get_attribute("open") is not None
    assert sized.locator(".leaflet-control-layers-overlays").is_visible()
    assert sized.evaluate(HIDDEN_UNDER, [".jz-legend", ".jz-panel", ".leaflet-control-layers"]) == []


@pytest.mark.parametrize("sized", [(800, 800, "zh"), (800, 800, "en")], indirect=True, ids=["800x800-zh", "800x800-en"])
def test_a_map_of_800_px_opens_with_zones_and_pins_clear_of_the_open_layer_list(sized, live_server):
    """Between 700 and 900 px wide the layer list is open but there is no room for the legend beside it."""
    offline(sized, live_server)
    open_map(sized, f"{live_server}/?basemap=none&lang={sized.lang}")
    assert sized.locator(".leaflet-control-layers-overlays").is_visible()
    assert sized.evaluate(HIDDEN_UNDER, [".jz-panel", ".leaflet-control-layers"]) == []
    assert sized.evaluate(HIDDEN_UNDER, [".jz-legend", ".jz-search"]) == []
    sized.locator(".jz-legend summary").click()               # folded to its title, one click away
    assert sized.locator(".jz-legend ul").first.is_visible()


# ------------------------------------------------------------------ QA 11: popups clear of the legend

def settled(page) -> None:
    """Wait until the map has stopped moving (a popup's pan to make room for it)."""
    page.evaluate("""() => new Promise(done => {
        const map = JZ._.map, frame = last => requestAnimationFrame(() => {
            const now = map.getPixelBounds().min.toString() + map.getZoom();
            if (now === last) done(); else frame(now);
        });
        setTimeout(() => frame(null), 100);
    })""")


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] \
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_a_popup_opened_beside_the_open_legend_pans_clear_of_it(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none#map=11.25/36.62/116.92")
    desktop.mouse.click(400, 330)                                 # Changqing District, just right of the legend
    desktop.wait_for_selector(".leaflet-popup-content .jz-pop", state="visible")
    settled(desktop)
    assert "长清区" in desktop.inner_text(".leaflet-popup-content h3")
    popup = desktop.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert desktop.locator(".jz-legend details").get_attribute("open") is not None
    assert not boxes_overlap(popup, desktop.locator(".jz-legend").bounding_box())
    for control in (".jz-panel", ".leaflet-control-layers", ".jz-search", ".leaflet-control-zoom"):
        assert not boxes_overlap(popup, desktop.locator(control).bounding_box()), control
    assert desktop.errors == []


# ------------------------------------------------------------------ QA 10: folding follows the map's size

def test_phone_in_landscape_shows_the_layer_list_folded_to_its_button(browser, live_server):
    context = browser.new_context(viewport={"width": 844, "height": 390}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    phone = context.new_page()
    try:
        offline(phone, live_server)
        open_map(phone, f"{live_server}/?basemap=none")
        overlays = phone.locator(".leaflet-control-layers-overlays")
        assert not overlays.is_visible()
        assert phone.locator(".jz-legend details").get_attribute("open") is None
        phone.locator(".leaflet-control-layers-toggle").tap()
        phone.wait_for_timeout(300)
        assert overlays.is_visible()
        phone.touchscreen.tap(560, 300)                         # the map, away from every control
        phone.wait_for_timeout(300)
        assert not overlays.is_visible()
        phone.set_viewport_size({"width": 390, "height": 844})  # turned to portrait: still folded
        phone.wait_for_timeout(400)
        assert not overlays.is_visible()
        assert phone.locator(".leaflet-control-layers-toggle").is_visible()
    finally:
        context.close()


def test_narrowing_the_window_folds_the_controls_and_widening_unfolds_what_was_not_folded_by_hand(
        desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    overlays, legend = desktop.locator(".leaflet-control-layers-overlays"), desktop.locator(".jz-legend details")
    is_open = lambda: legend.get_attribute("open") is not None          # noqa: E731
    assert overlays.is_visible() and is_open()
    desktop.set_viewport_size({"width": 390, "height": 800})
    desktop.wait_for_timeout(400)
    assert not overlays.is_visible() and not is_open()
    search = desktop.locator(".jz-search").bounding_box()
    assert not boxes_overlap(search, desktop.locator(".jz-legend").bounding_box())
    assert not boxes_overlap(desktop.locator(".jz-panel").bounding_box(),
                             desktop.locator(".leaflet-control-layers").bounding_box())
    desktop.locator(".leaflet-control-layers-toggle").click()          # still there for whoever wants it
    assert overlays.is_visible()
    desktop.mouse.click(200, 600)
    assert not overlays.is_visible()
    desktop.set_viewport_size({"width": 1280, "height": 800})          # wide again: both open again
    desktop.wait_for_timeout(400)
    assert overlays.is_visible() and is_open()
    desktop.locator(".jz-legend summary").click()                      # folded by hand: that choice stands
    assert not is_open()
    desktop.set_viewport_size({"width": 390, "height": 800})
    desktop.wait_for_timeout(400)
    desktop.set_viewport_size({"width": 1280, "height": 800})
    desktop.wait_for_timeout(400)
    assert overlays.is_visible() and not is_open()
    desktop.locator(".jz-legend summary").click()                      # opened by hand again
    assert is_open()
    assert desktop.errors == []


# ------------------------------------------------------------------ small embeds: controls apart

LONG_TITLE = "槐荫区五大主战场与三大功能平台：央企总部城、国际医学科学中心和经济开发区的位置与范围"
EMBEDS = [(320, 260, "place=huaiyin/central-soe-hq-city&popup=1"), (400, 300, f"title={LONG_TITLE}"),
          (400, 300, f"place=huaiyin/central-soe-hq-city&title={LONG_TITLE}")]


@pytest.mark.parametrize(("width", "height", "query"), EMBEDS, ids=["320x260-popup", "400x300-title",
                                                                    "400x300-place-title"])
def test_a_small_embeds_controls_stand_apart_and_each_takes_its_click(browser, live_server, width, height, query):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        offline(page, live_server)
        open_map(page, f"{live_server}/embed?basemap=none&legend=1&controls=zoom,layers,fullscreen,scale&{query}")
        controls = [c for c in page.locator(".leaflet-control").all() if c.is_visible()]
        assert len(controls) == 5                               # zoom, layers, fullscreen, scale, legend
        for i, a in enumerate(controls):
            for b in controls[i + 1:]:
                assert not boxes_overlap(a.bounding_box(), b.bounding_box()), (a.get_attribute("class"),
                                                                              b.get_attribute("class"))
        page.locator(".jz-fullscreen a").click(timeout=3000)
        page.wait_for_function("() => document.fullscreenElement === JZ._.map.getContainer()", timeout=3000)
        page.locator(".jz-fullscreen a").click(timeout=3000)
        page.wait_for_function("() => !document.fullscreenElement", timeout=3000)
        page.locator(".jz-legend summary").click(timeout=3000)  # opened, it stays clear of the layers button
        assert page.locator(".jz-legend ul").is_visible()
        page.locator(".leaflet-control-layers-toggle").click(timeout=3000)
        assert page.locator(".leaflet-control-layers-overlays").is_visible()
    finally:
        context.close()


def test_search_results_push_the_open_legend_down_instead_of_hiding_under_it(desktop, live_server):
    """The legend stops below whatever the top-left corner holds, the search results included (QA 2)."""
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    desktop.locator(".jz-search input").fill("区")
    results = desktop.locator(".jz-search-results button")
    results.first.wait_for()
    assert results.count() >= 7
    assert not boxes_overlap(desktop.locator(".jz-search").bounding_box(), desktop.locator(".jz-legend").bounding_box())
    place = results.nth(6).get_attribute("data-id")
    results.nth(6).click(timeout=3000)                        # the seventh, low in the list: not under the legend
    desktop.wait_for_function("id => new URL(location.href).searchParams.get('place') === id", arg=place)
