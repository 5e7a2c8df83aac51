"""Every link and form a page builds keeps the reader's basemap and language (QA #6): a reader who
chose basemap=none (offline, or in mainland China) must not get OpenStreetMap on the next page."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

KEEP = {"lang": ["en"], "basemap": ["none"]}
TEXT = "济南西站位于槐荫区。"


def hrefs(html: str) -> list[str]:
    """The page's own links and form actions (not the sources' outside pages), unescaped."""
    found = re.findall(r'(?:href|action)="([^"]*)"', html)
    return [unescape(u) for u in found if not u.startswith(("http", "#", "data:", "?f=json")) and "/assets/" not in u]


def keeps(url: str) -> bool:
    q = parse_qs(urlsplit(url).query)
    return q.get("lang") == ["en"] and q.get("basemap") == ["none"]


def test_the_search_of_the_map_page_and_its_framework_links_keep_the_basemap(client):
    html = client.get("/?lang=en&basemap=none").get_data(as_text=True)
    search = re.search(r'"search":"([^"]+)"', html).group(1).replace("\\u0026", "&")
    assert keeps(search), search
    results = client.get(search + "&q=battlefields").get_json()["results"]
    framework = [r for r in results if r["type"] == "framework"]
    assert framework and all(keeps(r["url"]) for r in framework), framework


def test_the_analyze_form_posts_lang_and_basemap_back_and_its_links_keep_them(client):
    html = client.get("/analyze?lang=en&basemap=none").get_data(as_text=True)
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    assert keeps(action), action
    r = client.post(action, data={"text": TEXT})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "tile.openstreetmap.org" not in page                 # the result map has no basemap either
    links = hrefs(page)
    assert links and all(keeps(u) or "lang=zh" in u for u in links), [u for u in links if not keeps(u)]


@pytest.mark.parametrize("url", ["/analyze?basemap=xx", "/analyze?lang=xx"])
def test_a_bad_basemap_or_language_on_analyze_is_a_400(client, url):
    r = client.get(url)
    assert r.status_code == 400 and "xx" in r.get_data(as_text=True)
    assert client.post(url, data={"text": TEXT}).status_code == 400


def test_the_analyze_map_uses_the_chosen_basemap(client):
    page = client.post("/analyze?basemap=positron", data={"text": TEXT}).get_data(as_text=True)
    assert "basemaps.cartocdn.com" in page and "tile.openstreetmap.org" not in page


def test_error_pages_link_back_with_the_basemap(client):
    r = client.get("/places/nope?lang=en&basemap=none")
    assert r.status_code == 404
    links = hrefs(r.get_data(as_text=True))
    assert links and all(keeps(u) for u in links), links


def test_the_download_pages_link_back_with_the_basemap(client):
    for path in ("/layers/", "/layers/dictionary"):
        links = hrefs(client.get(f"{path}?lang=en&basemap=none").get_data(as_text=True))
        back = [u for u in links if urlsplit(u).path in ("/", "/layers/", "/layers/dictionary")]
        assert back and all(keeps(u) for u in back), (path, links)
    assert client.get("/layers/?basemap=xx").status_code == 400


def test_the_map_pages_panel_links_keep_both(client):
    """Also without script: the basemap links keep the language, the language link the basemap."""
    html = client.get("/?lang=en&basemap=none").get_data(as_text=True)
    panel = html.split('id="jz-panel-html"')[1].split("</template>")[0]
    plain = hrefs(re.sub(r'<a [^>]*data-param[^>]*>', "", panel))
    assert plain and all(keeps(u) for u in plain), plain
    chosen = {p: unescape(u) for u, p in re.findall(r'href="([^"]*)" data-param="[a-z]+" data-value="([a-z]+)"', panel)}
    assert parse_qs(urlsplit(chosen["zh"]).query)["basemap"] == ["none"]
    assert all(parse_qs(urlsplit(chosen[b]).query)["lang"] == ["en"] for b in ("osm", "none", "positron")), chosen


@pytest.mark.parametrize("method, url, zh, en", [
    ("post", "/analyze", "请粘贴一篇文章", "Paste the text of an article"),
    ("get", "/places/huaiyin/nowhere", "没有编号为", "No place with the id"),
    ("get", "/?place=huaiyin/nowhere", "没有编号为", "No place with the id"),
    ("get", "/sources/nope", "没有编号为", "No article with the id"),
    ("get", "/frameworks/nope", "没有编号为", "No framework"),
])
def test_error_messages_are_in_the_pages_language(client, method, url, zh, en):
    """Posting only spaces, or asking for what is not there: the message (and the status name) is
    Chinese on a Chinese page, English with lang=en."""
    send = getattr(client, method)
    chinese = send(url, data={"text": "   "}).get_data(as_text=True)
    assert zh in chinese and en not in chinese and ("请求有误" in chinese or "未找到" in chinese)
    english = send(url + ("&" if "?" in url else "?") + "lang=en", data={"text": "   "}).get_data(as_text=True)
    assert en in english and zh not in english
