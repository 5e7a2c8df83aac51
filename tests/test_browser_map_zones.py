"""Issue 13, item 5: items known only to their zone or district show their uncertainty (desktop 1366×800).

Such items are one marker per zone or district with a count, with rings that tell zone-level from
district-level; hovering one shows the area it may be in; clicking lists the items; the legend
explains every icon and colour on the map.
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map, popup_text

pytestmark = pytest.mark.browser
MEDICAL = "济南国际医学科学中心"


def group(page, name: str):
    return page.locator(f".leaflet-marker-pane .jz-pin--group[aria-label^='{name} ·']").first


def hovered_area(page, marker) -> dict:
    marker.hover()
    page.wait_for_selector("path.jz-area", state="visible", timeout=10000)
    box = page.locator("path.jz-area").bounding_box()
    page.mouse.move(5, 790)
    page.wait_for_selector("path.jz-area", state="detached", timeout=10000)
    return box


def test_zone_and_district_items_are_grouped_with_their_area_on_hover(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&layers=projects,districts#map=12.5/36.66/116.9")
    medical, huaiyin = group(page, MEDICAL), group(page, "槐荫区")
    assert int(medical.locator(".jz-count").inner_text()) >= 5
    assert "jz-pin--zone" in medical.get_attribute("class") and "jz-pin--district" in huaiyin.get_attribute("class")
    style = "el => getComputedStyle(el).borderTopStyle + ' ' + getComputedStyle(el).outlineStyle"
    assert medical.evaluate(style) != huaiyin.evaluate(style)            # two different rings
    zone_box, district_box = hovered_area(page, medical), hovered_area(page, huaiyin)
    assert district_box["width"] * district_box["height"] > 2 * zone_box["width"] * zone_box["height"]
    h = huaiyin.bounding_box()                                          # the district's items: not in the zone
    cx, cy = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    assert not (zone_box["x"] <= cx <= zone_box["x"] + zone_box["width"]
                and zone_box["y"] <= cy <= zone_box["y"] + zone_box["height"])
    count = int(medical.locator(".jz-count").inner_text())
    medical.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible")
    assert popup.locator("button").count() == count
    first = popup.locator("button").first.inner_text()
    popup.locator("button").first.click()
    assert first in popup_text(page)
    page.wait_for_timeout(300)
    assert "place=" in page.url
    assert page.errors == []


def test_legend_explains_every_marker_on_the_map(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    seen = """sel => Array.from(document.querySelectorAll(sel)).map(p => [
        p.querySelector('use').getAttribute('href'), p.style.getPropertyValue('--c').trim(),
        ['jz-pin--zone', 'jz-pin--district', 'jz-pin--group'].filter(c => p.classList.contains(c)).join(' ')])"""
    on_map = page.evaluate(seen, ".leaflet-marker-pane .jz-pin")
    legend = page.evaluate(seen, ".jz-legend .jz-pin")
    pairs = {(icon, colour) for icon, colour, _ in legend}
    rings = {c for _, _, classes in legend for c in classes.split()}
    missing = {(icon, colour) for icon, colour, _ in on_map} - pairs
    assert not missing, missing
    assert {c for _, _, classes in on_map for c in classes.split()} <= rings
