"""`/analyze` (issue 11, item 6): paste an article, see its places labelled, its frameworks and a map
of the known places; the JSON twin equals the command line's output; nothing is stored."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, run_geo

TEXT = ("槐荫区全力推进济南国际医学科学中心、央企总部城、济南槐荫经济开发区、百年商埠历史文化区、乡村振兴生态区"
        "五大主战场建设，新建大明湖东门广场，从北京南站出发。<script>alert('x')</script>")


@pytest.fixture(scope="module")
def page_html(client):
    r = client.post("/analyze", data={"text": TEXT})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_form_is_a_page_with_a_text_box(client):
    r = client.get("/analyze?lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<textarea id="jz-text" name="text"' in html and "200,000" in html


def test_every_name_is_highlighted_with_its_status(page_html):
    assert '<mark class="known" data-status="known"' in page_html
    assert '<mark class="new" data-status="new"' in page_html and "大明湖东门广场" in page_html
    assert '<mark class="outside" data-status="outside"' in page_html and "北京南站" in page_html
    assert 'href="/places/huaiyin/medical-science-center"' in page_html


def test_the_pasted_text_is_escaped(page_html):
    assert "<script>alert('x')</script>" not in page_html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page_html


def test_frameworks_are_listed_with_their_count_check(page_html):
    assert "五大主战场" in page_html and "数目相符" in page_html


def test_the_known_places_are_on_a_map(page_html):
    assert 'id="jz-analyze-map"' in page_html and "medical-science-center" in page_html


def test_the_json_twin_equals_the_command_line(client):
    r = client.post("/analyze", data={"text": TEXT}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    out = run_geo("extract", "-", stdin=TEXT.encode("utf-8"))
    assert out.returncode == 0, out.stderr
    assert r.get_json() == json.loads(out.stdout)


def test_too_long_is_413_and_empty_is_400_and_nothing_is_stored(client):
    before = sorted(p.name for p in (ROOT / "seeds").iterdir())
    r = client.post("/analyze", data={"text": "济" * 200_001})
    assert r.status_code == 413 and "200,000" in r.get_data(as_text=True)
    assert client.post("/analyze", data={"text": "  "}).status_code == 400
    assert sorted(p.name for p in (ROOT / "seeds").iterdir()) == before


@pytest.mark.browser
def test_paste_and_click_in_chromium(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors, foreign = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if urlsplit(r.request.url).netloc == urlsplit(live_server).netloc or r.request.url.startswith("data:"):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    try:
        page.goto(f"{live_server}/analyze", wait_until="load")
        page.fill("#jz-text", TEXT)
        page.click("#jz-analyze")
        page.wait_for_selector("#jz-result mark.known", state="visible")
        assert page.locator("#jz-result mark.new").first.inner_text().startswith("大明湖东门广场")
        assert page.locator("#jz-result mark.outside").first.inner_text().startswith("北京南站")
        page.wait_for_selector("#jz-analyze-map .leaflet-interactive, #jz-analyze-map .leaflet-marker-icon",
                               state="attached")
        assert page.locator("#jz-frameworks li").first.inner_text().startswith("五大主战场")
        assert "alert" not in "".join(errors) and page.evaluate("() => document.querySelectorAll('script').length") > 0
        assert not errors
        assert all("tile" in u or "openstreetmap" in u for u in foreign), foreign   # only basemap tiles leave
    finally:
        context.close()
