"""/ogc against its own OpenAPI document: schemathesis generates requests for every operation
(valid and invalid values, the coverage phase's edge cases, methods the document doesn't list) and
checks each response: no 5xx, documented status and media type, body valid against the schema.

Offline: the document is self-contained (no `$ref` leaves it) and the app is called in-process
through WSGI. Bounded: a few examples per operation, so the whole run stays well under a minute.
"""
from __future__ import annotations

import json
import re
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from conftest import ROOT, copy_layers
from webmap import create_app

EXAMPLES = 12
IDENTITY = {"Accept-Encoding": "identity"}   # the WSGI transport does not decode gzip
CATALOG = json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))
# schemathesis leaves out the operation its document was loaded from (/openapi): checked below instead
PATHS = ["/", "/conformance", "/collections"] + [
    p % name for name in CATALOG["layers"] for p in ("/collections/%s", "/collections/%s/items",
                                                      "/collections/%s/items/{featureId}",
                                                      "/collections/%s/queryables", "/collections/%s/schema")]


@pytest.fixture(scope="module")
def ogc_app(tmp_path_factory):
    layers = copy_layers(tmp_path_factory.mktemp("conformance") / "layers")
    return create_app({"LAYERS_DIR": str(layers), "TESTING": True})


@pytest.fixture(scope="module")
def ogc_schema(ogc_app):
    return schemathesis.openapi.from_wsgi("/ogc/openapi?f=json", ogc_app)


def test_the_document_lists_every_operation_tested_here(ogc_schema):
    assert sorted(op.ok().path for op in ogc_schema.get_all_operations()) == sorted(PATHS)


def expressible(case) -> bool:
    """Rules between parameters that an OpenAPI document cannot state, kept out of the valid
    examples: a bbox's minimum latitude (and height) is not above its maximum; bbox-crs comes with
    a bbox. Breaking them is a 400, checked in test_ogc.py."""
    query = case.query or {}
    bbox = query.get("bbox") or []
    bbox = [float(v) for v in (bbox.split(",") if isinstance(bbox, str) else bbox)]
    if not bbox:
        return "bbox-crs" not in query
    low, high = (bbox[1:2], bbox[3:4]) if len(bbox) == 4 else (bbox[1:3], bbox[4:6])
    return all(a <= b for a, b in zip(low, high))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", PATHS)
def test_every_operation_answers_as_its_openapi_document_says(ogc_schema, path, mode):
    """Valid input → 200 (or a documented 404 for a made-up feature id); invalid → 4xx; every
    body valid against the document."""
    strategy = ogc_schema[path]["GET"].as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:
        strategy = strategy.filter(expressible)

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,   # the same cases every run
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=IDENTITY)

    run()


def test_openapi_document_is_self_contained(ogc_app):
    doc = ogc_app.test_client().get("/ogc/openapi?f=json").get_json()
    refs = re.findall(r'"\$ref": ?"([^"]*)"', json.dumps(doc))
    assert refs and all(r.startswith("#/components/") for r in refs), {r for r in refs if not r.startswith("#")}
    for ref in set(refs):
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]             # every local reference resolves
    assert not any(p["name"] == "sortby" for path in doc["paths"].values() for p in
                   [*path["get"]["parameters"]] if "name" in p)
    conformance = doc["paths"]["/conformance"]["get"]["responses"]["200"]
    assert conformance["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/confClasses"}
    items = doc["paths"]["/collections/projects/items"]["get"]["responses"]["200"]["content"]
    assert {"application/geo+json", "application/ld+json", "text/html"} <= set(items)
    queryables = doc["paths"]["/collections/projects/queryables"]["get"]["responses"]["200"]["content"]
    assert "application/schema+json" in queryables


@pytest.mark.parametrize("url, status", [
    ("/ogc/collections/projects/items?limit=1001", 400), ("/ogc/collections/projects/items?limit=%C2%B2", 400),
    ("/ogc/collections/projects/items?lang=zz", 400), ("/ogc/collections/projects/items?skipGeometry=maybe", 400),
    ("/ogc/collections/projects/items?f=", 400), ("/ogc/collections?f=", 400), ("/ogc/conformance?lang=xx", 400),
    ("/ogc/collections/projects/items?sortby=name", 400), ("/ogc/collections/projects/items?area_km2=abc", 400),
    ("/ogc/collections/projects/items?crs=EPSG:3857", 400), ("/ogc/nope", 404), ("/ogc/collections/nope", 404),
    ("/ogc/collections/projects/items/nope", 404)])
def test_errors_carry_the_ogc_exception_body_with_a_string_code(ogc_app, url, status):
    r = ogc_app.test_client().get(url)
    assert r.status_code == status, url
    body = r.get_json()
    assert isinstance(body["code"], str) and body["code"] and body["description"], body


@pytest.mark.parametrize("url, status", [("/ogc/collections/nope?f=html", 404), ("/ogc/nope?f=html", 404),
                                         ("/ogc/collections/projects/items?limit=abc&f=html", 400),
                                         ("/ogc/collections/%3Cscript%3Ex%3C%2Fscript%3E?f=html", 404)])
def test_errors_of_a_page_for_people_are_a_page(ogc_app, url, status):
    """?f=html asks for pages: an error is a page too (pygeoapi's own 404 of an item was; ours were
    JSON), its message escaped, nothing fetched from another site."""
    r = ogc_app.test_client().get(url)
    page = r.get_data(as_text=True)
    assert r.status_code == status and r.mimetype == "text/html"
    assert "<h1>" in page and "<script>x" not in page and not re.search(r'(src|href)="https?://(?!localhost)', page)


def test_other_methods_are_405_with_allow(ogc_app):
    client = ogc_app.test_client()
    for url in ("/ogc", "/ogc/collections", "/ogc/collections/projects/items"):
        r = client.post(url)
        assert r.status_code == 405 and "GET" in r.headers["Allow"], url
        assert isinstance(r.get_json()["code"], str)


OGC_URLS = ("/ogc", "/ogc/", "/ogc/conformance", "/ogc/collections", "/ogc/collections/projects",
            "/ogc/collections/projects/items", "/ogc/collections/projects/items/huaiyin%2Fcdc-relocation")


def test_options_says_the_api_is_read_only(ogc_app, live_server):
    """QGIS's OGC API provider asks OPTIONS and offers editing when Allow lists POST, PUT, PATCH or
    DELETE: the answer must be the methods the API serves, in Flask and under gunicorn alike."""
    client = ogc_app.test_client()
    for url in OGC_URLS:
        r = client.options(url)
        assert r.status_code == 204 and set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}, url
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    request = urllib.request.Request(live_server + OGC_URLS[-2], method="OPTIONS")
    with urllib.request.urlopen(request, timeout=30) as r:
        assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_skip_geometry_gives_null_geometries_the_document_allows(ogc_app):
    client = ogc_app.test_client()
    page = client.get("/ogc/collections/projects/items?skipGeometry=true&limit=3").get_json()
    assert [f["geometry"] for f in page["features"]] == [None] * 3
    doc = client.get("/ogc/openapi?f=json").get_json()
    assert doc["components"]["schemas"]["featureGeoJSON"]["properties"]["geometry"]["nullable"] is True
