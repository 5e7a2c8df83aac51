"""The embed builder (on its own page and on every place page) and the snippet it gives.

The default snippet is responsive: the iframe fills the article's column at a fixed aspect ratio
(a wrapper with the padding-top trick, which every CMS and browser keeps), so it never overflows
a phone; a fixed width × height is an option. Its first state is rendered here, so the snippet is
there without JavaScript; static/embed-builder.js rebuilds it as the choices change, writing URLs
and snippets exactly as `embed_src`, `iframe_html` and `responsive_html` do.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, get_template_attribute, render_template, request, url_for
from markupsafe import Markup

from webmap.core.basemaps import BASEMAPS, available_basemaps
from webmap.core.display import layer_title
from webmap.core.text import lang_args
from webmap.core.view import CONTROLS, MAX_TITLE, View
from webmap.embed.share import site_title
from webmap.i18n import LANGS
from webmap.store import Snapshot, current

DEFAULT_EMBED = (640, 480)                                # px, a fixed-size embed's default (and oEmbed's)
SIZE = (200, 2000)                                        # px, the builder's width and height bounds
RATIOS = ("4:3", "16:9", "1:1")                           # width:height of a responsive embed


def embed_src(view: View) -> str:
    """The absolute URL of the embed page showing `view`."""
    q = view.query()
    return url_for("embed.embed_page", _external=True) + ("?" + urlencode(q) if q else "")


def view_title(snap: Snapshot, view: View) -> str:
    """The title of what an embed shows: its own title, else the place or layers, else the site."""
    if view.title:
        return view.title
    if view.place:
        props = snap.places[view.place]["properties"]
        return (props.get("name_en") if view.lang == "en" else None) or props.get("name") or view.place
    if view.layers:
        return " · ".join(layer_title(snap.catalog["layers"][n], view.lang) for n in view.layers)
    return site_title(view.lang)


def iframe_html(src: str, width: int, height: int, title: str) -> Markup:
    """A fixed-size snippet (oEmbed's, or the builder's when a size is chosen)."""
    return get_template_attribute("embed/_share.html", "iframe")(src, width, height, title)


def padding(ratio: str) -> str:
    """The wrapper's padding-top giving `ratio` ("4:3" → "75%"), written as embed-builder.js writes it."""
    w, h = (int(v) for v in ratio.split(":"))
    return f"{100 * h / w:g}%"


def responsive_html(src: str, ratio: str, title: str) -> Markup:
    """The default snippet: full column width, `ratio` (width:height) kept at any width."""
    return get_template_attribute("embed/_share.html", "responsive")(src, padding(ratio), title)


def builder_html(lang: str, view: View, size: tuple[int, int] | None = None, ratio: str = RATIOS[0]) -> Markup:
    """The builder's HTML (`size` None: responsive at `ratio`); cached per build and per host (its
    URLs are absolute)."""
    key = ("builder", request.host_url, lang, view, size, ratio)
    return current().cached(key, lambda: _builder_html(lang, view, size, ratio))


def _builder_html(lang: str, view: View, size: tuple[int, int] | None, ratio: str) -> Markup:
    snap = current().snapshot()
    places = sorted(snap.places.values(), key=lambda f: (snap.place_layers[f["id"]][0], f["id"]))
    groups: dict[str, list[dict]] = {}
    for f in places:
        groups.setdefault(snap.place_layers[f["id"]][0], []).append(f["properties"])
    src = embed_src(view)
    title = view_title(snap, view)
    snippet = iframe_html(src, *size, title) if size else responsive_html(src, ratio, title)
    image = view.place or next((n for n in view.layers or () if n != "districts"), None)
    images = url_for("images.image", ident="-", _external=True).removesuffix("-.png")
    return Markup(render_template(
        "embed/_builder.html", lang=lang, view=view, size=size or DEFAULT_EMBED, fixed=bool(size),
        ratio=ratio, ratios=[(r, padding(r)) for r in RATIOS],
        groups=[(layer_title(snap.catalog["layers"][n], lang), ps) for n, ps in groups.items()],
        layers=[(n, spec["title_zh"], spec["title_en"]) for n, spec in snap.catalog["layers"].items()],
        basemaps=[BASEMAPS[b] for b in available_basemaps(current_app.config.get("TIANDITU_KEY"))],
        langs=LANGS, controls=CONTROLS,
        src=src, snippet=str(snippet),                                          # str: shown as text
        base=url_for("embed.embed_page", _external=True), images=images,
        image=url_for("images.image", ident=image, _external=True, **lang_args(view.lang)) if image else None,
        site_titles={code: site_title(code) for code in LANGS},
        bounds=SIZE, max_title=MAX_TITLE))


def place_builder(lang: str, place_id: str, basemap: str) -> Markup:
    """The builder on a place's page, starting from that place on the page's basemap (with
    basemap=none its preview, too, loads nothing from elsewhere)."""
    return builder_html(lang, View(place=place_id, lang=lang, basemap=basemap))
