"""The lane for GeoJSON item pages answers exactly as the OGC view would (same status, headers and
bytes), for the queries it takes; everything else it hands to Flask untouched."""
from __future__ import annotations

import gzip
import re

import pytest
from werkzeug.test import EnvironBuilder

from webmap import create_app
from webmap.ogc_lane import ItemsLane

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
    assert _call(lane, name, query, headers) == _call(lane.wsgi_app, name, query, headers)


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
    assert _call(lane, name, query, headers) == _call(lane.wsgi_app, name, query, headers)
