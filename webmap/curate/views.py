"""The editor's pages and JSON endpoints: read a place, measure a drawing, save a traced shape.

Every view is a thin layer over `webmap.curate.editor`; errors are JSON with a reason (400 bad
input, 404 unknown place, 409 the file changed meanwhile, 422 the build's checks refused it).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import xstatic.pkg.leaflet as leaflet
from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_from_directory

from geo import review
from geo.gazetteer import KINDS
from webmap.core.basemaps import BASEMAPS, available_basemaps
from webmap.curate.editor import TRACE_BASEMAPS, Conflict, Editor, Refused, write_atomically
from webmap.curate.geometry import CRSES, EditError, from_view, measure, parse_geometry, to_view

bp = Blueprint("curate", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
CURATOR = re.compile(r"^[^\x00-\x1f\x7f]{1,80}$")


def editor() -> Editor:
    return current_app.extensions["editor"]


def _crs() -> str:
    crs = request.args.get("crs", "wgs84")
    if crs not in CRSES:
        abort(400, description=f"crs must be one of {', '.join(CRSES)}")
    return crs


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="expected a JSON object")
    return data


def curator_name() -> str | None:
    try:
        name = Path(current_app.config["CURATOR_FILE"]).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name if CURATOR.match(name) else None


def basemaps() -> list[dict]:
    """The basemaps to trace on, with what Leaflet needs (Tianditu only with a key)."""
    key = current_app.config.get("TIANDITU_KEY")
    return [{"id": b.id, "label": f"{b.label_zh} · {b.label_en}",
             "tiles": [t.replace("{k}", key or "") for t in b.tiles], "attribution": b.attribution,
             "subdomains": b.subdomains, "max_zoom": b.max_zoom, "crs": "gcj02" if b.gcj02 else "wgs84"}
            for bid in available_basemaps(key) if bid in TRACE_BASEMAPS for b in [BASEMAPS[bid]]]


@bp.get("/")
def page():
    return render_template("curate/editor.html", settings={"basemaps": basemaps()})


@bp.get("/leaflet/<path:filename>")
def leaflet_file(filename: str):
    if filename not in ("leaflet.js", "leaflet.css") and not filename.startswith("images/"):
        abort(404)
    return send_from_directory(leaflet.BASE_DIR, filename)


@bp.get("/api/places")
def search():
    q = request.args.get("q", "")
    if len(q) > 100:
        abort(400, description="query too long (at most 100 characters)")
    return jsonify(results=editor().search(q))


@bp.get("/api/places/<path:place_id>")
def place(place_id: str):
    crs = _crs()
    try:
        return jsonify(editor().place(place_id, crs))
    except LookupError as exc:
        abort(404, description=str(exc))


@bp.get("/api/districts")
def districts():
    return jsonify(editor().districts(_crs()))


@bp.get("/api/curator")
def get_curator():
    return jsonify(curator=curator_name())


@bp.post("/api/curator")
def set_curator():
    name = _body().get("curator")
    if not isinstance(name, str) or not CURATOR.match(name.strip()):
        abort(400, description="curator: a name or handle of 1–80 characters on one line")
    path = Path(current_app.config["CURATOR_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, name.strip() + "\n")
    os.chmod(path, 0o600)
    return jsonify(curator=name.strip())


@bp.post("/api/measure")
def measure_drawing():
    """A drawing's geodesic area or length, computed as the build will (pyproj on WGS-84), and the
    drawing in both datums, so switching between Amap and the others keeps it in place."""
    data = _body()
    crs = data.get("crs")
    if crs not in CRSES:
        abort(400, description=f"crs must be one of {', '.join(CRSES)}")
    try:
        geom = from_view(parse_geometry(data.get("geometry")), crs)
    except EditError as exc:
        abort(400, description=str(exc))
    return jsonify(**measure(geom), wgs84=to_view(geom, "wgs84").__geo_interface__,
                   gcj02=to_view(geom, "gcj02").__geo_interface__)


@bp.post("/api/places/<path:place_id>/shape")
def save(place_id: str):
    data = _body()
    curator = curator_name()
    if curator is None:
        abort(400, description="say who you are first (curator name or handle)")
    try:
        result = editor().save(place_id, data.get("geometry"), data.get("crs"), data.get("basemap"),
                               str(data.get("sha256", "")), curator, data.get("note"), data.get("source"))
    except LookupError as exc:
        abort(404, description=str(exc))
    except EditError as exc:
        abort(400, description=str(exc))
    except Conflict as exc:
        abort(409, description=str(exc))
    except Refused as exc:
        resp = jsonify(code=422, error="Refused", description="Not saved: the checks failed; nothing was written.",
                       problems=exc.problems)
        resp.status_code = 422
        return resp
    return jsonify(result)


@bp.get("/api/review")
def review_queue():
    """The names `geo add` queued, grouped by name, with what the Accept form needs."""
    folder = editor().folders.gazetteer
    return jsonify(queue=review.pending(folder), districts=sorted(review.district_files(folder)),
                   kinds=[k for k in KINDS if k != "district"])


def _review(action, *args):
    try:
        result = editor().review(action, *args)
    except review.ReviewError as exc:
        abort(400, description=str(exc))
    except Refused as exc:
        resp = jsonify(code=422, error="Refused", description="Not done: the rebuild failed; nothing was changed.",
                       problems=exc.problems)
        resp.status_code = 422
        return resp
    return jsonify(result=result, queue=review.pending(editor().folders.gazetteer))


def _text(data: dict, key: str, required: bool = True) -> str | None:
    value = data.get(key)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        abort(400, description=f"{key}: a text of 1–200 characters")
    return value.strip()


@bp.post("/api/review/accept")
def review_accept():
    data = _body()
    district = _text(data, "district")
    adcode = review.district_files(editor().folders.gazetteer).get(district, (None, ""))[1]
    return _review(review.accept, _text(data, "name"), _text(data, "id"), _text(data, "name_en"),
                   _text(data, "kind"), district, adcode, _text(data, "parent", required=False))


@bp.post("/api/review/merge")
def review_merge():
    data = _body()
    return _review(review.merge, _text(data, "name"), _text(data, "place"))


@bp.post("/api/review/reject")
def review_reject():
    return _review(review.reject, _text(_body(), "name"))
