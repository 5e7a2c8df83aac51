"""For journalists: static images and oEmbed (the embed page and builder join them here)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Blueprint, Response, abort, jsonify, request
from markupsafe import escape

from webmap import store
from webmap.images import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, place_colour, render_png

bp = Blueprint("embed", __name__)

DEFAULT_EMBED = (640, 480)


def _int_param(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        abort(400, description=f"{name} must be a whole number of pixels, got {raw!r}")
    value = int(raw)
    if not lo <= value <= hi:
        abort(400, description=f"{name} must be between {lo} and {hi}, got {value}")
    return value


@bp.get("/images/<path:ident>.png")
def image(ident: str):
    """PNG of a place (`/images/huaiyin/medical-science-center.png`) or a layer (`/images/parks.png`)."""
    width = _int_param("width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH)
    snap = store().snapshot()
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
        abort(404, description=f"no place or layer called {ident!r}")
    districts = snap.layers["districts"]["features"]
    png = store().cached(("image", ident, width),
                         lambda: render_png(features, districts, title, width, colour_of))
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


def embed_url_for(url: str) -> tuple[str, str] | None:
    """Our page or embed URL → (embed path with query, title); None if it is not one of ours."""
    parts = urlsplit(url)
    ours = urlsplit(request.host_url)
    if parts.scheme not in ("http", "https", "") or (parts.netloc and parts.netloc != ours.netloc):
        return None
    snap = store().snapshot()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    path = parts.path.rstrip("/") or "/"
    if path.startswith("/places/"):
        pid = path[len("/places/"):]
        if pid not in snap.places:
            return None
        query = {"place": pid}
    elif path not in ("/", "/embed"):
        return None
    keep = {k: v for k, v in query.items() if k in ("place", "layers", "basemap", "lang", "controls", "popup", "title")}
    if "place" in keep:
        if keep["place"] not in snap.places:
            return None
        title = snap.places[keep["place"]]["properties"]["name"]
    elif "layers" in keep:
        names = keep["layers"].split(",")
        if any(n not in snap.layers for n in names):
            return None
        title = " · ".join(snap.catalog["layers"][n]["title_zh"] for n in names)
    else:
        title = "济南片区地图 · Jinan Zones"
    return "/embed" + ("?" + urlencode(keep) if keep else ""), title


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0 provider: a `rich` response with an iframe for our place, map and embed URLs."""
    fmt = request.args.get("format", "json")
    if fmt != "json":
        abort(501, description=f"format {fmt!r} is not supported; only json")
    url = request.args.get("url")
    if not url:
        abort(400, description="url is required")
    found = embed_url_for(url)
    if found is None:
        abort(404, description="not a page of this map, or no such place or layer")
    path, title = found
    width = min(DEFAULT_EMBED[0], _int_param("maxwidth", DEFAULT_EMBED[0], 50, 10000))
    height = min(DEFAULT_EMBED[1], _int_param("maxheight", DEFAULT_EMBED[1], 50, 10000))
    src = request.host_url.rstrip("/") + path
    html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" title="{escape(title)}" '
            f'loading="lazy" allowfullscreen style="border:0"></iframe>')
    return jsonify(version="1.0", type="rich", html=html, width=width, height=height, title=title,
                   provider_name="Jinan Zones", provider_url=request.host_url)
