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
import re
import time
from json.encoder import encode_basestring_ascii
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


# The links of a page, as pygeoapi writes them (same rels, titles, types and order), as JSON text
# with the hrefs left open: `_tail` fills in the escaped URL, the query and the offsets.
SELF = ('{"type":"application/geo+json","rel":"self","title":"This document as GeoJSON","href":"%s?f=json%s"},'
        '{"rel":"alternate","type":"application/ld+json","title":"This document as RDF (JSON-LD)",'
        '"href":"%s?f=jsonld%s"},'
        '{"type":"text/html","rel":"alternate","title":"This document as HTML","href":"%s?f=html%s"},')
PREV = '{"type":"application/geo+json","rel":"prev","title":"Items (prev)","href":"%s?offset=%d%s"},'
NEXT = '{"type":"application/geo+json","rel":"next","title":"Items (next)","href":"%s?offset=%d%s"},'
COLLECTION = '{"type":"application/json","title":%s,"rel":"collection","href":%s}'
TAIL = '"numberMatched":%d,"numberReturned":%d,"links":[%s],"timeStamp":"%s"}'
UNRESERVED = re.compile(r"[\w.~-]*", re.ASCII)       # what `quote` leaves as it is (RFC 3986 unreserved)


def _tail(uri: str, args: dict, title: str, offset: int, limit: int, returned: int, matched: int) -> bytes:
    """The page's members after `features`, written from the templates above: a dict of links
    through json.dumps cost more than the rest of the page. Only `uri` and `title` can hold
    characters JSON must escape; `quote` leaves nothing in the query part that needs it."""
    params = "".join(f"&{k if UNRESERVED.fullmatch(k) else quote(k, safe='')}="
                     f"{v if UNRESERVED.fullmatch(v) else quote(v, safe=',')}"
                     for k, v in args.items() if k not in ("f", "offset"))
    href = encode_basestring_ascii(uri)[1:-1]
    links = SELF % (href, params, href, params, href, params)
    if offset > 0:
        links += PREV % (href, max(0, offset - limit), params)
    if matched > limit + offset or returned == limit:
        links += NEXT % (href, offset + limit, params)
    links += COLLECTION % (encode_basestring_ascii(title), encode_basestring_ascii(uri.rsplit("/", 1)[0]))
    return (TAIL % (matched, returned, links, _stamp())).encode()


_second: tuple[int, str] = (-1, "")          # the last second stamped, formatted


def _stamp() -> str:
    """Now in UTC as pygeoapi writes it (strftime "%Y-%m-%dT%H:%M:%S.%fZ"), the seconds formatted
    once a second: an aware datetime and its formatting took ~1 µs of the ~15 a whole page takes."""
    global _second
    second, micro = divmod(time.time_ns() // 1000, 1_000_000)
    last = _second
    if last[0] != second:
        last = _second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{last[1]}.{micro:06d}Z"


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
    return b"".join((b'{"type":"FeatureCollection","features":[', b",".join(parts), b"],",
                     _tail(uri, args, title, offset, limit, len(page), len(rows))))
