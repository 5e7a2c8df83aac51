"""Security headers on every response: nosniff, a Referrer-Policy, framing rules and a CSP.

The Content-Security-Policy allows scripts from this app and, on HTML pages, exactly the inline
scripts the page carries (Folium's map script) by their sha256: a script injected through data
would have another hash and not run. Pages are cached per build, so their hashes are computed once
per page (keyed on the body). Only embed pages and static images may be framed by other sites.
"""
from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response, request

from webmap.store import current

EMBEDDABLE = {"embed.embed_page", "images.image"}
# Executable inline scripts: no src, and not a JSON data block (which browsers never run).
_INLINE = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*\"application/json\")[^>]*>(.*?)</script\s*>",
                     re.S | re.I)
REFERRER = "strict-origin-when-cross-origin"     # tile servers (OSM) want a referrer; paths stay private


def script_hashes(html: bytes) -> tuple[str, ...]:
    """CSP hash sources of the page's inline scripts, in order of appearance."""
    return tuple(dict.fromkeys(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE.finditer(html)))


def policy(resp: Response) -> str:
    scripts = ["'self'"]
    if resp.mimetype == "text/html" and not resp.direct_passthrough and "Content-Encoding" not in resp.headers:
        body = resp.get_data()
        if b"<script" in body:
            scripts += current().cached(("csp", hashlib.sha1(body).digest()), lambda: script_hashes(body),
                                        per_response=True)
    return csp(scripts, "*" if request.endpoint in EMBEDDABLE else "'self'")


def csp(scripts: list[str], frame: str) -> str:
    return f"script-src {' '.join(scripts)}; object-src 'none'; base-uri 'self'; frame-ancestors {frame}"


# What every response that is neither HTML nor embeddable carries (see `install`).
PLAIN = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": REFERRER,
         "Content-Security-Policy": csp(["'self'"], "'self'"), "X-Frame-Options": "SAMEORIGIN"}


def install(app: Flask) -> None:
    """Register after the gzip hook (Flask runs the later one first), so the body is still plain."""
    @app.after_request
    def security_headers(resp: Response) -> Response:
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = REFERRER
        resp.headers["Content-Security-Policy"] = policy(resp)
        if request.endpoint not in EMBEDDABLE:
            resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        return resp
