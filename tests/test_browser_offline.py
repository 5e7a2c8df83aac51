"""With basemap=none nothing leaves the machine, on any page: the promise to readers offline or in
mainland China, where OpenStreetMap's tiles do not load.

Real headless Chromium visits every kind of page with basemap=none, as a reader does — scrolling
to the place page's embed preview by its link, opening a popup, following the navigation links —
and every request the pages make is recorded: none may go to another host. The links a reader
follows keep basemap=none, so the next page keeps the promise too.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

PLACE = "huaiyin/medical-science-center"
DOC = "000_d54c22738cddc5a0"


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page that records (and refuses) every request to another host."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    ours = urlsplit(live_server).netloc
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if urlsplit(url).netloc == ours or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()
    context.route("**/*", route)
    p = context.new_page()
    p.outside = outside
    yield p
    context.close()


def pages(live_server, request) -> list[str]:
    """One URL of every page type, with basemap=none (a frameworks page where the app has one)."""
    paths = ["/", f"/?place={PLACE}", f"/places/{PLACE}", "/sources/", f"/sources/{DOC}", "/layers/",
             "/layers/dictionary", f"/embed?place={PLACE}", "/embed?layers=parks", "/embed/builder",
             f"/embed/builder?place={PLACE}", "/ogc/?f=html", "/ogc/collections?f=html",
             "/ogc/collections/parks/items?f=html", "/ogc/collections/parks?f=html", "/ogc/openapi?f=html"]
    if request.get(f"{live_server}/frameworks/").ok:
        paths.append("/frameworks/")
    return [f"{live_server}{p}{'&' if '?' in p else '?'}basemap=none" for p in paths]


def settle(page) -> None:
    """Wait until a map page's map is drawn and its embed previews (lazy iframes) have loaded."""
    page.wait_for_load_state("networkidle")
    if page.evaluate("!!document.querySelector('.leaflet-container')"):
        page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")
        if frame.evaluate("!!document.querySelector('.leaflet-container')"):
            frame.wait_for_function("() => window.JZ && window.JZ.ready === true")
    page.wait_for_load_state("networkidle")


def test_no_page_loads_anything_from_another_host_with_basemap_none(page, live_server):
    for url in pages(live_server, page.request):
        resp = page.goto(url, wait_until="load")
        assert resp.status == 200, url
        page.mouse.wheel(0, 20000)                       # scrolled to the end: lazy iframes load too
        settle(page)
        assert page.outside == [], (url, page.outside)


def test_the_place_pages_embed_preview_has_no_basemap_either(page, live_server):
    page.goto(f"{live_server}/places/{PLACE}?basemap=none", wait_until="load")
    page.get_by_role("link", name="嵌入此地图").click()         # the reader goes to the embed section
    preview = page.wait_for_selector(".jz-builder-preview")
    assert "basemap=none" in preview.get_attribute("src")
    frame = preview.content_frame()
    frame.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert frame.locator(".leaflet-tile").count() == 0
    assert "basemap=none" in page.locator(".jz-builder-snippet").input_value()    # and the snippet keeps it
    settle(page)
    assert page.outside == []


def test_links_keep_basemap_none(page, live_server):
    """From the map to a popup's place page, to English, on to an article, back to Chinese and to the
    map: still no basemap."""
    page.goto(f"{live_server}/?place={PLACE}&basemap=none", wait_until="load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")     # as a reader: once it has settled
    page.wait_for_selector(".leaflet-popup-content .jz-pop", state="visible")
    page.locator(".leaflet-popup-content a", has_text="详情页").click()
    page.wait_for_url(f"**/places/{PLACE}?*")
    assert parse_qs(urlsplit(page.url).query)["basemap"] == ["none"]
    page.get_by_role("link", name="English").click()                   # switching language keeps it too
    page.wait_for_url("**lang=en**")
    assert parse_qs(urlsplit(page.url).query) == {"lang": ["en"], "basemap": ["none"]}
    page.locator("main a[href*='/sources/0']").first.click()           # a citation's article
    page.wait_for_url("**/sources/**")
    assert parse_qs(urlsplit(page.url).query) == {"lang": ["en"], "basemap": ["none"]}
    page.get_by_role("link", name="中文").click()
    page.wait_for_url(lambda url: "/sources/" in url and "lang=en" not in url)
    assert parse_qs(urlsplit(page.url).query) == {"lang": ["zh"], "basemap": ["none"]}
    page.locator("nav a").first.click()                              # the site's name: back to the map
    page.wait_for_url(f"{live_server}/?*")
    assert parse_qs(urlsplit(page.url).query)["basemap"] == ["none"]
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert page.locator(".leaflet-tile").count() == 0
    settle(page)
    assert page.outside == []


def test_analyze_and_a_search_popups_framework_link_keep_basemap_none(browser, live_server):
    """A reader pastes an article on /analyze?basemap=none and submits it, then on the map picks a
    framework in the search box and follows its popup's link: every request stays on our host."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    try:
        page.goto(f"{live_server}/analyze?basemap=none", wait_until="load")
        page.get_by_role("textbox").fill("济南西站位于槐荫区。")
        page.get_by_role("button", name="查找地名").click()
        page.wait_for_selector("#jz-analyze-map .leaflet-marker-icon", state="visible")
        assert parse_qs(urlsplit(page.url).query)["basemap"] == ["none"]
        settle(page)
        page.goto(f"{live_server}/?basemap=none", wait_until="load")
        page.wait_for_function("() => window.JZ && window.JZ.ready === true")
        page.get_by_role("searchbox").fill("五大主战场")
        page.locator(".jz-search-results button[data-id='huaiyin-five-battlefields']").click()
        page.locator(".leaflet-popup-content a", has_text="框架详情页").click()
        page.wait_for_url("**/frameworks/huaiyin-five-battlefields**")
        assert parse_qs(urlsplit(page.url).query)["basemap"] == ["none"]
        settle(page)
        ours = urlsplit(live_server).netloc
        outside = [u for u in seen if urlsplit(u).netloc != ours and not u.startswith(("data:", "blob:", "about:"))]
        assert outside == [], outside
    finally:
        context.close()
