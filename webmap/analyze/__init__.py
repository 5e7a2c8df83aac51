"""`/analyze`: paste an article, see every place name it holds (known, new, outside), the frameworks
it enumerates with their count check, and a map of the known places the layers hold.

The page calls `geo`'s extractor as a library (the one exception to "webmap reads the layers
only", see DESIGN.md) and stores nothing. `POST /analyze` with `Accept: application/json` answers
with the JSON `python -m geo extract -` prints for the same text.
"""
from __future__ import annotations

import threading

from flask import Blueprint, abort, current_app, jsonify, request

from webmap.core import view
from webmap.core.basemaps import BASEMAPS
from webmap.core.display import display_layers
from webmap.core.mapview import build_map
from webmap.i18n import t
from webmap.core.text import segments
from webmap.map import maps
from webmap.store import current
from webmap.templating import render_page

MAX_CHARS = 200_000                    # the limit `geo add` documents for one article
MAX_BYTES = 4 * MAX_CHARS * 3          # a form-encoded body of that many CJK characters, with room

bp = Blueprint("analyze", __name__, template_folder="templates")
_parser_lock = threading.Lock()


def _parser():
    """One geoparser per process: building it loads jieba's dictionary and thousands of names."""
    with _parser_lock:
        parser = current_app.extensions.get("jz_geoparser")
        if parser is None:
            from geo import paths
            from geo.gazetteer import load_gazetteer
            from geo.geoparse import Geoparser

            parser = current_app.extensions["jz_geoparser"] = Geoparser(load_gazetteer(paths.GAZETTEER))
        return parser


def _text(lang: str) -> str:
    """The pasted article; too long is a 413, empty a 400, each said in the page's language."""
    if (request.content_length or 0) > MAX_BYTES:
        abort(413, description=t(lang, "err_too_long").format(max=f"{MAX_CHARS:,}"))
    text = request.form.get("text", "")
    if len(text) > MAX_CHARS:
        abort(413, description=t(lang, "err_too_long_n").format(n=f"{len(text):,}", max=f"{MAX_CHARS:,}"))
    if not text.strip():
        abort(400, description=t(lang, "err_empty"))
    return text


def analyse(text: str):
    """Mentions (as the CLI prints them) and frameworks of one pasted article."""
    from geo.corpus import document_from_text
    from geo.extract import link_frameworks

    doc = document_from_text("-", text)
    mentions, frameworks = _parser().parse(doc)
    link_frameworks(mentions, frameworks)
    return [{"file": "-", **m.as_json()} for m in mentions], frameworks


def _lang_basemap() -> tuple[str, str]:
    """?lang and ?basemap, checked as on every map page (400 when wrong); the form posts them back."""
    return view.lang(request.args), view.basemap(request.args, current_app.config)


@bp.get("/analyze")
def form():
    lang, basemap = _lang_basemap()
    return render_page("analyze/analyze.html", lang, text="", rows=None, parts=None, frameworks=[], map=None,
                       max_chars=MAX_CHARS, basemap=basemap)


@bp.post("/analyze")
def result():
    lang, basemap = _lang_basemap()
    text = _text(lang)
    rows, frameworks = analyse(text)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(rows)
    snap = current().snapshot()
    on_map = sorted({r["place_id"] for r in rows if r["place_id"] in snap.places})
    parts = segments(text, 0, [(r["start"], r["end"], r) for r in rows])
    return render_page("analyze/analyze.html", lang, text=text, rows=rows, parts=parts, frameworks=frameworks,
                       map=_map(snap, on_map, lang, basemap) if on_map else None, places=snap.places,
                       max_chars=MAX_CHARS, basemap=basemap)


def _map(snap, place_ids: list[str], lang: str, basemap: str):
    """The known places the layers hold, as markers and shapes over their districts."""
    small: dict[str, dict] = {"districts": snap.layers["districts"]}
    for pid in place_ids:
        name = snap.place_layers[pid][0]
        small.setdefault(name, {"type": "FeatureCollection", "features": []})["features"].append(snap.places[pid])
    shown = display_layers(small, snap.catalog, BASEMAPS[basemap].gcj02, {pid: f["properties"] for pid, f in snap.places.items()})
    return build_map(maps.inline(snap, shown, lang), maps.fit(shown, shown.layers),
                     maps.options(lang, basemap, controls=frozenset({"zoom", "scale"})))
