"""Which Host headers the app answers, and the one base URL its absolute URLs use.

Absolute URLs (oEmbed, link-preview cards, the OGC API's links, the embed builder's snippet) are
built from the request; without a check they would follow any Host a client sends. So a request
whose Host is not trusted gets a 400 before Flask sees it. Trusted by default: loopback
(`localhost`, `127.0.0.1`); add names with `TRUSTED_HOSTS` (a JSON list in the environment variable
`JINAN_ZONES_TRUSTED_HOSTS`; ".example.org" also trusts its subdomains). With `BASE_URL`
(`JINAN_ZONES_BASE_URL=https://zones.example.org`) every absolute URL uses that scheme and host,
whatever the request said; its host is trusted.
"""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

from cachetools import LRUCache, cached
from flask import Flask
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

from webmap.headers import REFERRER

LOOPBACK = ["localhost", "127.0.0.1"]


class HostGuard:
    """WSGI middleware: refuse untrusted Host headers; with a base URL, present it as the request's."""

    def __init__(self, wsgi_app, trusted: list[str], base_url: str | None):
        self.wsgi_app = wsgi_app
        self.base = urlsplit(base_url) if base_url else None
        # Werkzeug's check IDNA-encodes every trusted name on each call (~8 µs a request); the
        # answer for a given Host header never changes, so it is remembered (bounded: Hosts are
        # whatever clients send)
        self.is_trusted = cached(LRUCache(maxsize=1024), lock=threading.Lock())(
            lambda host: host_is_trusted(host, trusted))

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if not self.is_trusted(host):
            shown = host if len(host) <= 60 else host[:60] + "…"
            resp = BadRequest(f"The Host {shown!r} is not served here (see TRUSTED_HOSTS).").get_response(environ)
            resp.headers.update({"X-Content-Type-Options": "nosniff", "Referrer-Policy": REFERRER,
                                 "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"})
            return resp(environ, start_response)
        if self.base:
            environ["HTTP_HOST"] = self.base.netloc
            environ["wsgi.url_scheme"] = self.base.scheme
            environ["SCRIPT_NAME"] = self.base.path.rstrip("/")
        return self.wsgi_app(environ, start_response)


def install(app: Flask) -> None:
    """Put the guard outermost, so caches behind it only ever see trusted (or canonical) hosts."""
    base = app.config.get("BASE_URL")
    trusted = list(LOOPBACK) + list(app.config.get("TRUSTED_HOSTS") or [])
    if base:
        trusted.append(urlsplit(base).hostname)
    app.config["TRUSTED_HOSTS"] = trusted           # Flask checks it again behind the guard
    app.wsgi_app = HostGuard(app.wsgi_app, trusted, base)
