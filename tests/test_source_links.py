"""Links to a place's sources in popups: readable text (host and decoded path), the exact URL as href.

A source's URL is often a Chinese title percent-encoded (`%E6%B5%8E…`), which as link text tells a
reader nothing and runs across the popup. The place is picked from the layers, not written in.
An article's page links the article's own URL (the catalog's `url`), escaped, and only an http(s) one.
"""
from __future__ import annotations

import html
import json
import re
from urllib.parse import unquote

import pytest
from markupsafe import escape

from conftest import collection, copy_layers, reseal

ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}")
LAYERS = ("zones-and-corridors", "huaiyin-five-battlefields", "huaiyin-three-platforms",
          "lixia-axis-districts-parks", "parks", "projects")


def encoded_urls(props: dict) -> set[str]:
    """The percent-encoded URLs a popup shows as text: in the stated area's source, or untitled sources."""
    urls = {u for u in re.findall(r"https?://\S+", props.get("stated_area_source") or "") if ESCAPED.search(u)}
    return urls | {s["url"] for s in props.get("sources") or [] if not s.get("title") and ESCAPED.search(s["url"])}


@pytest.fixture(scope="module")
def place(layers_dir) -> dict:
    for name in LAYERS:
        for f in collection(layers_dir, name)["features"]:
            if encoded_urls(f["properties"]):
                return f["properties"]
    pytest.fail("no place in the layers shows a percent-encoded source URL any more")


def test_a_popup_shows_a_percent_encoded_source_url_readably_and_links_it_exactly(client, place):
    titles = {s.get("title") for s in place.get("sources") or []} - {None, ""}
    page = client.get(f"/popups/{place['id']}").get_data(as_text=True)
    for url in encoded_urls(place):
        texts = re.findall(rf'<a href="{re.escape(html.escape(url))}"[^>]*>(.*?)</a>', page)
        assert texts, url
        for shown in map(html.unescape, texts):
            assert not ESCAPED.search(shown) and "://" not in shown, shown
            if shown in titles:                    # the same page cited as a titled source
                continue
            readable = unquote(url.split("://", 1)[1])
            assert readable.startswith(shown.rstrip("…")) or shown == readable.rstrip("/")


def test_a_decoded_url_is_still_escaped(client):
    from flask import render_template_string

    app = client.application
    url = "https://example.org/%3Cscript%3Ealert%281%29%3C/script%3E%E6%B5%8E%E5%8D%97"
    with app.test_request_context():
        out = render_template_string('{% from "_macros.html" import linked with context %}{{ linked(s) }}',
                                     s=f"见 {url}", lang="zh", lang_args={})
    assert "<script>" not in out and "&lt;script&gt;" in out and "济南" in out
    assert 'href="https://example.org/%3Cscript%3Ealert' in out


# ------------------------------------------------------------------ an article's own URL on its page

ARTICLE_URL_PAYLOAD = 'https://example.org/a?x=1&y="><script>window.__pwned=1</script>'


@pytest.fixture(scope="module")
def planted_urls(tmp_path_factory):
    """A copy of the layers whose articles carry a hostile http(s) URL and a javascript: one."""
    from webmap import create_app

    folder = copy_layers(tmp_path_factory.mktemp("urls") / "layers")
    docs = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
    hostile, scripted = sorted(docs)[:2]
    docs[hostile]["url"] = ARTICLE_URL_PAYLOAD
    docs[scripted]["url"] = "javascript:alert(1)"
    (folder / "sources.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    reseal(folder)
    return create_app({"LAYERS_DIR": str(folder), "TESTING": True}).test_client(), hostile, scripted


def test_an_articles_url_is_linked_escaped_and_only_if_http(planted_urls):
    client, hostile, scripted = planted_urls
    page = client.get(f"/sources/{hostile}").get_data(as_text=True)
    assert "<script>window.__pwned" not in page
    (attrs,) = re.findall(rf'<a href="{re.escape(str(escape(ARTICLE_URL_PAYLOAD)))}"([^>]*)>', page)
    assert 'rel="noopener nofollow"' in attrs
    page = client.get(f"/sources/{scripted}").get_data(as_text=True)
    assert "javascript:" not in page
