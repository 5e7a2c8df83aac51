"""The Flask app: reads layers/ only, never the articles or the gazetteer.

Application factory in the flaskr style: configuration passed in, one blueprint per area, each
with its templates; the Flask-free core (`webmap.core`) decides what the pages show.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from webmap import assets, compress, fastpath, ogc, templating
from webmap.downloads import bp as downloads_bp
from webmap.embed.views import bp as embed_bp
from webmap.i18n import LANGS
from webmap.images.views import bp as images_bp
from webmap.map.views import bp as map_bp
from webmap.sources.views import bp as sources_bp
from webmap.store import LayerStore

ROOT = Path(__file__).resolve().parent.parent
EMBEDDABLE = {"embed.embed_page", "images.image"}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)          # assets are served by webmap.assets, versioned
    app.config.update(
        LAYERS_DIR=str(ROOT / "layers"),
        TIANDITU_KEY=None,
    )
    app.config.from_prefixed_env("JINAN_ZONES")
    app.config.update(config or {})
    app.extensions["layers"] = LayerStore(app.config["LAYERS_DIR"])
    templating.install(app)
    assets.install(app)                      # /assets/<digest>/…: Leaflet and ours, gzipped once
    app.register_blueprint(map_bp)           # the map, place pages, display layers, popups
    app.register_blueprint(sources_bp)       # the articles
    app.register_blueprint(downloads_bp)     # /layers/: listing and downloads
    app.register_blueprint(ogc.bp)           # /ogc: OGC API – Features
    app.register_blueprint(embed_bp)         # /embed, /embed/builder, /oembed: for journalists
    app.register_blueprint(images_bp)        # /images: static PNG maps
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
        wants_json = request.path.startswith(("/ogc", "/layers", "/oembed", "/display")) \
            and not request.path.endswith("/") or request.accept_mimetypes.best == "application/json"
        if wants_json:
            return jsonify(code=exc.code, error=exc.name, description=exc.description), exc.code
        lang = request.args.get("lang") if request.args.get("lang") in LANGS else "zh"
        return templating.render_page("error.html", lang, code=exc.code, name=exc.name,
                                      description=exc.description), exc.code

    return app
