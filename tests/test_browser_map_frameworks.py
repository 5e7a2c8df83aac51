"""Issue 13, item 4: frameworks can be compared (desktop 1366×800).

From the map, a planner finds a framework in the search box and opens its page: the sentence with
its members marked, the count check, a row per member, and a map naming every member. On the main
map, zoomed in, zones carry their names; a zone in two frameworks has its own, legended outline, and
where two zones overlap a legended frame shows it.
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map

pytestmark = pytest.mark.browser
FIVE = ["济南国际医学科学中心", "央企总部城", "济南槐荫经济开发区", "百年商埠历史文化区", "乡村振兴生态区"]


def test_framework_page_from_the_search_box(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.fill(".jz-search input", "五大主战场")
    page.locator(".jz-search-results button[data-id='huaiyin-five-battlefields']").click()
    page.locator(".leaflet-popup-content a", has_text="框架详情页").click()
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert page.locator("h1").inner_text().startswith("五大主战场")
    marked = page.locator(".jz-fw-statement").first.locator("mark").all_inner_texts()
    assert marked == FIVE
    assert "文中所述 5 · 列出 5 · 一致" in page.locator(".jz-count-check").first.inner_text()
    rows = page.locator(".jz-fw-members tbody tr")
    assert rows.count() == 5
    cells = rows.first.locator("td").all_inner_texts()
    assert "平方公里" in cells[1] and "片区级" in cells[2] and int(cells[3]) > 0 and "树兰" in cells[4]
    labels = {t.strip() for t in page.locator(".jz-smallmap .jz-label--zone").all_inner_texts()}
    assert set(FIVE) <= labels, labels
    assert page.errors == []


def test_main_map_names_zones_when_zoomed_in_and_marks_overlaps(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none#map=12/36.66/116.92")
    zone_labels = page.locator(".jz-label--zone")
    assert not any(label.is_visible() for label in zone_labels.all())      # zoomed out: district names only
    assert page.locator(".jz-label--district", has_text="槐荫区").first.is_visible()
    page.click(".leaflet-control-zoom-in")
    page.wait_for_timeout(800)
    shown = {label.inner_text().strip() for label in zone_labels.all() if label.is_visible()}
    assert {"央企总部城", "济南国际医学科学中心"} <= shown, shown
    # zones in both Huaiyin frameworks: the second framework's colour as a dotted outline, in the legend
    overlap = page.locator("path.jz-overlap").first
    assert overlap.get_attribute("fill") == "none" and overlap.get_attribute("stroke-dasharray")
    colour = overlap.get_attribute("stroke")
    swatch = page.locator(".jz-legend .jz-sw--overlap")
    assert swatch.count() == 1 and colour in swatch.get_attribute("style")
    # where two zones of one framework overlap (the development zone reaching into the medical science
    # centre): a dotted frame, explained in the legend, that lets clicks through to the zones
    clash = page.locator("path.jz-clash").first
    assert clash.is_visible() and "leaflet-interactive" not in (clash.get_attribute("class") or "")
    assert page.locator(".jz-legend .jz-sw--clash").count() == 1
