"""Every write to the editor needs this session's CSRF token and a same-origin `Origin` header.

The editor changes files on the curator's machine, so a page on another site must not be able to
make the curator's browser post to it (CSRF) and a foreign page must not read its answers. The
token lives in the signed session cookie (SameSite=Strict), the page carries it in a meta tag and
the script sends it as `X-CSRF-Token`; `Origin` must be this server's own. Both are compared in
constant time; either missing or wrong is a 403. A dozen lines of our own: Flask-WTF's CSRF
checks forms and the Referer, not JSON posts and the Origin.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    """This session's token, created on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def install(app: Flask) -> None:
    app.add_template_global(csrf_token)

    @app.before_request
    def same_origin_and_token():
        if request.method not in WRITE_METHODS:
            return None
        own = f"{request.scheme}://{request.host}"
        origin = request.headers.get("Origin", "")
        if not hmac.compare_digest(origin.encode(), own.encode()):
            abort(403, description=f"Refused: a write must come from this editor's own page ({own}), "
                                   f"not from Origin {origin[:80]!r}.")
        expected = session.get("csrf")
        sent = request.headers.get(HEADER, "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(403, description="Refused: missing or wrong CSRF token; reload the editor page.")
        return None
