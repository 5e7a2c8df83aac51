"""The pages people read: the map (/), one page per place, one per article, and the error page.

Every page is rendered once per build of layers/ and then served from memory (`store().cached`).
The map depends only on the language and the basemap; ?place, ?layers and ?popup are checked
by `webmap.params` (400 when wrong) and applied in the browser by static/map.js, so they cost no rendering.
What carries absolute URLs built from the request (the link-preview and oEmbed tags of
`webmap.share`, the embed builder) is never stored in a cached page: pages are cached with slots
that are filled per request.
"""
from __future__ import annotations

import json

import shapely
from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from shapely.geometry import shape

from webmap import assets, fragments, mapview, params, share, store
from webmap.i18n import HTML_LANG, LANGS, t

bp = Blueprint("site", __name__)
bp.register_blueprint(assets.bp)          # /assets/…: Leaflet and Font Awesome from installed packages


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"static_url": assets.static_url}


# ----------------------------------------------------------------------------------- shared pieces

def full_display(lang: str, basemap: str) -> mapview.Display:
    """The layers as the browser gets them, per language and datum (GCJ-02 for Amap); cached."""
    gcj02 = mapview.BASEMAPS[basemap].gcj02
    snap = store().snapshot()
    return store().cached(("display", lang, gcj02),
                          lambda: mapview.display_layers(snap.layers, snap.catalog, lang, gcj02))


def _downloads_url() -> str | None:
    """The downloads page, if the app has one (another blueprint provides it)."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/layers/":
            return rule.rule
    return None


def _panel(lang: str, basemap: str) -> str:
    key = current_app.config.get("TIANDITU_KEY")
    return render_template("_panel.html", lang=lang, basemap=basemap, t=lambda k: t(lang, k),
                           basemaps=[mapview.BASEMAPS[b] for b in mapview.available_basemaps(key)],
                           downloads=_downloads_url(), other_lang="en" if lang == "zh" else "zh")


def _options(lang: str, basemap: str, **kw) -> mapview.MapOptions:
    return mapview.MapOptions(lang=lang, basemap=basemap, tianditu_key=current_app.config.get("TIANDITU_KEY"),
                              assets=assets.map_assets(), **kw)


def _page(template: str, lang: str, **context) -> str:
    return render_template(template, lang=lang, html_lang=HTML_LANG[lang], t=lambda k: t(lang, k),
                           lang_args=fragments.lang_args(lang), **context)


SLOT = Markup("<!--jz-slot-->")          # where a cached page takes what depends on the request


def _filled(key, render, *fills: Markup) -> bytes:
    """The page `render()` gives, rendered once per build, its `SLOT`s filled per request, in order.
    Kept as UTF-8 bytes: encoding the whole page again on every request would cost more than the rest."""
    pieces = store().cached(key, lambda: [piece.encode() for piece in render().split(SLOT)])
    out = [pieces[0]]
    for fill, piece in zip(fills, pieces[1:], strict=True):
        out += [str(fill).encode(), piece]
    return b"".join(out)


# ----------------------------------------------------------------------------------- the map

@bp.get("/")
def index():
    snap = store().snapshot()
    view = params.parse(request.args, snap, current_app.config)   # checked here, applied by map.js
    lang, basemap = view.lang, view.basemap

    def render() -> str:
        parts = mapview.build_map(full_display(lang, basemap), _options(lang, basemap, panel=_panel(lang, basemap)))
        return _page("index.html", lang, map=parts, share=SLOT)

    return _filled(("index", lang, basemap), render, share.map_head(snap, lang, view.place, view.layers))


# ----------------------------------------------------------------------------------- places

@bp.get("/places/<path:place_id>")
def place(place_id: str):
    snap = store().snapshot()
    if place_id not in snap.places:
        abort(404, description=f"No place with the id {params.shown(place_id)!r}.")
    lang, basemap = params.lang(request.args), params.basemap(request.args, current_app.config)
    from webmap.embed import place_builder  # here: webmap.embed builds on this module
    return _filled(("place", place_id, lang, basemap), lambda: _render_place(snap, place_id, lang, basemap),
                   share.place_head(snap, lang, place_id), place_builder(lang, place_id))


def place_shown(snap, place_id: str) -> list[dict]:
    """The features a map of one place shows: its parent zone (for context) and the place."""
    feature = snap.places[place_id]
    parent = snap.places.get(feature["properties"].get("parent") or "")
    return [parent, feature] if parent else [feature]


def place_display(snap, place_id: str, lang: str, basemap: str) -> mapview.Display:
    """A map of one place: the place, its parent zone and the districts around them; cached."""
    def compute() -> mapview.Display:
        shown = place_shown(snap, place_id)
        around = shapely.union_all([shape(f["geometry"]) for f in shown]).buffer(0.03).envelope
        small = {"districts": {"type": "FeatureCollection", "features": [
            d for d in snap.layers["districts"]["features"] if shape(d["geometry"]).intersects(around)]}}
        for f in shown:
            name = snap.place_layers[f["id"]][0]
            small.setdefault(name, {"type": "FeatureCollection", "features": []})["features"].append(f)
        return mapview.display_layers(small, snap.catalog, lang, gcj02,
                                      {pid: f["properties"] for pid, f in snap.places.items()})
    gcj02 = mapview.BASEMAPS[basemap].gcj02
    return store().cached(("place-display", place_id, lang, gcj02), compute)


def _render_place(snap, place_id: str, lang: str, basemap: str) -> str:
    props = snap.places[place_id]["properties"]
    layer_names = snap.place_layers.get(place_id, [])
    parent = snap.places.get(props.get("parent") or "")
    parts = mapview.build_map(place_display(snap, place_id, lang, basemap),
                              _options(lang, basemap, controls=frozenset({"zoom", "scale", "fullscreen"})))
    frameworks = mapview.framework_names(snap.catalog)
    titles = [mapview.layer_title(snap.catalog["layers"].get(n, {"name": n}), lang) for n in layer_names]
    return _page("place.html", lang, props=props, map=parts, title=fragments.place_title(props, lang),
                 facts=fragments.facts(props, frameworks, lang, titles, parent and parent["properties"], True),
                 citations=fragments.citations_list(props.get("citations") or [], lang),
                 n_citations=len(props.get("citations") or []), layer_names=layer_names,
                 map_url=url_for("site.index", place=place_id, **fragments.lang_args(lang)),
                 share=SLOT, builder=SLOT)


# ----------------------------------------------------------------------------------- articles

def _sources() -> dict:
    """layers/sources.json: the articles' full text and metadata, written by the build."""
    def load() -> dict:
        try:
            data = json.loads((store().folder / "sources.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
    return store().cached("sources", load)


def _citations_by_doc(snap) -> dict[str, list[tuple[dict, dict]]]:
    """doc id → (feature properties, citation) for every citation of every place."""
    def collect() -> dict:
        out: dict[str, list] = {}
        for props in (f["properties"] for f in snap.places.values()):
            for c in props.get("citations") or []:
                out.setdefault(c.get("doc"), []).append((props, c))
        return out
    return store().cached("citations-by-doc", collect)


@bp.get("/sources/")
def sources():
    lang = params.lang(request.args)

    def render() -> str:
        cites = _citations_by_doc(store().snapshot())
        docs = [(doc_id, d, len({c["start"] for _, c in cites.get(doc_id, [])})) for doc_id, d in _sources().items()]
        return _page("sources.html", lang, docs=docs)

    return store().cached(("sources", lang), render)


@bp.get("/sources/<doc_id>")
def source(doc_id: str):
    docs = _sources()
    if doc_id not in docs:
        abort(404, description=f"No article with the id {params.shown(doc_id)!r} in this build.")
    lang = params.lang(request.args)
    return store().cached(("source", doc_id, lang), lambda: _render_source(doc_id, docs[doc_id], lang))


def _render_source(doc_id: str, doc: dict, lang: str) -> str:
    text = doc.get("text") or ""
    cites = _citations_by_doc(store().snapshot()).get(doc_id, [])
    passages: dict[int, dict] = {}
    for props, c in cites:
        p = passages.setdefault(c["start"], {"start": c["start"], "end": c["end"], "marks": []})
        p["end"] = max(p["end"], c["end"])
        p["marks"] += [(m[0], m[1], props) for m in c.get("marks") or [] if fragments.is_span(m)]
    article = _article_html(text, sorted(passages.values(), key=lambda p: p["start"]), lang)
    named: dict[str, dict] = {}
    for props, _ in cites:
        named.setdefault(props["id"], props)
    return _page("source.html", lang, doc_id=doc_id, doc=doc, article=article, n_passages=len(passages),
                 named=sorted(named.values(), key=lambda p: p["id"]))


def _article_html(text: str, passages: list[dict], lang: str) -> Markup:
    """The whole article, escaped; each cited passage a <span id="c-<start>">, each place name a
    <mark> linking to the place on the map. Overlapping passages merge (each start keeps an anchor)."""
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
        marks = [(s, e, Markup('<mark><a href="{}" title="{}">').format(
                      url_for("site.index", place=props["id"], **fragments.lang_args(lang)), props.get("name") or ""),
                  Markup("</a></mark>")) for s, e, props in p["marks"]]
        anchors = Markup("").join(Markup('<a id="c-{}"></a>').format(s) for s in p["also"])
        out += [fragments.spans_html(text[pos:p["start"]], pos, []),
                Markup('<span class="jz-passage" id="c-{}">{}').format(p["start"], anchors),
                fragments.spans_html(text[p["start"]:p["end"]], p["start"], marks), Markup("</span>")]
        pos = p["end"]
    out.append(fragments.spans_html(text[pos:], pos, []))
    return Markup("").join(out)


# ----------------------------------------------------------------------------------- errors

def error_page(exc) -> str:
    """The HTML error page (400, 404, …) in the interface language when ?lang says so."""
    lang = request.args.get("lang") if request.args.get("lang") in LANGS else "zh"
    return render_template("error.html", lang=lang, html_lang=HTML_LANG[lang], t=lambda k: t(lang, k),
                           code=exc.code, name=exc.name, description=exc.description,
                           lang_args=fragments.lang_args(lang))

