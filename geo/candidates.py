"""Candidates for curators: the `new` mentions of `geo.geoparse` (names no gazetteer holds), as a
list with offsets, quotes and inferred districts. See `geo.recognise` for the grammar."""
from __future__ import annotations

from geo.corpus import Document
from geo.gazetteer import Gazetteer
from geo.geoparse import NEW, Geoparser


def find_candidates(doc: Document, gazetteer: Gazetteer, parser: Geoparser | None = None) -> list[dict]:
    """New place names in the document, in text order, with offsets into the original text."""
    mentions, _ = (parser or Geoparser(gazetteer)).parse(doc)
    return [{"surface": m.surface, "start": m.start, "end": m.end, "district": m.district, "score": m.score,
             "quote": m.quote} for m in mentions if m.status == NEW]
