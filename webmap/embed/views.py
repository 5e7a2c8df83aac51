"""`/embed`, `/embed/builder` and `/oembed`.

`/embed` is the only HTML page other sites may frame (see `EMBEDDABLE` in `webmap/headers.py`):
a map without the site's chrome, chosen by its query (`webmap.core.view.View`), with a caption that
always credits the articles and the map. Its map is built like every other map, with options
(controls, no scroll-wheel zoom, a highlighted place); the map and caption are cached per build and
view, while the free-text title and the absolute URLs are added per request.
"""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, unquote, urlsplit

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from webmap.core import frameworks
from webmap.core.basemaps import BASEMAPS
from webmap.core.display import Display, framework_names
from webmap.core.legend import legend
from webmap.core.mapview import build_map
from webmap.core.text import credit_sources, nav_args
from webmap.core.view import View, integer, parse, shown
from webmap.embed.area import approx_note, area_of, with_area
from webmap.embed.builder import DEFAULT_EMBED, RATIOS, SIZE, builder_html, embed_src, iframe_html, view_title
from webmap.embed.share import oembed_link, thumbnail
from webmap.map import maps
from webmap.store import Snapshot, current
from webmap.templating import render_page

bp = Blueprint("embed", __name__, template_folder="templates")


def _shown_features(snap: Snapshot, view: View) -> list[dict]:
    if view.place and view.layers is None:
        return maps.place_shown(snap, view.place)
    names = view.layers or tuple(snap.layers)
    return [f for n in names if n != "districts" for f in snap.layers[n]["features"]]


def _render_embed(snap: Snapshot, view: View) -> dict:
    """The map and the caption's parts of one view (its title aside). An approximate place shows
    the area it may be in, and the caption says it is approximate."""
    basemap = BASEMAPS[view.basemap]
    note = None
    if view.place and view.layers is None:          # one place: the place page's map of it
        shown = maps.place_display(snap, view.place, basemap.gcj02)
        fit = maps.fit(shown, shown.layers)
        feature = snap.places[view.place]
        parent = snap.places.get(feature["properties"].get("parent") or "")
        parent = parent and parent["properties"]
        area = area_of(feature, parent)
        if area is not None:
            shown, fit = with_area(shown, view.place, area)
        districts = {str(d["id"]): d["properties"] for d in snap.layers["districts"]["features"]}
        note = approx_note(feature["properties"], parent, districts, view.lang)
        overlays, layers_script = maps.inline(snap, shown, view.lang), ""
        home = url_for("map.place", place_id=view.place, **nav_args(view.lang, view.basemap))
    else:
        names = list(view.layers or snap.layers)
        overlays = maps.fetched(snap, names, view.lang, basemap.gcj02)
        layers_script = maps.bundle(snap, names, basemap.gcj02)
        every = maps.full_display(basemap.gcj02)
        fit = maps.fit(every, names)
        shown = Display({n: every.layers[n] for n in names}, {n: every.bounds[n] for n in names}, every.gcj02)
        args = {"place": view.place, "layers": ",".join(view.layers) if view.layers else None}
        home = url_for("map.index", **{k: v for k, v in args.items() if v}, **nav_args(view.lang, view.basemap))
    controls = frozenset(view.controls) | ({"legend"} if view.legend else set())
    options = maps.options(view.lang, view.basemap, controls=controls, scroll_wheel_zoom=view.scroll,
                           highlight=view.place, attribution=False, open_popup=False, bundle_url=layers_script)
    return {"map": build_map(overlays, fit, options), "sources": credit_sources(_shown_features(snap, view)),
            "home": home, "attribution": basemap.attribution, "gcj02": basemap.gcj02, "approx": note,
            "legend": legend(shown, snap.catalog) if view.legend else None,
            "frameworks": framework_names(snap.catalog)}


@bp.get("/embed")
def embed_page():
    """A map for an iframe on any site: no chrome, the credit always shown, sized by the iframe."""
    snap = current().snapshot()
    view = parse(request.args, snap, current_app.config, embed=True)
    # one rendering per view, whatever its title (added here) and ?popup (read by map.js from the URL)
    parts = current().cached(("embed", replace(view, popup=False, title="")), lambda: _render_embed(snap, view))
    title = view_title(snap, view)
    return render_page("embed/embed.html", view.lang, title=view.title, page_title=title, basemap=view.basemap,
                       share=oembed_link(request.url, title), **parts)


@bp.get("/embed/builder")
def builder():
    """Pick a place or layers, size, basemap, language and options; preview; copy the snippet.
    Takes the embed's own parameters (and ratio, or width and height) to start from."""
    snap = current().snapshot()
    view = parse(request.args, snap, current_app.config, embed=True)
    if not view.place and not view.layers:
        view = replace(view, place=next(iter(snap.places)))
    ratio = request.args.get("ratio") or RATIOS[0]
    if ratio not in RATIOS:
        abort(400, description=f"ratio must be one of {', '.join(RATIOS)} (width:height).")
    size = None                                       # responsive, unless a width or height is asked for
    if request.args.get("width") or request.args.get("height"):
        size = (integer(request.args, "width", DEFAULT_EMBED[0], *SIZE),
                integer(request.args, "height", DEFAULT_EMBED[1], *SIZE))
    return render_page("embed/builder.html", view.lang, builder=builder_html(view.lang, view, size, ratio),
                       basemap=view.basemap)


def embed_url_for(url: str) -> tuple[View, str] | None:
    """Our map, place, framework or embed URL → (the embed view, its title); None if it is not one
    of ours or asks for something that does not exist. A framework embeds as its layers (see
    `embed_layers`): an embed cannot show a set of places alone."""
    parts = urlsplit(url)
    ours = urlsplit(request.host_url)
    if parts.scheme not in ("http", "https", "") or (parts.netloc and parts.netloc != ours.netloc):
        return None
    snap = current().snapshot()
    query = MultiDict(parse_qsl(parts.query, keep_blank_values=True))      # a repeated name is a 400 there: None
    path = parts.path.rstrip("/") or "/"
    kept = {k: v for k, v in query.items() if k in ("lang", "basemap")}
    fw = None
    if path.startswith("/places/"):
        query = MultiDict(kept | {"place": unquote(path[len("/places/"):])})      # its "/" may come as %2F
    elif path.startswith("/frameworks/"):
        fw = frameworks.framework(snap, unquote(path[len("/frameworks/"):]))
        layers = frameworks.embed_layers(fw) if fw else ()
        if not layers:
            return None
        query = MultiDict(kept | {"layers": ",".join(layers)})
    elif path not in ("/", "/embed"):
        return None
    try:
        view = parse(query, snap, current_app.config, embed=True)
    except HTTPException:
        return None
    return view, frameworks.title(fw, view.lang) if fw else view_title(snap, view)


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0 provider: a `rich` response with an iframe for our place, map and embed URLs."""
    fmt = request.args.get("format", "json")
    if fmt != "json":
        abort(501, description=f"format {shown(fmt)!r} is not supported; only json")
    url = request.args.get("url")
    if not url:
        abort(400, description="url is required")
    found = embed_url_for(url)
    if found is None:
        abort(404, description="not a page of this map, or no such place, layer or framework with a map")
    view, title = found
    width = min(DEFAULT_EMBED[0], integer(request.args, "maxwidth", DEFAULT_EMBED[0], 50, 10000))
    # no taller than the default's shape at that width (maxwidth=300 alone gave a 300×480 strip)
    height = min(DEFAULT_EMBED[1] * width // DEFAULT_EMBED[0],
                 integer(request.args, "maxheight", DEFAULT_EMBED[1], 50, 10000))
    src = embed_src(view)
    return {"version": "1.0", "type": "rich", "html": str(iframe_html(src, width, height, title)),
            "width": width, "height": height, "title": title,
            "provider_name": "Jinan Zones", "provider_url": request.host_url, **thumbnail(view)}
