"""`/images/<place-or-layer>.png?width=800`: a place or a layer over the district boundaries.

Rendered once per build and width (the one cache), so the same request always returns the same bytes.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, request

from webmap.core.view import integer, shown
from webmap.images.render import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, place_colour, render_png
from webmap.store import current

bp = Blueprint("images", __name__)


@bp.get("/images/<path:ident>.png")
def image(ident: str):
    """PNG of a place (`/images/huaiyin/medical-science-center.png`) or a layer (`/images/parks.png`)."""
    width = integer(request.args, "width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH)
    snap = current().snapshot()
    if ident in snap.places:
        features = [snap.places[ident]]
        p = features[0]["properties"]
        title = f"{p['name']} · {p['name_en']}"
        colour_of = place_colour(snap.place_layers[ident])
    elif ident in snap.layers and ident != "districts":
        features = snap.layers[ident]["features"]
        spec = snap.catalog["layers"][ident]
        title = f"{spec['title_zh']} · {spec['title_en']}"
        colour_of = place_colour([ident])
    else:
        abort(404, description=f"No place or layer called {shown(ident)!r}.")
    districts = snap.layers["districts"]["features"]
    png = current().cached(("image", ident, width), lambda: render_png(features, districts, title, width, colour_of))
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp
