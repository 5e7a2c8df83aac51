"""GeoJSON item pages of /ogc answered in front of Flask: a client paging or panning (QGIS, GDAL)
asks a new query each time, so the response cache rarely helps, and Flask's per-request work
(context, routing, hooks) costs more than the page itself (~75 of ~300 µs).

Only the plain case takes this lane: GET of /ogc/collections/<layer>/items asking for GeoJSON with
parameters `webmap.ogc_items` implements, checked against the OpenAPI document exactly as the view
does. The page, its headers (the OGC view's, the security headers, gzip when accepted) are the
view's own (a test compares both paths); anything else — an error, HTML, an unknown layer — goes
on to Flask, which answers it. The lane sits inside the response cache and the host guard.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

from flask import Flask, current_app
from werkzeug.datastructures import Accept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header
from werkzeug.wsgi import get_host

from webmap import compress, fastpath, headers, ogc, ogc_items

ITEMS = re.compile(r"/ogc/collections/([^/]+)/items")


class ItemsLane:
    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        match = ITEMS.fullmatch(environ.get("PATH_INFO", "")) if environ.get("REQUEST_METHOD") == "GET" else None
        if match is None:
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            try:
                answer = self._page(match.group(1), environ)
            except (HTTPException, ValueError, KeyError, TypeError, UnicodeError):
                answer = None                          # Flask answers it: the view's own error response
        if answer is None:
            return self.wsgi_app(environ, start_response)
        body, head = answer
        environ[fastpath.ENVIRON_FLAG] = True
        start_response("200 OK", head + [("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _page(name: str, environ) -> tuple[bytes, list] | None:
        args: dict[str, str] = {}
        query = environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8", "replace")   # PEP 3333
        for key, value in parse_qsl(query, keep_blank_values=True):
            args.setdefault(key, value)                # the first value, as request.args.to_dict()
        if not ogc_items.handles(args, environ.get("HTTP_ACCEPT", "")):
            return None
        build = ogc._build()
        meta = build.snapshot.catalog["layers"].get(name)
        if meta is None:
            return None
        index = ogc._layer_index(name, build)
        ogc._check(ogc.FORMATS["doc"], index, args)
        base = (current_app.config.get("OGC_URL")            # as ogc._base_url builds it from the request
                or f"{environ['wsgi.url_scheme']}://{get_host(environ)}{environ.get('SCRIPT_NAME', '')}/ogc")
        body = ogc_items.items_page(index, args, f"{base}/collections/{name}/items", ogc.collection_title(meta)).encode()
        head = [(k, v) for k, v in ogc.ITEMS_HEADERS.items()]
        head += [("Vary", "Accept, Accept-Language, Accept-Encoding"), *headers.PLAIN.items()]
        accepts = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"), Accept)
        if accepts["gzip"] > 0 and len(body) >= compress.MIN_BYTES:
            body = compress.gzipped(ogc._store(), body)
            head.append(("Content-Encoding", "gzip"))
        return body, head


def install(app: Flask) -> None:
    """Inside the response cache (installed after it), so its pages are cached and revalidated too."""
    app.wsgi_app = ItemsLane(app.wsgi_app, app)
