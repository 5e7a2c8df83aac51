"""HTML fragments shared by popups and pages: quotes with the place name marked, citations, facts.

Every piece of data text goes through `markupsafe.escape`: articles are third-party text and may
hold `<script>` or `"><img onerror=…>`, and it must show as text. Offsets are code points into the
article's original text, as the layers give them; spans that fall outside the text or overlap an
earlier one are dropped rather than trusted.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask import url_for
from markupsafe import Markup, escape

from webmap.i18n import KINDS, METHOD, PRECISION, VERTEX_BASIS, label, t

# A link in a geometry source: http(s) only, ending before whitespace, quotes, brackets or CJK punctuation.
_URL = re.compile(r"https?://[^\s<>\"'()（）\[\]，。；、]+")


def lang_args(lang: str) -> dict:
    """Query arguments that keep the interface language across links (Chinese is the default)."""
    return {"lang": lang} if lang != "zh" else {}


def spans_html(text: str, offset: int, spans: Iterable[tuple[int, int, Markup, Markup]]) -> Markup:
    """`text` (which starts at `offset` in the article) escaped, each span wrapped in its tags.

    Spans are (start, end, opening tags, closing tags) in article offsets; out-of-range and
    overlapping spans are skipped so a bad offset can never break the page."""
    out: list[str] = []
    pos = 0
    for start, end, before, after in sorted(spans, key=lambda s: (s[0], -s[1])):
        s, e = start - offset, end - offset
        if s < pos or e > len(text) or s >= e:
            continue
        out += [escape(text[pos:s]), before, escape(text[s:e]), after]
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def marked_quote(citation: dict) -> Markup:
    """The citation's quote with every mark of the place name in <mark>."""
    quote = citation.get("quote") or ""
    start = citation.get("start") or 0
    marks = [(m[0], m[1], Markup("<mark>"), Markup("</mark>"))
             for m in citation.get("marks") or [] if is_span(m)]
    return spans_html(quote, start, marks)


def is_span(m) -> bool:
    return isinstance(m, (list, tuple)) and len(m) == 2 and all(isinstance(v, int) for v in m)


def source_line(doc: str, title, outlet, date, lang: str, anchor: int | None = None) -> Markup:
    """Article title (linked to the article page, at the passage), outlet and date."""
    href = url_for("site.source", doc_id=doc, **lang_args(lang))
    if anchor is not None:
        href += f"#c-{int(anchor)}"
    parts = [Markup('<a href="{}">{}</a>').format(href, title or doc),
             escape(outlet) if outlet else Markup('<span class="jz-muted">{}</span>').format(t(lang, "outlet_unknown"))]
    if date:
        parts.append(Markup("<time>{}</time>").format(date))
    return Markup(" · ").join(parts)


def credit_sources(features: Iterable[dict]) -> list[dict]:
    """Outlet and date of the articles the features cite, each pair once, in order of first citation:
    the credit line of an embed or a static image. `doc` is the first article with that pair."""
    seen: dict[tuple, str] = {}
    for f in features:
        for c in (f.get("properties") or {}).get("citations") or []:
            seen.setdefault((c.get("outlet"), c.get("date")), c.get("doc"))
    return [{"outlet": outlet, "date": date, "doc": doc} for (outlet, date), doc in seen.items()]


def citation_item(citation: dict, lang: str) -> Markup:
    """One citation: the marked quote, then where it comes from, linked to the passage."""
    return Markup('<li class="jz-cite"><blockquote>{}</blockquote><p class="jz-cite-src">{}</p></li>').format(
        marked_quote(citation),
        source_line(citation.get("doc", ""), citation.get("title"), citation.get("outlet"),
                    citation.get("date"), lang, citation.get("start")))


def citations_list(citations: list[dict], lang: str) -> Markup:
    items = Markup("").join(citation_item(c, lang) for c in citations)
    return Markup('<ol class="jz-cites">{}</ol>').format(items)


def linkify(text: str) -> Markup:
    """Escaped text with its http(s) URLs as links (the geometry sources cite their pages)."""
    out, pos = [], 0
    for m in _URL.finditer(text or ""):
        url = m.group(0).rstrip(".,;:!?")
        out += [escape(text[pos:m.start()]),
                Markup('<a href="{0}" rel="noopener nofollow" target="_blank">{0}</a>').format(url)]
        pos = m.start() + len(url)
    out.append(escape((text or "")[pos:]))
    return Markup("").join(out)


def own_shape(props: dict, parent: dict | None) -> bool:
    """Whether the place's geometry is its own rather than a stand-in: its district's or its parent
    zone's shape (a "clipped" shape covering nearly all of the parent is the parent's shape again)."""
    if props.get("borrowed_from") is not None:
        return False
    area, parent_area = props.get("area_km2"), (parent or {}).get("area_km2")
    if isinstance(area, (int, float)) and isinstance(parent_area, (int, float)) and parent_area > 0:
        return area < 0.9 * parent_area
    return True


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


def framework_names(ids: Iterable[str], frameworks: dict[str, dict], lang: str) -> list[str]:
    out = []
    for fid in ids:
        f = frameworks.get(fid, {})
        out.append((f.get("name_en") if lang == "en" else None) or f.get("name") or fid)
    return out


def facts(props: dict, frameworks: dict[str, dict], lang: str, layer_titles: list[str] | None = None,
          parent: dict | None = None, open_source: bool = False) -> Markup:
    """The place's facts as a <dl>: kind, district, frameworks, area, count, precision, shape source."""
    rows: list[tuple[str, Markup]] = [
        (t(lang, "kind"), escape(label(KINDS, lang, props.get("kind")))),
        (t(lang, "district"), escape(props.get("district") or "—")),
    ]
    if parent:
        rows.append((t(lang, "parent"), Markup('<a href="{}">{}</a>').format(
            url_for("site.place", place_id=parent["id"], **lang_args(lang)), parent.get("name") or parent["id"])))
    names = framework_names(props.get("frameworks") or [], frameworks, lang)
    rows.append((t(lang, "frameworks"), escape("、".join(names) if lang == "zh" else "; ".join(names))
                 if names else Markup('<span class="jz-muted">{}</span>').format(t(lang, "none"))))
    if layer_titles:
        rows.append((t(lang, "layers"), escape(("、" if lang == "zh" else "; ").join(layer_titles))))
    area = area_text(props, lang, parent)
    if area:
        rows.append((t(lang, "area"), escape(area)))
    if props.get("stated_area_km2") is not None:
        stated = escape(f"{props['stated_area_km2']:g} {t(lang, 'km2')}")
        if props.get("stated_area_source"):
            stated = Markup("{} ({})").format(stated, linkify(props["stated_area_source"]))
        rows.append((t(lang, "stated_area"), stated))
    if props.get("count") is not None:
        rows.append((t(lang, "count"), escape(str(props["count"]))))
    rows.append((t(lang, "precision"), escape(precision_text(props, lang))))
    rows.append((t(lang, "geometry"), provenance(props, lang, open_source)))
    return Markup('<dl class="jz-facts">{}</dl>').format(
        Markup("").join(Markup("<dt>{}</dt><dd>{}</dd>").format(k, v) for k, v in rows))


def provenance(props: dict, lang: str, open_source: bool = False) -> Markup:
    """How the shape was obtained: method and vertex basis in words, its sources by title, the note."""
    summary = Markup("{}；{}" if lang == "zh" else "{}; {}").format(
        label(METHOD, lang, props.get("method")), label(VERTEX_BASIS, lang, props.get("vertex_basis")))
    sources = Markup("").join(
        Markup('<li><a href="{}" rel="noopener nofollow" target="_blank">{}</a> <small>{}</small></li>').format(
            s["url"], s.get("title") or s["url"], s.get("publisher") or "")
        for s in props.get("sources") or [] if s.get("url", "").startswith(("http://", "https://")))
    note = Markup("<p>{}</p>").format(props["note"]) if props.get("note") else Markup("")
    return Markup('<details{}><summary>{}</summary>{}{}</details>').format(
        Markup(" open") if open_source else Markup(""), summary,
        Markup("<ul>{}</ul>").format(sources) if sources else Markup(""), note)


def place_title(props: dict, lang: str) -> Markup:
    name, name_en = props.get("name") or props.get("id"), props.get("name_en")
    if lang == "en" and name_en:
        return Markup('{} <small lang="zh-Hans">{}</small>').format(name_en, name)
    if name_en:
        return Markup('{} <small lang="en">{}</small>').format(name, name_en)
    return escape(name)


def popup(props: dict, frameworks: dict[str, dict], lang: str, parent: dict | None = None) -> Markup:
    """A feature's popup: names, facts, every citation, and a link to its page."""
    cites = props.get("citations") or []
    return Markup('<div class="jz-pop"><h3>{}</h3>{}<h4>{} ({})</h4>{}<p class="jz-pop-links">'
                  '<a href="{}">{}</a></p></div>').format(
        place_title(props, lang), facts(props, frameworks, lang, parent=parent), t(lang, "citations"), len(cites),
        citations_list(cites, lang),
        url_for("site.place", place_id=props["id"], **lang_args(lang)), t(lang, "place_page"))


def district_popup(props: dict, lang: str) -> Markup:
    area = props.get("area_km2")
    return Markup('<div class="jz-pop"><h3>{}</h3><p>{} · {}{}</p></div>').format(
        place_title(props, lang), label(KINDS, lang, "district"), props.get("adcode") or "",
        f" · {area:,.1f} {t(lang, 'km2')}" if isinstance(area, (int, float)) else "")
