"""/ogc: OGC API – Features (Part 1 Core, GeoJSON and HTML) over every layer, done by pygeoapi.

Longer than 250 lines: the pygeoapi configuration, the routes and the exception bodies of one API,
kept side by side so that they agree (the parameter rules live with the OpenAPI document).

pygeoapi (the OSGeo reference implementation) answers the protocol: landing page, conformance,
collections, items with bbox/limit/offset and next/prev links, single items. Ours are the OpenAPI
document (`webmap.ogc_openapi`, self-contained) and the check of every parameter against it before
pygeoapi runs, the OGC exception body of every error under /ogc, and GeoJSON item pages written
from the layer index (`webmap.ogc_items`; pygeoapi's per-request path costs ~1 ms a page).

We mount pygeoapi's API core (`pygeoapi.api.API` and its endpoint functions) behind a blueprint of
our own rather than importing `pygeoapi.flask_app`, because that module reads a YAML config and an
OpenAPI file named by the PYGEOAPI_CONFIG/PYGEOAPI_OPENAPI environment variables at import time and
keeps one global configuration per process — which fights `create_app(config)` and rebuilt layers.
Here the configuration is made in code from catalog.json, once per build and base URL, and items
come from `webmap.ogc_provider.MemoryProvider` (memory, not the file re-read per request).
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cachetools import LRUCache
from flask import Blueprint, Flask, Response, current_app, make_response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import PathConverter

from webmap import fastpath, ogc_items
from webmap.ogc_openapi import CRS84, FORMATS, LANGUAGES, MAX_LIMIT, check_query, openapi_document
from webmap.ogc_provider import LayerIndex, index_layer
from webmap.store import Snapshot

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


class AnyPath(PathConverter):
    """Werkzeug's path converter without its limits: a feature id may hold a newline or start with
    '/', and such a request must still reach this blueprint (a 404 in the OGC exception format)."""
    regex = r"(?s:.+?)"
    part_isolating = False


bp.record_once(lambda state: state.app.url_map.converters.setdefault("anypath", AnyPath))

TEMPLATES = Path(__file__).resolve().parent / "templates" / "ogc"
PROVIDER = "webmap.ogc_provider.MemoryProvider"
MAX_BASE_URLS = 8                       # API objects kept per build, one per Host the app is reached by
_CONFORMANCE_LOCK = threading.Lock()
UNMOUNTED = ("/processes", "/jobs", "/TileMatrixSets")   # pygeoapi links to these; we serve features only
GEOJSON = {"get_collection_items", "get_collection_item"}
ITEMTYPES = {"get_collection_items", "get_collection_item", "get_collection_queryables"}   # pygeoapi.api.itemtypes


@dataclass
class _Build:
    """What /ogc keeps per build: the layers' snapshot, the indexes made from it so far and the
    pygeoapi API objects, one per base URL."""
    snapshot: Snapshot
    indexes: dict[str, LayerIndex] = field(default_factory=dict)
    apis: LRUCache = field(default_factory=lambda: LRUCache(maxsize=MAX_BASE_URLS))


def _build(app: Flask | None = None, snap: Snapshot | None = None) -> _Build:
    """The current build's state: one look at catalog.json per call, so a request makes one call.
    `app` defaults to the current app (webmap.ogc_lane passes it, outside any app context, with
    the snapshot the response cache already took for this request)."""
    extensions = (current_app if app is None else app).extensions
    snap = snap or extensions["layers"].snapshot()
    build = extensions.get("ogc-build")
    if build is None or build.snapshot is not snap:
        build = extensions["ogc-build"] = _Build(snap)
    return build


def _layer_index(name: str, build: _Build | None = None) -> LayerIndex:
    """The layer's index for the current build, made on first use (one per layer per build)."""
    build = build or _build()
    index = build.indexes.get(name)
    if index is None:
        index = build.indexes[name] = index_layer(build.snapshot.layers[name])
    return index


def _source(name: str):
    return lambda: _layer_index(name)


LICENCE_URLS = {"ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/"}   # SPDX id → licence text


def licence_link(licence: dict, layers_page: str) -> dict:
    """The rel=license link of every collection: the licence the data statement starts with (an
    SPDX id), titled with the whole statement (which also names what is licensed otherwise)."""
    statement = licence.get("data") or ""
    url = next((u for spdx, u in LICENCE_URLS.items() if statement.startswith(spdx)), layers_page)
    return {"type": "text/html", "rel": "license", "title": statement or "see the layers page", "href": url}


def collection_title(meta: dict) -> str:
    return f"{meta['title_zh']} — {meta['title_en']}"


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
        links.append(licence_link(licence, base_url.rsplit("/ogc", 1)[0] + "/layers/"))
        resources[name] = {
            "type": "collection",
            "title": collection_title(meta),
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
            "languages": LANGUAGES[:1],
            "pretty_print": False,
            "limits": {"default_items": 10, "max_items": MAX_LIMIT},
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


def _make_api(base_url: str, build: _Build):
    from flask import url_for
    from pygeoapi.api import API

    catalog = build.snapshot.catalog
    root = base_url.rsplit("/ogc", 1)[0]

    def download_url(name, ext):
        return root + url_for("downloads.download", name=name, ext=ext)

    config = pygeoapi_config(catalog, base_url, download_url)
    ident = config["metadata"]["identification"]
    openapi = openapi_document(catalog, {name: _layer_index(name, build).filters for name in catalog["layers"]},
                               base_url, ident["title"], ident["description"])
    root_logger = logging.getLogger()
    saved = root_logger.handlers[:], root_logger.level
    try:
        api = API(config, openapi)
    finally:
        # API() calls logging.basicConfig on the root logger; keep the app's logging as it was.
        root_logger.handlers[:], root_logger.level = saved[0], saved[1]
    # pygeoapi logs every 4xx at ERROR; real failures still surface as exceptions Flask logs.
    logging.getLogger("pygeoapi").setLevel(logging.CRITICAL)
    return api


def _base_url() -> str:
    """OGC_URL in the app config (behind a proxy), else the URL this request came to, so links work
    on any host and port."""
    return current_app.config.get("OGC_URL") or f"{request.scheme}://{request.host}{request.root_path}/ogc"


def _api():
    """The pygeoapi API for this build and base URL."""
    base_url = _base_url()
    build = _build()
    api = build.apis.get(base_url)
    if api is None:
        api = build.apis[base_url] = _make_api(base_url, build)
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


def _check(formats: list[str], items_of: LayerIndex | None = None, args: dict | None = None) -> None:
    """The query checked against the OpenAPI document (`check_query`); `args` defaults to this
    request's query as a plain dict (first value of each name, as pygeoapi reads it)."""
    check_query(request.args.to_dict() if args is None else args, formats,
                None if items_of is None else items_of.filters)


def _execute(name: str, *args):
    """Run the pygeoapi endpoint function `name` on this request, as pygeoapi.flask_app does per
    route. Every 200 depends only on the request and the build, so it goes to the response cache."""
    import pygeoapi.api as core
    import pygeoapi.api.itemtypes as itemtypes
    from pygeoapi.api import APIRequest

    api = _api()
    req = APIRequest.from_flask(request, api.locales)
    fn = getattr(itemtypes if name in ITEMTYPES else core, name)
    headers, status, content = _call(name, fn, api, req, *args)
    if status >= 400 and req.format == "jsonld":
        headers["Content-Type"] = "application/json"     # an exception body, not linked data
    if status == 200:
        if name == "landing_page" and req.format in (None, "json"):
            content = _prune(content)
        if name in GEOJSON and req.format in (None, "json"):
            headers["Content-Type"] = "application/geo+json"
        fastpath.cacheable()
    return _response(content, status, headers)


def _response(content: str, status: int, headers: dict) -> Response:
    resp = Response(content, status, headers)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Vary"] = "Accept, Accept-Language"
    return resp


def _geojson_items(name: str, meta: dict, index: LayerIndex, args: dict) -> Response:
    """An items page as GeoJSON from the layer index (see webmap.ogc_items), cacheable like the rest."""
    body = ogc_items.items_page(index, args, f"{_base_url()}/collections/{name}/items",
                                collection_title(meta))
    fastpath.cacheable()
    return _response(body, 200, {k: v for k, v in ITEMS_HEADERS.items() if k != "Access-Control-Allow-Origin"})


# The headers of a GeoJSON items page (`_response` adds CORS and Vary), shared with webmap.ogc_lane.
ITEMS_HEADERS = {"Content-Type": "application/geo+json", "Content-Language": LANGUAGES[0],
                 "Content-Crs": f"<{CRS84}>", "Access-Control-Allow-Origin": "*"}

OGC_CODES = {400: "InvalidParameterValue", 404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable"}


@bp.errorhandler(HTTPException)
def ogc_error(exc: HTTPException):
    """Errors as the OGC exception schema has them: `code` is a string (pygeoapi's own errors look
    the same), and a 405 keeps its Allow header."""
    code = OGC_CODES.get(exc.code, "NoApplicableCode")
    body = {"code": code, "type": code, "description": exc.description}
    if request.args.get("f") == "html":           # a person's page asked for: the error as a page too
        from pygeoapi.util import render_j2_template

        api = _api()
        page = render_j2_template(api.tpl_config, api.config["server"]["templates"], "exception.html", body)
        resp = make_response(page, exc.code)
        resp.mimetype = "text/html"
    else:
        resp = make_response(json.dumps(body, ensure_ascii=False), exc.code)
        resp.mimetype = "application/json"
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        resp.headers["Allow"] = ", ".join(exc.valid_methods)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.get("")
@bp.get("/")
def landing():
    _check(FORMATS["doc"])
    return _execute("landing_page")


@bp.get("/openapi")
def openapi():
    _check(FORMATS["plain"])
    return _execute("openapi_")


@bp.get("/conformance")
def conformance():
    _check(FORMATS["doc"])
    return _execute("conformance")


@bp.get("/collections")
def collections():
    _check(FORMATS["doc"])
    return _execute("describe_collections")


def _known(collection_id: str, build: _Build | None = None) -> dict:
    """The collection's catalog entry; 404 for a name that is not a layer."""
    meta = (build or _build()).snapshot.catalog["layers"].get(collection_id)
    if meta is None:
        raise NotFound(description=f"no collection {collection_id!r}")
    return meta


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    _known(collection_id)
    _check(FORMATS["doc"])
    return _execute("describe_collections", collection_id)


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str):
    _known(collection_id)
    _check(FORMATS["plain"])
    return _execute("get_collection_schema", collection_id)


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    _known(collection_id)
    _check(FORMATS["plain"])
    return _execute("get_collection_queryables", collection_id)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    build = _build()
    meta = _known(collection_id, build)
    index = _layer_index(collection_id, build)
    args = request.args.to_dict()
    _check(FORMATS["doc"], index, args)
    if ogc_items.handles(args, request.headers.get("Accept", "")):
        return _geojson_items(collection_id, meta, index, args)
    return _execute("get_collection_items", collection_id)


@bp.get("/collections/<collection_id>/items/<anypath:item_id>", merge_slashes=False)
def item(collection_id: str, item_id: str):
    """Ids contain '/' ("huaiyin/medical-science-center"): accepted as is or encoded as %2F."""
    _known(collection_id)
    _check(FORMATS["doc"])
    return _execute("get_collection_item", collection_id, item_id)


OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
READ_ONLY = "GET, HEAD, OPTIONS"


@bp.before_request
def options():
    """OPTIONS says what the API is: read-only. Flask's own answer would list the methods of the
    routes above that exist only to refuse them (405), and QGIS's OGC API provider reads Allow to
    decide whether a layer may be edited (POST, PUT, PATCH, DELETE enable its editing tools)."""
    if request.method != "OPTIONS":
        return None
    resp = Response(status=204)
    resp.headers["Allow"] = READ_ONLY
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Allow-Methods"] = READ_ONLY
    resp.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, If-None-Match"
    return resp


@bp.route("/<anypath:rest>", methods=OTHER_METHODS, merge_slashes=False)
@bp.route("", methods=OTHER_METHODS[1:], endpoint="root_other")
@bp.route("/", methods=OTHER_METHODS[1:], endpoint="root_other_slash")
def unknown(rest: str = ""):
    """Unknown paths (404) and methods other than GET (405 with Allow) answered inside the
    blueprint, so their bodies follow the OGC exception schema too."""
    if request.method != "GET":
        try:
            endpoint, _ = current_app.url_map.bind_to_environ(request.environ).match(method="GET")
        except HTTPException:
            endpoint = None
        if endpoint and endpoint != "ogc.unknown":
            raise MethodNotAllowed(valid_methods=READ_ONLY.split(", "))
    raise NotFound(description="no such resource in this OGC API")
