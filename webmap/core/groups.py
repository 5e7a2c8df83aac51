"""Items known only to their zone or district, drawn so that the uncertainty shows.

A project the articles place only "in the medical science centre" or "in Huaiyin district" has no
spot of its own. Drawing each as a pin at the area's middle made grids of identical icons that
read as points (and put district-wide items inside whatever zone held the district's middle).
Here such items become one marker per area and layer carrying their count and members, and a
district's marker stands where no zone is drawn, so it is not mistaken for a zone's item.
"""
from __future__ import annotations

import math
from collections import Counter

import shapely
from shapely.geometry import shape
from shapely.ops import polylabel


def district_spots(districts: list[dict], taken: list) -> dict[str, tuple[float, float]]:
    """adcode → a point well inside the district and outside every shape in `taken` (zones, parks)."""
    busy = shapely.union_all(taken).buffer(0.004) if taken else None
    spots = {}
    for d in districts:
        geom = shape(d["geometry"])
        free = geom.difference(busy) if busy is not None else geom
        parts = [p for p in shapely.get_parts(free) if p.geom_type == "Polygon"] or \
            [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
        if not parts:
            continue
        big = max(parts, key=lambda p: p.area)
        p = polylabel(big, tolerance=max(math.sqrt(big.area) / 200, 1e-6))
        spots[str(d.get("id"))] = (p.x, p.y)
    return spots


def grouped(feats: list[dict], layer: str, area_names: dict[str, tuple[str, str]]) -> list[dict]:
    """`feats` with the stand-in markers of one area (two or more) replaced by one group marker:
    the members' ids and names, their count, the most common icon and colour among them."""
    by_area: dict[tuple, list[dict]] = {}
    for f in feats:
        marker = f["properties"].get("marker") or {}
        if marker.get("area"):
            by_area.setdefault((marker["area"], tuple(f["properties"]["anchor"])), []).append(f)
    groups = {k: v for k, v in by_area.items() if len(v) > 1}
    in_group = {id(f) for members in groups.values() for f in members}
    out = [f for f in feats if id(f) not in in_group]
    for (area, at), members in groups.items():
        markers = [f["properties"]["marker"] for f in members]
        name, name_en = area_names.get(area, (area, ""))
        props = {"id": f"group:{layer}:{area}", "kind": "group", "name": name, "name_en": name_en,
                 "anchor": list(at), "frameworks": [],
                 "marker": {"icon": Counter(m["icon"] for m in markers).most_common(1)[0][0],
                            "color": Counter(m["color"] for m in markers).most_common(1)[0][0],
                            "approx": markers[0]["approx"], "area": area, "count": len(members)},
                 "members": [{"id": f["properties"]["id"], "name": f["properties"]["name"],
                              "name_en": f["properties"]["name_en"]} for f in members]}
        out.append({"type": "Feature", "id": props["id"], "properties": props,
                    "geometry": {"type": "Point", "coordinates": list(at)}})
    return out
