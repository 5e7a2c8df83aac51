"""Place mentions and frameworks: the interface the layers build and the command line use.

`geo.curated` matches the curated places and reads the frameworks; `geo.geoparse` adds the base
gazetteer, names outside Jinan, new names and the choice between senses.
"""
from __future__ import annotations

from geo.corpus import Document
from geo.curated import Extractor, Framework, Mention, link_frameworks
from geo.gazetteer import Gazetteer
from geo.geoparse import Geoparser

__all__ = ["Extractor", "Framework", "Mention", "extract_all", "link_frameworks"]


def extract_all(docs: list[Document], gazetteer: Gazetteer) -> tuple[list[Mention], list[Framework]]:
    """Mentions of curated places and frameworks of many documents (what the layers are built
    from); a name with several senses counts for a curated place only where the context chooses it."""
    parser = Geoparser(gazetteer, recognise=False)
    mentions, frameworks = [], []
    for doc in docs:
        m, f = parser.parse(doc)
        mentions += [x for x in m if x.curated and x.place_id in gazetteer.places]
        frameworks += f
    return mentions, link_frameworks(mentions, frameworks)
