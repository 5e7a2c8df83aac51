"""Issue 13, item 6: the map in English, the place page's context map, landing on a quoted passage.

With ?lang=en a place's district and kind read in English; the search box's hint fits in it (desktop
and phone); a place page's map names its district and the zones around it; a citation link lands
with the passage in full view, below the top edge.
"""
from __future__ import annotations

import pytest

from test_browser import SOE, offline, open_map, popup_text

pytestmark = pytest.mark.browser


LOCALE = "en-GB"                         # the `page` fixture's (conftest)


def test_english_popup_names_district_and_kind_in_english(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&lang=en")
    page.fill(".jz-search input", "Central SOE")
    page.locator(f".jz-search-results button[data-id='{SOE}']").click()
    text = popup_text(page)
    facts = dict(zip(page.locator(".leaflet-popup-content .jz-facts > dt").all_inner_texts(),
                     page.locator(".leaflet-popup-content .jz-facts > dd").all_inner_texts()))
    assert facts["District"].startswith("Huaiyin District"), text
    assert facts["Kind"] == "development zone"
    page.fill(".jz-search input", "Lixia")
    page.wait_for_selector(".jz-search-results button[data-id='370102']")
    assert "Lixia District" in page.locator(".jz-search-results button[data-id='370102']").inner_text()


@pytest.mark.parametrize("width, lang", [(1366, "en"), (1366, "zh"), (390, "en"), (390, "zh")])
def test_search_hint_fits_its_box(browser, live_server, width, lang):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&lang={lang}")
    fits = page.eval_on_selector(".jz-search input", """el => {
        const s = getComputedStyle(el), c = document.createElement('canvas').getContext('2d');
        c.font = s.font;
        const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
        return [c.measureText(el.placeholder).width, room]; }""")
    context.close()
    assert fits[0] <= fits[1], fits


def test_place_page_map_names_its_district_and_neighbours(page, live_server):
    offline(page, live_server)
    page.goto(f"{live_server}/places/{SOE}?basemap=none", wait_until="load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    labels = [t.strip() for t in page.locator(".jz-smallmap .jz-label").all_inner_texts() if t.strip()]
    assert "槐荫区" in labels                                               # its district
    assert "央企总部城" in labels and len(labels) >= 3, labels               # itself and zones around it
    assert page.errors == []


def test_citation_link_lands_with_the_passage_in_full_view(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={SOE}")
    popup_text(page)
    page.locator(".leaflet-popup-content .jz-cite-src a").nth(1).click()
    page.wait_for_load_state("load")
    target = page.locator(".jz-passage:target")
    target.wait_for()
    page.wait_for_timeout(300)
    box = target.bounding_box()
    assert 16 <= box["y"] < 400, box                                       # its first line below the top edge
