"""The Flask app: reads layers/ only, never the articles or the gazetteer.

Application factory in the flaskr style: configuration passed in, one blueprint per area, each
with its templates; the Flask-free core (`webmap.core`) decides what the pages show.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, make_response, request
from werkzeug.exceptions import HTTPException

from webmap import assets, compress, fastpath, headers, hosts, ogc, ogc_lane, templating
from webmap.analyze import bp as analyze_bp
from webmap.core.basemaps import available_basemaps
from webmap.downloads import bp as downloads_bp
from webmap.embed.views import bp as embed_bp
from webmap.frameworks.views import bp as frameworks_bp
from webmap.i18n import LANGS, status_name
from webmap.images.views import bp as images_bp
from webmap.map.views import bp as map_bp
from webmap.sources.views import bp as sources_bp
from webmap.store import LayerStore

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)          # assets are served by webmap.assets, versioned
    app.config.update(
        LAYERS_DIR=str(ROOT / "layers"),
        TIANDITU_KEY=None,
        BASE_URL=None,              # e.g. https://zones.example.org: the scheme and host of absolute URLs
        TRUSTED_HOSTS=[],           # Host names answered besides loopback (and BASE_URL's host)
        IMAGE_RENDER_WAIT=10.0,     # seconds a static image waits for a render slot before a 503
    )
    app.config.from_prefixed_env("JINAN_ZONES")
    app.config.update(config or {})
    app.extensions["layers"] = LayerStore(app.config["LAYERS_DIR"])
    templating.install(app)
    assets.install(app)                      # /assets/<digest>/…: Leaflet and ours, gzipped once
    app.register_blueprint(map_bp)           # the map, place pages, display layers, popups
    app.register_blueprint(sources_bp)       # the articles
    app.register_blueprint(frameworks_bp)    # /frameworks/: each framework, its members, a map
    app.register_blueprint(downloads_bp)     # /layers/: listing and downloads
    app.register_blueprint(ogc.bp)           # /ogc: OGC API – Features
    app.register_blueprint(embed_bp)         # /embed, /embed/builder, /oembed: for journalists
    app.register_blueprint(images_bp)        # /images: static PNG maps
    app.register_blueprint(analyze_bp)       # /analyze: paste an article, see its places (issue 11)
    fastpath.install(app)                    # per-build response cache for downloads and /ogc
    ogc_lane.install(app)                    # GeoJSON item pages answered in front of it and Flask
    compress.install(app)                    # gzip pages and JSON for clients that accept it
    headers.install(app)                     # nosniff, Referrer-Policy, CSP with script hashes, framing
    hosts.install(app)                       # 400 for an untrusted Host; BASE_URL for absolute URLs

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        wants_json = request.path.startswith(("/ogc", "/layers", "/oembed", "/display")) \
            and not request.path.endswith("/") or request.accept_mimetypes.best == "application/json"
        if wants_json:
            resp = jsonify(code=exc.code, error=exc.name, description=exc.description)
        else:
            # the links back keep a valid lang and basemap of the request (basemap=none stays offline)
            lang = request.args.get("lang") if request.args.get("lang") in LANGS else "zh"
            basemap = request.args.get("basemap")
            basemap = basemap if basemap in available_basemaps(app.config.get("TIANDITU_KEY")) else "osm"
            name = status_name(lang, exc.code, exc.name)
            resp = make_response(templating.render_page("error.html", lang, code=exc.code, name=name,
                                                        description=exc.description, basemap=basemap))
        resp.status_code = exc.code
        for name, value in exc.get_headers():      # Allow on a 405, Retry-After, WWW-Authenticate, …
            if name.lower() != "content-type":
                resp.headers[name] = value
        return resp

    return app
