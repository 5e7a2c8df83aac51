"""A GIS user's journey in Chromium (issue 13, items 11–13): from the layer list to the data
dictionary, the licence of a layer, and a bbox query that leaves borrowed shapes out."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BOX = "116.90,36.64,116.93,36.67"       # 3×3 km in Huaiyin


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    p = context.new_page()
    yield p
    context.close()


def test_the_layer_list_leads_to_a_data_dictionary_that_explains_provenance(page, live_server):
    page.goto(f"{live_server}/layers/")
    page.get_by_role("link", name="data dictionary").click()
    page.wait_for_url("**/layers/dictionary")
    row = page.locator("tr#borrowed_from")
    assert "parent" in row.inner_text() and "district" in row.inner_text()
    methods = page.locator("#values-method + table").inner_text()
    for value in ("official-boundary", "drawn-from-description", "placed-at-address", "traced"):
        assert value in methods
    assert "recalled" in page.locator("#values-vertex_basis + table").inner_text()


def test_a_collection_page_links_the_layers_licence(page, live_server):
    page.goto(f"{live_server}/ogc/collections/parks?f=html")
    licence = page.locator('a[rel="license"]').first
    assert licence.is_visible() and "ODbL-1.0" in licence.inner_text()
    assert licence.get_attribute("href").startswith("https://opendatacommons.org/")
    page.goto(f"{live_server}/layers/")
    assert "ODbL-1.0" in page.locator("header").inner_text()


def test_a_bbox_query_can_leave_borrowed_district_shapes_out(page, live_server):
    base = f"{live_server}/ogc/collections/projects/items?f=html&limit=1000&bbox={BOX}"
    page.goto(base)
    every = page.locator("tbody tr").count()
    page.goto(base + "&borrowed_from=null")
    placed = page.locator("tbody tr").count()
    assert 0 < placed < every                       # district-wide items no longer match any box


def test_ogc_pages_read_as_text_and_fit_a_phone(browser, live_server):
    """On a 390 px phone an items list and an item page scroll no sideways (a wide table scrolls in
    itself), and an item's lists read as text, its sources as links: no JSON escapes (\\u6d4e)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server}/ogc/collections/projects/items?f=html&limit=50")
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
        first = phone.locator("tbody tr td a").first
        first.tap()
        phone.wait_for_url("**/items/**")
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
        text = phone.locator("main").inner_text()
        assert "\\u" not in text and "[\"" not in text
        sources = phone.locator("tr", has=phone.locator("th", has_text="sources")).locator("td")
        assert sources.inner_text().strip() == "—" or sources.locator("a[href^='http']").count() >= 1
    finally:
        context.close()
