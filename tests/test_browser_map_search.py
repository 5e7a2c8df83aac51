"""Issue 13, item 1: the search box and clicks on the map, as a planner uses them (desktop 1366×800).

Only visible controls are used: typing in the search box, clicking a result or pressing Enter, a
mouse click on the map. A pick must leave its popup open (the list emptied during the click once
made Leaflet take it for a click on the map), the middle of a zone opens that zone, frameworks and
traditional characters are found.
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map, popup_text

pytestmark = pytest.mark.browser
CBD = "lixia/cbd"


def results(page, query: str) -> None:
    page.click(".jz-search input")
    page.fill(".jz-search input", query)
    page.wait_for_selector(".jz-search-results button, .jz-search-results .jz-none", timeout=15000)


def still_open(page, name: str) -> None:
    """The popup shows `name` and is still open a moment later, with no tooltip beside it."""
    assert name in popup_text(page)
    page.wait_for_timeout(800)
    assert page.locator(".leaflet-popup").count() == 1
    assert name in page.inner_text(".leaflet-popup-content h3")
    assert page.locator(".leaflet-tooltip").count() == 0


@pytest.mark.parametrize("how", ["click", "enter"])
def test_search_pick_keeps_its_popup_open(page, live_server, how):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    results(page, "中央商务区")
    button = page.locator(f".jz-search-results button[data-id='{CBD}']")
    if how == "click":
        button.click()
    else:
        assert page.locator(".jz-search-results button").first.get_attribute("data-id") == CBD
        page.press(".jz-search input", "Enter")
    still_open(page, "济南中央商务区")
    assert page.errors == []


def _anchor_on_screen(page, live_server, layer: str, place_id: str) -> tuple[float, float]:
    """Where the map draws the middle of a place (its anchor), in page pixels, through Leaflet itself."""
    return tuple(page.evaluate("""([url, id]) => fetch(url).then(r => r.json()).then(fc => {
        const a = fc.features.find(f => f.id === id).properties.anchor;
        const el = document.querySelector('.folium-map'), map = window[el.id];
        const p = map.latLngToContainerPoint(L.latLng(a[1], a[0])), box = el.getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; })""", [f"{live_server}/display/{layer}.geojson", place_id]))


def test_clicking_the_middle_of_the_cbd_opens_the_cbd(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={CBD}&popup=0")
    x, y = _anchor_on_screen(page, live_server, "lixia-axis-districts-parks", CBD)
    page.mouse.click(x, y)
    popup_text(page)
    assert "济南中央商务区" in page.inner_text(".leaflet-popup-content h3")


def test_frameworks_are_found_and_shown_with_their_members(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    for query in ("五大主战场", "battlefield"):
        results(page, query)
        assert "五大主战场" in page.locator(".jz-search-results button").first.inner_text()
    page.locator(".jz-search-results button").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    page.wait_for_timeout(500)
    assert page.locator(".leaflet-popup").count() == 1
    assert popup.locator("li").count() == 5 and "央企总部城" in popup.inner_text()
    popup.locator("button", has_text="央企总部城").click()
    still_open(page, "央企总部城")


def test_traditional_characters_find_places(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    results(page, "濟南中央商務區")                        # 济南中央商务区 written in traditional characters
    page.locator(f".jz-search-results button[data-id='{CBD}']").click()
    still_open(page, "济南中央商务区")
