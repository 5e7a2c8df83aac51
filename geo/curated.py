"""Find every curated place in a document, and the planning frameworks the text enumerates.

Names are matched with one Aho–Corasick automaton over the normalised text (leftmost-longest,
so 济南槐荫经济开发区 is one place, not 槐荫 + …); every match is mapped back to the original
text, so `surface == original[start:end]` even when a layout break splits the name.

Longer than 250 lines because framework enumerations are read from the same matches as the
mentions (count words, lists before them, spatial structures) and share their offsets.
"""
from __future__ import annotations

import bisect
import itertools
import re
import statistics
from dataclasses import dataclass, field

import ahocorasick

from geo.corpus import Document, paragraph_bounds, normalise_text
from geo.gazetteer import Gazetteer

NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def chinese_number(text: str) -> int | None:
    """一 … 九十九 as an int (十二 = 12, 二十 = 20, 二十一 = 21); None if it is not such a numeral."""
    if text in NUMERALS:
        return NUMERALS[text]
    tens, sep, units = text.partition("十")
    if not sep or (tens and tens not in NUMERALS) or (units and units not in NUMERALS) or "十" in tens + units:
        return None
    return (NUMERALS[tens] if tens else 1) * 10 + (NUMERALS[units] if units else 0)
# What a counted framework is called: "五大主战场", "三大功能平台", "六大板块" …
FRAMEWORK_HEADS = ("功能载体平台", "新兴主导产业", "主战场", "功能平台", "发展平台", "主导产业",
                   "主攻方向", "板块", "平台", "功能")
# The numeral may have up to three characters (十二, 二十一); 第二大 ("the second largest") is no count.
_COUNTED = re.compile("(?<![第一二两三四五六七八九十])([一二两三四五六七八九十]{1,3})大(" + "|".join(FRAMEWORK_HEADS) + ")")
# A spatial structure: "一轴、三区、多园" — each part a numeral (or 多, "many") and a kind of part.
_PART = "[一二两三四五六七八九十多][轴区园带廊心核城]"
_STRUCTURE = re.compile(f"{_PART}(?:、?{_PART})+")
PART_KINDS = {"轴": {"axis"}, "带": {"axis"}, "廊": {"axis", "zone"}, "区": {"zone"},
              "园": {"industrial-park", "park"}, "心": {"zone", "project"}, "核": {"zone", "project"},
              "城": {"zone"}}
CLAUSE_BREAK = "，,。；;：:！!？?\n"
MAX_ENUMERATION = 300          # characters: how far back a list before a count word may start
OPEN_QUOTES, CLOSE_QUOTES = "“「『‘", "”」』’"


@dataclass
class Mention:
    """A place name at a span of a document. `status`: known (in a gazetteer), new (recognised by
    the grammar, no gazetteer holds it; place_id None) or outside (outside Jinan; place_id None)."""

    place_id: str | None
    name: str
    doc_id: str
    start: int
    end: int
    surface: str
    quote: str
    quote_start: int
    quote_end: int
    nstart: int = field(repr=False, default=0)
    nend: int = field(repr=False, default=0)
    frameworks: list[str] = field(default_factory=list)
    status: str = "known"
    district: str | None = None
    score: float = 1.0
    placed: bool = True            # a geometry exists for the place (curated places always)
    curated: bool = field(repr=False, default=False)   # matched by the curated automaton

    def as_json(self) -> dict:
        return {"place_id": self.place_id, "name": self.name, "surface": self.surface,
                "start": self.start, "end": self.end, "quote": self.quote,
                "frameworks": sorted(self.frameworks), "status": self.status, "district": self.district,
                "score": self.score, "placed": self.placed}


@dataclass
class Member:
    text: str
    place_id: str | None
    start: int
    end: int
    role: str = ""


@dataclass
class Framework:
    """One enumeration of a framework in one document, with the members it lists."""

    id: str
    label: str
    doc_id: str
    start: int
    end: int
    quote: str
    quote_start: int
    quote_end: int
    count: int | None
    members: list[Member]
    complete: bool = True          # False for "X是…三大平台之一": one member, count not checkable
    part_counts: dict[str, int | None] | None = None   # structures: {"三区": 3, "多园": None}

    @property
    def count_ok(self) -> bool:
        """The number of members is the number the text states (多, "many", means two or more)."""
        if not self.complete:
            return True
        if self.part_counts is None:
            return self.count == len(self.members)
        for part, expected in self.part_counts.items():
            n = sum(1 for m in self.members if m.role == part)
            if n < 2 if expected is None else n != expected:
                return False
        return True

    def as_json(self) -> dict:
        return {"id": self.id, "label": self.label, "doc": self.doc_id, "start": self.start,
                "end": self.end, "quote": self.quote, "count": self.count,
                "complete": self.complete, "count_ok": self.count_ok, "part_counts": self.part_counts,
                "members": [m.__dict__ for m in self.members]}


class Extractor:
    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.automaton = ahocorasick.Automaton()
        for place in gazetteer:
            for form, short in [(f, False) for f in place.full_forms] + [(f, True) for f in place.short_aliases]:
                key = normalise_text(form)
                self.automaton.add_word(key, (place.id, short, len(key)))
        self.automaton.make_automaton()
        self._framework_ids: dict[tuple[str, str | None], str | None] = {}

    # ------------------------------------------------------------------ mentions

    def mentions(self, doc: Document) -> list[Mention]:
        """Every place mention in the document, in text order."""
        return self.extract(doc)[0]

    def extract(self, doc: Document) -> tuple[list[Mention], list[Framework]]:
        mentions = self.curated(doc)
        return mentions, self.frameworks(doc, mentions)

    def curated(self, doc: Document) -> list[Mention]:
        """Mentions of curated places, in text order (short forms only where the full name occurs)."""
        raw = []
        # The sentinel: pyahocorasick's iter_long drops a last match when the text ends inside a
        # longer key (历下区打造“明湖系” would lose 明湖系).
        for nend_incl, (pid, short, length) in self.automaton.iter_long(doc.norm + "\n"):
            nstart, nend = nend_incl + 1 - length, nend_incl + 1
            if _ascii_glued(doc.norm, nstart, nend):
                continue
            raw.append((nstart, nend, pid, short))
        anchored = {pid for _, _, pid, short in raw if not short}
        out = []
        for nstart, nend, pid, short in raw:
            if short and pid not in anchored:
                continue
            start, end = doc.orig_span(nstart, nend)
            sent = doc.sentence_at(start, end)
            place = self.gazetteer[pid]
            out.append(Mention(pid, place.name, doc.id, start, end, doc.original[start:end],
                               sent.text, sent.start, sent.end, nstart, nend, district=place.district, curated=True))
        return out

    # ------------------------------------------------------------------ frameworks

    def frameworks(self, doc: Document, mentions: list[Mention]) -> list[Framework]:
        """Framework enumerations in the document: counted lists, "之一" statements and structures."""
        ends = {m.nend: m for m in mentions}
        district = _doc_district(doc, self.gazetteer)
        found = []
        for match in _COUNTED.finditer(doc.norm):
            f = self._counted(doc, match, ends, mentions, district)
            if f:
                found.append(f)
        paragraphs, members_of = None, {}
        for match in _STRUCTURE.finditer(doc.norm):
            parts = tuple(re.findall(_PART, match.group(0)))
            if parts not in members_of:       # the same structure named again: same members
                paragraphs = paragraphs or list(paragraph_bounds(doc.norm))
                members_of[parts] = self._structure_members(doc, parts, mentions, paragraphs)
            found.append(self._structure(doc, match, parts, members_of[parts], district))
        return found

    def _framework_id(self, label: str, district: str | None, doc: Document) -> str:
        if (label, district) not in self._framework_ids:    # a label recurs: look it up once
            fdef = self.gazetteer.framework_for(label, district)
            self._framework_ids[label, district] = fdef.id if fdef else None
        return self._framework_ids[label, district] or f"{doc.id}:{label}"

    def _cite(self, doc: Document, nstart: int, nend: int):
        start, end = doc.orig_span(nstart, nend)
        return start, end, doc.sentence_at(start, end)

    def _counted(self, doc, match, ends, mentions, district) -> Framework | None:
        label = match.group(0)
        count = chinese_number(match.group(1))
        if count is None:
            return None
        items = _enumeration_before(doc.norm, match.start())
        if len(items) >= 2:
            items = _split_last(items, count, doc.norm, mentions)
            members = _members(doc, items, ends)
            start, end, sent = self._cite(doc, items[0][0], match.end())
            return Framework(self._framework_id(label, district, doc), label, doc.id, start, end, sent.text,
                             sent.start, sent.end, count, members)
        # "X也是……三大功能载体平台之一": X is one member; the sentence cannot be checked for the count.
        if doc.norm.startswith("之一", match.end()):
            s0, s1, sent = self._cite(doc, match.start(), match.end() + 2)
            # The subject: the last place (not a district) named before the count word.
            lo = bisect.bisect_left(mentions, sent.start, key=lambda m: m.start)
            hi = bisect.bisect_left(mentions, s0, key=lambda m: m.start)
            subject = next((m for m in reversed(mentions[lo:hi])
                            if m.end <= s0 and self.gazetteer[m.place_id].kind != "district"), None)
            if subject:
                member = Member(subject.surface, subject.place_id, subject.start, subject.end)
                return Framework(self._framework_id(label, district, doc), label, doc.id, s0, s1, sent.text,
                                 sent.start, sent.end, count, [member], complete=False)
        return None

    def _structure_members(self, doc, parts, mentions, paragraphs) -> list[Member]:
        """"一轴、三区、多园": each part's members are the places of the matching kind in the
        paragraphs that take up that part by name (建设“三区”…在明府城片区…在中央商务区…)."""
        para_starts = [s for s, _ in paragraphs]
        mention_starts = [m.nstart for m in mentions]
        members, seen = [], set()
        for part in parts:
            kinds = PART_KINDS[part[1]]
            for hit in re.finditer(re.escape(f"“{part}”"), doc.norm):
                ps, pe = paragraphs[bisect.bisect_right(para_starts, hit.start()) - 1]
                for m in mentions[bisect.bisect_left(mention_starts, ps):bisect.bisect_left(mention_starts, pe)]:
                    if self.gazetteer[m.place_id].kind in kinds and m.place_id not in seen:
                        members.append(Member(m.surface, m.place_id, m.start, m.end, role=part))
                        seen.add(m.place_id)
        return members

    def _structure(self, doc, match, parts, members, district) -> Framework:
        label = "".join(parts)
        start, end, sent = self._cite(doc, match.start(), match.end())
        part_counts = {p: (None if p[0] == "多" else NUMERALS[p[0]]) for p in parts}
        # No paragraph takes the parts up ("一城两区三园" named only): members unknown, not wrong.
        return Framework(self._framework_id(label, district, doc), label, doc.id, start, end, sent.text,
                         sent.start, sent.end, None, list(members), complete=bool(members),
                         part_counts=part_counts)


def _ascii_glued(norm: str, start: int, end: int) -> bool:
    """A Latin name (CBD) must not be part of a longer Latin word."""
    before = norm[start - 1] if start else ""
    after = norm[end] if end < len(norm) else ""
    return (norm[start].isascii() and before.isascii() and before.isalnum()) or \
           (norm[end - 1].isascii() and after.isascii() and after.isalnum())


def _doc_district(doc: Document, gazetteer: Gazetteer) -> str | None:
    districts = (doc.meta or {}).get("districts") or []
    if len(districts) == 1:
        return districts[0].get("name")
    return None


def _enumeration_before(norm: str, pos: int) -> list[tuple[int, int]]:
    """The 、-separated items that end right before a count word, as (start, end) in norm."""
    end = pos
    if end and norm[end - 1] in OPEN_QUOTES:        # A、B、C“三大功能平台”
        end -= 1
    lo = max(0, end - MAX_ENUMERATION)
    if end and norm[end - 1] in CLOSE_QUOTES:       # “A、B、C”五大主战场
        opening = max(norm.rfind(q, lo, end - 1) for q in OPEN_QUOTES)
        if opening < 0:
            return []
        start, end = opening + 1, end - 1
    else:
        start = max(lo - 1, *(norm.rfind(c, lo, end) for c in CLAUSE_BREAK + OPEN_QUOTES + CLOSE_QUOTES)) + 1
    if norm.endswith("等", start, end):
        end -= 1
    items, cursor = [], start
    i = norm.find("、", start, end)
    while i >= 0:
        items.append((cursor, i))
        cursor = i + 1
        i = norm.find("、", cursor, end)
    items.append((cursor, end))
    return [(s, e) for s, e in items if e > s] if len(items) > 1 else []


def _split_last(items, count, norm, mentions) -> list[tuple[int, int]]:
    """"…、商务服务和文化旅游等六大功能", "A、B和C三大平台": read 和/及/与 in the last item as a
    separator when that reading gives the stated count — but never inside a place name (和谐广场)."""
    s, e = items[-1]
    if len(items) + 1 != count:
        return items
    lo = bisect.bisect_left(mentions, s, key=lambda m: m.nend)
    inside = [(m.nstart, m.nend) for m in itertools.takewhile(lambda m: m.nstart < e, itertools.islice(mentions, lo, None))]
    for conj in ("以及", "和", "及", "与"):
        i = norm.find(conj, s, e)
        while i > s:
            if not any(a <= i < b for a, b in inside):
                return items[:-1] + [(s, i), (i + len(conj), e)]
            i = norm.find(conj, i + 1, e)
    return items


def _members(doc: Document, items, ends) -> list[Member]:
    """Resolve each item to the place mention that ends where the item ends; else keep its text.

    The first item of an unquoted list starts after the verb ("推进A、B…"); when it is not a
    place, its text is cut to the median length of the other items."""
    members = []
    others = [e - s for s, e in items[1:]]
    for k, (s, e) in enumerate(items):
        while e > s and doc.norm[e - 1] in CLOSE_QUOTES + OPEN_QUOTES:
            e -= 1
        while s < e and doc.norm[s] in CLOSE_QUOTES + OPEN_QUOTES:
            s += 1
        mention = ends.get(e)
        if mention and mention.nstart >= s:
            members.append(Member(mention.surface, mention.place_id, mention.start, mention.end))
            continue
        if k == 0 and others:
            s = max(s, e - round(statistics.median(others)))
        start, end = doc.orig_span(s, e)
        members.append(Member(doc.original[start:end], None, start, end))
    return members


def link_frameworks(mentions: list[Mention], frameworks: list[Framework]) -> list[Framework]:
    """Set each mention's `frameworks`: those that list its place as a member in any document."""
    member_of: dict[str, set[str]] = {}
    for f in frameworks:
        for m in f.members:
            if m.place_id:
                member_of.setdefault(m.place_id, set()).add(f.id)
    for m in mentions:
        m.frameworks = sorted(member_of.get(m.place_id, ())) if m.place_id else []
    return frameworks
