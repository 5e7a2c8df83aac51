"""The lane for GeoJSON item pages answers exactly as the OGC view would (same status, headers and
bytes), for the queries it takes; everything else it hands to Flask untouched."""
from __future__ import annotations

import gzip
import json
import re
import time
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from conftest import copy_layers, reseal
from webmap import create_app
from webmap.ogc_lane import ItemsLane, query_args

QUERIES = [
    ("projects", "", {}),
    ("projects", "bbox=116.90,36.64,116.93,36.67&limit=7", {}),
    ("projects", "bbox=116.90,36.64,116.93,36.67&limit=7&offset=3", {"Accept-Encoding": "gzip"}),
    ("parks", "f=json&limit=2", {"Accept": "application/geo+json"}),
    ("projects", "borrowed_from=null&limit=1000", {"Accept-Encoding": "br, gzip;q=0.5"}),
    ("projects", "kind=project&properties=name,kind", {"Accept-Language": "zh"}),
    ("projects", "district=历下区&limit=4", {}),                       # raw UTF-8 in the query
    ("projects", "district=%E5%8E%86%E4%B8%8B%E5%8C%BA&limit=4", {}),
    ("lixia-axis-districts-parks", "skipGeometry=true", {}),
    ("projects", "limit=3&limit=4&bbox=116.9,36.6,117.1,36.7", {}),
]
HANDED_ON = [
    ("projects", "f=html", {}),                          # HTML: pygeoapi
    ("projects", "", {"Accept": "text/html"}),
    ("projects", "limit=99999", {}),                      # a 400 the view words
    ("projects", "bbox=1,2,3", {}),
    ("nope", "", {}),                                     # a 404 the view words
    ("projects", "datetime=2020-01-01", {}),              # only pygeoapi does datetime
]


@pytest.fixture(scope="module")
def lane(layers_dir):
    app = create_app({"LAYERS_DIR": str(layers_dir)})
    layer = app.wsgi_app
    while not isinstance(layer, ItemsLane):
        layer = layer.wsgi_app
    return layer


def flask_itself(lane: ItemsLane):
    """What answers behind the lane and the response cache (which holds the lane's own pages)."""
    return lane.cache.wsgi_app


def _call(wsgi, name, query, headers):
    env = EnvironBuilder(path=f"/ogc/collections/{name}/items", query_string=query,
                         headers={"Host": "127.0.0.1:5000", **headers}).get_environ()
    seen = {}
    body = b"".join(wsgi(env, lambda status, head, exc=None: seen.update(status=status, head=head)))
    head = dict(seen["head"])
    if head.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    # a page says when it was made (timeStamp): that, and the length and ETag that follow from it, differ
    body = re.sub(rb'"timeStamp":"[^"]*"', b"", body)
    return seen["status"], sorted((k, v) for k, v in head.items() if k not in ("Content-Length", "ETag")), body


@pytest.mark.parametrize("name, query, headers", QUERIES)
def test_the_lane_answers_as_the_view_does(lane, name, query, headers):
    env = EnvironBuilder(path=f"/ogc/collections/{name}/items", query_string=query,
                         headers={"Host": "127.0.0.1:5000", **headers}).get_environ()
    with lane.app.app_context():
        assert lane._page(name, env) is not None                 # the lane really takes it
    assert _call(lane, name, query, headers) == _call(flask_itself(lane), name, query, headers)


@pytest.mark.parametrize("name, query, headers", HANDED_ON)
def test_everything_else_is_handed_to_flask(lane, name, query, headers):
    env = EnvironBuilder(path=f"/ogc/collections/{name}/items", query_string=query,
                         headers={"Host": "127.0.0.1:5000", **headers}).get_environ()
    with lane.app.app_context():
        try:
            taken = lane._page(name, env)
        except Exception:                                         # noqa: BLE001 - the view's errors
            taken = None
    assert taken is None
    assert _call(lane, name, query, headers) == _call(flask_itself(lane), name, query, headers)


# ------------------------------------------------------------------ ETag: from the query, not the body

PAGE = "/ogc/collections/projects/items?limit=3&bench=1"


def test_a_page_has_one_weak_etag_in_every_worker_and_another_for_other_bytes(layers_dir):
    """Two apps stand for two gunicorn workers: each writes the page itself (its own timeStamp)."""
    first, second = (create_app({"LAYERS_DIR": str(layers_dir)}).test_client() for _ in range(2))
    a, b = first.get(PAGE), second.get(PAGE)
    assert a.status_code == b.status_code == 200 and a.data != b.data       # when each was made
    assert a.headers["ETag"] == b.headers["ETag"] and a.headers["ETag"].startswith('W/"')
    others = [first.get(PAGE.replace("limit=3", "limit=4")), first.get(PAGE + "&offset=1"),
              first.get(PAGE.replace("bench=1", "bench=2")),                   # echoed in the links
              first.get(PAGE, headers={"Accept-Encoding": "gzip"}),           # another representation
              first.get(PAGE, headers={"Host": "localhost:5000"})]            # links to another host
    tags = [r.headers["ETag"] for r in others]
    assert all(r.status_code == 200 for r in others) and len(set(tags) | {a.headers["ETag"]}) == 6


def test_a_worker_revalidates_the_page_another_worker_sent(layers_dir):
    etag = create_app({"LAYERS_DIR": str(layers_dir)}).test_client().get(PAGE).headers["ETag"]
    other = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()         # its cache is empty
    for _ in range(2):                                  # the lane answers, then the response cache
        r = other.get(PAGE, headers={"If-None-Match": f'"x", {etag}'})
        assert r.status_code == 304 and r.data == b"" and r.headers["ETag"] == etag
        assert "Content-Length" not in r.headers or r.headers["Content-Length"] == "0"
        assert r.headers["Access-Control-Allow-Origin"] == "*" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert other.get(PAGE, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304   # weak match
    assert other.get(PAGE, headers={"If-None-Match": '"other"'}).status_code == 200
    gz = other.get(PAGE, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert gz.status_code == 200 and gz.headers["Content-Encoding"] == "gzip"   # not the same representation


def test_head_of_an_items_page_has_the_gets_headers(layers_dir):
    """HEAD is GET without the body: a client checking a page (its ETag, its length) before fetching
    it got no ETag, from pygeoapi's view, first time or after."""
    client = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    for url in (PAGE, PAGE.replace("limit=3", "limit=5")):
        head = client.head(url)                        # first: nothing cached for it
        got = client.get(url)
        assert head.status_code == got.status_code == 200 and head.data == b""
        for name in ("ETag", "Content-Type", "Content-Length", "Content-Crs", "Access-Control-Allow-Origin"):
            assert head.headers[name] == got.headers[name], name
        assert client.head(url).headers["ETag"] == got.headers["ETag"]        # and from the cache


def test_a_conditional_request_for_a_bad_query_is_still_a_400(layers_dir):
    client = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    for query in ("limit=99999", "bbox=1,2,3", "bbox=0,10,1,5", "properties=nope", "offset=-1"):
        r = client.get(f"/ogc/collections/projects/items?{query}", headers={"If-None-Match": "*"})
        assert r.status_code == 400, query


def test_a_rebuild_changes_the_etag(tmp_path):
    layers = copy_layers(tmp_path / "layers")
    client = create_app({"LAYERS_DIR": str(layers)}).test_client()
    before = client.get(PAGE)
    fc = json.loads((layers / "projects.geojson").read_text(encoding="utf-8"))
    fc["features"][0]["properties"]["name"] += "（改）"
    (layers / "projects.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    reseal(layers)
    after = client.get(PAGE, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["features"][0]["properties"]["name"].endswith("（改）")
    assert after.headers["ETag"] != before.headers["ETag"]


@given(st.text(alphabet="ab=&%+2Fé;,历 ", max_size=24))
def test_the_shortcut_for_plain_queries_reads_them_as_parse_qsl_does(query):
    raw = query.encode("utf-8").decode("latin-1")                  # as a WSGI server passes it (PEP 3333)
    first = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        first.setdefault(key, value)                               # request.args.to_dict(): the first value
    assert query_args(raw) == first


def test_a_page_says_when_it_was_made_as_pygeoapi_does(layers_dir):
    client = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    for _ in range(3):
        stamp = client.get(PAGE.replace("bench=1", f"bench={time.time_ns()}")).get_json()["timeStamp"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp), stamp
        made = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        assert abs((datetime.now(timezone.utc) - made).total_seconds()) < 5
        time.sleep(0.4)                                   # across a second's boundary too
