"""What the map's search box finds: places, districts and frameworks, by Chinese or English name.

Done on the server so that one converter folds the query the way the corpus is folded: OpenCC's
traditional → simplified (`geo.corpus.to_simplified`), full-width forms to ASCII, case. A
framework (五大主战场, "battlefields") is found by its name and answers with its members' ids so
the map can show them together.
"""
from __future__ import annotations

import unicodedata

from geo.corpus import to_simplified

MAX_QUERY = 60          # characters of a query looked at
MAX_HITS = 12


def fold(text: str) -> str:
    """The form names and queries are compared in: simplified, NFKC (full-width → ASCII), lower case."""
    return to_simplified(unicodedata.normalize("NFKC", text)).casefold().strip()


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
        out.append({"id": pid, "type": "place", "name": p.get("name") or pid, "name_en": p.get("name_en") or ""})
    for d in snap.layers.get("districts", {}).get("features", []):
        p = d["properties"]
        out.append({"id": str(d.get("id")), "type": "district", "name": p.get("name") or "",
                    "name_en": p.get("name_en") or ""})
    return out


def search(items: list[dict], query: str) -> list[dict]:
    """The entries whose name, English name or id holds the folded query; names starting with it first."""
    q = fold(query[:MAX_QUERY])
    if not q:
        return []
    hits = []
    for e in items:
        names = [fold(e["name"]), fold(e["name_en"])]
        if any(q in n for n in names) or q in e["id"].casefold():
            hits.append((not any(n.startswith(q) for n in names), e))
    hits.sort(key=lambda h: h[0])
    return [e for _, e in hits[:MAX_HITS]]
