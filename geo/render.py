"""Drawing the layers with matplotlib from GeoDataFrames, shared by `geo preview` and the web
app's static images: one drawing path, and the one palette (each layer's `colour` in the catalog,
set in `gazetteer/layers.yml`, the same the web map uses).

Polygons are tinted and outlined, lines thick, points dots; approximate shapes (precision zone or
district) are dashed, as on the web map. A font with Chinese glyphs is used when one is installed.
"""
from __future__ import annotations

import geopandas as gpd

CONTEXT = "#9e9e9e"
FALLBACK = "#333333"
CJK_FONTS = ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "DejaVu Sans"]


def frame(features: list[dict]) -> gpd.GeoDataFrame:
    """GeoJSON features (WGS-84) as a GeoDataFrame to draw."""
    return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")


def colour_of(catalog: dict, layer_names: list[str]) -> str:
    """The colour of the first of these layers that has one."""
    for name in layer_names:
        colour = catalog.get("layers", {}).get(name, {}).get("colour")
        if colour:
            return colour
    return FALLBACK


def draw(ax, shapes: gpd.GeoDataFrame, colour: str, fill: bool = True) -> None:
    """Draw a frame's geometries in one colour, dashed where the shape is approximate."""
    if shapes.empty:
        return
    types = shapes.geom_type
    approx = shapes["precision"].isin(["zone", "district"]) if "precision" in shapes else types == ""
    for dashed in (False, True):
        part, kinds = shapes[approx == dashed], types[approx == dashed]
        style = "--" if dashed else "-"
        polys = part[kinds.str.endswith("Polygon")]
        if not polys.empty:
            if fill:
                polys.plot(ax=ax, color=colour, alpha=0.18, linewidth=0)
            polys.boundary.plot(ax=ax, color=colour, linewidth=1.4, linestyle=style)
        lines = part[kinds.str.endswith("LineString")]
        if not lines.empty:
            lines.plot(ax=ax, color=colour, linewidth=3, linestyle=style)
        points = part[kinds.str.endswith("Point")]
        if not points.empty:
            points.plot(ax=ax, color=colour, markersize=25, edgecolor="white")
    ax.set_xlabel("")                      # geopandas labels the axes from the CRS; ours are plain lon/lat
    ax.set_ylabel("")


def draw_districts(ax, districts: gpd.GeoDataFrame, bounds, fontsize: float, only: tuple[str, ...] = ()) -> None:
    """The district outlines for context, named where their label falls inside `bounds`."""
    draw(ax, districts.assign(precision="district-line"), CONTEXT, fill=False)
    x0, y0, x1, y1 = bounds
    for name, code, c in zip(districts["name"], districts["adcode"], districts.representative_point()):
        if (not only or code in only) and x0 < c.x < x1 and y0 < c.y < y1:
            ax.text(c.x, c.y, name, color=CONTEXT, fontsize=fontsize, ha="center", alpha=0.8)


def pyplot():
    """matplotlib without a display, with a font that has Chinese glyphs when one is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    plt.rcParams["font.family"] = [f for f in CJK_FONTS if f in available] or ["DejaVu Sans"]
    return plt
