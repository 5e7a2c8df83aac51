"""The articles as the web map needs them: full original text plus who, when and where.

`webmap` may read only `layers/`, yet its article pages show the whole text with every citation
highlighted. So the build writes the articles beside the layers (`layers/sources.json`); citation
offsets in the layers index straight into `text`, which is the original file, untouched.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from geo.corpus import CorpusError, Document


def _text(value) -> str | None:
    """Catalog values as plain strings (YAML may give dates, numbers or folded blocks)."""
    if value is None:
        return None
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _url(doc: Document) -> str | None:
    """The article's own address, linked from its page: an http(s) URL or none (a hand-edited
    catalog could hold anything; the build refuses it rather than publish it)."""
    url = _text(doc.meta.get("url"))
    if url is not None and not url.startswith(("http://", "https://")):
        raise CorpusError(f"catalog entry {doc.id}: url {url!r} is not an http(s) address")
    return url


def source_documents(docs: Iterable[Document]) -> dict[str, dict]:
    """doc id → title, subtitle, outlet, url, date, date_certainty (estimate: inferred from the text;
    given: by the curator), date_basis, byline, districts, text, encoding."""
    out: dict[str, dict] = {}
    for doc in docs:
        meta = doc.meta
        byline = meta.get("byline") or {}
        out[doc.id] = {
            "title": _text(meta.get("title")) or doc.id,
            "subtitle": _text(meta.get("subtitle")),
            "outlet": _text(meta.get("outlet")),
            "outlet_en": _text(meta.get("outlet_en")),
            "url": _url(doc),
            "date": _text(meta.get("date")),
            "date_certainty": _text(meta.get("date_certainty")),
            "date_basis": _text(meta.get("date_basis")),
            "byline": {
                "as_printed": _text(byline.get("as_printed")),
                "reporters": [str(r) for r in byline.get("reporters") or []],
                "correspondents": [str(r) for r in byline.get("correspondents") or []],
            },
            "districts": [{"name": _text(d.get("name")), "adcode": _text(d.get("adcode"))}
                          for d in meta.get("districts") or [] if isinstance(d, dict)],
            "text": doc.original,
            "encoding": doc.encoding,
        }
    return out


def sources_json(docs: Iterable[Document]) -> bytes:
    """`source_documents` as the bytes of layers/sources.json (deterministic, like the layers)."""
    return (json.dumps(source_documents(docs), ensure_ascii=False, indent=1, sort_keys=True)
            + "\n").encode("utf-8")
