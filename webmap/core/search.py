"""What the map's search box finds: places, districts and frameworks, by Chinese or English name.

Done on the server so that one converter folds the query the way the corpus is folded: OpenCC's
traditional → simplified (`geo.corpus.to_simplified`), full-width forms to ASCII, case. A
framework (五大主战场, "battlefields") is found by its name and answers with its members' ids so
the map can show them together.

Ranked as a gazetteer search (Nominatim, Photon) ranks: a name, English name, alias or abbreviation equal
to the query first, then names starting with it, then names holding it. Chinese is written without
spaces, so spaces and punctuation in a Chinese query are ignored ("中央 商务" finds 中央商务区); the
words of a Latin query must all occur, in any order ("district business central").
"""
from __future__ import annotations

import re
import unicodedata

from geo.corpus import to_simplified

MAX_QUERY = 60          # characters of a query looked at
MAX_HITS = 12
EXACT, PREFIX, WITHIN, BY_ID = range(4)

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Besides a place's aliases (from the gazetteer), an English name's abbreviation in brackets
# ("… District (CBD)") is one.
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z0-9]+)\)")


def fold(text: str) -> str:
    """The form names and queries are compared in: simplified, NFKC (full-width → ASCII), lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text)).casefold().strip()


def _words(text: str) -> list[str]:
    """The folded text's words: runs of letters, digits and CJK characters, punctuation dropped."""
    return _WORD.findall(fold(text).replace("_", " "))


def _terms(query: str) -> list[str]:
    """What must all match: Latin words one by one, neighbouring Chinese words joined into one."""
    terms: list[str] = []
    for w in _words(query):
        if terms and _CJK.search(w) and _CJK.search(terms[-1]):
            terms[-1] += w
        else:
            terms.append(w)
    return terms


def entries(snap) -> list[dict]:
    """Everything searchable, in the order hits are listed: frameworks, then places, then districts."""
    out: list[dict] = []
    seen: set[str] = set()
    for f in snap.catalog.get("frameworks") or []:
        members = [m["place_id"] for m in f.get("members") or [] if m.get("place_id") in snap.places]
        if not members or f["id"] in seen:
            continue
        seen.add(f["id"])
        out.append({"id": f["id"], "type": "framework", "name": f.get("name") or f.get("label") or f["id"],
                    "name_en": f.get("name_en") or "", "members": members})
    for pid, feat in snap.places.items():
        p = feat["properties"]
        out.append({"id": pid, "type": "place", "name": p.get("name") or pid, "name_en": p.get("name_en") or "",
                    "aliases": p.get("aliases") or []})
    for d in snap.layers.get("districts", {}).get("features", []):
        p = d["properties"]
        out.append({"id": str(d.get("id")), "type": "district", "name": p.get("name") or "",
                    "name_en": p.get("name_en") or ""})
    return out


def rank(entry: dict, terms: list[str]) -> int | None:
    """EXACT, PREFIX or WITHIN for the entry's best-matching name, None when none matches the query's
    `terms` (see `_terms`). An id (lixia/cbd) is found too, but ranks after every name: "Lixia" is
    first the district, not every place whose id starts with lixia/."""
    compact = "".join(terms)
    best = None
    names = [entry["name"], entry["name_en"], *entry.get("aliases", ()), *_ABBREVIATION.findall(entry["name_en"])]
    for name in names:
        words = _words(name)
        joined, spaced = "".join(words), " ".join(words)
        if not joined:
            continue
        if not all(t in (joined if _CJK.search(t) else spaced) for t in terms):
            continue
        if joined == compact:
            return EXACT
        best = min(best if best is not None else WITHIN, PREFIX if joined.startswith(compact) else WITHIN)
    if best is None and all(t in " ".join(_words(entry["id"])) for t in terms):
        return BY_ID
    return best


def search(items: list[dict], query: str) -> list[dict]:
    """The entries matching the query, exact names first, then prefixes, then the rest, each in list order."""
    terms = _terms(query[:MAX_QUERY])
    if not terms:
        return []
    hits = [(r, i) for i, e in enumerate(items) if (r := rank(e, terms)) is not None]
    hits.sort()
    return [items[i] for _, i in hits[:MAX_HITS]]
