"""The maps of the site, shared by the map page, the place pages and the embeds.

Display data (`webmap.core.display`) is computed once per build and datum and cached; the big map
loads its layers' display features in one request, the script `/display/layers.js` (cacheable,
versioned, gzipped; `/display/<layer>.geojson` has one layer and is the fallback), while a place's
small map carries its few features inline.
Pages are cached with slots (`SLOT`) for what depends on the request (link-preview tags with
absolute URLs, the embed builder), filled per request.
"""
from __future__ import annotations

import shapely
from flask import current_app, url_for
from markupsafe import Markup
from shapely.geometry import shape

from webmap.assets import asset_url
from webmap.core.basemaps import BASEMAPS
from webmap.core.display import LABELLED, Display, display_layers, layer_title, union_bounds
from webmap.core.mapview import Assets, MapOptions, Overlay
from webmap.core.text import nav_args
from webmap.i18n import t
from webmap.store import Snapshot, current

SLOT = Markup("<!--jz-slot-->")          # where a cached page takes what depends on the request
TEXT = ("search", "search_label", "no_match", "fullscreen", "loading", "popup_failed", "framework", "framework_page",
        "group_zone", "group_district", "zoom_in", "zoom_out", "skip_to_search")


def full_display(gcj02: bool) -> Display:
    """Every layer as the browser gets it, in WGS-84 or shifted to GCJ-02 (Amap); cached per build."""
    snap = current().snapshot()
    return current().cached(("display", gcj02), lambda: display_layers(snap.layers, snap.catalog, gcj02))


def place_shown(snap: Snapshot, place_id: str) -> list[dict]:
    """The features a map of one place shows: its parent zone (for context) and the place."""
    feature = snap.places[place_id]
    parent = snap.places.get(feature["properties"].get("parent") or "")
    return [parent, feature] if parent else [feature]


def neighbours(snap: Snapshot, shown: list[dict], around) -> list[dict]:
    """Zones, axes and industrial parks with shapes of their own within `around`: context for a place."""
    ids = {f["id"] for f in shown}
    return [f for pid, f in snap.places.items() if pid not in ids and f["properties"].get("kind") in LABELLED
            and f["properties"].get("borrowed_from") is None and f["geometry"]["type"] != "Point"
            and shape(f["geometry"]).intersects(around)]


def place_display(snap: Snapshot, place_id: str, gcj02: bool, context: bool = False) -> Display:
    """A map of one place: the place, its parent zone and the districts around them; with `context`
    (the place page) also the zones next to it, so the place is seen where it is; cached."""
    def compute() -> Display:
        shown = place_shown(snap, place_id)
        around = shapely.union_all([shape(f["geometry"]) for f in shown]).buffer(0.03).envelope
        small = {"districts": {"type": "FeatureCollection", "features": [
            d for d in snap.layers["districts"]["features"] if shape(d["geometry"]).intersects(around)]}}
        # an item known only to its district has the district as its context, not every zone in it
        near = context and snap.places[place_id]["properties"].get("method") != "district"
        for f in shown + (neighbours(snap, shown, around) if near else []):
            name = snap.place_layers[f["id"]][0]
            small.setdefault(name, {"type": "FeatureCollection", "features": []})["features"].append(f)
        return display_layers(small, snap.catalog, gcj02, {pid: f["properties"] for pid, f in snap.places.items()})
    return current().cached(("place-display", place_id, gcj02, context), compute)


def fetched(snap: Snapshot, names: list[str], lang: str, gcj02: bool) -> list[Overlay]:
    """Overlays whose features the browser fetches from their versioned display URL."""
    crs = {"crs": "gcj02"} if gcj02 else {}
    return [Overlay(n, layer_title(snap.catalog["layers"][n], lang),
                    url=url_for("map.display_layer", name=n, v=snap.build, **crs)) for n in names]


def bundle(snap: Snapshot, names: list[str], gcj02: bool) -> str:
    """The script that gives all of `names`' display features (`fetched` overlays' URLs are the
    fallback if it fails): a map page makes one request for its layers, not one a layer."""
    crs = {"crs": "gcj02"} if gcj02 else {}
    every = list(names) == list(snap.layers)
    return url_for("map.display_bundle", v=snap.build, **({} if every else {"layers": ",".join(names)}), **crs)


def inline(snap: Snapshot, display: Display, lang: str) -> list[Overlay]:
    """Overlays carrying their (few) features in the page."""
    return [Overlay(n, layer_title(snap.catalog["layers"].get(n, {"name": n}), lang), data=fc)
            for n, fc in display.layers.items()]


def fit(display: Display, names) -> list[list[float]] | None:
    """The box the map opens on: the places shown, or the districts when only they are."""
    return union_bounds(display.bounds[n] for n in names if n != "districts") \
        or union_bounds(display.bounds[n] for n in names)


def options(lang: str, basemap: str, **kw) -> MapOptions:
    """Map options common to every map: assets, credit, popup URL, interface words."""
    snap = current().snapshot()
    gcj02 = BASEMAPS[basemap].gcj02
    credit = t(lang, "data_credit") + (f" · {t(lang, 'shifted')}" if gcj02 else "")
    popup = url_for("map.popup", place_id="__ID__", v=snap.build, **nav_args(lang, basemap))
    return MapOptions(lang=lang, basemap=basemap, tianditu_key=current_app.config.get("TIANDITU_KEY"),
                      assets=map_assets(), credit=credit, popup_url=popup,
                      search_url=url_for("map.search_json", **nav_args(lang, basemap)),
                      text={k: t(lang, k) for k in TEXT}, **kw)


def map_assets() -> Assets:
    """Everything a map page loads, in order: Leaflet, our script (map.js with its controls and URL
    parts, `webmap.assets.BUNDLES`) and style."""
    return Assets(js=(("leaflet", asset_url("leaflet", "leaflet.js")), ("jz_map", asset_url("jz", "map.js"))),
                  css=(("leaflet_css", asset_url("leaflet", "leaflet.css")), ("jz_map_css", asset_url("jz", "map.css"))))


def filled(key, render, *fills: Markup) -> bytes:
    """The page `render()` gives, rendered once per build, its `SLOT`s filled per request, in order.
    Kept as UTF-8 bytes: encoding the whole page again on every request would cost more than the rest."""
    pieces = current().cached(key, lambda: [piece.encode() for piece in render().split(SLOT)])
    out = [pieces[0]]
    for fill, piece in zip(fills, pieces[1:], strict=True):
        out += [str(fill).encode(), piece]
    return b"".join(out)
