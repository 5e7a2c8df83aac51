"""/layers/: the list of layers and their downloads in every format of `webmap.formats`.

Files are rendered once per build (on first request) and served from memory with a strong ETag
(sha256 of the bytes) and a gzip copy compressed once; repeat requests are answered by
`webmap.fastpath` before Flask, so a download costs about what a static file costs. Names are looked up in the catalog, never joined onto a path: a request can only ever
reach a layer the catalog lists.
"""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from webmap import fastpath
from webmap.store import current
from webmap.formats import FORMATS, LayerSource

bp = Blueprint("downloads", __name__, template_folder="templates")

GZIP_MIN_BYTES = 1024


@dataclass(frozen=True)
class Rendered:
    body: bytes
    gzipped: bytes | None
    etag: str
    mimetype: str
    filename: str
    attachment: bool


def _store():
    return current()


def build_info() -> dict:
    """What this build is, honestly: its inputs' hash, and when its files were written here."""
    def compute():
        st = _store()
        snap = st.snapshot()
        written = datetime.fromtimestamp((st.folder / "catalog.json").stat().st_mtime, timezone.utc)
        return {"inputs_sha256": snap.catalog.get("inputs_sha256"), "catalog_sha256": snap.version,
                "written": written.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                "note": "Built from inputs with this sha256 (articles, gazetteer, boundaries); 'written' is "
                        "the modification time of layers/catalog.json on this server."}
    return _store().cached("build-info", compute)


def _source(name: str) -> LayerSource:
    snap = _store().snapshot()
    written = datetime.fromisoformat(build_info()["written"].replace("Z", "+00:00"))
    return LayerSource(name, snap.layers[name], snap.raw[name], snap.catalog["layers"][name],
                       snap.catalog.get("licence", {}), written)


def rendered(name: str, ext: str, crs: str | None) -> Rendered:
    """The layer in one format, rendered and compressed once per build."""
    fmt = FORMATS[(ext, crs)]

    def compute():
        body = fmt.render(_source(name))
        packed = gzip.compress(body, compresslevel=9, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
        if packed is not None and len(packed) >= len(body) * 0.9:
            packed = None
        return Rendered(body, packed, hashlib.sha256(body).hexdigest(), fmt.mimetype, fmt.filename(name),
                        attachment=(ext, crs) != ("geojson", None))
    return _store().cached(("download", name, ext, crs), compute)


@bp.get("/layers/<name>.<ext>")
def download(name: str, ext: str):
    snap = _store().snapshot()
    if name not in snap.catalog["layers"] or not any(e == ext for e, _ in FORMATS):
        abort(404, f"No layer file {name}.{ext}: see /layers/ for the layers and formats.")
    crs = request.args.get("crs")
    if crs is not None and (ext, crs) not in FORMATS:
        variants = sorted(c for e, c in FORMATS if e == ext and c)
        abort(400, f"crs={crs!r} is not offered for .{ext}"
                   + (f"; use one of {variants} or omit crs for WGS-84." if variants else "; it is WGS-84 only."))
    r = rendered(name, ext, crs)
    use_gzip = r.gzipped is not None and request.accept_encodings["gzip"] > 0
    etag = f"{r.etag}-gzip" if use_gzip else r.etag
    headers = {"ETag": f'"{etag}"', "Vary": "Accept-Encoding", "Cache-Control": "no-cache",
               "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    if r.attachment:
        headers["Content-Disposition"] = f'attachment; filename="{r.filename}"'
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    fastpath.cacheable()
    return Response(r.gzipped if use_gzip else r.body, headers=headers, content_type=r.mimetype)


def _listing() -> dict:
    snap = _store().snapshot()
    layers = []
    for name, meta in snap.catalog["layers"].items():
        links = [{"rel": "enclosure", "type": fmt.mimetype, "title": fmt.title, "note": fmt.note,
                  "href": url_for("downloads.download", name=name, ext=ext, crs=crs, _external=True)}
                 for (ext, crs), fmt in FORMATS.items()]
        links.append({"rel": "collection", "type": "application/json", "title": "OGC API – Features collection",
                      "href": url_for("ogc.collection", collection_id=name, _external=True)})
        layers.append({"name": name, "title_zh": meta["title_zh"], "title_en": meta["title_en"],
                       "description_en": meta["description_en"], "feature_count": meta["feature_count"],
                       "bbox": meta["bbox"], "sources": meta["sources"], "sha256": meta["sha256"],
                       "geojson_bytes": len(snap.raw[name]), "links": links})
    return {"layers": layers, "licence": snap.catalog.get("licence"), "crs": snap.catalog.get("crs"),
            "build": build_info()}


@bp.get("/layers/")
def listing():
    f = request.args.get("f")
    if f is None:
        best = request.accept_mimetypes.best_match(["text/html", "application/json"], default="text/html")
        f = "json" if best == "application/json" else "html"
    if f not in ("json", "html"):
        abort(400, f"f={f!r}: use f=json or f=html.")
    data = _listing()
    if f == "json":
        resp = jsonify(data)
        resp.headers["Access-Control-Allow-Origin"] = "*"
    else:
        resp = Response(render_template("downloads/layers.html", **data), content_type="text/html; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    fastpath.cacheable()
    return resp
