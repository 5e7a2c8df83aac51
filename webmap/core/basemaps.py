"""The basemaps a map may show: tile URLs, attribution, and whether their tiles are in GCJ-02."""
from __future__ import annotations

from dataclasses import dataclass


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
    """The basemap ids this app can show (Tianditu only with a key)."""
    return [b.id for b in BASEMAPS.values() if not b.needs_key or tianditu_key]
