"""`/images/<place-or-layer>.png?width=800&lang=en`: a place, a layer or the whole map (`all.png`)
over the district boundaries; `size=card` gives the 1200×630 link-preview picture.

A render costs 0.1–0.3 s of CPU, so a client varying `width` must not be able to make the server
render without end: the width is rounded up to one of a few sizes (`WIDTHS`), each rendered once
per build and kept in the one cache, and one render runs at a time per process (pyplot is not
thread-safe); a request that cannot start one within `IMAGE_RENDER_WAIT` seconds gets a 503 with
Retry-After. Under gunicorn's gevent workers a render runs in gevent's native thread pool, so it
shares the CPU with the worker's other requests instead of stalling them for its whole duration.
"""
from __future__ import annotations

import threading

from flask import Blueprint, Response, abort, current_app, request
from gevent import get_hub, monkey
from werkzeug.exceptions import ServiceUnavailable

from geo.render import colour_of
from webmap.core import view
from webmap.embed.area import approx_note
from webmap.i18n import t
from webmap.images.render import CARD, DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, SITE_IMAGE, Picture, render_png
from webmap.store import Snapshot, current

bp = Blueprint("images", __name__)

WIDTHS = (200, 400, 600, 800, 1200, 1600, 2000)      # px; a requested width is rounded up to one of these
MAX_RENDERS = 1
_renders = threading.BoundedSemaphore(MAX_RENDERS)


def _off_the_loop(render):
    """`render()` in gevent's thread pool when this process is a gevent worker, else here."""
    if monkey.is_module_patched("threading"):
        return get_hub().threadpool.apply(render)
    return render()


def snap(width: int) -> int:
    """The width actually rendered: the smallest of `WIDTHS` at least `width`."""
    return next(w for w in WIDTHS if w >= width)


def _bounded(render):
    """Run `render()` when a render slot is free; a 503 when none frees up in time."""
    if not _renders.acquire(timeout=current_app.config["IMAGE_RENDER_WAIT"]):
        raise ServiceUnavailable("Busy drawing other images; try again in a few seconds.", retry_after=5)
    try:
        return _off_the_loop(render)
    finally:
        _renders.release()


def _names(p: dict, lang: str) -> str:
    first, second = (p.get("name_en"), p.get("name")) if lang == "en" else (p.get("name"), p.get("name_en"))
    return " · ".join(n for n in dict.fromkeys((first, second)) if n)


def picture(snap: Snapshot, ident: str, lang: str) -> Picture:
    """What the image of a place, a layer or the whole map shows; a 404 for anything else."""
    if ident in snap.places:
        feature = snap.places[ident]
        p = feature["properties"]
        parent = snap.places.get(p.get("parent") or "")
        districts = {str(d["id"]): d["properties"] for d in snap.layers["districts"]["features"]}
        neighbours = [f for f in snap.places.values() if f["id"] != ident and f["geometry"]["type"].endswith("Polygon")
                      and f["properties"].get("borrowed_from") is None]
        return Picture([feature], _names(p, lang), colour_of(snap.catalog, snap.place_layers[ident]), lang,
                       approx_note(p, parent and parent["properties"], districts, lang), neighbours, focus=True)
    layers = snap.catalog["layers"]
    if ident == SITE_IMAGE:
        names = [n for n, spec in layers.items() if spec.get("role") != "context"]
        features = [f for n in names for f in snap.layers[n]["features"]]
        return Picture(features, f"{t(lang, 'site')} · {t(lang, 'site_sub')}", colour_of(snap.catalog, names), lang)
    if ident in snap.layers and ident != "districts":
        title = _names({"name": layers[ident]["title_zh"], "name_en": layers[ident]["title_en"]}, lang)
        return Picture(snap.layers[ident]["features"], title, colour_of(snap.catalog, [ident]), lang)
    abort(404, description=f"No place or layer called {view.shown(ident)!r}.")


@bp.get("/images/<path:ident>.png")
def image(ident: str):
    """PNG of a place (`/images/huaiyin/medical-science-center.png`), a layer (`/images/parks.png`)
    or the whole map (`/images/all.png`); `?size=card` is the 1200×630 link-preview picture."""
    size = request.args.get("size")
    if size not in (None, "card"):
        abort(400, description=f"size={view.shown(size)!r}: omit it, or use size=card (1200×630).")
    width = view.integer(request.args, "width", None, MIN_WIDTH, MAX_WIDTH)     # checked alike with or without size
    if size and width is not None:
        abort(400, description="size=card is always 1200×630: leave out width.")
    width = CARD[0] if size else snap(width or DEFAULT_WIDTH)
    lang = view.lang(request.args)
    snapshot = current().snapshot()
    pic = picture(snapshot, ident, lang)
    districts = snapshot.layers["districts"]["features"]
    png = current().cached(("image", ident, width, size, lang), lambda: _bounded(
        lambda: render_png(pic, districts, width, CARD[1] if size else None)))
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp
