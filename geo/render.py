"""Drawing the layers with matplotlib, shared by `geo preview` and the web app's static images.

One palette per layer and one way to draw a WGS-84 geometry (polygons outlined and tinted, lines
thick, approximate shapes dashed), with a font that has Chinese glyphs when one is installed.
"""
from __future__ import annotations

COLOURS = {"huaiyin-five-battlefields": "#d7301f", "huaiyin-three-platforms": "#2b8cbe",
           "lixia-axis-districts-parks": "#6a51a3", "parks": "#238b45", "projects": "#e6550d",
           "zones-and-corridors": "#525252"}
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "DejaVu Sans"]


def draw_geometry(ax, geom, colour: str, dashed: bool, fill: bool) -> None:
    """Draw one WGS-84 geometry on a matplotlib axis: polygons outlined (and tinted), lines thick."""
    style = "--" if dashed else "-"
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type == "Polygon":
            x, y = part.exterior.xy
            if fill:
                ax.fill(x, y, color=colour, alpha=0.18, linewidth=0)
            ax.plot(x, y, color=colour, linewidth=1.4, linestyle=style)
        elif part.geom_type == "LineString":
            x, y = part.xy
            ax.plot(x, y, color=colour, linewidth=3, linestyle=style, solid_capstyle="round")
        elif part.geom_type == "Point":
            ax.plot(part.x, part.y, "o", color=colour, markersize=5, markeredgecolor="white")


def pyplot():
    """matplotlib without a display, with a font that has Chinese glyphs when one is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in CJK_FONTS if f in available] or ["DejaVu Sans"]
    return plt
