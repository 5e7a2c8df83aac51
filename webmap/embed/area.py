"""An approximate place in an embed: the area it may be in, drawn, and a caption that says so.

A place known only to its district (or its zone) carries that district's (zone's) shape as a
stand-in; the maps draw it as a marker, which an embed of that one place would show alone at
street zoom. The embed shows the stand-in shape instead, dashed, with the marker inside, and is
fitted on it; a point placed within some hundred metres shows that circle. The static image and
the embed caption use the same words (`approx_note`).
"""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import mapping, shape

from geo.crs import transform_geometry, wgs84_to_gcj02
from webmap.core.display import Display, own_shape, rounded
from webmap.i18n import t

APPROX = ("zone", "district")
UTM = "EPSG:32650"                                        # metres around Jinan (117° E)


def is_approximate(props: dict, parent: dict | None = None) -> bool:
    """Whether a place's position is known only roughly: to its zone or district, or borrowed."""
    return props.get("precision") in APPROX or not own_shape(props, parent)


def area_of(feature: dict, parent: dict | None = None):
    """The area (WGS-84 shapely geometry) a place may be in: its stand-in shape, or a buffer of its
    uncertainty around its point or line; None when its own shape is drawn or it is not approximate."""
    props = feature["properties"]
    geom = shape(feature["geometry"])
    if not own_shape(props, parent) and "Polygon" in geom.geom_type:
        return geom
    radius = props.get("uncertainty_m")
    if props.get("precision") in APPROX and radius and "Polygon" not in geom.geom_type:
        return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(UTM).buffer(radius).to_crs("EPSG:4326").iloc[0]
    return None                              # an own shape, already drawn (dashed when approximate)


def approx_note(props: dict, parent: dict | None, districts: dict[str, dict], lang: str) -> str | None:
    """The caption's "approximate" sentence, in `lang`; None for a place with its own position."""
    if not is_approximate(props, parent):
        return None
    where = None
    if props.get("method") == "district" or props.get("precision") == "district":
        d = districts.get(str(props.get("borrowed_from") or props.get("adcode") or ""), {})
        where = (d.get("name_en") if lang == "en" else None) or d.get("name") or props.get("district")
    elif parent:
        where = (parent.get("name_en") if lang == "en" else None) or parent.get("name")
    if where:
        return t(lang, "approx_note").format(where=where)
    if props.get("uncertainty_m"):
        return t(lang, "approx_near").format(m=f"{props['uncertainty_m']:,.0f}")
    return t(lang, "approx_short")


def with_area(display: Display, place_id: str, area) -> tuple[Display, list[list[float]]]:
    """A copy of `display` where the place is drawn as `area` (dashed, tinted) with its marker, and
    the box to fit on it. The cached display is left as it is."""
    if display.gcj02:
        area = transform_geometry(area, wgs84_to_gcj02)
    layers = {}
    for name, fc in display.layers.items():
        feats = []
        for f in fc["features"]:
            if f["id"] == place_id:
                p = f["properties"]
                colour = (p.get("marker") or p.get("style") or {}).get("color", "#333333")
                style = {"color": colour, "weight": 2, "opacity": 0.9, "dashArray": "6 6",
                         "fillColor": colour, "fillOpacity": 0.12}
                anchor = {"type": "Point", "coordinates": p["anchor"]}
                parts = [rounded(mapping(area))] + ([anchor] if p.get("marker") else [])
                f = {**f, "properties": {**p, "style": style},
                     "geometry": {"type": "GeometryCollection", "geometries": parts}}
            feats.append(f)
        layers[name] = {**fc, "features": feats}
    w, s, e, n = (round(v, 6) for v in area.bounds)
    return Display(layers, display.bounds, display.gcj02), [[s, w], [n, e]]
