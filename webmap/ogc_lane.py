"""GeoJSON item pages of /ogc answered in front of Flask: a client paging or panning (QGIS, GDAL)
asks a new query each time, so the response cache rarely helps, and Flask's per-request work
(context, routing, hooks) costs more than the page itself (~75 of ~300 µs).

Only the plain case takes this lane: GET of /ogc/collections/<layer>/items asking for GeoJSON with
parameters `webmap.ogc_items` implements, checked against the OpenAPI document exactly as the view
does. The page, its headers (the OGC view's, the security headers, gzip when accepted) are the
view's own (a test compares both paths); anything else — an error, HTML, an unknown layer — goes
on to Flask, which answers it. The lane sits inside the host guard, in front of the response
cache, which it consults and fills.

A page's ETag is made from what the page is made of (build, code, URL, query, encoding), not by
hashing its 40 KB: the same in every worker, so any worker answers a conditional request with a 304.
"""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.datastructures import Accept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header
from werkzeug.wsgi import get_host

from webmap import compress, fastpath, headers, ogc, ogc_items, ogc_provider

ITEMS = re.compile(r"/ogc/collections/([^/]+)/items")
# The headers every page from the lane carries, as the view's response has them after its hooks.
HEAD = [*ogc.ITEMS_HEADERS.items(), ("Vary", "Accept, Accept-Language, Accept-Encoding"), *headers.PLAIN.items()]
# The code that writes a page, as part of its ETag: a new release with the same layers and query
# may write other bytes, and a client's stored copy must not be revalidated against them.
WRITER = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (ogc_items, ogc_provider, ogc, compress))
                        + Path(__file__).read_bytes()).hexdigest()


def page_etag(version: str, uri: str, query: str, gzipped: bool) -> str:
    """A weak ETag from what a page is made of: the build, the code, the URL it links to, the query
    string (its parameters decide the page; the links repeat them) and its encoding. No hash of a
    40 KB body per request, the same tag in every worker, and it changes whenever those bytes would.
    Weak, because two answers to one query differ in `timeStamp` (when each was made), nothing else.
    The two hex digests have fixed lengths and the URL's is given, so no two inputs read alike."""
    key = f"{version}{WRITER}{gzipped:d}{len(uri)}:{uri}{query}".encode("utf-8", "surrogatepass")
    return f'W/"{hashlib.blake2b(key, digest_size=16).hexdigest()}"'


def query_args(query: str) -> dict[str, str]:
    """The query's parameters, the first value of each name (as request.args.to_dict()): parse_qsl,
    or, when there is nothing to decode (no '%', '+' or non-ASCII: what clients mostly send), the
    same split without its per-part unquoting."""
    if query.isascii() and "%" not in query and "+" not in query:
        pairs = [part.partition("=")[::2] for part in query.split("&") if part]
    else:
        pairs = parse_qsl(query.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True)  # PEP 3333
    args: dict[str, str] = {}
    for key, value in pairs:
        args.setdefault(key, value)
    return args


class ItemsLane:
    def __init__(self, wsgi_app, app: Flask, cache: fastpath.ResponseCache):
        self.wsgi_app = wsgi_app
        self.app = app
        self.cache = cache

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        match = ITEMS.fullmatch(environ.get("PATH_INFO", "")) if method in ("GET", "HEAD") else None
        if match is None:
            return self.wsgi_app(environ, start_response)
        key, hit = self.cache.lookup(environ)
        if hit is not None:                            # this very request answered before, this build
            return self.cache.serve(hit, environ, start_response)
        try:
            answer = self._page(match.group(1), environ)
        except (HTTPException, ValueError, KeyError, TypeError, UnicodeError):
            answer = None                              # Flask answers it: the view's own error response
        if answer is None:
            return self.wsgi_app(environ, start_response)
        body, head = answer
        etag = head[-1][1]
        if fastpath.etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag):     # a valid query only
            start_response("304 Not Modified", [(k, v) for k, v in head if k.lower() not in fastpath.DROP_ON_304])
            return []
        head.append(("Content-Length", str(len(body))))
        start_response("200 OK", head)
        if key is not None:                            # None: a Range request, which it ignores
            self.cache.store(key, "200 OK", head, body, etag)
        return [] if method == "HEAD" else [body]      # HEAD: the GET's headers, its ETag among them

    def _page(self, name: str, environ) -> tuple[bytes, list] | None:
        """The page and its headers (the ETag last), or None for what Flask must answer. Needs no
        app context: the app is at hand, and nothing here reads the request globals."""
        args = query_args(environ.get("QUERY_STRING", ""))
        if not ogc_items.handles(args, environ.get("HTTP_ACCEPT", "")):
            return None
        build = ogc._build(self.app, environ.get(fastpath.SNAPSHOT))
        meta = build.snapshot.catalog["layers"].get(name)
        if meta is None:
            return None
        index = ogc._layer_index(name, build)
        ogc._check(ogc.FORMATS["doc"], index, args)
        base = (self.app.config.get("OGC_URL")            # as ogc._base_url builds it from the request
                or f"{environ['wsgi.url_scheme']}://{get_host(environ)}{environ.get('SCRIPT_NAME', '')}/ogc")
        uri = f"{base}/collections/{name}/items"
        body = ogc_items.items_page(index, args, uri, ogc.collection_title(meta))
        head = list(HEAD)
        encodings = environ.get("HTTP_ACCEPT_ENCODING")
        gzipped = (bool(encodings) and parse_accept_header(encodings, Accept)["gzip"] > 0
                   and len(body) >= compress.MIN_BYTES)
        if gzipped:       # compressed here, not via compress.gzipped: every page is new bytes (timeStamp)
            body = gzip.compress(body, compresslevel=compress.LEVEL, mtime=0)
            head.append(("Content-Encoding", "gzip"))
        head.append(("ETag", page_etag(build.snapshot.version, uri, environ.get("QUERY_STRING", ""), gzipped)))
        return body, head


def install(app: Flask) -> None:
    """In front of the response cache (installed after it, so wrapping it), which the lane reads and fills:
    a page asked for again is served from the cache; a new one goes to it without the cache's
    general path (capturing an app's start_response) in between."""
    app.wsgi_app = ItemsLane(app.wsgi_app, app, app.extensions["fastpath"])
