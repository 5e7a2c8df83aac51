"""The text pieces of popups and pages as plain data, for the Jinja macros in templates/_macros.html.

Offsets are code points into the article's original text, as the layers give them; spans that fall
outside the text or overlap an earlier one are dropped rather than trusted. Nothing here builds
HTML: the macros do, with Jinja's autoescaping, so third-party text always shows as text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from webmap.core.display import own_shape
from webmap.i18n import PRECISION, label, t

# A link in a geometry source: http(s) only, ending before whitespace, quotes, brackets or CJK punctuation.
_URL = re.compile(r"https?://[^\s<>\"'()（）\[\]，。；、]+")
URL_TEXT_MAX = 60       # characters of a link's readable text; the href keeps the whole URL


def lang_args(lang: str) -> dict:
    """Query arguments that keep the interface language across links (Chinese is the default)."""
    return {"lang": lang} if lang != "zh" else {}


def nav_args(lang: str, basemap: str = "osm") -> dict:
    """Query arguments links keep: the language, and a basemap other than the default (a reader
    who chose none, offline or in mainland China, must not get OpenStreetMap on the next page)."""
    return lang_args(lang) | ({"basemap": basemap} if basemap != "osm" else {})


def is_span(m) -> bool:
    return isinstance(m, (list, tuple)) and len(m) == 2 and all(isinstance(v, int) for v in m)


def segments(text: str, offset: int, spans: Iterable[tuple[int, int, Any]]) -> list[tuple[str, Any]]:
    """`text` (which starts at `offset` in the article) cut into (piece, payload) pairs: payload is
    the span's for the pieces a span covers, None between them. Out-of-range and overlapping spans
    are skipped so a bad offset can never break the page."""
    out: list[tuple[str, Any]] = []
    pos = 0
    for start, end, payload in sorted(spans, key=lambda s: (s[0], -s[1])):
        s, e = start - offset, end - offset
        if s < pos or e > len(text) or s >= e:
            continue
        out += [(text[pos:s], None), (text[s:e], payload)]
        pos = e
    out.append((text[pos:], None))
    return [(piece, payload) for piece, payload in out if piece]


def quote_parts(citation: dict) -> list[tuple[str, Any]]:
    """The citation's quote, each mark of the place name with payload True."""
    marks = [(m[0], m[1], True) for m in citation.get("marks") or [] if is_span(m)]
    return segments(citation.get("quote") or "", citation.get("start") or 0, marks)


def link_parts(text: str | None) -> list[tuple[str, str | None]]:
    """Text with its http(s) URLs as (url, url) pairs (the geometry sources cite their pages)."""
    out, pos = [], 0
    text = text or ""
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?")
        out += [(text[pos:m.start()], None), (url, url)]
        pos = m.start() + len(url)
    out.append((text[pos:], None))
    return [(piece, url) for piece, url in out if piece]


def url_text(url: str) -> str:
    """A link's readable text: host and decoded path, shortened. Sources' URLs are long runs of
    percent-escapes (a Chinese title in the path) that tell a reader nothing; the href stays exact."""
    parts = urlsplit(url)
    shown = unquote(parts.netloc + parts.path + (f"?{parts.query}" if parts.query else ""), errors="replace")
    shown = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in shown.rstrip("/"))
    return shown if len(shown) <= URL_TEXT_MAX else shown[:URL_TEXT_MAX - 1] + "…"


def credit_sources(features: Iterable[dict]) -> list[dict]:
    """Outlet and date of the articles the features cite, each pair once, in order of first citation:
    the credit line of an embed or a static image. `doc` is the first article with that pair."""
    seen: dict[tuple, str] = {}
    for f in features:
        for c in (f.get("properties") or {}).get("citations") or []:
            seen.setdefault((c.get("outlet"), c.get("date")), c.get("doc"))
    return [{"outlet": outlet, "date": date, "doc": doc} for (outlet, date), doc in seen.items()]


def area_text(props: dict, lang: str, parent: dict | None = None) -> str | None:
    """The place's own area; none when a district or parent shape stands in for it."""
    area = props.get("area_km2")
    if area is None or not own_shape(props, parent):
        return None
    return f"{area:.3g} {t(lang, 'km2')}" if area < 1 else f"{area:,.1f} {t(lang, 'km2')}"


def precision_text(props: dict, lang: str) -> str:
    text = label(PRECISION, lang, props.get("precision"))
    if props.get("uncertainty_m"):
        sep = "，" if lang == "zh" else ", "
        text += f"{sep}{t(lang, 'uncertainty')} {props['uncertainty_m']:,.0f} {t(lang, 'm')}"
    return text


def framework_labels(ids: Iterable[str], frameworks: dict[str, dict], lang: str) -> list[str]:
    out = []
    for fid in ids:
        f = frameworks.get(fid, {})
        out.append((f.get("name_en") if lang == "en" else None) or f.get("name") or fid)
    return out


def article_blocks(text: str, passages: list[dict]) -> list[dict]:
    """The whole article as blocks: plain text between cited passages, and each passage (merged when
    they overlap; every start keeps an anchor) cut into pieces, the place names with their place's
    properties as payload."""
    merged: list[dict] = []
    for p in passages:
        if not (0 <= p["start"] < p["end"] <= len(text)):
            continue
        if merged and p["start"] < merged[-1]["end"]:
            merged[-1]["end"] = max(merged[-1]["end"], p["end"])
            merged[-1]["marks"] += p["marks"]
            merged[-1]["also"].append(p["start"])
        else:
            merged.append({**p, "marks": list(p["marks"]), "also": []})
    out, pos = [], 0
    for p in merged:
        out.append({"text": text[pos:p["start"]]})
        out.append({"start": p["start"], "also": p["also"],
                    "parts": segments(text[p["start"]:p["end"]], p["start"], p["marks"])})
        pos = p["end"]
    out.append({"text": text[pos:]})
    return out
