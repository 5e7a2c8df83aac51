"""GeoJSON item pages of /ogc/collections/<name>/items, written without pygeoapi's per-request work.

pygeoapi's `get_collection_items` re-reads its configuration, builds a provider, copies every
feature and encodes the whole page with `json.dumps` on each request: about 1 ms for a page of ten
projects, most of it encoding the same features again. An items page is a selection from an index
built once per build, so here each feature is encoded once (`LayerIndex.encoded`) and a page is the
selected features joined, plus links and counts built exactly as pygeoapi builds them (same rels,
titles and query strings, so clients see one API). What this path does not cover — HTML, JSON-LD,
`datetime`, `q` and CQL `filter` — still goes through pygeoapi.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import quote

from pygeoapi.api import validate_bbox
from pygeoapi.provider.base import ProviderInvalidQueryError
from werkzeug.exceptions import BadRequest

from webmap.ogc_openapi import DEFAULT_LIMIT
from webmap.ogc_provider import LayerIndex, select

# Parameters pygeoapi treats as query syntax, never as a property filter (its reserved_fieldnames).
RESERVED = {"bbox", "bbox-crs", "crs", "f", "lang", "limit", "offset", "resulttype", "datetime", "sortby",
            "properties", "skipGeometry", "q", "filter", "filter-lang", "filter-crs"}
# Parameters only pygeoapi handles: with any of these the request goes to it.
PYGEOAPI_ONLY = {"datetime", "q", "filter", "filter-lang", "filter-crs"}
# json.dumps(separators=...) makes a new encoder per call; a page needs one made once (ASCII output)
COMPACT = json.JSONEncoder(separators=(",", ":"))


def handles(args: dict, accept: str) -> bool:
    """True when the request asks for GeoJSON and uses only what this module implements."""
    if PYGEOAPI_ONLY & args.keys():
        return False
    if "f" in args:
        return args["f"] == "json"
    return "text/html" not in accept and "application/ld+json" not in accept


def _links(uri: str, args: dict, title: str, offset: int, limit: int, returned: int, matched: int) -> list:
    params = "".join(f"&{quote(k, safe='')}={quote(str(v), safe=',')}"
                     for k, v in args.items() if k not in ("f", "offset"))
    links = [{"type": "application/geo+json", "rel": "self", "title": "This document as GeoJSON",
              "href": f"{uri}?f=json{params}"},
             {"rel": "alternate", "type": "application/ld+json", "title": "This document as RDF (JSON-LD)",
              "href": f"{uri}?f=jsonld{params}"},
             {"type": "text/html", "rel": "alternate", "title": "This document as HTML",
              "href": f"{uri}?f=html{params}"}]
    if offset > 0:
        links.append({"type": "application/geo+json", "rel": "prev", "title": "Items (prev)",
                      "href": f"{uri}?offset={max(0, offset - limit)}{params}"})
    if matched > limit + offset or returned == limit:
        links.append({"type": "application/geo+json", "rel": "next", "title": "Items (next)",
                      "href": f"{uri}?offset={offset + limit}{params}"})
    links.append({"type": "application/json", "title": title, "rel": "collection", "href": uri.rsplit("/", 1)[0]})
    return links


def items_page(index: LayerIndex, args: dict, uri: str, title: str) -> bytes:
    """The GeoJSON FeatureCollection for these (already type-checked) query parameters, as the
    bytes sent (the features' own bytes are written once per build: `LayerIndex.encoded`)."""
    offset = int(args.get("offset", 0))
    limit = int(args.get("limit", DEFAULT_LIMIT))
    try:
        bbox = validate_bbox(args.get("bbox"))
    except ValueError as exc:
        raise BadRequest(description=str(exc)) from None
    if "bbox-crs" in args and not bbox:
        raise BadRequest(description="bbox-crs specified without bbox parameter")
    select_props = args["properties"].split(",") if "properties" in args else []
    if set(select_props) - set(index.fields):
        raise BadRequest(description="unknown properties specified")
    filters = [(k, v) for k, v in args.items() if k not in RESERVED and k in index.fields]
    try:
        rows = select(index, bbox, filters)
    except ProviderInvalidQueryError as exc:
        raise BadRequest(description=exc.message) from None
    page = [] if args.get("resulttype") == "hits" else rows[offset:offset + limit]
    skip = args.get("skipGeometry") == "true"
    if select_props or skip:
        parts = []
        for i in page:
            f = index.features[i]
            out = {**f, "geometry": None} if skip else {**f}
            if select_props:
                out["properties"] = {k: v for k, v in f["properties"].items() if k in select_props}
            parts.append(COMPACT.encode(out).encode())
    else:
        parts = [index.encoded[i] for i in page]
    # isoformat is strftime("%Y-%m-%dT%H:%M:%S.%f") written in C; "+00:00" becomes pygeoapi's "Z"
    stamp = datetime.now(timezone.utc).isoformat(timespec="microseconds")[:-6] + "Z"
    tail = {"numberMatched": len(rows), "numberReturned": len(page),
            "links": _links(uri, args, title, offset, limit, len(page), len(rows)), "timeStamp": stamp}
    return b"".join((b'{"type":"FeatureCollection","features":[', b",".join(parts), b"],",
                     COMPACT.encode(tail)[1:].encode()))
