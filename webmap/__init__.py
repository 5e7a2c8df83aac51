"""The Flask app: reads layers/ only, never the articles or the gazetteer.

Application factory in the flaskr style: configuration passed in, one blueprint per area.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from webmap.store import LayerStore

ROOT = Path(__file__).resolve().parent.parent
EMBEDDABLE = {"embed.embed_page", "embed.image"}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        LAYERS_DIR=str(ROOT / "layers"),
        TIANDITU_KEY=None,
    )
    app.config.from_prefixed_env("JINAN_ZONES")
    app.config.update(config or {})
    app.extensions["layers"] = LayerStore(app.config["LAYERS_DIR"])

    from webmap import compress, downloads, embed, fastpath, ogc, site

    app.register_blueprint(site.bp)          # the map, place and source pages
    app.register_blueprint(downloads.bp)     # /layers/: listing and downloads
    app.register_blueprint(ogc.bp)           # /ogc: OGC API – Features
    app.register_blueprint(embed.bp)         # /embed, /oembed, /images: for journalists
    fastpath.install(app)                    # per-build response cache for downloads and /ogc
    compress.install(app)                    # gzip pages and JSON for clients that accept it

    @app.after_request
    def framing(resp):
        """Only embed pages may be framed by other sites; everything else refuses framing."""
        if request.endpoint in EMBEDDABLE:
            resp.headers["Content-Security-Policy"] = "frame-ancestors *"
        else:
            resp.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
            resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        wants_json = request.path.startswith(("/ogc", "/layers", "/oembed")) and not request.path.endswith("/") \
            or request.accept_mimetypes.best == "application/json"
        if wants_json:
            return jsonify(code=exc.code, error=exc.name, description=exc.description), exc.code
        return site.error_page(exc), exc.code

    return app


def store() -> LayerStore:
    from flask import current_app

    return current_app.extensions["layers"]
