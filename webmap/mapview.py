"""The Folium map: layers and options in, HTML out (head, map element, script).

One module builds every map of the site (the main map, a place's small map). It composes Folium
elements — one GeoJson overlay per layer, a layer control, a scale — and hands the rest to our
own small script (`static/map.js`: markers, popups, search, legend, fullscreen, ?place/?layers).
Nothing is loaded from a CDN: Folium's default asset URLs are replaced by the app's own
(`webmap.assets`, files of installed packages) and `build_map` refuses to emit any other.

Data arrives as WGS-84 layers. For a GCJ-02 basemap (Amap) `display_layers` shifts every vertex
with `geo.crs.wgs84_to_gcj02` first, so the features line up with the tiles of that view only.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import folium
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode
from markupsafe import Markup, escape
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from geo.crs import transform_geometry, wgs84_to_gcj02
from webmap import fragments
from webmap.i18n import t


# ----------------------------------------------------------------------------------- basemaps

@dataclass(frozen=True)
class Basemap:
    id: str
    label_zh: str
    label_en: str
    tiles: tuple[str, ...]            # URL templates, bottom to top ({k} is the Tianditu key)
    attribution: str                  # HTML, ours
    subdomains: str = "abc"
    max_zoom: int = 18
    gcj02: bool = False               # tiles are in GCJ-02: shift our features for this view
    needs_key: bool = False


_OSM_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
_TDT = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={k}")

BASEMAPS: dict[str, Basemap] = {b.id: b for b in (
    Basemap("osm", "OpenStreetMap", "OpenStreetMap", ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",),
            _OSM_ATTR, subdomains="", max_zoom=19),
    Basemap("positron", "CartoDB 浅色", "CartoDB Positron",
            ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",),
            _OSM_ATTR + ' &copy; <a href="https://carto.com/attributions">CARTO</a>', subdomains="abcd", max_zoom=20),
    Basemap("none", "无底图", "No basemap", (), ""),
    Basemap("amap", "高德地图（GCJ-02）", "Amap (GCJ-02)",
            ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",),
            '&copy; <a href="https://www.amap.com/">高德地图 AutoNavi</a>', subdomains="1234", gcj02=True),
    Basemap("tianditu", "天地图", "Tianditu", (_TDT.replace("{layer}", "vec"), _TDT.replace("{layer}", "cva")),
            '&copy; <a href="https://www.tianditu.gov.cn/">天地图 Tianditu</a>', subdomains="01234567",
            needs_key=True),
)}


def available_basemaps(tianditu_key: str | None) -> list[str]:
    return [b.id for b in BASEMAPS.values() if not b.needs_key or tianditu_key]


# ----------------------------------------------------------------------------------- styling

FRAMEWORK_COLOURS = ("#d7301f", "#1f78b4", "#6a3d9a", "#e08214", "#b15928", "#c51b7d", "#01665e")
PARK = "#238b45"
PROJECT = "#37474f"
OTHER = "#00838f"
DISTRICT = "#5f6368"
ICONS = {"park": "fa-tree", "project": "fa-helmet-safety", "landmark": "fa-landmark", "zone": "fa-draw-polygon",
         "axis": "fa-road", "industrial-park": "fa-industry"}
DASH = {"zone": "7 5", "district": "2 6"}
PIN = 26            # marker size in px; markers sharing a point are spread in a grid of this pitch


def framework_colours(catalog: dict) -> dict[str, str]:
    """A colour per framework: those with a layer of their own first, in layer order, then the
    rest in catalog order — from the catalog, so every map of the site agrees."""
    ids = [n for n in catalog.get("layers", {}) if any(f.get("id") == n for f in catalog.get("frameworks") or [])]
    for f in catalog.get("frameworks") or []:
        if f.get("id") not in ids:
            ids.append(f.get("id"))
    return {fid: FRAMEWORK_COLOURS[i % len(FRAMEWORK_COLOURS)] for i, fid in enumerate(ids)}


def _colour(layer: str, props: dict, colours: dict[str, str]) -> str:
    if layer in colours:                    # a framework's own layer wears its colour
        return colours[layer]
    if props.get("kind") == "park":
        return PARK
    for fid in props.get("frameworks") or []:
        return colours.get(fid, OTHER)
    return PROJECT if props.get("kind") in ("project", "landmark") else OTHER


def _path_style(props: dict, colour: str, geom_type: str) -> dict:
    line = "LineString" in geom_type
    axis = props.get("kind") == "axis"
    style = {"color": colour, "weight": (8 if axis else 4) if line else 2, "opacity": 0.9,
             "fillColor": colour, "fillOpacity": 0.18, "lineCap": "round"}
    dash = DASH.get(props.get("precision"))
    if dash:
        style["dashArray"] = "14 10" if line else dash
    return style


def _anchor(geom) -> tuple[float, float]:
    """A point on the feature for markers and popups: inside polygons, mid-way along lines."""
    if geom.geom_type == "Point":
        return geom.x, geom.y
    parts = shapely.get_parts(geom)
    if "Polygon" in geom.geom_type:
        big = max(parts, key=lambda p: p.area)
        p = polylabel(big, tolerance=max(math.sqrt(big.area) / 200, 1e-6))
        return p.x, p.y
    if "LineString" in geom.geom_type:
        longest = max(parts, key=lambda p: p.length)
        p = longest.interpolate(0.5, normalized=True)
        return p.x, p.y
    p = geom.representative_point()
    return p.x, p.y


def _round(geom: dict) -> dict:
    """GeoJSON coordinates at 6 decimals (~0.1 m), which is all the page needs."""
    def r(c):
        if c and isinstance(c[0], (int, float)):
            return [round(c[0], 6), round(c[1], 6)]
        return [r(x) for x in c]
    if geom["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_round(g) for g in geom["geometries"]]}
    return {"type": geom["type"], "coordinates": r(list(geom["coordinates"]))}


# ----------------------------------------------------------------------------------- display layers

@dataclass
class Display:
    """What the page embeds: slim layers (ids, styles, markers), popups and names per place."""
    layers: dict[str, dict]                       # name → FeatureCollection, display geometry
    titles: dict[str, str]                        # name → layer title in the interface language
    popups: dict[str, str]                        # feature id → popup HTML (escaped)
    colours: dict[str, str]                       # framework id → colour
    frameworks: dict[str, dict]                   # framework id → {name, name_en}
    bounds: dict[str, list[list[float]] | None]   # layer → [[south, west], [north, east]]
    gcj02: bool = False


def framework_names(catalog: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for f in catalog.get("frameworks") or []:
        out.setdefault(f.get("id"), {"name": f.get("name") or f.get("label"), "name_en": f.get("name_en")})
    return out


def layer_title(spec: dict, lang: str) -> str:
    return (spec.get("title_en") if lang == "en" else spec.get("title_zh")) or spec.get("name", "")


def display_layers(layers: dict[str, dict], catalog: dict, lang: str, gcj02: bool = False,
                   places: dict[str, dict] | None = None) -> Display:
    """Slim, styled copies of the layers for the browser (optionally shifted to GCJ-02).

    Points, and places whose shape is only their district or parent zone, become markers; markers
    that would sit on the same spot are spread on screen (not on the ground) so each stays
    clickable. Projects with a shape of their own show it as an outline plus their marker.
    `places` (id → properties) finds parents outside `layers`; by default, the layers' own places."""
    frameworks = framework_names(catalog)
    colours = framework_colours(catalog)
    specs = catalog.get("layers", {})
    out: dict[str, dict] = {}
    popups: dict[str, str] = {}
    bounds: dict[str, list | None] = {}
    pins: list[tuple[tuple, dict]] = []
    if places is None:
        places = {f["properties"].get("id"): f["properties"] for name, fc in layers.items() if name != "districts"
                  for f in fc.get("features", [])}
    for name, fc in layers.items():
        feats = []
        for f in fc.get("features", []):
            props = f.get("properties") or {}
            fid = str(f.get("id") if f.get("id") is not None else props.get("id"))
            geom = shape(f["geometry"])
            ax, ay = _anchor(geom)
            if gcj02:                      # the same view, every vertex and anchor moved to GCJ-02
                geom = transform_geometry(geom, wgs84_to_gcj02)
                ax, ay = wgs84_to_gcj02(ax, ay)
            slim = {"id": fid, "name": props.get("name") or fid, "name_en": props.get("name_en") or "",
                    "anchor": [round(ax, 6), round(ay, 6)], "frameworks": props.get("frameworks") or []}
            if name == "districts":
                slim["style"] = {"color": DISTRICT, "weight": 1.2, "opacity": 0.8, "fillColor": DISTRICT,
                                 "fillOpacity": 0.06}
                slim["kind"] = "district"
                popups.setdefault(fid, str(fragments.district_popup(props, lang)))
                feats.append({"type": "Feature", "id": fid, "properties": slim, "geometry": _round(mapping(geom))})
                continue
            colour = _colour(name, props, colours)
            kind = props.get("kind")
            parent = places.get(props.get("parent"))
            own = fragments.own_shape(props, parent)
            slim["kind"] = kind
            if geom.geom_type == "Point" or not own or kind in ("project", "landmark"):
                marker = {"icon": ICONS.get(kind, "fa-location-dot"), "color": colour,
                          "approx": props.get("precision") in ("zone", "district")}
                slim["marker"] = marker
                geometry = {"type": "Point", "coordinates": [ax, ay]}
                if own and geom.geom_type != "Point":        # a project's own outline, under its marker
                    geometry = {"type": "GeometryCollection", "geometries": [mapping(geom), geometry]}
                    slim["style"] = _path_style(props, colour, geom.geom_type) | {"weight": 1.5, "fill": False}
            else:
                geometry = mapping(geom)
                slim["style"] = _path_style(props, colour, geom.geom_type)
            if "marker" in slim:
                pins.append(((round(ax, 5), round(ay, 5)), slim["marker"]))
            popups.setdefault(fid, str(fragments.popup(props, frameworks, lang, parent)))
            feats.append({"type": "Feature", "id": fid, "properties": slim, "geometry": _round(geometry)})
        out[name] = {"type": "FeatureCollection", "features": feats}
        bounds[name] = _bounds(feats)
    _spread(pins)
    titles = {name: layer_title(specs.get(name, {"name": name}), lang) for name in layers}
    return Display(out, titles, popups, colours, frameworks, bounds, gcj02)


def _spread(pins: list[tuple[tuple, dict]]) -> None:
    """Markers on the same spot get screen offsets (dx, dy px) in a small grid centred on it."""
    groups: dict[tuple, list[dict]] = {}
    for at, marker in pins:
        groups.setdefault(at, []).append(marker)
    for group in groups.values():
        cols = math.ceil(math.sqrt(len(group)))
        rows = math.ceil(len(group) / cols)
        for i, marker in enumerate(group):
            marker["dx"] = round((i % cols - (cols - 1) / 2) * PIN)
            marker["dy"] = round((i // cols - (rows - 1) / 2) * PIN)


def _bounds(features: list[dict]) -> list[list[float]] | None:
    if not features:
        return None
    w, s, e, n = shapely.GeometryCollection([shape(f["geometry"]) for f in features]).bounds
    return [[round(s, 6), round(w, 6)], [round(n, 6), round(e, 6)]]


def union_bounds(boxes) -> list[list[float]] | None:
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return [[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
            [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]


# ----------------------------------------------------------------------------------- legend

def legend_html(display: Display, lang: str) -> Markup:
    """Colours per framework, line and outline conventions, marker icons — all escaped."""
    def swatch(colour: str, text: str, cls: str = "jz-sw") -> Markup:
        return Markup('<li><span class="{}" style="--c:{}"></span>{}</li>').format(cls, colour, text)

    def pin(icon: str, colour: str, text: str, approx: bool = False) -> Markup:
        return Markup('<li><span class="jz-pin{}" style="--c:{}"><i class="fa-solid {}" aria-hidden="true"></i>'
                      '</span>{}</li>').format(" jz-pin--approx" if approx else "", colour, icon, text)

    used = {fid for fc in display.layers.values() for f in fc["features"]
            for fid in f["properties"].get("frameworks", [])}
    items: list[Markup] = []
    for fid, colour in display.colours.items():
        if fid not in used:
            continue
        names = fragments.framework_names([fid], display.frameworks, lang)
        items.append(swatch(colour, names[0]))
    items += [swatch(PARK, t(lang, "park")), swatch(OTHER, t(lang, "other")),
              swatch(DISTRICT, t(lang, "districts_ctx"), "jz-sw jz-sw--district"),
              swatch("#444", t(lang, "axis"), "jz-sw jz-sw--axis"),
              swatch("#444", t(lang, "solid"), "jz-sw jz-sw--solid"),
              swatch("#444", t(lang, "dashed"), "jz-sw jz-sw--dashed"),
              pin(ICONS["project"], PROJECT, t(lang, "project")),
              pin(ICONS["landmark"], PROJECT, t(lang, "landmark")),
              pin(ICONS["park"], PARK, t(lang, "park")),
              pin(ICONS["project"], PROJECT, t(lang, "district_badge"), approx=True)]
    return Markup('<details open><summary>{}</summary><ul>{}</ul></details>').format(
        t(lang, "legend"), Markup("").join(items))


# ----------------------------------------------------------------------------------- the map

CONTROLS = frozenset({"zoom", "layers", "scale", "fullscreen", "legend", "search", "panel"})
_EXTERNAL_ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@dataclass(frozen=True)
class Assets:
    """URLs of the JS/CSS the map needs, all served by this app."""
    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MapOptions:
    lang: str = "zh"
    basemap: str = "osm"
    tianditu_key: str | None = None
    assets: Assets = Assets((), ())
    controls: frozenset = CONTROLS
    panel: str = ""                   # HTML of the title/basemap/language panel (escaped by the caller)
    scroll_wheel_zoom: bool = True
    height: str = "100%"
    layers: tuple[str, ...] | None = None   # overlays to include (default: all)
    highlight: str | None = None      # a place drawn emphasised (an embed of one place)
    attribution: bool = True          # Leaflet's attribution box (embeds print theirs in a caption)


@dataclass(frozen=True)
class MapParts:
    head: str        # <link>/<script>/<style> for <head>
    body: str        # the map element
    script: str      # the map script (JavaScript, without <script> tags)


class _Init(MacroElement):
    """Hands the map, its overlays and our settings to static/map.js, after everything exists."""
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


def build_map(display: Display, options: MapOptions) -> MapParts:
    """Compose the Folium map for `display` and return its HTML pieces."""
    basemap = BASEMAPS[options.basemap]
    lang = options.lang
    names = [n for n in display.layers if options.layers is None or n in options.layers]
    fit = union_bounds(display.bounds[n] for n in names if n != "districts") \
        or union_bounds(display.bounds[n] for n in names) or [[36.6, 116.9], [36.7, 117.1]]
    m = folium.Map(location=[(fit[0][0] + fit[1][0]) / 2, (fit[0][1] + fit[1][1]) / 2], zoom_start=12,
                   tiles=None, control_scale="scale" in options.controls, zoom_control="zoom" in options.controls,
                   scroll_wheel_zoom=options.scroll_wheel_zoom, height=options.height, zoom_snap=0.25,
                   attribution_control=options.attribution)
    m.default_js = list(options.assets.js)       # instance lists: Folium's class lists name CDNs
    m.default_css = list(options.assets.css)
    for i, url in enumerate(basemap.tiles):
        url = url.replace("{k}", options.tianditu_key or "")
        folium.TileLayer(url, attr=basemap.attribution if i == 0 else " ", name=basemap.id, control=False,
                         subdomains=basemap.subdomains or "abc", max_zoom=basemap.max_zoom,
                         max_native_zoom=basemap.max_zoom).add_to(m)
    overlays = {}
    for name in names:
        gj = folium.GeoJson(display.layers[name], name=str(escape(display.titles[name])),
                            on_each_feature=JsCode("JZ.onEachFeature"),
                            point_to_layer=JsCode("JZ.pointToLayer"), style=JsCode("JZ.style"))
        gj.add_to(m)
        overlays[name] = gj
    if "layers" in options.controls:
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
    # No Folium fit_bounds: its animated fit would land after map.js's own fit (and a ?place focus) and
    # undo it whenever the two zooms differ by less than Leaflet's animation threshold; map.js fits.
    used = {fid for n in names for f in display.layers[n]["features"] for fid in [f["id"]]}
    credit = t(lang, "data_credit") + (f" · {t(lang, 'shifted')}" if display.gcj02 else "")
    config = {
        "lang": lang,
        "controls": sorted(options.controls),
        "popups": {k: v for k, v in display.popups.items() if k in used},
        "credit": str(escape(credit)),
        "legend": str(legend_html(display, lang)) if "legend" in options.controls else "",
        "panel": options.panel if "panel" in options.controls else "",
        "fit": fit,
        "highlight": options.highlight,
        "text": {k: t(lang, k) for k in ("search", "search_label", "no_match", "fullscreen")},
    }
    config_id = f"{m.get_name()}_config"
    _Init(overlays, config_id).add_to(m)
    root = m.get_root()
    root.render()
    # The settings (popups above all) go in a JSON element as UTF-8: Folium's tojson would write
    # every Chinese character as a 6-byte \uXXXX escape. Escaping <, > and & keeps it inert HTML.
    data = Markup('<script type="application/json" id="{}">{}</script>').format(config_id, Markup(script_json(config)))
    parts = MapParts(root.header.render(), root.html.render() + "\n" + str(data), root.script.render())
    if _EXTERNAL_ASSET.search(parts.head + parts.body):
        raise RuntimeError("the map would load an asset from another host; every asset must be served by the app")
    return parts


def script_json(value) -> str:
    """JSON that is safe inside a <script> element (no "</script>", no "<!--")."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
