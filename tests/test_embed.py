"""For journalists: static images, oEmbed, framing rules."""
import struct

import pytest

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
    r1 = client.get(f"/images/{ident}.png?width=480")
    assert r1.status_code == 200 and r1.mimetype == "image/png"
    width, height = _png_size(r1.data)
    assert width == 480 and height > 100
    r2 = create_app().test_client().get(f"/images/{ident}.png?width=480")     # a fresh app renders again
    assert r2.data == r1.data


def test_every_place_has_a_static_image(client):
    snap = client.application.extensions["layers"].snapshot()
    for pid in snap.places:
        r = client.get(f"/images/{pid}.png?width=200")
        assert r.status_code == 200 and _png_size(r.data)[0] == 200, pid


@pytest.mark.parametrize("url, status", [
    ("/images/no/such-place.png", 404), ("/images/districts.png", 404), ("/images/../../etc/passwd.png", 404),
    ("/images/parks.png?width=10", 400), ("/images/parks.png?width=99999", 400), ("/images/parks.png?width=-5", 400),
    ("/images/parks.png?width=abc", 400)])
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


def test_framing_headers_per_route(client):
    assert client.get("/images/parks.png").headers["Content-Security-Policy"] == "frame-ancestors *"
    for url in ("/", "/oembed?url=/places/lixia/cbd", "/no-such-page"):
        r = client.get(url)
        assert r.headers["Content-Security-Policy"] == "frame-ancestors 'self'", url
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
