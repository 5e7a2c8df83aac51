"""A framework page (`/frameworks/<id>`) embeds like a place: oEmbed discovery in its <head>, and
`/oembed?url=<framework page>` answers an iframe of `/embed` showing the framework's layer(s).

The frameworks are taken from the layers' catalog: those whose members are placed (the page shows a
map) and those with none (nothing to embed). Journalists paste such links into their CMS.
"""
from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from conftest import collection, copy_layers, reseal
from webmap import create_app

HOSTILE = '"><script>window.__pwned=1</script>&'


def held(catalog: dict, layers_dir) -> set[str]:
    """The ids of the places the layers hold."""
    return {f["id"] for name in catalog["layers"] if name != "districts"
            for f in collection(layers_dir, name)["features"]}


def frameworks(catalog: dict, layers_dir, placed: bool) -> list[str]:
    """Framework ids with (or without) a member the layers hold, i.e. with (or without) a map."""
    places = held(catalog, layers_dir)
    out: dict[str, bool] = {}
    for f in catalog["frameworks"]:
        out[f["id"]] = out.get(f["id"], False) or any(m.get("place_id") in places for m in f.get("members") or [])
    return [fid for fid, has in out.items() if has == placed]


def oembed_links(page: str) -> list[str]:
    return re.findall(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"[^>]*>', page)


def test_a_framework_page_announces_its_oembed_and_the_oembed_embeds_its_layers(client, catalog, layers_dir):
    mapped = frameworks(catalog, layers_dir, placed=True)
    assert mapped
    for fid in mapped:
        page = client.get(f"/frameworks/{quote(fid)}?lang=en").get_data(as_text=True)
        links = oembed_links(page)
        assert len(links) == 1, fid
        parts = urlsplit(html.unescape(links[0]))
        assert parts.path == "/oembed" and parse_qs(parts.query)["format"] == ["json"]
        assert urlsplit(parse_qs(parts.query)["url"][0]).path == f"/frameworks/{quote(fid)}"
        answer = client.get(f"{parts.path}?{parts.query}")
        assert answer.status_code == 200 and answer.mimetype == "application/json", fid
        data = answer.get_json()
        assert data["type"] == "rich" and data["version"] == "1.0"
        src = html.unescape(re.search(r'<iframe src="([^"]+)"', data["html"]).group(1))
        query = parse_qs(urlsplit(src).query)
        assert urlsplit(src).path == "/embed" and query["lang"] == ["en"]
        members = {m["place_id"] for f in catalog["frameworks"] if f["id"] == fid for m in f["members"]}
        members &= held(catalog, layers_dir)
        shown = {f["id"] for name in query["layers"][0].split(",") for f in collection(layers_dir, name)["features"]}
        assert members <= shown, fid                                      # the embed holds every member
        assert client.get(urlsplit(src).path + "?" + urlsplit(src).query).status_code == 200


def test_oembed_of_an_unknown_or_unmapped_framework_is_a_404(client, catalog, layers_dir):
    assert client.get("/oembed", query_string={"url": "http://localhost/frameworks/no-such"}).status_code == 404
    for fid in frameworks(catalog, layers_dir, placed=False):
        page = client.get(f"/frameworks/{quote(fid)}").get_data(as_text=True)
        assert oembed_links(page) == [], fid                             # no map, nothing to embed
        url = f"http://localhost/frameworks/{quote(fid)}"
        assert client.get("/oembed", query_string={"url": url}).status_code == 404, fid


def card(page: str) -> dict[str, str]:
    """The page's OpenGraph and Twitter-card tags: {property or name: content}."""
    return {k: html.unescape(v) for k, v in
            re.findall(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)"', page)}


def test_a_framework_page_has_a_link_card_naming_its_members_and_its_article(client, catalog, layers_dir):
    """A journalist pasting a framework page's link gets a card: the framework, its members, the
    article stating it and, when its members are on the map, the picture of its layer."""
    for placed in (True, False):
        for fid in frameworks(catalog, layers_dir, placed):
            twin = client.get(f"/frameworks/{quote(fid)}?f=json").get_json()       # the page's data
            for lang in ("zh", "en"):
                page = client.get(f"/frameworks/{quote(fid)}?lang={lang}")
                assert page.status_code == 200, fid
                tags = card(page.get_data(as_text=True))
                name = (twin["name_en"] if lang == "en" else None) or twin["name"]
                assert tags["og:title"].startswith(name) and unquote(urlsplit(tags["og:url"]).path) == f"/frameworks/{fid}"
                description = tags["og:description"]
                assert description.startswith(name) and tags["twitter:description"] == description, fid
                assert all(s["title"] in description for s in twin["statements"]), fid
                for m in twin["members"][:5]:
                    shown = (m.get("name_en") if lang == "en" else None) or m.get("name") or m.get("text")
                    assert shown in description, (fid, shown)
                counted = [s.get("count") or (sum(s["part_counts"].values()) if s.get("part_counts")
                                              and all(s["part_counts"].values()) else None) for s in twin["statements"]]
                if not twin["members"] and any(counted):        # counted, not named: the count, not a list
                    assert f"{next(c for c in counted if c)} " in description, (fid, description)
                assert "?" not in description and "()" not in description and "（）" not in description
                if placed:
                    assert tags["twitter:card"] == "summary_large_image"
                    image = urlsplit(tags["og:image"])
                    assert image.path.startswith("/images/") and "size=card" in image.query
                    assert client.get(f"{image.path}?{image.query}").status_code == 200
                else:
                    assert tags["twitter:card"] == "summary" and "og:image" not in tags


def test_the_discovery_link_escapes_the_framework_name(tmp_path, catalog, layers_dir):
    folder = copy_layers(tmp_path / "layers")
    cat = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    fid = frameworks(catalog, layers_dir, placed=True)[0]
    for f in cat["frameworks"]:
        if f["id"] == fid:
            f["name"] = (f.get("name") or f["label"]) + HOSTILE
    (folder / "catalog.json").write_text(json.dumps(cat, ensure_ascii=False), encoding="utf-8")
    reseal(folder)
    client = create_app({"LAYERS_DIR": str(folder), "TESTING": True}).test_client()
    page = client.get(f"/frameworks/{quote(fid)}").get_data(as_text=True)
    link = re.search(r'<link rel="alternate" type="application/json\+oembed"[^>]*>', page).group(0)
    assert "<script>" not in link and "&lt;script&gt;" in link and "&#34;&gt;" in link
    data = client.get("/oembed", query_string={"url": f"http://localhost/frameworks/{quote(fid)}"}).get_json()
    assert data["title"].endswith(HOSTILE) and "<script>" not in data["html"]
    tags = re.findall(r'<meta (?:property|name)="(?:og|twitter):(?:title|description)"[^>]*>', page)
    assert tags and all("<script>" not in tag and "&lt;script&gt;" in tag for tag in tags)    # the card too
