"""/ogc: OGC API – Features (Part 1 Core, GeoJSON and HTML) over every layer, done by pygeoapi.

pygeoapi (the OSGeo reference implementation) answers the protocol: landing page, conformance,
collections, items with bbox/limit/offset and next/prev links, single items, the OpenAPI document.
We mount its API core (`pygeoapi.api.API` and its endpoint functions) behind a blueprint of our
own rather than importing `pygeoapi.flask_app`, because that module reads a YAML config and an
OpenAPI file named by the PYGEOAPI_CONFIG/PYGEOAPI_OPENAPI environment variables at import time and
keeps one global configuration per process — which fights `create_app(config)` and rebuilt layers.
Here the configuration is made in code from catalog.json, once per build and base URL, and items
come from `webmap.ogc_provider.MemoryProvider` (memory, not the file re-read per request).
"""
from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, make_response, request

from webmap import fastpath

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

TEMPLATES = Path(__file__).resolve().parent / "templates" / "ogc"
PROVIDER = "webmap.ogc_provider.MemoryProvider"
MAX_BASE_URLS = 8                       # API objects kept per build, one per Host the app is reached by
_CONFORMANCE_LOCK = threading.Lock()
UNMOUNTED = ("/processes", "/jobs", "/TileMatrixSets")   # pygeoapi links to these; we serve features only
GEOJSON = {"get_collection_items", "get_collection_item"}
ITEMTYPES = {"get_collection_items", "get_collection_item", "get_collection_queryables"}   # pygeoapi.api.itemtypes


def _store():
    from webmap.store import current

    return current()


def _layer_index(name: str):
    from webmap.ogc_provider import index_layer

    st = _store()
    return st.cached(("ogc-index", name), lambda: index_layer(st.snapshot().layers[name]))


def _source(name: str):
    return lambda: _layer_index(name)


def pygeoapi_config(catalog: dict, base_url: str, download_url) -> dict:
    """The pygeoapi configuration for these layers, as its YAML file would hold it."""
    licence = catalog.get("licence", {})
    resources = {}
    for name, meta in catalog["layers"].items():
        links = [{"type": t, "rel": "alternate", "title": f"Download: {title}", "href": download_url(name, ext)}
                 for ext, t, title in (("geojson", "application/geo+json", "GeoJSON"),
                                       ("gpkg", "application/geopackage+sqlite3", "GeoPackage"),
                                       ("kml", "application/vnd.google-earth.kml+xml", "KML"),
                                       ("csv", "text/csv", "CSV with WKT"),
                                       ("zip", "application/zip", "Shapefile (zipped)"))]
        links += [{"type": "text/html", "rel": "describedby", "title": s.get("title") or s.get("url"),
                   "href": s["url"]} for s in meta.get("sources", []) if s.get("url")]
        resources[name] = {
            "type": "collection",
            "title": f"{meta['title_zh']} — {meta['title_en']}",
            "description": meta["description_en"],
            "keywords": ["Jinan", "济南", "urban development", name],
            "links": links,
            "extents": {"spatial": {"bbox": meta["bbox"], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": PROVIDER, "data": name, "id_field": "id",
                           "title_field": "name", "source": _source(name)}],
        }
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 0},   # unused: Flask serves; pygeoapi requires the key
            "url": base_url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": 1000},
            "templates": {"path": str(TEMPLATES)},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "attribution": "© OpenStreetMap contributors"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "Jinan Zones · 济南片区 — OGC API – Features",
                "description": "Development zones, parks and projects announced in Jinan's district news, "
                               "each with the quoted passages that announced it. WGS-84 (CRS84).",
                "keywords": ["Jinan", "济南", "urban planning", "development zones"],
                "keywords_type": "theme",
                "terms_of_service": licence.get("data", ""),
                "url": base_url.rsplit("/ogc", 1)[0] + "/layers/",
            },
            "license": {"name": licence.get("data", ""), "url": base_url.rsplit("/ogc", 1)[0] + "/layers/"},
            "provider": {"name": "Jinan Zones", "url": base_url.rsplit("/ogc", 1)[0] + "/"},
            "contact": {"name": "Jinan Zones", "url": base_url.rsplit("/ogc", 1)[0] + "/"},
        },
        "resources": resources,
    }


def _make_api(base_url: str):
    from flask import url_for
    from pygeoapi.api import API
    from pygeoapi.openapi import get_oas

    catalog = _store().snapshot().catalog
    root = base_url.rsplit("/ogc", 1)[0]

    def download_url(name, ext):
        return root + url_for("downloads.download", name=name, ext=ext)

    config = pygeoapi_config(catalog, base_url, download_url)
    root_logger = logging.getLogger()
    saved = root_logger.handlers[:], root_logger.level
    try:
        openapi = get_oas(config)
        api = API(config, openapi)
    finally:
        # API() calls logging.basicConfig on the root logger; keep the app's logging as it was.
        root_logger.handlers[:], root_logger.level = saved[0], saved[1]
    # pygeoapi logs every 4xx at ERROR; real failures still surface as exceptions Flask logs.
    logging.getLogger("pygeoapi").setLevel(logging.CRITICAL)
    openapi["paths"] = {p: v for p, v in openapi.get("paths", {}).items() if not p.startswith(UNMOUNTED)}
    return api


def _api():
    """The pygeoapi API for this build and base URL: OGC_URL in the app config (behind a proxy),
    else the URL this request came to, so links work on any host and port."""
    base_url = current_app.config.get("OGC_URL") or request.host_url.rstrip("/") + "/ogc"
    apis: OrderedDict = _store().cached("ogc-apis", OrderedDict)
    api = apis.get(base_url)
    if api is None:
        api = apis[base_url] = _make_api(base_url)
        while len(apis) > MAX_BASE_URLS:
            apis.popitem(last=False)
    return api


def _prune(content: str) -> str:
    """Drop links to endpoints this server doesn't mount (pygeoapi adds them unconditionally)."""
    doc = json.loads(content)

    def keep(link):
        return not urlsplit(link.get("href", "")).path.split("/ogc", 1)[-1].startswith(UNMOUNTED)

    if isinstance(doc, dict) and isinstance(doc.get("links"), list):
        doc["links"] = [lk for lk in doc["links"] if keep(lk)]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _call(name: str, fn, api, req, *args):
    if name != "conformance":
        return fn(api, req, *args)
    # pygeoapi's conformance() extends its module-level CONFORMANCE_CLASSES list on every call (a
    # leak); run it under a lock and put the list back as it was.
    import pygeoapi.api as core

    with _CONFORMANCE_LOCK:
        n = len(core.CONFORMANCE_CLASSES)
        try:
            return fn(api, req, *args)
        finally:
            del core.CONFORMANCE_CLASSES[n:]


def _execute(name: str, *args, check_format: bool = True):
    """Run the pygeoapi endpoint function `name` on this request, as pygeoapi.flask_app does per
    route. Every 200 depends only on the request and the build, so it goes to the response cache."""
    import pygeoapi.api as core
    import pygeoapi.api.itemtypes as itemtypes
    from pygeoapi.api import APIRequest

    api = _api()
    req = APIRequest.from_flask(request, api.locales)
    if check_format and not req.is_valid():
        headers, status, content = api.get_format_exception(req)
    else:
        fn = getattr(itemtypes if name in ITEMTYPES else core, name)
        headers, status, content = _call(name, fn, api, req, *args)
    if status == 200:
        if name == "landing_page" and req.format in (None, "json"):
            content = _prune(content)
        if name in GEOJSON and req.format in (None, "json"):
            headers["Content-Type"] = "application/geo+json"
        fastpath.cacheable()
    resp = make_response(content, status)
    resp.headers.update(headers)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.vary.add("Accept")
    resp.vary.add("Accept-Language")
    return resp


@bp.get("")
@bp.get("/")
def landing():
    return _execute("landing_page")


@bp.get("/openapi")
def openapi():
    return _execute("openapi_")


@bp.get("/conformance")
def conformance():
    return _execute("conformance")


@bp.get("/collections")
def collections():
    return _execute("describe_collections")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    return _execute("describe_collections", collection_id)


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str):
    return _execute("get_collection_schema", collection_id)


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    return _execute("get_collection_queryables", collection_id)


UNSUPPORTED_ITEM_PARAMS = {
    "sortby": "sorting is not offered: features come in id order",
    "f=csv": "f=csv is not offered here: download /layers/<name>.csv (WKT geometry, full citations)",
}


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    # pygeoapi answers these with a 500 on our layers (IndexError in sortby parsing; its CSV
    # formatter cannot write nested citations): refuse them clearly instead.
    if "sortby" in request.args:
        abort(400, description=UNSUPPORTED_ITEM_PARAMS["sortby"])
    if request.args.get("f") == "csv":
        abort(400, description=UNSUPPORTED_ITEM_PARAMS["f=csv"])
    return _execute("get_collection_items", collection_id, check_format=False)


@bp.get("/collections/<collection_id>/items/<path:item_id>")
def item(collection_id: str, item_id: str):
    """Ids contain '/' ("huaiyin/medical-science-center"): accepted as is or encoded as %2F."""
    return _execute("get_collection_item", collection_id, item_id)
