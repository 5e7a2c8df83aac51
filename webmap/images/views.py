"""`/images/<place-or-layer>.png?width=800`: a place or a layer over the district boundaries.

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
from webmap.core.view import integer, shown
from webmap.images.render import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, render_png
from webmap.store import current

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


@bp.get("/images/<path:ident>.png")
def image(ident: str):
    """PNG of a place (`/images/huaiyin/medical-science-center.png`) or a layer (`/images/parks.png`)."""
    width = snap(integer(request.args, "width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH))
    snapshot = current().snapshot()
    if ident in snapshot.places:
        features = [snapshot.places[ident]]
        p = features[0]["properties"]
        title = f"{p['name']} · {p['name_en']}"
        colour = colour_of(snapshot.catalog, snapshot.place_layers[ident])
    elif ident in snapshot.layers and ident != "districts":
        features = snapshot.layers[ident]["features"]
        spec = snapshot.catalog["layers"][ident]
        title = f"{spec['title_zh']} · {spec['title_en']}"
        colour = colour_of(snapshot.catalog, [ident])
    else:
        abort(404, description=f"No place or layer called {shown(ident)!r}.")
    districts = snapshot.layers["districts"]["features"]
    png = current().cached(("image", ident, width),
                           lambda: _bounded(lambda: render_png(features, districts, title, width, colour)))
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp
