"""The map page (`/`), one page per place, and what the map fetches: display layers and popups.

The map page is a shell rendered once per build, language and basemap: the Folium skeleton, the
layer list and settings, the panel and legend. Features come from `/display/layers.js` (all
layers in one script; `/display/<layer>.geojson` is one layer, the fallback), and a
place's popup from `/popups/<id>` when it is opened; both carry the build id (`v`) and may then be
cached for good. ?place, ?layers and ?popup are checked here (400 when wrong) and applied in the
browser by static/map.js, so they cost no rendering.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from webmap.core import display, legend, search, view
from webmap.core.basemaps import BASEMAPS, available_basemaps
from webmap.core.mapview import build_map, script_json
from webmap.core.text import nav_args
from webmap.embed import builder, share
from webmap.map import maps
from webmap.store import current
from webmap.templating import render_page

bp = Blueprint("map", __name__, template_folder="templates")
YEAR = 365 * 24 * 3600


def _downloads_url() -> str | None:
    """The downloads page, if the app has one (another blueprint provides it)."""
    return "/layers/" if any(r.rule == "/layers/" for r in current_app.url_map.iter_rules()) else None


@bp.get("/")
def index():
    snap = current().snapshot()
    v = view.parse(request.args, snap, current_app.config)      # checked here, applied by map.js
    lang, basemap = v.lang, v.basemap

    def render() -> str:
        gcj02 = BASEMAPS[basemap].gcj02
        shown = maps.full_display(gcj02)
        names = list(snap.layers)
        parts = build_map(maps.fetched(snap, names, lang, gcj02), maps.fit(shown, names),
                          maps.options(lang, basemap, url_state=True, bundle_url=maps.bundle(snap, names, gcj02)))
        return render_page("map/index.html", lang, map=parts, share=maps.SLOT, basemap=basemap,
                           basemaps=[BASEMAPS[b] for b in available_basemaps(current_app.config.get("TIANDITU_KEY"))],
                           legend=legend.legend(shown, snap.catalog), frameworks=display.framework_names(snap.catalog),
                           downloads=_downloads_url())

    return maps.filled(("index", lang, basemap), render, share.map_head(snap, lang, v.place, v.layers))


def _versioned(resp: Response) -> Response:
    """A response whose URL names the build it belongs to may be cached for good; others revalidate."""
    if request.args.get("v") == current().snapshot().build:
        resp.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/display/<name>.geojson")
def display_layer(name: str):
    """A layer's display features (style, marker, anchor, names; no citations), WGS-84 or GCJ-02."""
    snap = current().snapshot()
    if name not in snap.layers:
        abort(404, description=f"No layer {view.shown(name)!r}: see /layers/ for the layers.")
    return _versioned(Response(_layer_json(name, _display_crs()).encode(), content_type="application/geo+json"))


def _layer_json(name: str, gcj02: bool) -> str:
    """A layer's display features as JSON, encoded once per build and datum (the layer's own file and
    the layers' script share it)."""
    return current().cached(("display-json", name, gcj02), lambda: script_json(maps.full_display(gcj02).layers[name]))


@bp.get("/display/layers.js")
def display_bundle():
    """Several layers' display features as a script that sets `JZ_LAYERS = {layer: FeatureCollection}`
    (`?layers=a,b` in the catalog's order, all by default): a map page reads its layers as it parses
    the page, from one cacheable file, instead of a fetch() per layer answered after Leaflet has run."""
    snap = current().snapshot()
    gcj02 = _display_crs()
    names = view.layer_names(request.args, snap, embed=True) or tuple(snap.layers)   # in the catalog's order

    def script() -> bytes:
        data = "{" + ",".join(f"{json.dumps(n)}:{_layer_json(n, gcj02)}" for n in names) + "}"
        # JSON.parse of a string literal: V8 reads it faster than the same object written as code
        return f"window.JZ_LAYERS = JSON.parse({json.dumps(data, ensure_ascii=False)});\n".encode()
    body = current().cached(("display-bundle", names, gcj02), script)
    return _versioned(Response(body, content_type="text/javascript; charset=utf-8"))


def _display_crs() -> bool:
    """?crs of the display routes: absent (WGS-84) or gcj02 (Amap); True for GCJ-02."""
    crs = request.args.get("crs")
    if crs not in (None, "gcj02"):
        abort(400, description=f"crs={view.shown(crs)!r}: omit it for WGS-84 or use crs=gcj02.")
    return crs == "gcj02"


@bp.get("/search.json")
def search_json():
    """The search box's results: places, districts and frameworks; traditional characters fold to simplified."""
    snap = current().snapshot()
    items = current().cached(("search-entries",), lambda: search.entries(snap))
    q = request.args.get("q", "")
    keep = nav_args(view.lang(request.args), view.basemap(request.args, current_app.config))
    results = [e | {"url": url_for("frameworks.page", fid=e["id"], **keep)}
               if e["type"] == "framework" else e for e in search.search(items, q)]
    resp = jsonify(query=q[:search.MAX_QUERY], results=results)
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/popups/<path:place_id>")
def popup(place_id: str):
    """A place's (or a district's) popup, fetched by the map when it is opened."""
    snap = current().snapshot()
    lang, basemap = view.lang(request.args), view.basemap(request.args, current_app.config)
    districts = {str(f.get("id")): f for f in snap.layers.get("districts", {}).get("features", [])}
    if place_id not in snap.places and place_id not in districts:
        view.unknown_place(lang, place_id)

    def render() -> str:
        if place_id in districts:
            return render_page("map/popup.html", lang, p=districts[place_id]["properties"], district=True,
                               basemap=basemap)
        props = snap.places[place_id]["properties"]
        parent = snap.places.get(props.get("parent") or "")
        return render_page("map/popup.html", lang, p=props, parent=parent and parent["properties"],
                           frameworks=display.framework_names(snap.catalog), basemap=basemap,
                           district_names=display.district_names(snap.layers))

    body = current().cached(("popup", place_id, lang, basemap), render)
    return _versioned(Response(body, content_type="text/html; charset=utf-8"))


@bp.get("/places/<path:place_id>")
def place(place_id: str):
    snap = current().snapshot()
    lang, basemap = view.lang(request.args), view.basemap(request.args, current_app.config)
    if place_id not in snap.places:
        view.unknown_place(lang, place_id)
    return maps.filled(("place", place_id, lang, basemap), lambda: _render_place(snap, place_id, lang, basemap),
                       share.place_head(snap, lang, place_id), builder.place_builder(lang, place_id, basemap))


def _render_place(snap, place_id: str, lang: str, basemap: str) -> str:
    props = snap.places[place_id]["properties"]
    layer_names = snap.place_layers.get(place_id, [])
    parent = snap.places.get(props.get("parent") or "")
    shown = maps.place_display(snap, place_id, BASEMAPS[basemap].gcj02, context=True)
    parts = build_map(maps.inline(snap, shown, lang), maps.fit(shown, shown.layers),
                      maps.options(lang, basemap, controls=frozenset({"zoom", "scale", "fullscreen"}),
                                   highlight=place_id))
    titles = [display.layer_title(snap.catalog["layers"].get(n, {"name": n}), lang) for n in layer_names]
    return render_page("map/place.html", lang, p=props, map=parts, parent=parent and parent["properties"],
                       frameworks=display.framework_names(snap.catalog), layer_titles=titles,
                       district_names=display.district_names(snap.layers),
                       map_url=url_for("map.index", place=place_id, **nav_args(lang, basemap)),
                       share=maps.SLOT, builder=maps.SLOT, basemap=basemap)
