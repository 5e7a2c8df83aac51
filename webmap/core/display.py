"""Display data of the layers: a style, a marker and an anchor per feature, in WGS-84 or GCJ-02.

What the browser draws is decided here, once per build and datum, from plain data: colours per
framework (from the catalog, so every map of the site agrees), dashed outlines for approximate
shapes, markers for points and stand-in shapes, markers on one spot spread on screen, and for a
GCJ-02 basemap (Amap) every vertex and anchor shifted with `geo.crs.wgs84_to_gcj02` — only for
that view; stored coordinates stay WGS-84.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import shapely
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from geo.crs import transform_geometry, wgs84_to_gcj02
from webmap.core.groups import district_spots, grouped
from webmap.core.overlaps import overlaps

FRAMEWORK_COLOURS = ("#d7301f", "#1f78b4", "#6a3d9a", "#e08214", "#b15928", "#c51b7d", "#01665e")
PARK = "#238b45"
PROJECT = "#37474f"
OTHER = "#00838f"
DISTRICT = "#5f6368"
ICONS = {"park": "tree", "project": "helmet-safety", "landmark": "landmark", "zone": "draw-polygon",
         "axis": "road", "industrial-park": "industry"}
DEFAULT_ICON = "location-dot"
LABELLED = ("zone", "industrial-park", "axis")       # kinds whose own shapes carry a name label
DASH = {"zone": "7 5", "district": "2 6"}
PIN = 26            # marker size in px; markers sharing a point are spread in a grid of this pitch
DISTRICT_STYLE = {"color": DISTRICT, "weight": 1.2, "opacity": 0.8, "fillColor": DISTRICT, "fillOpacity": 0.06}


def framework_colours(catalog: dict) -> dict[str, str]:
    """A colour per framework: a framework with a layer of its own wears that layer's colour from
    the catalog (the one palette, shared with the preview and the static images); the rest take
    the next free colour in catalog order."""
    layers = catalog.get("layers", {})
    ids = [n for n in layers if any(f.get("id") == n for f in catalog.get("frameworks") or [])]
    for f in catalog.get("frameworks") or []:
        if f.get("id") not in ids:
            ids.append(f.get("id"))
    return {fid: layers.get(fid, {}).get("colour") or FRAMEWORK_COLOURS[i % len(FRAMEWORK_COLOURS)]
            for i, fid in enumerate(ids)}


def framework_names(catalog: dict) -> dict[str, dict]:
    """framework id → {name, name_en}."""
    out: dict[str, dict] = {}
    for f in catalog.get("frameworks") or []:
        out.setdefault(f.get("id"), {"name": f.get("name") or f.get("label"), "name_en": f.get("name_en")})
    return out


def district_names(layers: dict[str, dict]) -> dict[str, str]:
    """A district's Chinese name (as places give it) → its English name, from the districts layer."""
    return {d["properties"].get("name"): d["properties"].get("name_en") or d["properties"].get("name")
            for d in layers.get("districts", {}).get("features", [])}


def layer_title(spec: dict, lang: str) -> str:
    return (spec.get("title_en") if lang == "en" else spec.get("title_zh")) or spec.get("name", "")


def own_shape(props: dict, parent: dict | None) -> bool:
    """Whether the place's geometry is its own rather than a stand-in: its district's or its parent
    zone's shape (a "clipped" shape covering nearly all of the parent is the parent's shape again)."""
    if props.get("borrowed_from") is not None:
        return False
    area, parent_area = props.get("area_km2"), (parent or {}).get("area_km2")
    if isinstance(area, (int, float)) and isinstance(parent_area, (int, float)) and parent_area > 0:
        return area < 0.9 * parent_area
    return True


def colour(layer: str, props: dict, colours: dict[str, str]) -> str:
    if layer in colours:                    # a framework's own layer wears its colour
        return colours[layer]
    if props.get("kind") == "park":
        return PARK
    for fid in props.get("frameworks") or []:
        return colours.get(fid, OTHER)
    return PROJECT if props.get("kind") in ("project", "landmark") else OTHER


def path_style(props: dict, colour: str, geom_type: str) -> dict:
    line = "LineString" in geom_type
    axis = props.get("kind") == "axis"
    style = {"color": colour, "weight": (8 if axis else 4) if line else 2, "opacity": 0.9,
             "fillColor": colour, "fillOpacity": 0.18, "lineCap": "round"}
    dash = DASH.get(props.get("precision"))
    if dash:
        style["dashArray"] = "14 10" if line else dash
    return style


def anchor(geom) -> tuple[float, float]:
    """A point on the feature for markers and popups: inside polygons, mid-way along lines."""
    if geom.geom_type == "Point":
        return geom.x, geom.y
    parts = shapely.get_parts(geom)
    if "Polygon" in geom.geom_type:
        big = max(parts, key=lambda p: p.area)
        p = polylabel(big, tolerance=max(math.sqrt(big.area) / 200, 1e-6))
        return p.x, p.y
    if "LineString" in geom.geom_type:
        longest = max(parts, key=lambda p: p.length)
        p = longest.interpolate(0.5, normalized=True)
        return p.x, p.y
    p = geom.representative_point()
    return p.x, p.y


def rounded(geom: dict) -> dict:
    """GeoJSON coordinates at 6 decimals (~0.1 m), which is all a map needs."""
    def r(c):
        if c and isinstance(c[0], (int, float)):
            return [round(c[0], 6), round(c[1], 6)]
        return [r(x) for x in c]
    if geom["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [rounded(g) for g in geom["geometries"]]}
    return {"type": geom["type"], "coordinates": r(list(geom["coordinates"]))}


@dataclass
class Display:
    """Slim layers for the browser: per feature id, name, name_en, kind, frameworks, anchor, and
    either a path style or a marker (icon, colour, approx, screen offset dx/dy) or both."""
    layers: dict[str, dict]                       # name → FeatureCollection, display geometry
    bounds: dict[str, list[list[float]] | None]   # layer → [[south, west], [north, east]]
    gcj02: bool = False


def display_layers(layers: dict[str, dict], catalog: dict, gcj02: bool = False,
                   places: dict[str, dict] | None = None) -> Display:
    """Slim, styled copies of the layers (optionally shifted to GCJ-02).

    Points, and places whose shape is only their district or parent zone, become markers; markers
    that would sit on the same spot are spread on screen (not on the ground) so each stays
    clickable. Projects with a shape of their own show it as an outline plus their marker.
    `places` (id → properties) finds parents outside `layers`; by default, the layers' own places."""
    colours = framework_colours(catalog)
    out: dict[str, dict] = {}
    bounds: dict[str, list | None] = {}
    pins: list[tuple[tuple, dict]] = []
    if places is None:
        places = {f["properties"].get("id"): f["properties"] for name, fc in layers.items() if name != "districts"
                  for f in fc.get("features", [])}
    districts = layers.get("districts", {}).get("features", [])
    area_names = {str(d.get("id")): (d["properties"].get("name") or "", d["properties"].get("name_en") or "")
                  for d in districts} | {pid: (p.get("name") or pid, p.get("name_en") or "") for pid, p in places.items()}
    spots = district_spots(districts, [shape(f["geometry"]) for n, fc in layers.items() if n != "districts"
                                       for f in fc.get("features", []) if "Polygon" in f["geometry"]["type"]
                                       and own_shape(f["properties"], places.get(f["properties"].get("parent")))])
    framework_layers = [n for n in layers if n in colours]
    for name, fc in layers.items():
        feats = []
        for f in fc.get("features", []):
            props = f.get("properties") or {}
            fid = str(f.get("id") if f.get("id") is not None else props.get("id"))
            geom = shape(f["geometry"])
            ax, ay = anchor(geom)
            if props.get("method") == "district" and str(props.get("borrowed_from")) in spots:
                ax, ay = spots[str(props.get("borrowed_from"))]      # its district, away from the zones
            if gcj02:                      # the same view, every vertex and anchor moved to GCJ-02
                geom = transform_geometry(geom, wgs84_to_gcj02)
                ax, ay = wgs84_to_gcj02(ax, ay)
            slim = {"id": fid, "name": props.get("name") or fid, "name_en": props.get("name_en") or "",
                    "anchor": [round(ax, 6), round(ay, 6)], "frameworks": props.get("frameworks") or []}
            if name == "districts":
                slim |= {"style": DISTRICT_STYLE, "kind": "district", "label": "district"}
                feats.append({"type": "Feature", "id": fid, "properties": slim, "geometry": rounded(mapping(geom))})
                continue
            paint = colour(name, props, colours)
            kind = props.get("kind")
            own = own_shape(props, places.get(props.get("parent")))
            slim["kind"] = kind
            if geom.geom_type == "Point" or not own or kind in ("project", "landmark"):
                approx = props.get("precision") if props.get("precision") in ("zone", "district") else None
                marker = {"icon": ICONS.get(kind, DEFAULT_ICON), "color": paint, "approx": approx}
                if not own:                 # the area it may be in, shown on hover
                    marker["area"] = str(props.get("borrowed_from") or props.get("parent") or "") or None
                slim["marker"] = marker
                geometry = {"type": "Point", "coordinates": [ax, ay]}
                if own and geom.geom_type != "Point":        # a project's own outline, under its marker
                    geometry = {"type": "GeometryCollection", "geometries": [mapping(geom), geometry]}
                    slim["style"] = path_style(props, paint, geom.geom_type) | {"weight": 1.5, "fill": False}
            else:
                geometry = mapping(geom)
                slim["style"] = path_style(props, paint, geom.geom_type)
                earlier = [o for o in framework_layers[:framework_layers.index(name)] if o in slim["frameworks"]] \
                    if name in framework_layers else []
                if earlier:                      # filled by the first framework's layer: a dotted outline here
                    slim["overlap"] = earlier[0]
                    slim["style"] = slim["style"] | {"fill": False, "dashArray": "1 7", "weight": 4,
                                                     "className": "jz-overlap"}
                if kind in LABELLED:             # named on the map when zoomed in (map.js)
                    slim["label"] = "zone"
            feats.append({"type": "Feature", "id": fid, "properties": slim, "geometry": rounded(geometry)})
        feats = grouped(feats, name, area_names) + overlaps(feats, name)
        pins += [(tuple(round(c, 5) for c in f["properties"]["anchor"]), f["properties"]["marker"])
                 for f in feats if "marker" in f["properties"]]
        out[name] = {"type": "FeatureCollection", "features": feats}
        bounds[name] = _bounds(feats)
    spread(pins)
    return Display(out, bounds, gcj02)


def spread(pins: list[tuple[tuple, dict]]) -> None:
    """Markers on the same spot get screen offsets (dx, dy px) in a small grid centred on it; markers
    standing in for an area (a borrowed shape) sit in a grid just above its middle, which they would
    otherwise cover: a click on the middle of a zone opens the zone."""
    groups: dict[tuple, list[dict]] = {}
    for at, marker in pins:
        groups.setdefault(at, []).append(marker)
    for group in groups.values():
        cols = math.ceil(math.sqrt(len(group)))
        rows = math.ceil(len(group) / cols)
        lift = (rows + 1) / 2 * PIN if any("area" in m for m in group) else 0
        for i, marker in enumerate(group):
            marker["dx"] = round((i % cols - (cols - 1) / 2) * PIN)
            marker["dy"] = round((i // cols - (rows - 1) / 2) * PIN - lift)


def _bounds(features: list[dict]) -> list[list[float]] | None:
    if not features:
        return None
    w, s, e, n = shapely.GeometryCollection([shape(f["geometry"]) for f in features]).bounds
    return [[round(s, 6), round(w, 6)], [round(n, 6), round(e, 6)]]


def union_bounds(boxes) -> list[list[float]] | None:
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return [[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
            [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]
