"""The local curation editor: a second app factory, apart from the public, read-only map.

Here a curator picks a place, traces its shape over a basemap, and saves it as a change to
`geo/gazetteer/shapes/<district>.geojson`, validated by the build's own checks and followed by a
rebuild (`webmap.curate.editor`). It is started by `python -m geo curate` on loopback only
(`webmap.curate.server`); every write needs a CSRF token and a same-origin Origin
(`webmap.curate.guard`); Host headers are checked like the public app's (`webmap.hosts`).
"""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from geo import paths
from webmap import hosts
from webmap.curate import guard
from webmap.curate.editor import Editor, Folders
from webmap.curate.views import bp

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def default_curator_file() -> Path:
    """Where the curator's name is remembered: one line in the user's config folder."""
    import os

    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "jinan-zones" / "curator"


def create_app(config: dict | None = None) -> Flask:
    """The editor over a gazetteer, its articles and its layers (folders as configuration)."""
    app = Flask(__name__, static_folder=None)
    app.config.update(
        GAZETTEER_DIR=str(paths.GAZETTEER), SEEDS_DIR=str(paths.SEEDS), LAYERS_DIR=str(paths.LAYERS),
        CURATOR_FILE=str(default_curator_file()), TIANDITU_KEY=None, TRUSTED_HOSTS=[], BASE_URL=None,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SECRET_KEY=secrets.token_bytes(32),            # new sessions (and tokens) with every start
        SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_NAME="jz_curate",
    )
    app.config.from_prefixed_env("JINAN_ZONES")
    app.config.update(config or {})
    app.extensions["editor"] = Editor(Folders(Path(app.config["GAZETTEER_DIR"]), Path(app.config["SEEDS_DIR"]),
                                              Path(app.config["LAYERS_DIR"])))
    guard.install(app)
    app.register_blueprint(bp)

    @app.after_request
    def headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        resp = jsonify(code=exc.code, error=exc.name, description=exc.description)
        resp.status_code = exc.code
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                resp.headers[name] = value
        return resp

    hosts.install(app)
    return app
