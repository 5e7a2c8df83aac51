"""What the map's legend lists, from what the map draws (`webmap.core.display`): every framework
colour shown, every marker (icon and colour) with what its colour means, the rings of items known
only to their zone or district, and the outline of zones in two frameworks."""
from __future__ import annotations

from webmap.core.display import DISTRICT, ICONS, OTHER, PARK, PROJECT, Display, framework_colours


def legend(display: Display, catalog: dict) -> dict:
    """What the legend lists: the colour of each framework shown, every marker (icon and colour)
    drawn, with what its colour means (a framework, parks, projects, other zones), and the rings."""
    colours = framework_colours(catalog)
    used = {fid for fc in display.layers.values() for f in fc["features"]
            for fid in f["properties"].get("frameworks", [])}
    kinds = {icon: kind for kind, icon in ICONS.items()}
    markers = set()
    for layer, fc in display.layers.items():
        for f in fc["features"]:
            if m := f["properties"].get("marker"):
                fid = next((fid for fid in [layer, *f["properties"]["frameworks"]] if colours.get(fid) == m["color"]), None)
                markers.add((m["icon"], m["color"], fid or ("other" if m["color"] == OTHER else None)))
    rings = {m.get("approx") for fc in display.layers.values() for f in fc["features"]
             if (m := f["properties"].get("marker"))} | \
        ({"group"} if any("members" in f["properties"] for fc in display.layers.values() for f in fc["features"]) else set())
    overlaps = sorted({(colours[f["properties"]["overlap"]], colours[layer]) for layer, fc in display.layers.items()
                       for f in fc["features"] if f["properties"].get("overlap")})
    clash = any(f["properties"].get("kind") == "overlap" for fc in display.layers.values() for f in fc["features"])
    return {"frameworks": [(fid, c) for fid, c in colours.items() if fid in used], "overlaps": overlaps, "clash": clash,
            "markers": [(icon, c, kinds.get(icon), means) for icon, c, means in sorted(markers, key=str)],
            "rings": [r for r in ("zone", "district", "group") if r in rings],
            "park": PARK, "other": OTHER, "district": DISTRICT, "project": PROJECT, "icons": ICONS}
