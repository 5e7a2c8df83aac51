"""The Folium map skeleton: basemap tiles, zoom, scale, an empty overlay per layer in a layer control.

One function builds every map of the site (the main map, a place's small map, an embed). Folium
does what it does well — the Leaflet map, tile layers with attribution, the layer control, the
scale — and hands the rest to our script (`static/map.js`), which takes each overlay's features
(from the layers' script, inline, or fetched), styles them, builds popups on demand, and adds
search, legend and fullscreen. Nothing is loaded from a CDN: the page's assets are the app's own (`MapOptions.assets`)
and `build_map` refuses to emit any other.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import folium
from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup, escape

from geo.crs import wgs84_to_gcj02
from webmap.core.basemaps import BASEMAPS

CONTROLS = frozenset({"zoom", "layers", "scale", "fullscreen", "legend", "search", "panel"})
_EXTERNAL_ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')
DEFAULT_FIT = [[36.6, 116.9], [36.7, 117.1]]
# Zoom limits of every map, whatever its basemap: OpenStreetMap's deepest tiles (street level), so
# that switching basemap keeps the view, and a map with no tiles (basemap "none") still has a last
# zoom, with "+" disabled there, and clamps a #map=999/… link instead of drawing NaN paths.
# Basemaps with shallower tiles show their deepest ones enlarged (max_native_zoom).
MIN_ZOOM, MAX_ZOOM = 4, 19


@dataclass(frozen=True)
class Assets:
    """URLs of the JS/CSS the map needs, all served by this app."""
    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Overlay:
    """A layer on the map: its features come from `url` (fetched, cacheable) or inline as `data`."""
    name: str
    title: str
    url: str | None = None
    data: dict | None = None


@dataclass(frozen=True)
class MapOptions:
    lang: str = "zh"
    basemap: str = "osm"
    tianditu_key: str | None = None
    assets: Assets = Assets((), ())
    controls: frozenset = CONTROLS
    scroll_wheel_zoom: bool = True
    height: str = "100%"
    highlight: str | None = None      # a place drawn emphasised (an embed of one place)
    open_popup: bool = True           # ?place opens its popup unless ?popup=0 (an embed: only with ?popup=1)
    attribution: bool = True          # Leaflet's attribution box (embeds print theirs in a caption)
    credit: str = ""                  # text added to the attribution box
    popup_url: str = ""               # URL of a place's popup, "__ID__" standing for its id
    search_url: str = ""              # URL of the search box's results (?q=)
    url_state: bool = False           # keep place, layers and the view in the page's URL (the main map)
    bundle_url: str = ""              # a script setting JZ_LAYERS, every fetched overlay's features at once
    text: dict = field(default_factory=dict)      # interface words map.js shows


@dataclass(frozen=True)
class MapParts:
    head: str        # <link>/<script>/<style> for <head>
    body: str        # the map element and its settings (a JSON element)
    script: str      # the map script (JavaScript, without <script> tags)


class _Init(MacroElement):
    """Hands the map, its (empty) overlays and our settings to static/map.js."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        JZ.init({{ this._parent.get_name() }}, {
        {%- for name, layer in this.overlays.items() %}
            {{ name|tojson }}: {{ layer.get_name() }},
        {%- endfor %}
        }, JSON.parse(document.getElementById({{ this.config_id|tojson }}).textContent));
        {% endmacro %}
    """)

    def __init__(self, overlays: dict, config_id: str):
        super().__init__()
        self._name = "JZInit"
        self.overlays = overlays
        self.config_id = config_id


def build_map(overlays: list[Overlay], fit: list[list[float]] | None, options: MapOptions) -> MapParts:
    """Compose the Folium map with one empty overlay per entry of `overlays`; return its HTML pieces."""
    basemap = BASEMAPS[options.basemap]
    fit = fit or DEFAULT_FIT
    m = folium.Map(location=[(fit[0][0] + fit[1][0]) / 2, (fit[0][1] + fit[1][1]) / 2], zoom_start=12,
                   tiles=None, control_scale="scale" in options.controls, zoom_control="zoom" in options.controls,
                   scroll_wheel_zoom=options.scroll_wheel_zoom, height=options.height, zoom_snap=0.25,
                   attribution_control=options.attribution)
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)   # Folium gives its own only to its tiles
    m.default_js = list(options.assets.js)       # instance lists: Folium's class lists name CDNs
    if options.bundle_url:                       # after map.js: the layers, read as the page is parsed
        m.default_js.append(("jz_layers", options.bundle_url))
    m.default_css = list(options.assets.css)
    for i, url in enumerate(basemap.tiles):
        url = url.replace("{k}", options.tianditu_key or "")
        folium.TileLayer(url, attr=basemap.attribution if i == 0 else " ", name=basemap.id, control=False,
                         subdomains=basemap.subdomains or "abc", max_zoom=MAX_ZOOM,
                         max_native_zoom=min(basemap.max_zoom, MAX_ZOOM)).add_to(m)
    groups = {}
    for overlay in overlays:                     # the layer control writes names as HTML: escaped
        groups[overlay.name] = folium.FeatureGroup(name=str(escape(overlay.title))).add_to(m)
    if "layers" in options.controls:
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
    # No Folium fit_bounds: map.js fits once the features are in (and a ?place focus after that).
    config = {
        "lang": options.lang, "controls": sorted(options.controls), "fit": fit, "highlight": options.highlight,
        "shift": _gcj02_shift(fit) if basemap.gcj02 else None, "open_popup": options.open_popup,
        "credit": str(escape(options.credit)), "popup": options.popup_url, "search": options.search_url,
        "url_state": options.url_state, "text": options.text,
        "layers": [{"name": o.name, "url": o.url} if o.url else {"name": o.name, "data": o.data} for o in overlays],
    }
    config_id = f"{m.get_name()}_config"
    _Init(groups, config_id).add_to(m)
    root = m.get_root()
    root.render()
    # The settings go in a JSON element as UTF-8: Folium's tojson would write every Chinese
    # character as a 6-byte \uXXXX escape. Escaping <, > and & keeps it inert HTML.
    data = Markup('<script type="application/json" id="{}">{}</script>').format(config_id, Markup(script_json(config)))
    # Folium adds a second viewport tag that forbids pinch zoom; the page's own (base.html) is the one.
    head = _FOLIUM_VIEWPORT.sub("", root.header.render())
    parts = MapParts(head, root.html.render() + "\n" + str(data), root.script.render())
    if _EXTERNAL_ASSET.search(parts.head + parts.body):
        raise RuntimeError("the map would load an asset from another host; every asset must be served by the app")
    return parts


def _gcj02_shift(fit: list[list[float]]) -> list[float]:
    """GCJ-02 minus WGS-84 (lat, lon) at the map's middle: the URL keeps its view in WGS-84 on an Amap
    basemap too, moved by this (it varies by a few metres across the city)."""
    lat, lon = (fit[0][0] + fit[1][0]) / 2, (fit[0][1] + fit[1][1]) / 2
    glon, glat = wgs84_to_gcj02(lon, lat)
    return [round(glat - lat, 7), round(glon - lon, 7)]


def script_json(value) -> str:
    """JSON that is safe inside a <script> element (no "</script>", no "<!--")."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
