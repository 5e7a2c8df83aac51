"""The OpenAPI 3.0 document of /ogc: self-contained and exactly what the blueprint serves.

pygeoapi's generated document points 159 `$ref`s at schemas.opengis.net and GitHub (an offline
client cannot resolve them), describes /conformance with the landing page's response, advertises
`sortby`, CQL and vendor parameters we refuse, and leaves JSON-LD and JSON Schema responses out.
This one is built from the catalog and each layer's fields, with the OGC API – Features Part 1
components written out under `webmap/ogc_schemas/` and referenced locally (`#/components/...`).
The same module holds the parameter rules (`PARAMETERS`), so the checks in `webmap.ogc` and the
document cannot disagree.
"""
from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "ogc_schemas" / "ogcapi-features-1.json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
LANGUAGES = ["en-US", "en"]
MAX_LIMIT = 1000
DEFAULT_LIMIT = 10
# f= values per kind of resource (pygeoapi's names: json, html, jsonld)
FORMATS = {"doc": ["json", "html", "jsonld"], "plain": ["json", "html"]}
RESULT_TYPES = ["results", "hits"]
# JSON Schema types a property filter (`?district=...`) accepts; arrays match on any member
FILTER_TYPES = {"string", "number", "integer", "boolean"}

HTML = {"text/html": {"schema": {"type": "string"}}}
JSON_LD = {"application/ld+json": {"schema": {"type": "object"}}}


@cache
def ogc_components() -> dict:
    """OGC API – Features Part 1 components (schemas, responses, parameters), vendored."""
    return json.loads(SCHEMAS.read_text(encoding="utf-8"))["components"]


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": schema}


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
