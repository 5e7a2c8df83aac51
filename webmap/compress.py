"""gzip for pages and JSON, which matters on the slow links many readers in mainland China have.

A page is served from memory, so its compressed body is kept in the app's one cache (keyed on the
body's hash, per build, in the bucket for per-response values): compressed once, not per request.
Responses that are already encoded (assets and layer downloads carry their own gzip) and streamed
files are left alone.
"""
from __future__ import annotations

import gzip
import hashlib

from flask import Flask, request

from webmap.store import current

TYPES = {"text/html", "application/json", "application/geo+json", "text/css", "application/javascript",
         "text/javascript", "image/svg+xml", "text/csv"}
MIN_BYTES = 1024
LEVEL = 6


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
        resp.set_data(gzipped(current(), body))
        resp.headers["Content-Encoding"] = "gzip"
        return resp


def gzipped(store, body: bytes) -> bytes:
    """The body compressed once per build (kept in the store's per-response bucket)."""
    key = ("gzip", hashlib.sha1(body).digest())
    return store.cached(key, lambda: gzip.compress(body, compresslevel=LEVEL, mtime=0), per_response=True)
