"""`/frameworks/` lists the frameworks; `/frameworks/<id>` shows one: the sentences stating it with
the count check, each member with its area, precision, citations and the places inside it, and a
map naming the members. `?f=json` gives the same as JSON (datasette's "every page has a JSON twin").
Rendered once per build, language and basemap.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from webmap.core import display, view
from webmap.core.basemaps import BASEMAPS
from webmap.core.display import display_layers
from webmap.core.frameworks import framework, framework_ids
from webmap.core.mapview import build_map
from webmap.embed.share import framework_head
from webmap.i18n import t
from webmap.map import maps
from webmap.store import current
from webmap.templating import render_page

bp = Blueprint("frameworks", __name__, template_folder="templates")


def _format() -> str:
    f = request.args.get("f", "html")
    if f not in ("html", "json"):
        abort(400, description=f"?f={view.shown(f)!r}: use f=json for JSON, or leave it out for the page.")
    return f


@bp.get("/frameworks/")
def index():
    snap = current().snapshot()
    lang, fmt = view.lang(request.args), _format()
    items = [framework(snap, fid) for fid in framework_ids(snap.catalog)]
    if fmt == "json":
        return jsonify(frameworks=[{"id": f["id"], "name": f["name"], "name_en": f["name_en"],
                                    "members": len(f["members"]), "url": url_for(".page", fid=f["id"])} for f in items])
    basemap = view.basemap(request.args, current_app.config)         # kept on links (basemap=none: offline)
    return current().cached(("frameworks", lang, basemap),
                            lambda: render_page("frameworks/index.html", lang, items=items, basemap=basemap))


@bp.get("/frameworks/<path:fid>")
def page(fid: str):
    snap = current().snapshot()
    lang, fmt = view.lang(request.args), _format()
    data = framework(snap, fid)
    if data is None:
        abort(404, description=t(lang, "err_no_framework").format(id=repr(view.shown(fid))))
    if fmt == "json":
        return jsonify(data)
    basemap = view.basemap(request.args, current_app.config)
    share = framework_head(lang, data)                          # absolute URLs: per request
    return maps.filled(("framework", fid, lang, basemap), lambda: _render(snap, data, lang, basemap), share)


def _render(snap, data: dict, lang: str, basemap: str) -> str:
    gcj02 = BASEMAPS[basemap].gcj02
    small: dict[str, dict] = {}
    for m in data["members"]:
        if m["id"] and m["layers"]:
            small.setdefault(m["layers"][0], {"type": "FeatureCollection", "features": []})["features"].append(
                snap.places[m["id"]])
    shown = display_layers(small, snap.catalog, gcj02, {pid: f["properties"] for pid, f in snap.places.items()})
    parts = None
    if small:
        parts = build_map(maps.inline(snap, shown, lang), maps.fit(shown, shown.layers),
                          maps.options(lang, basemap, controls=frozenset({"zoom", "scale", "fullscreen"})))
    return render_page("frameworks/framework.html", lang, f=data, map=parts, share=maps.SLOT,
                       frameworks=display.framework_names(snap.catalog),
                       district_names=display.district_names(snap.layers), basemap=basemap)
