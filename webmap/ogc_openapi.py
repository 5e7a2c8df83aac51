"""The OpenAPI 3.0 document of /ogc: self-contained and exactly what the blueprint serves.

pygeoapi's generated document points 159 `$ref`s at schemas.opengis.net and GitHub (an offline
client cannot resolve them), describes /conformance with the landing page's response, advertises
`sortby`, CQL and vendor parameters we refuse, and leaves JSON-LD and JSON Schema responses out.
This one is built from the catalog and each layer's fields, with the OGC API – Features Part 1
components written out under `webmap/ogc_schemas/` and referenced locally (`#/components/...`).
The same module holds the parameter rules (`check_query`), so what the blueprint refuses and what
the document allows are written side by side.
"""
from __future__ import annotations

import copy
import json
import math
import re
from functools import cache
from pathlib import Path

from werkzeug.exceptions import BadRequest

SCHEMAS = Path(__file__).resolve().parent / "ogc_schemas" / "ogcapi-features-1.json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LANGUAGES = ["en-US", "en"]
MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
# f= values per kind of resource (pygeoapi's names: json, html, jsonld)
FORMATS = {"doc": ["json", "html", "jsonld"], "plain": ["json", "html"]}
RESULT_TYPES = ["results", "hits"]
NULL = "null"     # as a filter value: the property is empty (see webmap.ogc_provider)

HTML = {"text/html": {"schema": {"type": "string"}}}
JSON_LD = {"application/ld+json": {"schema": {"type": "object"}}}


@cache
def ogc_components() -> dict:
    """OGC API – Features Part 1 components (schemas, responses, parameters), vendored."""
    return json.loads(SCHEMAS.read_text(encoding="utf-8"))["components"]


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema}


def _bad(message: str) -> BadRequest:
    return BadRequest(description=message)


def _integer(args, name: str, low: int, high: int | None) -> None:
    value = args.get(name)
    if value is None:
        return
    if not (value.isascii() and value.isdigit()) or int(value) < low or (high is not None and int(value) > high):
        raise _bad(f"{name} must be a whole number from {low}" + (f" to {high}" if high is not None else " up"))


def _filter_value(name: str, kind: str, value: str) -> None:
    if value == NULL:
        return
    if kind == "integer" and not re.fullmatch(r"-?[0-9]+", value):
        raise _bad(f"{name} must be a whole number")
    if kind == "number":
        try:
            ok = value.isascii() and math.isfinite(float(value))
        except ValueError:
            ok = False
        if not ok:
            raise _bad(f"{name} must be a finite number")
    if kind == "boolean" and value not in ("true", "false"):
        raise _bad(f"{name} must be true or false")


def check_query(args: dict[str, str], formats: list[str], filters: dict[str, str] | None) -> None:
    """400 (BadRequest) for any parameter value this document does not allow, before pygeoapi sees
    it (pygeoapi accepts an empty f, any lang, limit above its maximum and skipGeometry=maybe).
    `filters`: the layer's filterable properties for an items query, else None."""
    if "f" in args and args["f"] not in formats:
        raise _bad(f"f must be one of {', '.join(formats)}")
    if "lang" in args and args["lang"] not in LANGUAGES:
        raise _bad(f"lang must be one of {', '.join(LANGUAGES)}")
    for name in ("crs", "bbox-crs"):
        if args.get(name, CRS84) != CRS84:
            raise _bad(f"{name}: only {CRS84} is offered")
    if filters is None:
        return
    if "sortby" in args:
        raise _bad("sorting is not offered: features come in file order")
    _integer(args, "limit", 1, MAX_LIMIT)
    _integer(args, "offset", 0, None)
    if args.get("skipGeometry", "false") not in ("true", "false"):
        raise _bad("skipGeometry must be true or false")
    if args.get("resulttype", "results") not in RESULT_TYPES:
        raise _bad(f"resulttype must be one of {', '.join(RESULT_TYPES)}")
    for name, value in args.items():
        if name in filters and filters[name] != "string":
            _filter_value(name, filters[name], value)


def _params() -> dict:
    return {
        "f-doc": _query("f", {"type": "string", "enum": FORMATS["doc"]},
                        "Output format: json (GeoJSON for features), html, or jsonld (JSON-LD)."),
        "f-plain": _query("f", {"type": "string", "enum": FORMATS["plain"]}, "Output format: json or html."),
        "lang": _query("lang", {"type": "string", "enum": LANGUAGES}, "Language of the response."),
        "limit": _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                        f"Number of features on the page (1 to {MAX_LIMIT}; default {DEFAULT_LIMIT})."),
        "offset": _query("offset", {"type": "integer", "minimum": 0, "default": 0},
                         "Number of matching features to skip, in file order."),
        "skipGeometry": _query("skipGeometry", {"type": "boolean", "default": False},
                               "true gives every feature `geometry: null`."),
        "resulttype": _query("resulttype", {"type": "string", "enum": RESULT_TYPES, "default": "results"},
                             "hits gives only numberMatched, no features."),
        "crs": _query("crs", {"type": "string", "enum": [CRS84], "default": CRS84},
                      "Coordinate reference system of the response: only CRS84 (WGS 84 longitude/latitude)."),
        "bbox-crs": _query("bbox-crs", {"type": "string", "enum": [CRS84], "default": CRS84},
                           "Coordinate reference system of bbox: only CRS84."),
    }


def _op(op_id: str, summary: str, params: list, ok: dict, tags: list[str], not_found: bool = False) -> dict:
    responses = {"200": ok, "400": {"$ref": "#/components/responses/InvalidParameter"}}
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    return {"get": {"operationId": op_id, "summary": summary, "tags": tags, "parameters": params,
                    "responses": responses}}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _with(response: str, extra: dict) -> dict:
    """An OGC response with more media types (JSON-LD), written out because $ref allows no siblings."""
    resp = copy.deepcopy(ogc_components()["responses"][response])
    resp["content"].update(extra)
    return resp


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


NOTES = {
    "borrowed_from": " A feature drawn with a borrowed shape names what it borrows: the id of the zone "
                     "(method parent) or the district's adcode (method district); such shapes have no area "
                     "of their own and match any bbox inside them. `borrowed_from=null` keeps only features "
                     "with shapes of their own.",
    "precision": " How exactly the feature is placed: site, street, zone or district.",
    "district": " The district the feature lies in, by its Chinese name (e.g. 历下区).",
    "kind": " What the feature is (zone, park, project, landmark, ...).",
}


def filter_params(filters: dict[str, str]) -> list[dict]:
    """One query parameter per filterable property: equality, any member for list properties, and
    `null` for an empty property (so a string property's schema stays a plain string)."""
    return [_query(k, {"type": "string"} if t == "string" else {"oneOf": [{"type": t}, {"type": "string",
                                                                                       "enum": ["null"]}]},
                   f"Features whose `{k}` equals this value (a list: contains it); `null`: features where it "
                   f"is empty." + NOTES.get(k, ""))
            for k, t in filters.items()]


def openapi_document(catalog: dict, filters: dict[str, dict[str, str]], base_url: str, title: str,
                     description: str) -> dict:
    """The document for these layers at `base_url`; `filters` maps layer → property → JSON type."""
    p = {k: _ref("parameters", k) for k in [*_params(), *ogc_components()["parameters"]]}
    common = [p["f-doc"], p["lang"]]
    plain = [p["f-plain"], p["lang"]]
    schema_json = {"description": "A JSON Schema of the features' properties.",
                   "content": {"application/schema+json": {"schema": {"type": "object"}}, **HTML}}
    paths = {
        "/": _op("getLandingPage", "Landing page", common, _with("LandingPage", JSON_LD), ["server"]),
        "/openapi": _op("getOpenapi", "This OpenAPI document", plain,
                        {"description": "The OpenAPI document, or a page that renders it.",
                         "content": {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}},
                                     **HTML}}, ["server"]),
        "/conformance": _op("getConformanceDeclaration", "Conformance classes", common,
                            _with("ConformanceDeclaration", JSON_LD), ["server"]),
        "/collections": _op("getCollections", "Collections: every layer", common,
                            _with("Collections", JSON_LD), ["server"]),
    }
    tags = [{"name": "server", "description": description}]
    for name, meta in catalog["layers"].items():
        tag, cname = [name], _camel(name)
        tags.append({"name": name, "description": meta.get("description_en", "")})
        base = f"/collections/{name}"
        item_params = [p["bbox"], p["limit"], p["offset"], p["skipGeometry"], p["resulttype"], p["datetime"],
                       p["crs"], p["bbox-crs"], *common,
                       _query("properties", {"type": "array", "minItems": 1, "items": {"type": "string",
                                                                         "enum": sorted(filters[name])}},
                              "Only these properties in each feature (comma-separated names)."),
                       *filter_params(filters[name])]
        paths[base] = _op(f"describe{cname}Collection", f"{meta['title_en']}: metadata", common,
                          _with("Collection", JSON_LD), tag)
        paths[f"{base}/items"] = _op(f"get{cname}Features", f"{meta['title_en']}: features", item_params,
                                     _with("Features", JSON_LD), tag)
        paths[f"{base}/items/{{featureId}}"] = _op(
            f"get{cname}Feature", f"{meta['title_en']}: one feature by id",
            [p["featureId"], p["crs"], *common], _with("Feature", JSON_LD), tag, not_found=True)
        paths[f"{base}/queryables"] = _op(f"get{cname}Queryables", f"{meta['title_en']}: queryable properties",
                                          plain, schema_json, tag)
        paths[f"{base}/schema"] = _op(f"get{cname}Schema", f"{meta['title_en']}: schema of the features", plain,
                                      schema_json, tag)
    components = copy.deepcopy(ogc_components())
    components["parameters"].update(_params())
    # featureId: a path segment is never empty
    components["parameters"]["featureId"]["schema"]["minLength"] = 1
    return {
        "openapi": "3.0.2",
        "info": {"title": title, "description": description, "version": "1.0.0",
                 "license": {"name": catalog.get("licence", {}).get("data") or "see /layers/"}},
        "servers": [{"url": base_url}],
        "tags": tags,
        "paths": paths,
        "components": components,
    }
