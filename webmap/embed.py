"""For journalists: the embed page, its builder, oEmbed and static images.

`/embed` is the only HTML page other sites may frame (see `EMBEDDABLE` in `webmap/__init__.py`):
a map without the site's chrome, chosen by its query (`webmap.params.View`), with a caption that always
credits the articles and the map. Its map is built by `mapview.build_map` like every other map,
with options (controls, no scroll-wheel zoom, a highlighted place); the map and caption are cached
per build and per view, while the free-text title and the absolute URLs are added per request.
"""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from webmap import assets, fragments, mapview, share, site, store
from webmap.i18n import HTML_LANG, LANGS, t
from webmap.images import DEFAULT_WIDTH, MAX_WIDTH, MIN_WIDTH, place_colour, render_png
from webmap.params import CONTROLS, MAX_TITLE, View, parse, shown

bp = Blueprint("embed", __name__)

DEFAULT_EMBED = (640, 480)
SIZE = (200, 2000)                                        # px, the builder's width and height bounds


# ----------------------------------------------------------------------------------- the view

def embed_src(view: View) -> str:
    """The absolute URL of the embed page showing `view`."""
    q = view.query()
    return url_for("embed.embed_page", _external=True) + ("?" + urlencode(q) if q else "")


def view_title(snap, view: View) -> str:
    """The title of what an embed shows: its own title, else the place or layers, else the site."""
    if view.title:
        return view.title
    if view.place:
        props = snap.places[view.place]["properties"]
        return (props.get("name_en") if view.lang == "en" else None) or props.get("name") or view.place
    if view.layers:
        return " · ".join(mapview.layer_title(snap.catalog["layers"][n], view.lang) for n in view.layers)
    return share.site_title(view.lang)


def iframe_html(src: str, width: int | None, height: int, title: str) -> Markup:
    """The snippet a page pastes; `width` None fills the column (width:100%)."""
    size = Markup('width="{}" height="{}"').format(width, height) if width else \
        Markup('height="{}"').format(height)
    style = "border:0" if width else "border:0;width:100%"
    return Markup('<iframe src="{}" {} title="{}" loading="lazy" allowfullscreen style="{}"></iframe>').format(
        src, size, title, style)


# ----------------------------------------------------------------------------------- /embed

def _shown_features(snap, view: View) -> list[dict]:
    if view.place and view.layers is None:
        return site.place_shown(snap, view.place)
    names = view.layers or tuple(snap.layers)
    return [f for n in names if n != "districts" for f in snap.layers[n]["features"]]


def _render_embed(snap, view: View) -> dict:
    """The map and the caption's parts of one view (its title aside)."""
    if view.place and view.layers is None:          # one place: the place page's map of it
        display = site.place_display(snap, view.place, view.lang, view.basemap)
        home = url_for("site.place", place_id=view.place, **fragments.lang_args(view.lang))
    else:
        display = site.full_display(view.lang, view.basemap)
        args = {"place": view.place, "layers": ",".join(view.layers) if view.layers else None}
        home = url_for("site.index", **{k: v for k, v in args.items() if v}, **fragments.lang_args(view.lang))
    options = mapview.MapOptions(
        lang=view.lang, basemap=view.basemap, tianditu_key=current_app.config.get("TIANDITU_KEY"),
        assets=assets.map_assets(), controls=frozenset(view.controls), scroll_wheel_zoom=view.scroll,
        layers=view.layers, highlight=view.place, attribution=False)
    sources = [dict(s, href=url_for("site.source", doc_id=s["doc"], **fragments.lang_args(view.lang)))
               for s in fragments.credit_sources(_shown_features(snap, view))]
    basemap = mapview.BASEMAPS[view.basemap]
    return {"map": mapview.build_map(display, options), "sources": sources, "home": home,
            "attribution": Markup(basemap.attribution), "gcj02": basemap.gcj02}


@bp.get("/embed")
def embed_page():
    """A map for an iframe on any site: no chrome, the credit always shown, sized by the iframe."""
    snap = store().snapshot()
    view = parse(request.args, snap, current_app.config, embed=True)
    # one rendering per view, whatever its title (added here) and ?popup (read by map.js from the URL)
    parts = store().cached(("embed", replace(view, popup=True, title="")), lambda: _render_embed(snap, view))
    title = view_title(snap, view)
    return render_template("embed.html", lang=view.lang, html_lang=HTML_LANG[view.lang],
                           t=lambda k: t(view.lang, k), title=view.title, page_title=title,
                           share=share.oembed_link(request.url, title), **parts)


# ----------------------------------------------------------------------------------- the builder

def _size(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not SIZE[0] <= int(raw) <= SIZE[1]:
        abort(400, description=f"{name} must be a whole number of pixels from {SIZE[0]} to {SIZE[1]}, "
                               f"got {shown(raw)!r}.")
    return int(raw)


def builder_html(lang: str, view: View, width: int | None = DEFAULT_EMBED[0],
                 height: int = DEFAULT_EMBED[1]) -> Markup:
    """The builder: choices, live preview, snippet and link; its first state rendered here, so the
    snippet is there without JavaScript; static/embed-builder.js rebuilds it as the choices change.
    Cached per build and per host (its URLs are absolute)."""
    key = ("builder", request.host_url, lang, view, width, height)
    return store().cached(key, lambda: _builder_html(lang, view, width, height))


def _builder_html(lang: str, view: View, width: int | None, height: int) -> Markup:
    snap = store().snapshot()
    places = sorted(snap.places.values(), key=lambda f: (snap.place_layers[f["id"]][0], f["id"]))
    groups: dict[str, list[dict]] = {}
    for f in places:
        groups.setdefault(snap.place_layers[f["id"]][0], []).append(f["properties"])
    key = current_app.config.get("TIANDITU_KEY")
    src = embed_src(view)
    image = view.place or next((n for n in view.layers or () if n != "districts"), None)
    images = url_for("embed.image", ident="-", _external=True).removesuffix("-.png")
    return Markup(render_template(
        "_embed_builder.html", lang=lang, t=lambda k: t(lang, k), view=view, width=width, height=height,
        groups=[(mapview.layer_title(snap.catalog["layers"][n], lang), ps) for n, ps in groups.items()],
        layers=[(n, spec["title_zh"], spec["title_en"]) for n, spec in snap.catalog["layers"].items()],
        basemaps=[mapview.BASEMAPS[b] for b in mapview.available_basemaps(key)], langs=LANGS, controls=CONTROLS,
        src=src, snippet=str(iframe_html(src, width, height, view_title(snap, view))),   # str: shown as text
        base=url_for("embed.embed_page", _external=True), images=images,
        image=f"{images}{image}.png" if image else None,
        site_titles={code: share.site_title(code) for code in LANGS},
        size=SIZE, default_size=DEFAULT_EMBED, max_title=MAX_TITLE))


def place_builder(lang: str, place_id: str) -> Markup:
    """The builder on a place's page, starting from that place."""
    return builder_html(lang, View(place=place_id, lang=lang))


@bp.get("/embed/builder")
def builder():
    """Pick a place or layers, size, basemap, language and options; preview; copy the snippet.
    Takes the embed's own parameters (and width, height) to start from."""
    snap = store().snapshot()
    view = parse(request.args, snap, current_app.config, embed=True)
    if not view.place and not view.layers:
        first = next(iter(snap.places))
        view = replace(view, place=first)
    full = request.args.get("width") == "100%"
    width = None if full else _size("width", DEFAULT_EMBED[0])
    lang = view.lang
    return render_template("builder.html", lang=lang, html_lang=HTML_LANG[lang], t=lambda k: t(lang, k),
                           lang_args=fragments.lang_args(lang), other_lang="en" if lang == "zh" else "zh",
                           builder=builder_html(lang, view, width, _size("height", DEFAULT_EMBED[1])))


# ----------------------------------------------------------------------------------- static images

def _int_param(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        abort(400, description=f"{name} must be a whole number of pixels, got {raw!r}")
    value = int(raw)
    if not lo <= value <= hi:
        abort(400, description=f"{name} must be between {lo} and {hi}, got {value}")
    return value


@bp.get("/images/<path:ident>.png")
def image(ident: str):
    """PNG of a place (`/images/huaiyin/medical-science-center.png`) or a layer (`/images/parks.png`)."""
    width = _int_param("width", DEFAULT_WIDTH, MIN_WIDTH, MAX_WIDTH)
    snap = store().snapshot()
    if ident in snap.places:
        features = [snap.places[ident]]
        p = features[0]["properties"]
        title = f"{p['name']} · {p['name_en']}"
        colour_of = place_colour(snap.place_layers[ident])
    elif ident in snap.layers and ident != "districts":
        features = snap.layers[ident]["features"]
        spec = snap.catalog["layers"][ident]
        title = f"{spec['title_zh']} · {spec['title_en']}"
        colour_of = place_colour([ident])
    else:
        abort(404, description=f"no place or layer called {ident!r}")
    districts = snap.layers["districts"]["features"]
    png = store().cached(("image", ident, width),
                         lambda: render_png(features, districts, title, width, colour_of))
    resp = Response(png, mimetype="image/png")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


# ----------------------------------------------------------------------------------- oEmbed

def embed_url_for(url: str) -> tuple[View, str] | None:
    """Our map, place or embed URL → (the embed view, its title); None if it is not one of ours or
    asks for something that does not exist."""
    parts = urlsplit(url)
    ours = urlsplit(request.host_url)
    if parts.scheme not in ("http", "https", "") or (parts.netloc and parts.netloc != ours.netloc):
        return None
    snap = store().snapshot()
    query = MultiDict(dict(parse_qsl(parts.query, keep_blank_values=True)))     # a repeated name: its last value
    path = parts.path.rstrip("/") or "/"
    if path.startswith("/places/"):
        query = MultiDict({k: v for k, v in query.items() if k in ("lang", "basemap")} |
                          {"place": path[len("/places/"):]})
    elif path not in ("/", "/embed"):
        return None
    try:
        view = parse(query, snap, current_app.config, embed=True)
    except HTTPException:
        return None
    return view, view_title(snap, view)


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0 provider: a `rich` response with an iframe for our place, map and embed URLs."""
    fmt = request.args.get("format", "json")
    if fmt != "json":
        abort(501, description=f"format {fmt!r} is not supported; only json")
    url = request.args.get("url")
    if not url:
        abort(400, description="url is required")
    found = embed_url_for(url)
    if found is None:
        abort(404, description="not a page of this map, or no such place or layer")
    view, title = found
    width = min(DEFAULT_EMBED[0], _int_param("maxwidth", DEFAULT_EMBED[0], 50, 10000))
    height = min(DEFAULT_EMBED[1], _int_param("maxheight", DEFAULT_EMBED[1], 50, 10000))
    src = embed_src(view)
    return {"version": "1.0", "type": "rich", "html": str(iframe_html(src, width, height, title)),
            "width": width, "height": height, "title": title,
            "provider_name": "Jinan Zones", "provider_url": request.host_url}
