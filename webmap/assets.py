"""Leaflet and Font Awesome served by the app itself, from the files of installed Python packages.

Folium points its pages at CDNs, which are slow or blocked for many users in mainland China and
useless offline. The XStatic packages on PyPI ship the same files; this blueprint serves them under
versioned URLs (`/assets/<package>/<version>/<file>`) that can be cached for a year. Only the
packages listed here, and only asset file types, are reachable.
"""
from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory, url_for

from webmap.mapview import Assets

bp = Blueprint("assets", __name__)

PACKAGES = {"leaflet": "xstatic.pkg.leaflet", "font-awesome": "xstatic.pkg.font_awesome"}
SUFFIXES = {".js", ".css", ".png", ".svg", ".woff2", ".woff", ".ttf", ".map"}
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=None)
def package(name: str) -> tuple[str, Path]:
    """(version, data folder) of an asset package."""
    mod = importlib.import_module(PACKAGES[name])
    return mod.VERSION, Path(mod.BASE_DIR)


@bp.get("/assets/<name>/<version>/<path:filename>")
def file(name: str, version: str, filename: str):
    if name not in PACKAGES or version != package(name)[0] or Path(filename).suffix not in SUFFIXES:
        abort(404)
    return send_from_directory(package(name)[1], filename, max_age=YEAR)


def asset_url(name: str, filename: str) -> str:
    return url_for("site.assets.file", name=name, version=package(name)[0], filename=filename)


@lru_cache(maxsize=None)
def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """Our own static file, with its content hash in the URL so a new version is never stale."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_digest(str(path)))


def map_assets() -> Assets:
    """Everything a map page loads, in order: Leaflet, Font Awesome (solid icons), our script and style."""
    return Assets(
        js=(("leaflet", asset_url("leaflet", "leaflet.js")), ("jz_map", static_url("map.js"))),
        css=(("leaflet_css", asset_url("leaflet", "leaflet.css")),
             ("fa_css", asset_url("font-awesome", "css/fontawesome.min.css")),
             ("fa_solid_css", asset_url("font-awesome", "css/solid.min.css")),
             ("jz_map_css", static_url("map.css"))),
    )
