"""gzip for pages and JSON: the map page inlines its layers (~500 KiB of HTML, ~100 KiB gzipped),
which matters on the slow links many readers in mainland China have.

Compressed bodies are kept in a small LRU keyed by the body's hash, so a page served from memory
is compressed once, not per request. Responses that are already encoded (layer downloads carry
their own gzip and ETag) and streamed files (assets) are left alone.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict

from flask import Flask, request

TYPES = {"text/html", "application/json", "application/geo+json", "text/css", "application/javascript",
         "text/javascript", "image/svg+xml", "text/csv"}
MIN_BYTES = 1024
_cache: OrderedDict[bytes, bytes] = OrderedDict()
_lock = threading.Lock()
MAX_ENTRIES = 128


def _gzipped(body: bytes) -> bytes:
    key = hashlib.sha1(body).digest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    out = gzip.compress(body, compresslevel=6, mtime=0)
    with _lock:
        _cache[key] = out
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return out


def install(app: Flask) -> None:
    @app.after_request
    def compress(resp):
        resp.vary.add("Accept-Encoding")
        if (resp.status_code != 200 or resp.direct_passthrough or resp.is_streamed
                or "Content-Encoding" in resp.headers or resp.mimetype not in TYPES
                or request.accept_encodings["gzip"] <= 0):          # "gzip;q=0" refuses it
            return resp
        body = resp.get_data()
        if len(body) < MIN_BYTES:
            return resp
        resp.set_data(_gzipped(body))
        resp.headers["Content-Encoding"] = "gzip"
        return resp
