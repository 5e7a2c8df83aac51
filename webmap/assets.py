"""Leaflet and our own scripts and styles, served by the app: compressed once, cached for a year.

Folium points its pages at CDNs, which are slow or blocked for many users in mainland China and
useless offline; the XStatic package on PyPI ships Leaflet's files. At startup every asset is read
once, gzip-compressed once (when that saves bytes) and given a URL carrying the sha256 of its
group's files (`/assets/<digest>/<group>/<file>`), so a response can say `immutable` and a new
version is never served stale. Relative URLs inside a stylesheet (Leaflet's images) keep working
because a group's files share one digest. Only the files listed here are reachable.

Our map script is written as three files (the map, its controls, the view in the URL) but served as
one (`BUNDLES`): on a cold load every request waits its turn at the server's workers, and the page
blocks on each script in <head>.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

bp = Blueprint("assets", __name__)

STATIC = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600
COMPRESSIBLE = {".js", ".css", ".svg", ".map"}
# A served file made of source files in this order; the sources themselves are not served.
BUNDLES = {("jz", "map.js"): ("map.js", "map-controls.js", "map-url.js")}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    mimetype: str


def _groups() -> dict[str, tuple[Path, list[str]]]:
    leaflet_dir = Path(leaflet.BASE_DIR)
    images = sorted(p.relative_to(leaflet_dir).as_posix() for p in (leaflet_dir / "images").glob("*.png"))
    return {"leaflet": (leaflet_dir, ["leaflet.js", "leaflet.css", *images]),
            "jz": (STATIC, sorted(p.name for p in STATIC.iterdir() if p.suffix in (".js", ".css")))}


class AssetStore:
    """Every asset in memory, with its gzip copy and the digest of its group."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], Asset] = {}
        self.digests: dict[str, str] = {}
        parts = {(group, part) for (group, _), sources in BUNDLES.items() for part in sources}
        for group, (folder, names) in _groups().items():
            h = hashlib.sha256()
            for name in names:
                body = (folder / name).read_bytes()
                h.update(name.encode() + b"\0" + body)
                if (group, name) in BUNDLES:
                    body = b"\n".join((folder / part).read_bytes() for part in BUNDLES[group, name])
                elif (group, name) in parts:
                    continue
                packed = None
                if Path(name).suffix in COMPRESSIBLE:
                    packed = gzip.compress(body, compresslevel=9, mtime=0)
                    packed = packed if len(packed) < len(body) * 0.9 else None
                mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
                self.files[group, name] = Asset(body, packed, mimetype)
            self.digests[group] = h.hexdigest()[:12]


def install(app: Flask) -> None:
    app.extensions["assets"] = AssetStore()
    app.register_blueprint(bp)
    app.add_template_global(asset_url)


@bp.get("/assets/<digest>/<group>/<path:filename>")
def file(digest: str, group: str, filename: str):
    assets: AssetStore = current_app.extensions["assets"]
    asset = assets.files.get((group, filename))
    if asset is None or assets.digests[group] != digest:
        abort(404, description="No such asset in this version of the app.")
    use_gzip = asset.gzipped is not None and request.accept_encodings["gzip"] > 0
    resp = Response(asset.gzipped if use_gzip else asset.body, mimetype=asset.mimetype)
    if use_gzip:
        resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    resp.headers["Vary"] = "Accept-Encoding"
    return resp


def asset_url(group: str, filename: str) -> str:
    """The versioned URL of an asset: `asset_url("jz", "map.js")`."""
    return url_for("assets.file", digest=current_app.extensions["assets"].digests[group], group=group,
                   filename=filename)
