"""A framework as its page shows it: the sentences that state it, the count check, its members.

A framework (五大主战场, 一轴三区多园) is an enumeration an article makes; the catalog keeps each
statement of it (a framework may be stated in more than one article) with the members it names.
Here they become plain data for the page and its JSON twin: each statement with the members'
names marked in it and whether the stated count matches the names listed; each member with its
area, precision, number of citations and the places inside it (those whose parent it is).
"""
from __future__ import annotations


def framework_ids(catalog: dict) -> list[str]:
    """Every framework id once, in catalog order."""
    return list(dict.fromkeys(f["id"] for f in catalog.get("frameworks") or []))


def _article(snap, doc: str) -> dict:
    """Title, outlet and date of an article, from any citation of it."""
    for feat in snap.places.values():
        for c in feat["properties"].get("citations") or []:
            if c.get("doc") == doc:
                return {"title": c.get("title"), "outlet": c.get("outlet"), "date": c.get("date")}
    return {}


def _member(snap, pid: str, text: str) -> dict:
    if pid not in snap.places:
        return {"id": None, "text": text}
    p = snap.places[pid]["properties"]
    inside = [{"id": q["id"], "name": q.get("name"), "name_en": q.get("name_en"), "kind": q.get("kind")}
              for q in (f["properties"] for f in snap.places.values()) if q.get("parent") == pid]
    return {"id": pid, "text": text, "name": p.get("name"), "name_en": p.get("name_en"), "kind": p.get("kind"),
            "district": p.get("district"), "area_km2": p.get("area_km2"), "precision": p.get("precision"),
            "uncertainty_m": p.get("uncertainty_m"), "citations": len(p.get("citations") or []),
            "layers": snap.place_layers.get(pid, []), "inside": inside}


def _quote_start(quote: str, members: list[dict], start: int | None) -> int | None:
    """Where the quoted sentence starts in the article: the statement's offsets are those of the
    enumeration inside it, the members' those of their names; a name found once in the quote ties
    the two (the members' marks then fall on their names)."""
    for m in members:
        text = m.get("text") or ""
        if text and quote.count(text) == 1 and isinstance(m.get("start"), int):
            return m["start"] - quote.index(text)
    return start


def framework(snap, fid: str) -> dict | None:
    """The framework `fid` as plain data, or None when the catalog has no such framework."""
    statements = [f for f in snap.catalog.get("frameworks") or [] if f.get("id") == fid]
    if not statements:
        return None
    first = statements[0]
    members: dict[str, dict] = {}
    out_statements = []
    for s in statements:
        listed = s.get("members") or []
        for m in listed:
            key = m.get("place_id") or m.get("text")
            members.setdefault(key, _member(snap, m.get("place_id"), m.get("text")))
        quote = s.get("quote") or ""
        out_statements.append(
            {"doc": s.get("doc"), "start": _quote_start(quote, listed, s.get("start")), "quote": quote,
             "label": s.get("label"), "count": s.get("count"), "listed": len(listed), "count_ok": s.get("count_ok"),
             "complete": s.get("complete"), "part_counts": s.get("part_counts"),
             "marks": [[m["start"], m["end"]] for m in listed if isinstance(m.get("start"), int)],
             **_article(snap, s.get("doc"))})
    return {"id": fid, "name": first.get("name") or first.get("label") or fid, "name_en": first.get("name_en"),
            "statements": out_statements, "members": list(members.values())}


def embed_layers(data: dict) -> tuple[str, ...]:
    """The layers an embed of the framework shows (an embed shows places or whole layers, not a set
    of places): per placed member, the framework's own layer when it has one (layers.yml selects a
    framework's members into a layer of its id), else the member's first layer. Empty when no member
    is placed: the page has no map then, and nothing to embed."""
    return tuple(dict.fromkeys(data["id"] if data["id"] in m["layers"] else m["layers"][0]
                               for m in data["members"] if m.get("id") and m.get("layers")))


def title(data: dict, lang: str) -> str:
    """The framework's name in the interface language (Chinese when it has no English name)."""
    return (data.get("name_en") if lang == "en" else None) or data["name"]
