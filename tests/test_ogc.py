"""/ogc: OGC API – Features Part 1 Core over every layer, checked in-process and with GDAL's client."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request

import pyogrio.raw
import pytest
import shapely
from shapely.geometry import shape

from conftest import ROOT, collection, require_tool, reseal
from webmap import create_app

CATALOG = json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))
LAYER_NAMES = sorted(CATALOG["layers"])
BASE = "http://localhost/ogc"


def get_json(client, url: str, status: int = 200, **kw) -> dict:
    r = client.get(url.removeprefix("http://localhost"), **kw)
    assert r.status_code == status, (url, r.status_code, r.get_data(as_text=True)[:300])
    return r.get_json()


def item_url(name: str, fid: str) -> str:
    return f"/ogc/collections/{name}/items/{urllib.parse.quote(fid, safe='')}"


# --------------------------------------------------------------------------- the documents

def test_landing_page_links_resolve_and_name_only_what_is_served(client):
    doc = get_json(client, "/ogc")
    rels = {link["rel"] for link in doc["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    for link in doc["links"]:
        if link["href"].startswith(BASE):
            assert client.get(link["href"].removeprefix("http://localhost")).status_code == 200, link
    assert not any("/processes" in lk["href"] or "/jobs" in lk["href"] or "TileMatrixSets" in lk["href"]
                   for lk in doc["links"])
    assert get_json(client, "/ogc/") == doc


def test_conformance_declares_features_core_geojson_html_and_openapi(client):
    conforms = get_json(client, "/ogc/conformance")["conformsTo"]
    for cls in ("ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson",
                "ogcapi-features-1/1.0/conf/html", "ogcapi-features-1/1.0/conf/oas30"):
        assert any(c.endswith(cls) for c in conforms), cls
    again = [get_json(client, "/ogc/conformance?f=json")["conformsTo"] for _ in range(3)]
    assert all(c == conforms for c in again)


def test_every_layer_is_a_collection_with_its_extent_and_downloads(client, catalog):
    doc = get_json(client, "/ogc/collections")
    assert [c["id"] for c in doc["collections"]] == list(catalog["layers"])
    for c in doc["collections"]:
        meta = catalog["layers"][c["id"]]
        assert c["title"] == f"{meta['title_zh']} — {meta['title_en']}"
        assert c["extent"]["spatial"]["bbox"] == [meta["bbox"]]
        assert c["itemType"] == "feature"
        hrefs = {link["href"] for link in c["links"]}
        assert f"http://localhost/layers/{c['id']}.gpkg" in hrefs
        assert f"{BASE}/collections/{c['id']}/items?f=json" in hrefs
        assert get_json(client, f"/ogc/collections/{c['id']}")["id"] == c["id"]


def test_every_collection_links_its_licence(client, catalog):
    statement = catalog["licence"]["data"]
    for c in get_json(client, "/ogc/collections")["collections"]:
        licences = [lk for lk in c["links"] if lk["rel"] == "license"]
        assert [lk["title"] for lk in licences] == [statement], c["id"]
        assert licences[0]["href"].startswith("https://") and licences[0]["type"] == "text/html"
    page = client.get("/ogc/collections/parks?f=html").get_data(as_text=True)
    assert f'rel="license" href="{licences[0]["href"]}"' in page and statement.split(";")[0] in page


def test_borrowed_shapes_are_a_queryable_a_client_can_filter_out(client, layers_dir):
    queryables = get_json(client, "/ogc/collections/projects/queryables")["properties"]
    assert {"borrowed_from", "precision", "kind", "district"} <= set(queryables)
    assert "citations" not in queryables and "sources" not in queryables          # not filterable
    assert queryables["precision"]["enum"] == ["district", "site", "street", "zone"]
    feats = collection(layers_dir, "projects")["features"]
    own = [f["id"] for f in feats if f["properties"]["borrowed_from"] is None]
    borrowed = [f["id"] for f in feats if f["properties"]["borrowed_from"] == "370104"]
    assert 0 < len(own) < len(feats) and borrowed
    url = "/ogc/collections/projects/items?limit=1000&borrowed_from="
    assert [f["id"] for f in get_json(client, url + "null")["features"]] == own
    assert [f["id"] for f in get_json(client, url + "370104")["features"]] == borrowed
    # a 3×3 km box in Huaiyin: the district-wide items match any box inside the district; without them,
    # only what is really placed there
    box = "116.90,36.64,116.93,36.67"
    every = get_json(client, f"/ogc/collections/projects/items?limit=1000&bbox={box}")["features"]
    placed = get_json(client, f"/ogc/collections/projects/items?limit=1000&bbox={box}&borrowed_from=null")["features"]
    assert {f["properties"]["borrowed_from"] for f in placed} == {None}
    assert len(placed) < len(every) and any(f["properties"]["borrowed_from"] == "370104" for f in every)
    doc = get_json(client, "/ogc/openapi?f=json")
    param = next(p for p in doc["paths"]["/collections/projects/items"]["get"]["parameters"]
                 if p.get("name") == "borrowed_from")
    assert "borrowed_from=null" in param["description"]


def test_openapi_document_describes_items_of_every_collection(client, catalog):
    r = client.get("/ogc/openapi")
    assert r.status_code == 200 and r.mimetype == "application/vnd.oai.openapi+json"
    doc = r.get_json()
    assert doc["openapi"].startswith("3.0")
    for name in catalog["layers"]:
        assert f"/collections/{name}/items" in doc["paths"]
        assert f"/collections/{name}/items/{{featureId}}" in doc["paths"]
    assert not any(p.startswith(("/processes", "/jobs", "/TileMatrixSets")) for p in doc["paths"])


# --------------------------------------------------------------------------- items

@pytest.mark.parametrize("name", LAYER_NAMES)
def test_paging_through_items_returns_the_layer_in_order(client, layers_dir, name):
    fc = collection(layers_dir, name)
    url, got, pages = f"/ogc/collections/{name}/items?limit=3", [], 0
    while url:
        r = client.get(url.removeprefix("http://localhost"))
        assert r.status_code == 200 and r.mimetype == "application/geo+json"
        page = r.get_json()
        assert page["numberMatched"] == len(fc["features"])
        assert page["numberReturned"] == len(page["features"]) <= 3
        got += page["features"]
        pages += 1
        nxt = [lk["href"] for lk in page["links"] if lk["rel"] == "next"]
        prev = [lk["href"] for lk in page["links"] if lk["rel"] == "prev"]
        assert bool(prev) == (pages > 1)
        url = nxt[0] if nxt else None
    assert [f["id"] for f in got] == [f["id"] for f in fc["features"]]
    assert [{k: g[k] for k in ("type", "id", "geometry", "properties")} for g in got] == fc["features"]
    # pygeoapi links a full last page to one more, empty page (which has no next link)
    full_last = len(fc["features"]) % 3 == 0
    assert pages == -(-len(fc["features"]) // 3) + full_last
    assert not full_last or page["features"] == []


def test_limit_defaults_to_ten_and_offset_skips(client, layers_dir):
    ids = [f["id"] for f in collection(layers_dir, "projects")["features"]]
    page = get_json(client, "/ogc/collections/projects/items")
    assert [f["id"] for f in page["features"]] == ids[:10]
    page = get_json(client, "/ogc/collections/projects/items?offset=5&limit=4")
    assert [f["id"] for f in page["features"]] == ids[5:9]
    prev = next(lk["href"] for lk in page["links"] if lk["rel"] == "prev")
    assert [f["id"] for f in get_json(client, prev)["features"]] == ids[1:5]
    assert get_json(client, f"/ogc/collections/projects/items?offset={len(ids)}")["features"] == []


@pytest.mark.parametrize("bbox", ["116.85,36.6,116.95,36.7", "117.0,36.6,117.1,36.7", "116,35,118,38",
                                  "10,10,11,11", "116.85,36.6,0,116.95,36.7,10"])
def test_bbox_returns_exactly_the_features_that_intersect_it(client, layers_dir, bbox):
    v = [float(x) for x in bbox.split(",")]
    box = shapely.box(*(v if len(v) == 4 else [v[0], v[1], v[3], v[4]]))
    fc = collection(layers_dir, "projects")
    want = [f["id"] for f in fc["features"] if shape(f["geometry"]).intersects(box)]
    page = get_json(client, f"/ogc/collections/projects/items?bbox={bbox}&limit=1000")
    assert [f["id"] for f in page["features"]] == want
    assert page["numberMatched"] == len(want)


def test_property_filters_match_values_and_list_members(client, layers_dir):
    fc = collection(layers_dir, "huaiyin-five-battlefields")
    want = [f["id"] for f in fc["features"] if "huaiyin-three-platforms" in f["properties"]["frameworks"]]
    page = get_json(client, "/ogc/collections/huaiyin-five-battlefields/items?frameworks=huaiyin-three-platforms")
    assert [f["id"] for f in page["features"]] == want and 0 < len(want) < len(fc["features"])
    fc = collection(layers_dir, "projects")
    want = [f["id"] for f in fc["features"] if f["properties"]["precision"] == "site"]
    page = get_json(client, "/ogc/collections/projects/items?precision=site&limit=1000")
    assert [f["id"] for f in page["features"]] == want


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_every_item_by_id_with_the_slash_encoded_or_not(client, layers_dir, name):
    for f in collection(layers_dir, name)["features"]:
        for url in {item_url(name, f["id"]), f"/ogc/collections/{name}/items/{f['id']}"}:
            r = client.get(url)
            assert r.status_code == 200 and r.mimetype == "application/geo+json", url
            got = r.get_json()
            assert {k: got[k] for k in ("type", "id", "geometry", "properties")} == f


def test_html_pages_for_people(client, layers_dir):
    fc = collection(layers_dir, "huaiyin-five-battlefields")
    f = fc["features"][0]
    pages = {"/ogc?f=html": "Collections",
             "/ogc/collections?f=html": "huaiyin-five-battlefields",
             "/ogc/collections/huaiyin-five-battlefields?f=html": "huaiyin-five-battlefields.gpkg",
             "/ogc/collections/huaiyin-five-battlefields/items?f=html": f["properties"]["name"],
             item_url("huaiyin-five-battlefields", f["id"]) + "?f=html": f["properties"]["citations"][0]["quote"],
             "/ogc/conformance?f=html": "ogcapi-features-1",
             "/ogc/openapi?f=html": "/ogc/openapi?f=json"}
    for url, text in pages.items():
        r = client.get(url)
        page = r.get_data(as_text=True)
        assert r.status_code == 200 and r.mimetype == "text/html", url
        assert text in page, url
        assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page), url   # no CDN
    listing = client.get("/ogc/collections/huaiyin-five-battlefields/items?f=html").get_data(as_text=True)
    assert item_url("huaiyin-five-battlefields", f["id"]).replace("/ogc", BASE) + "?f=html" in listing
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert client.get("/ogc/collections", headers=browser).mimetype == "text/html"
    assert client.get("/ogc/collections", headers={"Accept": "application/json"}).mimetype == "application/json"


def test_html_shows_injected_markup_as_text(tmp_path):
    layers = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", layers)
    fc = json.loads((layers / "parks.geojson").read_text(encoding="utf-8"))
    fc["features"][0]["properties"]["name"] += "<script>window.__pwned=1</script>"
    fc["features"][0]["properties"]["citations"][0]["quote"] += '"><img src=x onerror="window.__pwned=2">'
    (layers / "parks.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    reseal(layers)
    client = create_app({"LAYERS_DIR": str(layers)}).test_client()
    fid = fc["features"][0]["id"]
    for url in ("/ogc/collections/parks/items?f=html", item_url("parks", fid) + "?f=html"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>window.__pwned" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;window.__pwned" in page, url


def test_repeat_requests_are_identical_and_revalidate(client):
    url = "/ogc/collections/parks/items?limit=2"
    first, second = client.get(url), client.get(url)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(url + "&offset=1").data != first.data
    assert client.get(url, headers={"Accept": "text/html"}).mimetype == "text/html"


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("url", ["/ogc/collections/nope", "/ogc/collections/nope/items",
                                 "/ogc/collections/nope/items/x", "/ogc/collections/projects/items/nope",
                                 "/ogc/collections/projects/items/huaiyin%2Fnope",
                                 "/ogc/collections/projects/items/%00", "/ogc/collections/projects%00/items",
                                 "/ogc/collections/..%2f..%2fetc%2fpasswd/items", "/ogc/collections//etc/passwd",
                                 "/ogc/collections/projects/items/..%2f..%2f..%2fetc%2fpasswd",
                                 "/ogc/nope", "/ogc/processes", "/ogc/collections/projects/tiles"])
def test_unknown_collections_items_and_paths_are_404_json(client, url):
    r = client.get(url)
    assert r.status_code == 404 and r.is_json, url
    assert b"root:" not in r.data


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=", "bbox=1,2,3,4,5", "bbox=nan,1,2,3",
                                   "bbox=1,inf,2,3", "bbox=0,10,1,5", "limit=abc", "limit=0", "limit=-1",
                                   "limit=1.5", "limit=", "offset=abc", "offset=-1", "offset=1.5", "f=xml",
                                   "crs=EPSG:3857", "sortby=nope", "properties=nope", "filter=kind='zone'",
                                   "q=park", "limit=1001", "limit=%D9%A1", "lang=zz", "f=", "skipGeometry=maybe",
                                   "area_km2=abc", "area_km2=nan", "bbox-crs=EPSG:4326"])
def test_malformed_parameters_are_400_json(client, query):
    r = client.get(f"/ogc/collections/projects/items?{query}")
    assert r.status_code == 400 and r.is_json, (query, r.status_code)
    body = r.get_json()
    assert body["description"] and isinstance(body["code"], str)


ODD = ["/ogc/collections/projects/items?limit=99999999999999999999", "/ogc/collections/projects/items?offset=1e400",
       "/ogc/collections/projects/items?bbox=1e400,0,1,1", "/ogc/collections/projects/items?sortby=citations",
       "/ogc/collections/projects/items?sortby=-area_km2,name", "/ogc/collections/projects/items?f=jsonld",
       "/ogc/collections/projects/items?f=csv", "/ogc/collections/projects/items?lang=zz",
       "/ogc/collections/projects/items?skipGeometry=maybe", "/ogc/collections/projects/items?resulttype=hits",
       "/ogc/collections/projects/items?datetime=2021-01-01", "/ogc/collections/projects/items?%ff=%fe",
       "/ogc/collections/projects/items?properties=", "/ogc/collections/projects/queryables?f=html",
       "/ogc/collections/projects/schema", "/ogc?f=jsonld", "/ogc/collections?f=html&lang=zh"]


@pytest.mark.parametrize("name", LAYER_NAMES)
@pytest.mark.parametrize("query", ["f=csv", "sortby=", "sortby=,", "f=csv&skipGeometry=true", "skipGeometry=true",
                                   "f=html&skipGeometry=true", "properties=name&f=json"])
def test_odd_input_on_every_collection_never_gives_a_500(client, name, query):
    r = client.get(f"/ogc/collections/{name}/items?{query}")
    assert r.status_code < 500, (name, query, r.status_code)
    if query.startswith(("f=csv", "sortby")):
        assert r.status_code == 400 and r.get_json()["description"]


@pytest.mark.parametrize("url", ODD)
def test_odd_input_never_gives_a_500(client, url):
    assert client.get(url).status_code < 500, url
    assert client.get(url, headers={"Accept": "text/html", "Accept-Language": "zz, *;q=0.1"}).status_code < 500


def test_limit_above_the_documented_maximum_is_refused_and_hits_only_count(client, layers_dir):
    n = len(collection(layers_dir, "projects")["features"])
    assert get_json(client, "/ogc/collections/projects/items?limit=1000")["numberReturned"] == n
    assert get_json(client, "/ogc/collections/projects/items?limit=1001", status=400)["code"] == "InvalidParameterValue"
    page = get_json(client, "/ogc/collections/projects/items?resulttype=hits")
    assert page["numberMatched"] == n and page["features"] == []


# --------------------------------------------------------------------------- GDAL as the client

@pytest.mark.gdal
def test_gdal_oapif_lists_every_layer_and_copies_each_with_its_ids(live_server, tmp_path):
    ogrinfo = require_tool("ogrinfo", "GDAL's OGC API – Features client")
    ogr2ogr = require_tool("ogr2ogr", "GDAL's OGC API – Features client")
    url = f"OAPIF:{live_server}/ogc"
    out = subprocess.run([ogrinfo, "-ro", url], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    listed = re.findall(r"^\d+: (\S+)", out.stdout, re.M)
    served = json.loads(urllib.request.urlopen(f"{live_server}/layers/?f=json", timeout=30).read())
    assert listed == [layer["name"] for layer in served["layers"]]
    for name in listed:
        fc = json.loads(urllib.request.urlopen(f"{live_server}/layers/{name}.geojson", timeout=30).read())
        dest = tmp_path / f"{name}.gpkg"
        out = subprocess.run([ogr2ogr, "-f", "GPKG", str(dest), url, name, "-oo", "PAGE_SIZE=7"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, (name, out.stderr)
        meta, _, geoms, values = pyogrio.raw.read(str(dest), layer=name)
        ids = list(values[list(meta["fields"]).index("id")])
        assert ids == [str(f["id"]) for f in fc["features"]], name
        for g, f in zip(geoms, fc["features"]):
            assert shapely.hausdorff_distance(shapely.from_wkb(g), shape(f["geometry"])) < 1e-7


@pytest.mark.gdal
def test_gdal_filters_borrowed_shapes_on_the_server_and_drops_them(live_server):
    ogrinfo = require_tool("ogrinfo", "GDAL's OGC API – Features client")
    fc = json.loads(urllib.request.urlopen(f"{live_server}/layers/projects.geojson", timeout=30).read())
    url = f"OAPIF:{live_server}/ogc"

    def count(where: str) -> tuple[int, str]:
        out = subprocess.run([ogrinfo, "-ro", "-so", url, "projects", "-where", where, "--debug", "on"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return int(re.search(r"Feature Count: (\d+)", out.stdout).group(1)), out.stderr

    n, log = count("borrowed_from = '370104'")
    assert n == sum(f["properties"]["borrowed_from"] == "370104" for f in fc["features"]) > 0
    assert "borrowed_from=370104" in log            # GDAL found the parameter in /ogc/openapi: filtered by us
    n, _ = count("borrowed_from IS NULL")
    assert n == sum(f["properties"]["borrowed_from"] is None for f in fc["features"]) > 0


@pytest.mark.gdal
def test_gdal_reads_a_single_item_whose_id_has_a_slash(live_server):
    ogrinfo = require_tool("ogrinfo", "GDAL reading one item by URL")
    fid = "huaiyin/medical-science-center"
    url = f"{live_server}/ogc/collections/huaiyin-five-battlefields/items/{urllib.parse.quote(fid, safe='')}"
    out = subprocess.run([ogrinfo, "-ro", "-al", url], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"id (String) = {fid}" in out.stdout and "Feature Count: 1" in out.stdout
