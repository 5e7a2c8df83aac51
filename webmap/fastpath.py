"""A per-build response cache in front of Flask, for responses that are pure functions of the request.

WhiteNoise-style: a WSGI middleware answers a GET or HEAD from memory when an identical request
(same path, query string, host, scheme, Accept, Accept-Language, Accept-Encoding) was answered
before in this build, without entering Flask. Only responses a view marks with `cacheable()` are
kept: 200s whose bytes depend on nothing else (downloads, OGC API documents and item pages). The
cache is keyed by the layer store's version, so a rebuild empties it, and bounded in bytes
(cachetools' LRU sized by body length; `RESPONSE_CACHE_BYTES` in the app config, 64 MiB by default).
Conditional requests (If-None-Match) are answered here too, from the stored ETag.

Why: a download or an items page is the same bytes for every client of a build; through Flask and
pygeoapi it costs 0.2–1 ms of Python per request, from here about what a bare WSGI app costs.
"""
from __future__ import annotations

import hashlib
import threading

from cachetools import LRUCache
from flask import Flask, request
from werkzeug.http import parse_date

ENVIRON_FLAG = "webmap.fastpath.cacheable"
# The layers' snapshot the cache keyed this request on: what answers it inside reads the same build
# (and need not look at catalog.json again).
SNAPSHOT = "webmap.fastpath.snapshot"
MAX_BYTES = 64 * 1024 * 1024
KEY_HEADERS = ("PATH_INFO", "QUERY_STRING", "HTTP_HOST", "wsgi.url_scheme", "HTTP_ACCEPT",
               "HTTP_ACCEPT_LANGUAGE", "HTTP_ACCEPT_ENCODING")
DROP_ON_304 = {"content-length", "content-type", "content-encoding", "content-disposition"}


def cacheable() -> None:
    """Called by a view: this response is the same for every identical request in this build."""
    request.environ[ENVIRON_FLAG] = True


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header with an entity tag (strong or weak)."""
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == opaque:
            return True
    return False


def not_modified_since(environ, headers: list) -> bool:
    """RFC 9110's If-Modified-Since, as Werkzeug answers it in the app: the stored Last-Modified is no
    later than the client's date (only when the request has no If-None-Match, which wins)."""
    if environ.get("HTTP_IF_NONE_MATCH"):
        return False
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    modified = parse_date(next((v for k, v in headers if k.lower() == "last-modified"), None))
    return since is not None and modified is not None and modified <= since


class ResponseCache:
    def __init__(self, wsgi_app, app: Flask, max_bytes: int = MAX_BYTES):
        self.wsgi_app = wsgi_app
        self.app = app
        self.max_bytes = max_bytes
        # key → (status, headers, body, etag), least recently used out first, bounded in body bytes
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda entry: len(entry[2]))
        self._version = None
        self._lock = threading.Lock()

    def _key(self, environ) -> tuple:
        snap = environ[SNAPSHOT] = self.app.extensions["layers"].snapshot()
        version = snap.version
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._entries.clear()
                    self._version = version
        return (version, *(environ.get(h) for h in KEY_HEADERS))

    def lookup(self, environ) -> tuple[tuple | None, tuple | None]:
        """(key, stored response or None) for a request this cache may answer; (None, None) for one
        it must leave to the app: other methods, ranges (Werkzeug answers them), unreadable layers."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_RANGE"):
            return None, None
        try:
            key = self._key(environ)
        except OSError:                      # layers/ unreadable: let the app report it
            return None, None
        with self._lock:
            hit = self._entries.get(key)
        return key, hit

    def __call__(self, environ, start_response):
        key, hit = self.lookup(environ)
        if hit is not None:
            return self.serve(hit, environ, start_response)
        if key is None or environ["REQUEST_METHOD"] == "HEAD":
            return self.wsgi_app(environ, start_response)
        return self._fill(key, environ, start_response)

    @staticmethod
    def serve(hit: tuple, environ, start_response) -> list[bytes]:
        """A stored response, or its 304 when the client's copy is current."""
        status, headers, body, etag = hit
        if etag and etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag) or not_modified_since(environ, headers):
            start_response("304 Not Modified", [(k, v) for k, v in headers if k.lower() not in DROP_ON_304])
            return []
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def store(self, key: tuple, status: str, headers: list, body: bytes, etag: str) -> None:
        """Keep a 200 for `key` (from `lookup`), unless it is too big or the build changed meanwhile."""
        if len(body) > self.max_bytes // 4:
            return
        with self._lock:
            if key[0] == self._version and key not in self._entries:
                self._entries[key] = (status, headers, body, etag)

    def _fill(self, key, environ, start_response):
        """Run the app; keep its response if the view marked it cacheable. start_response is
        called once the body is known, so the first response carries the same ETag as the hits."""
        seen: dict = {}

        def send_headers(headers=None):
            if "write" not in seen:
                seen["write"] = start_response(seen["status"], headers or seen["headers"])
            return seen["write"]

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            if exc_info is not None:
                seen.pop("write", None)
                seen["write"] = start_response(status, headers, exc_info)
            return lambda data: send_headers()(data)

        result = self.wsgi_app(environ, capture)
        if "write" in seen or not environ.get(ENVIRON_FLAG) or not seen.get("status", "").startswith("200"):
            if "status" in seen:
                send_headers()
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = seen["headers"]
        etag = next((v for k, v in reversed(headers) if k.lower() == "etag"), None)   # set last, if at all
        if etag is None:
            etag = f'"{hashlib.sha256(body).hexdigest()}"'
            headers.append(("ETag", etag))
        send_headers(headers)
        self.store(key, seen["status"], headers, body, etag)
        return [body]


def install(app: Flask) -> None:
    """Put the cache in front of `app` once (both /layers and /ogc blueprints ask for it)."""
    if "fastpath" not in app.extensions:
        app.wsgi_app = ResponseCache(app.wsgi_app, app, app.config.get("RESPONSE_CACHE_BYTES", MAX_BYTES))
        app.extensions["fastpath"] = app.wsgi_app
