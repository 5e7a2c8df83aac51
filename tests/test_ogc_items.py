"""GeoJSON item pages come from our index (webmap.ogc_items), not pygeoapi's per-request path:
they must be the pages pygeoapi itself makes from the same provider, bar the time stamp."""
from __future__ import annotations

import json

import flask
import pygeoapi.api.itemtypes as itemtypes
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pygeoapi.api import APIRequest

from conftest import ROOT
from webmap import ogc
from webmap.ogc_provider import index_layer, select

LAYERS = sorted(json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))["layers"])
QUERIES = ["", "limit=3", "limit=2&offset=2&bbox=116,36,118,37&precision=site", "bbox=116.85,36.6,116.95,36.7&limit=1000",
           "resulttype=hits", "skipGeometry=true&limit=2", "properties=name,kind&limit=2", "offset=60&limit=5",
           "frameworks=huaiyin-three-platforms", "limit=10&bench=5", "bbox=179,0,-179,1", "district=历下区&limit=4",
           "bbox=1,2,3", "bbox=0,10,1,5", "bbox=nan,1,2,3", "properties=", "properties=nope",
           "bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84", "f=json&limit=1", "borrowed_from=null&limit=50"]


@pytest.fixture(scope="module")
def app(client):
    return client.application


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("name", LAYERS)
def test_geojson_pages_equal_what_pygeoapi_makes(app, client, name, query):
    url = f"/ogc/collections/{name}/items?{query}"
    ours = client.get(url)
    with app.test_request_context(url):
        api = ogc._api()
        _, status, content = itemtypes.get_collection_items(api, APIRequest.from_flask(flask.request, api.locales),
                                                            name)
    theirs = json.loads(content)
    assert ours.status_code == status, (url, ours.get_data(as_text=True)[:200])
    mine = ours.get_json()
    if status != 200:
        assert mine["description"] == theirs["description"]
        return
    assert ours.mimetype == "application/geo+json"
    assert mine.pop("timeStamp") and theirs.pop("timeStamp")
    assert mine == theirs


def test_html_json_ld_and_datetime_still_go_through_pygeoapi(client):
    assert client.get("/ogc/collections/parks/items?f=html").mimetype == "text/html"
    assert client.get("/ogc/collections/parks/items", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/ogc/collections/parks/items?f=jsonld").mimetype == "application/ld+json"
    page = client.get("/ogc/collections/parks/items?datetime=2021-01-01&limit=2").get_json()
    assert page["numberReturned"] == 2


INDEX = {"projects": index_layer(json.loads((ROOT / "layers" / "projects.geojson").read_text(encoding="utf-8")))}


@settings(max_examples=200, deadline=None)
@given(x=st.floats(115.5, 118), y=st.floats(36, 37.5), w=st.floats(0, 0.6), h=st.floats(0, 0.6),
       wrap=st.booleans())
def test_the_spatial_index_selects_exactly_the_features_a_full_scan_does(x, y, w, h, wrap):
    index = INDEX["projects"]
    if wrap:     # across the antimeridian (minx > maxx): from x east to 180 and on from -180
        bbox, boxes = [x, y, w - 180, y + h], [shapely.box(x, y, 180, y + h), shapely.box(-180, y, w - 180, y + h)]
    else:
        bbox, boxes = [x, y, x + w, y + h], [shapely.box(x, y, x + w, y + h)]
    want = [i for i, g in enumerate(index.geometries) if any(g.intersects(b) for b in boxes)]
    assert select(index, bbox, []) == want
