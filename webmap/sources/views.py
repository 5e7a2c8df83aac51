"""`/sources/` and `/sources/<doc>`: every article the layers cite, in full.

Each cited passage is a `<span id="c-<start>">` (popups link to it), each place name in it a
`<mark>` linking to the place on the map. Rendered once per build and language.
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, request

from webmap.core import view
from webmap.core.text import article_blocks, is_span
from webmap.i18n import t
from webmap.store import Snapshot, current
from webmap.templating import render_page

bp = Blueprint("sources", __name__, template_folder="templates")


def _sources() -> dict:
    """layers/sources.json: the articles' full text and metadata, written by the build."""
    def load() -> dict:
        try:
            data = json.loads((current().folder / "sources.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
    return current().cached("sources", load)


def _citations_by_doc(snap: Snapshot) -> dict[str, list[tuple[dict, dict]]]:
    """doc id → (feature properties, citation) for every citation of every place."""
    def collect() -> dict:
        out: dict[str, list] = {}
        for props in (f["properties"] for f in snap.places.values()):
            for c in props.get("citations") or []:
                out.setdefault(c.get("doc"), []).append((props, c))
        return out
    return current().cached("citations-by-doc", collect)


@bp.get("/sources/")
def index():
    lang, basemap = view.lang(request.args), view.basemap(request.args, current_app.config)

    def render() -> str:
        cites = _citations_by_doc(current().snapshot())
        docs = [(doc_id, d, len({c["start"] for _, c in cites.get(doc_id, [])})) for doc_id, d in _sources().items()]
        return render_page("sources/list.html", lang, docs=docs, basemap=basemap)

    return current().cached(("sources", lang, basemap), render)


@bp.get("/sources/<doc_id>")
def source(doc_id: str):
    docs = _sources()
    lang, basemap = view.lang(request.args), view.basemap(request.args, current_app.config)
    if doc_id not in docs:
        abort(404, description=t(lang, "err_no_article").format(id=repr(view.shown(doc_id))))
    return current().cached(("source", doc_id, lang, basemap), lambda: _render_source(doc_id, docs[doc_id], lang, basemap))


def _render_source(doc_id: str, doc: dict, lang: str, basemap: str) -> str:
    cites = _citations_by_doc(current().snapshot()).get(doc_id, [])
    passages: dict[int, dict] = {}
    for props, c in cites:
        p = passages.setdefault(c["start"], {"start": c["start"], "end": c["end"], "marks": []})
        p["end"] = max(p["end"], c["end"])
        p["marks"] += [(m[0], m[1], props) for m in c.get("marks") or [] if is_span(m)]
    blocks = article_blocks(doc.get("text") or "", sorted(passages.values(), key=lambda p: p["start"]))
    named: dict[str, dict] = {}
    for props, _ in cites:
        named.setdefault(props["id"], props)
    return render_page("sources/source.html", lang, doc_id=doc_id, doc=doc, blocks=blocks, n_passages=len(passages),
                       named=sorted(named.values(), key=lambda p: p["id"]), basemap=basemap)
