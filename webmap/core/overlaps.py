"""Where two zones of one layer overlap: drawn and named, not left as an unexplained darker patch.

Two members of one framework whose drawn shapes overlap (the economic development zone reaching
into the medical science centre) show their fills twice there. The overlap is added to the layer
as its own outline (`kind` "overlap", not clickable) so the legend can say what it is: the sources
describe the two areas in ways that overlap.
"""
from __future__ import annotations

from itertools import combinations

from shapely.geometry import mapping, shape

STYLE = {"color": "#202124", "weight": 1.5, "opacity": 0.9, "dashArray": "2 4", "fill": False,
         "interactive": False, "className": "jz-clash"}
MIN_SHARE = 0.002          # overlaps under this share of the smaller shape are slivers of tracing


def overlaps(feats: list[dict], layer: str) -> list[dict]:
    """One feature per pair of filled shapes in `feats` that overlap by more than a sliver."""
    filled = [(f, shape(f["geometry"])) for f in feats
              if (f["properties"].get("style") or {}).get("fill", True) and "Polygon" in f["geometry"]["type"]]
    out = []
    for (a, ga), (b, gb) in combinations(filled, 2):
        if not ga.intersects(gb):
            continue
        common = ga.intersection(gb)
        if common.is_empty or common.area < MIN_SHARE * min(ga.area, gb.area) or "Polygon" not in common.geom_type:
            continue
        ids = sorted([a["properties"]["id"], b["properties"]["id"]])
        props = {"id": f"overlap:{layer}:{ids[0]}|{ids[1]}", "kind": "overlap", "name": "", "name_en": "",
                 "frameworks": [], "style": STYLE, "between": ids, "anchor": list(common.representative_point().coords[0])}
        out.append({"type": "Feature", "id": props["id"], "properties": props, "geometry": mapping(common)})
    return out
