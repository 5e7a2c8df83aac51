"""The pages around the map on a phone and the small maps in them (QA #8, #9), in real Chromium.

A phone (390×844) never scrolls a page sideways, in either language; the pages are picked from
the app's own data (every framework, the place with the longest English name), so new data is
checked too. On /analyze's result map every pin draws its icon, and on every small map the scale
bar is not hidden by the attribution, at desktop and phone widths.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

pytestmark = pytest.mark.browser

RECT = """s => { const b = document.querySelector(s).getBoundingClientRect();
                 return [b.left, b.top, b.right, b.bottom]; }"""


def offline_page(browser, live_server, width: int, height: int):
    """A page that refuses requests to other hosts (tiles would only slow the test down)."""
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    ours = urlsplit(live_server).netloc
    page.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).netloc == ours
               or r.request.url.startswith("data:") else r.abort())
    return page


def phone_pages(request, live_server) -> list[str]:
    """Every framework page, the place with the longest English name, the lists and the dictionary."""
    frameworks = [f["url"] for f in request.get(f"{live_server}/frameworks/?f=json").json()["frameworks"]]
    names = {}
    for layer in request.get(f"{live_server}/layers/?f=json").json()["layers"]:
        for f in request.get(f"{live_server}/layers/{layer['name']}.geojson").json()["features"]:
            names[f["id"]] = f["properties"].get("name_en") or ""
    longest = max(sorted(names), key=lambda pid: len(names[pid]))
    return frameworks + [f"/places/{quote(longest)}", "/sources/", "/frameworks/", "/layers/",
                         "/layers/dictionary", "/analyze", "/embed/builder"]


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server):
    page = offline_page(browser, live_server, 390, 844)
    wide = []
    try:
        for path in phone_pages(page.request, live_server):
            for lang in ("zh", "en"):
                page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}", wait_until="load")
                page.wait_for_load_state("networkidle")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide.append((path, lang, width))
    finally:
        page.context.close()
    assert wide == []


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_analyze_maps_pins_have_icons_and_its_scale_is_not_under_the_attribution(browser, live_server, width):
    page = offline_page(browser, live_server, width, 800)
    try:
        page.goto(f"{live_server}/analyze", wait_until="load")
        page.get_by_role("textbox").fill("济南西站与济南国际医学科学中心都在槐荫区。")
        page.get_by_role("button", name="查找地名").click()
        page.wait_for_selector("#jz-analyze-map .leaflet-marker-icon", state="visible")
        uses = page.eval_on_selector_all("#jz-analyze-map .leaflet-marker-icon use",
                                         "us => us.map(u => !!document.querySelector(u.getAttribute('href')))")
        assert uses and all(uses), uses                              # every pin's icon is in the page
        scale, credit = page.evaluate(RECT, ".leaflet-control-scale"), page.evaluate(RECT, ".leaflet-control-attribution")
        assert not overlaps(scale, credit), (scale, credit)
        for path in ("/places/huaiyin/medical-science-center", "/frameworks/"):
            if path == "/frameworks/":
                path = page.request.get(f"{live_server}/frameworks/?f=json").json()["frameworks"][0]["url"]
            page.goto(f"{live_server}{path}", wait_until="load")
            page.wait_for_function("() => window.JZ && window.JZ.ready === true")
            scale = page.evaluate(RECT, ".leaflet-control-scale")
            credit = page.evaluate(RECT, ".leaflet-control-attribution")
            assert not overlaps(scale, credit), (path, scale, credit)
    finally:
        page.context.close()
