"""What a CMS or a social site reads in a page's <head>: oEmbed discovery and link-preview cards.

A pasted link to a place (`/places/<id>`), the map (`/`) or a view of it (`/?place=…`, `/?layers=…`)
should embed itself (oEmbed) or preview with a picture (OpenGraph, Twitter card → a 1200×630
`/images/<id>.png?size=card`, in the page's language; oEmbed gives the same picture as thumbnail).
A framework page (`/frameworks/<id>`) has a card too, and with a map embeds itself (its layers).
Both need absolute URLs, taken from the request; so these tags are rendered per request and never
stored in a cached page (a page cached with one client's Host header must not reach another).
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import get_template_attribute, request, url_for
from markupsafe import Markup

from webmap.core import frameworks
from webmap.core.display import district_names, layer_title
from webmap.core.text import credit_sources, lang_args
from webmap.core.view import View
from webmap.i18n import KINDS, label, t
from webmap.images.render import CARD, SITE_IMAGE
from webmap.store import current

_LOCALE = {"zh": "zh_CN", "en": "en_US"}


def site_title(lang: str) -> str:
    return f"{t(lang, 'site')} · {t(lang, 'site_sub')}"


def oembed_link(page_url: str, title: str) -> Markup:
    """oEmbed discovery: where a consumer gets the embed code of `page_url`."""
    href = url_for("embed.oembed", _external=True) + "?" + urlencode({"url": page_url, "format": "json"})
    return get_template_attribute("embed/_share.html", "oembed_link")(href, title)


def card_image(image_id: str, lang: str) -> str:
    """The absolute URL of the 1200×630 link-preview picture of a place, a layer or the whole map."""
    return url_for("images.image", ident=image_id, size="card", _external=True, **lang_args(lang))


def thumbnail(view: View) -> dict:
    """oEmbed's thumbnail of an embed view: the link-preview picture of what it shows."""
    image = view.place or next((n for n in view.layers or () if n != "districts"), SITE_IMAGE)
    return {"thumbnail_url": card_image(image, view.lang), "thumbnail_width": CARD[0], "thumbnail_height": CARD[1]}


def card(lang: str, title: str, description: str, page_url: str, image_id: str | None) -> Markup:
    """OpenGraph and Twitter-card tags; the picture is the static image of a place, a layer or the map."""
    tags = [("property", "og:type", "website"), ("property", "og:site_name", site_title(lang)),
            ("property", "og:locale", _LOCALE[lang]), ("property", "og:title", title),
            ("property", "og:description", description), ("property", "og:url", page_url),
            ("name", "description", description),
            ("name", "twitter:card", "summary_large_image" if image_id else "summary"),
            ("name", "twitter:title", title), ("name", "twitter:description", description)]
    if image_id:
        image = card_image(image_id, lang)
        tags += [("property", "og:image", image), ("property", "og:image:type", "image/png"),
                 ("property", "og:image:width", str(CARD[0])), ("property", "og:image:height", str(CARD[1])),
                 ("property", "og:image:alt", title),
                 ("name", "twitter:image", image), ("name", "twitter:image:alt", title)]
    return get_template_attribute("embed/_share.html", "card")(tags)


def _sources_text(features: list[dict], lang: str) -> str:
    items = [f"{s['outlet'] or t(lang, 'outlet_unknown')} {s['date'] or ''}".strip()
             for s in credit_sources(features)]
    return ("；" if lang == "zh" else "; ").join(dict.fromkeys(items))


def place_text(snap, lang: str, place_id: str) -> tuple[str, str]:
    """(title, description) of a place, in the interface language; cached per build."""
    return current().cached(("card-place", place_id, lang), lambda: _place_text(snap, lang, place_id))


def _place_text(snap, lang: str, place_id: str) -> tuple[str, str]:
    props = snap.places[place_id]["properties"]
    name, name_en = props.get("name") or place_id, props.get("name_en")
    kind = label(KINDS, lang, props.get("kind"))
    sources = _sources_text([snap.places[place_id]], lang)
    if lang == "en":
        title = f"{name_en} · {name}" if name_en else name
        district = district_names(snap.layers).get(props.get("district")) or props.get("district") or "Jinan"
        return title, f"{title}: {kind} in {district}. Quoted from: {sources}."
    title = f"{name} · {name_en}" if name_en else name
    return title, f"{name}：{props.get('district') or '济南'}{kind}。原文出处：{sources}。"


def layers_text(snap, lang: str, layers: list[str]) -> tuple[str, str]:
    """(title, description) of a view of whole layers; cached per build."""
    return current().cached(("card-layers", tuple(layers), lang), lambda: _layers_text(snap, lang, layers))


def _layers_text(snap, lang: str, layers: list[str]) -> tuple[str, str]:
    titles = [layer_title(snap.catalog["layers"][n], lang) for n in layers]
    features = [f for n in layers if n != "districts" for f in snap.layers[n]["features"]]
    title = " · ".join(titles)
    sources = _sources_text(features, lang)
    if lang == "en":
        return title, f"{title}: {len(features)} places on the map, each citing its article ({sources})."
    return title, f"{title}：地图上的 {len(features)} 处地点，均注明原文出处（{sources}）。"


def site_text(snap, lang: str) -> str:
    """The description of the whole map; cached per build."""
    def compute() -> str:
        places = list(snap.places.values())
        return t(lang, "site_description").format(n=len(places), sources=_sources_text(places, lang))
    return current().cached(("card-site", lang), compute)


def map_head(snap, lang: str, place: str | None, layers: list[str] | None) -> Markup:
    """<head> tags of the map page: oEmbed discovery and a card, of what ?place or ?layers shows or
    of the whole map."""
    if place:
        title, description = place_text(snap, lang, place)
        image = place
    elif layers:
        title, description = layers_text(snap, lang, layers)
        image = next((n for n in layers if n != "districts"), None)
    else:
        return oembed_link(request.url, site_title(lang)) + card(lang, site_title(lang), site_text(snap, lang),
                                                                  request.url, SITE_IMAGE)
    return oembed_link(request.url, title) + card(lang, f"{title} — {t(lang, 'site')}", description,
                                                   request.url, image)


def place_head(snap, lang: str, place_id: str) -> Markup:
    """<head> tags of a place page: oEmbed discovery and a card with the place's static image."""
    title, description = place_text(snap, lang, place_id)
    url = url_for("map.place", place_id=place_id, _external=True, **lang_args(lang))
    return oembed_link(url, title) + card(lang, f"{title} — {t(lang, 'site')}", description, url, place_id)


def framework_text(lang: str, data: dict) -> tuple[str, str]:
    """(title, description) of a framework: its name, its members (the first five named) and the
    articles stating it."""
    name = frameworks.title(data, lang)
    names = [(m.get("name_en") if lang == "en" else None) or m.get("name") or m.get("text") or ""
             for m in data["members"]]
    sep = ", " if lang == "en" else "、"
    members = sep.join(names[:5]) + ("…" if len(names) > 5 else "")
    sources = ("; " if lang == "en" else "；").join(dict.fromkeys(
        t(lang, "framework_source").format(outlet=s.get("outlet") or "", title=s.get("title") or "", date=s.get("date") or "")
        for s in data["statements"]))
    if not names:                          # counted in the article (一城两区三园: 1 + 2 + 3), none named
        count = next((s.get("count") or _parts(s) for s in data["statements"] if s.get("count") or _parts(s)), None)
        key = "framework_description_unlisted" if count else "framework_description_unnamed"
        return name, t(lang, key).format(name=name, count=count, sources=sources)
    return name, t(lang, "framework_description").format(name=name, n=len(names), members=members, sources=sources)


def _parts(statement: dict) -> int | None:
    """The count the parts of a name add up to (一城两区三园: 6); None when one is uncounted (多园)."""
    parts = list((statement.get("part_counts") or {}).values())
    return sum(parts) if parts and all(parts) else None


def framework_head(lang: str, data: dict) -> Markup:
    """<head> tags of a framework page: a card (the picture: its layer's static image, when its members
    are on the map) and, with a map, oEmbed discovery, so a pasted link embeds its layers."""
    url = url_for("frameworks.page", fid=data["id"], _external=True, **lang_args(lang))
    title, description = current().cached(("card-framework", data["id"], lang), lambda: framework_text(lang, data))
    layers = frameworks.embed_layers(data)
    head = card(lang, f"{title} — {t(lang, 'site')}", description, url, layers[0] if layers else None)
    return (oembed_link(url, title) + head) if layers else head
