"""`python -m geo preview`: every layer over the district map in one PNG, without tiles or a browser.

One panel per place layer, each zoomed to the core districts (历下, 市中, 槐荫) with the layer's
features drawn and labelled; approximate shapes (precision zone/district) are dashed, as on the web map.
"""
from __future__ import annotations

import json
from pathlib import Path

from geo.render import colour_of, draw, draw_districts, frame, pyplot

CORE = ("370102", "370103", "370104")


def _load(layers_dir: Path) -> tuple[dict, dict]:
    catalog = json.loads((layers_dir / "catalog.json").read_text(encoding="utf-8"))
    layers = {n: json.loads((layers_dir / s["file"]).read_text(encoding="utf-8")) for n, s in catalog["layers"].items()}
    return catalog, layers


def plan(layers: dict) -> dict[str, list[dict]]:
    """What each panel shows: the features of every place layer, district-wide ones listed apart."""
    return {name: fc["features"] for name, fc in layers.items() if name != "districts"}


def write_preview(layers_dir: str | Path, out: str | Path) -> Path:
    plt = pyplot()
    layers_dir, out = Path(layers_dir), Path(out)
    catalog, layers = _load(layers_dir)
    districts = frame(layers["districts"]["features"])
    x0, y0, x1, y1 = districts[districts["adcode"].isin(CORE)].total_bounds
    panels = plan(layers)
    cols = 3
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(7 * cols, 6 * rows), dpi=90)
    for ax, (name, feats) in zip(axes.flat, panels.items()):
        draw_districts(ax, districts, (x0, y0, x1, y1), 14, only=CORE)
        colour = colour_of(catalog, [name])
        places = frame(feats)
        district_wide = places[places["precision"] == "district"]
        zone_wide = places[(places["method"] == "parent") & (places["precision"] != "district")]
        own = places.drop(district_wide.index.union(zone_wide.index))     # borrowed shapes drawn once, as their zone
        draw(ax, own, colour)
        for name_zh, g in zip(own["name"], own.geometry):
            c = g.representative_point() if g.geom_type.endswith("Polygon") else \
                g.interpolate(0.5, normalized=True) if g.geom_type.endswith("LineString") else g
            ax.annotate(name_zh, (c.x, c.y), fontsize=7, color="#222222", xytext=(3, 3), textcoords="offset points")
        zone_wide, district_wide = list(zone_wide["name"]), list(district_wide["name"])
        spec = catalog["layers"][name]
        ax.set_title(f"{spec['title_zh']} · {spec['title_en']} ({spec['feature_count']})", fontsize=11)
        notes = []
        if zone_wide:
            notes.append("known only to lie in their zone: " + "、".join(zone_wide))
        if district_wide:
            notes.append("district-wide (no point invented): " + "、".join(district_wide))
        if notes:
            text = "\n".join(notes)
            lines = [part[i:i + 60] for part in text.split("\n") for i in range(0, len(part), 60)]
            ax.text(0.01, 0.01, "\n".join(lines), transform=ax.transAxes, fontsize=6.5, va="bottom",
                    color=colour, bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
        ax.set_xlim(x0 - 0.01, x1 + 0.01)
        ax.set_ylim(y0 - 0.01, y1 + 0.01)
        ax.set_aspect(1 / 0.8)          # ≈ 1/cos(36.6°): degrees of longitude are shorter here
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.suptitle("Jinan Zones — layers over the district boundaries (WGS-84; dashed = approximate shape)",
                 fontsize=14)
    fig.tight_layout()
    tmp = out.with_name(out.name + ".tmp")
    fig.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(fig)
    tmp.replace(out)
    return out
