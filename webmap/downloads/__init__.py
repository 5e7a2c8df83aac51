"""/layers/: the list of layers and their downloads, served as the static files the build wrote.

Every file is listed in the catalog with its sha256, which is the strong ETag; Werkzeug answers
conditional and range requests (`send_file(conditional=True)`), and repeat requests of a build
are answered from memory by `webmap.fastpath` before Flask, as a static file server would. GeoJSON goes out as the build's
gzip copy to clients that accept it. Names are looked up in the catalog, never joined onto a
path: a request can only ever reach a file the catalog lists.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file, url_for

from webmap import fastpath
from webmap.core import view
from webmap.core.text import nav_args
from webmap.downloads.dictionary import PROPERTIES, VALUES
from webmap.store import current

bp = Blueprint("downloads", __name__, template_folder="templates")

# URL extension → (file suffix under downloads/ (None: the layer itself), media type)
FORMATS = {
    "geojson": (None, "application/geo+json"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "kml": ("kml", "application/vnd.google-earth.kml+xml"),
    "csv": ("csv", "text/csv"),                  # Werkzeug adds the charset (utf-8) to text types
    "zip": ("shp.zip", "application/zip"),
}
VARIANTS = {("geojson", "gcj02"): ("gcj02.geojson", "application/json")}


def _store():
    return current()


def build_info() -> dict:
    """What this build is, honestly: its inputs' hash, and when its files were written here."""
    st = _store()
    snap = st.snapshot()
    written = datetime.fromtimestamp((st.folder / "catalog.json").stat().st_mtime, timezone.utc)
    return {"inputs_sha256": snap.catalog.get("inputs_sha256"), "catalog_sha256": snap.version,
            "written": written.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "note": "Built from inputs with this sha256 (articles, gazetteer, boundaries); 'written' is "
                    "the modification time of layers/catalog.json on this server."}


def _title(text: str) -> str:
    """A Link header's title: as is when ASCII, else RFC 8187's title*=UTF-8''… (a header is bytes; "©"
    sent raw is Latin-1, which clients read as they please)."""
    if text.isascii():
        return f'title="{text}"'
    return "title*=UTF-8''" + quote(text, safe="")


@bp.get("/layers/<name>.<ext>")
def download(name: str, ext: str):
    st = _store()
    snap = st.snapshot()
    meta = snap.catalog["layers"].get(name)
    if meta is None or ext not in FORMATS:
        abort(404, f"No layer file {name}.{ext}: see /layers/ for the layers and formats.")
    crs = request.args.get("crs")
    if crs is None:
        suffix, mimetype = FORMATS[ext]
    elif (ext, crs) in VARIANTS:
        suffix, mimetype = VARIANTS[(ext, crs)]
    else:
        variants = sorted(c for e, c in VARIANTS if e == ext)
        abort(400, f"crs={crs!r} is not offered for .{ext}"
                   + (f"; use one of {variants} or omit crs for WGS-84." if variants else "; it is WGS-84 only."))
    rel = meta["file"] if suffix is None else f"downloads/{name}.{suffix}"
    headers = {"Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff",
               # The licence travels with every download, CSV included (which has no metadata of its own).
               "Link": f'<{url_for("downloads.dictionary", _external=True)}>; rel="describedby", '
                       f'<{snap.catalog["licence"]["data_url"]}>; rel="license"; {_title(snap.catalog["licence"]["data"])}'}
    gz = f"downloads/{rel}.gz" if suffix is None else f"{rel}.gz"        # the text formats have one
    sent = rel
    if gz in snap.catalog["files"] and request.accept_encodings["gzip"] > 0:
        sent, headers["Content-Encoding"] = gz, "gzip"
    resp = send_file(st.folder / sent, mimetype=mimetype, as_attachment=suffix is not None,
                     download_name=rel.rsplit("/", 1)[-1], conditional=True,
                     etag=snap.catalog["files"][sent], max_age=0)
    resp.headers.update(headers)
    resp.headers["Cache-Control"] = "no-cache"
    if request.range is None:
        fastpath.cacheable()            # the same bytes for every identical request of this build
    return resp


def _listing() -> dict:
    snap = _store().snapshot()
    layers = []
    for name, meta in snap.catalog["layers"].items():
        links = [{"rel": "enclosure", "type": FORMATS["geojson"][1], "title": "GeoJSON (RFC 7946, WGS-84)",
                  "note": "The layer as built: nested citations, WGS-84 lon/lat.",
                  "href": url_for("downloads.download", name=name, ext="geojson", _external=True)}]
        for suffix, d in meta["downloads"].items():
            ext, crs = next(((e, c) for (e, c), v in VARIANTS.items() if v[0] == suffix), (None, None))
            if ext is None:
                ext = next(e for e, v in FORMATS.items() if v[0] == suffix)
            mimetype = (VARIANTS.get((ext, crs)) or FORMATS[ext])[1]
            links.append({"rel": "enclosure", "type": mimetype, "title": d["title"], "note": d["note"],
                          "href": url_for("downloads.download", name=name, ext=ext, crs=crs, _external=True)})
        links.append({"rel": "collection", "type": "application/json", "title": "OGC API – Features collection",
                      "href": url_for("ogc.collection", collection_id=name, _external=True)})
        layers.append({"name": name, "title_zh": meta["title_zh"], "title_en": meta["title_en"],
                       "description_en": meta["description_en"], "feature_count": meta["feature_count"],
                       "bbox": meta["bbox"], "sources": meta["sources"], "sha256": meta["sha256"],
                       "geojson_bytes": len(snap.raw[name]), "links": links})
    return {"layers": layers, "licence": snap.catalog.get("licence"), "crs": snap.catalog.get("crs"),
            "build": build_info()}


@bp.get("/layers/dictionary")
def dictionary():
    """What every property and provenance value means (HTML, or JSON with ?f=json)."""
    f = request.args.get("f", "html")
    if f not in ("json", "html"):
        abort(400, f"f={f!r}: use f=json or f=html.")
    licence = _store().snapshot().catalog.get("licence")
    if f == "json":
        return jsonify(properties=[{"name": n, "type": t, "meaning": m} for n, t, m in PROPERTIES],
                       values={k: dict(v) for k, v in VALUES.items()}, licence=licence)
    return Response(render_template("downloads/dictionary.html", properties=PROPERTIES, values=VALUES,
                                    licence=licence, keep=_keep()), content_type="text/html; charset=utf-8")


def _keep() -> dict:
    """The reader's lang and basemap (checked: a bad one is a 400), kept on the links back to the map."""
    return nav_args(view.lang(request.args), view.basemap(request.args, current_app.config))


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
        resp = Response(render_template("downloads/layers.html", keep=_keep(), **data),
                        content_type="text/html; charset=utf-8")
    resp.headers["Vary"] = "Accept"
    return resp
