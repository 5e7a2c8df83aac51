"""Read an article for every place name: known (a gazetteer holds it), new (the grammar recognises
a Jinan place no gazetteer holds) or outside (outside Jinan), each with its district and a score.
Longer than 250 lines because the three sources, the word-boundary checks that keep them honest
and the choice between senses all decide on the same spans and context.

Order of precedence, so that adding data never changes what the layers were built from:
1. curated places, matched exactly as `geo.curated` always did;
2. the base gazetteer and outside names (one more automaton), where no curated name stands;
3. new names from the grammar (`geo.recognise`), where no known or outside name stands — a base
   landmark may be the start of a longer new name (大明湖 → 大明湖东门广场).
A name with several senses is resolved by context (`choose`); an outside name never beats a Jinan
one (市中区 is Jinan's unless the text writes 枣庄市市中区).
"""
from __future__ import annotations

import bisect
import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property

from geo.corpus import Document, paragraph_bounds
from geo.curated import Extractor, Framework, Mention, _ascii_glued, link_frameworks
from geo.gazetteer import Gazetteer
from geo.lexicon import DIVISION_KINDS, KNOWN, OUTSIDE, Lexicon, Sense, lexicon_for
from geo.recognise import SIZHI, Recognizer, list_siblings, quoted_names

NEW = "new"
# (not across a particle: 济南西部的长清大学城 is no 济南…大学; nor 大学城, a campus district)
ORG_NAME = re.compile(r"[^\W的和与及或在将为是把被从向对了]{0,8}?(?:研究所|研究院|科学院|农科院|协会|学会|集团|公司|银行|大学(?!城)|学院)")
# After a river's name: the whole river beyond Jinan (黄河下游), or a named stretch (黄河济阳段).
_SENTENCE_END = re.compile("[。！？!?；;]")
LONG_RIVERS = ("黄河",)          # flow far beyond Jinan: their basin is no Jinan place
BASIN_WORDS = ("下游", "上游", "中游", "中下游", "全流域", "流域")
STRETCH = re.compile(r"([\u4e00-\u9fff]{2,3}?)区?段")
# Kinds a new name may not start with: a district or the city is an address, not part of a name
# (天桥区桑梓店片区 is 天桥区 + 桑梓店片区).
FIXED_KINDS = {"district"}
# A place name followed by one of these is part of an organisation's or outlet's name (济南市委,
# 山东省住房和城乡建设厅, 中国科学院): no place (annotation guidelines, rule 2).
ORG_HEADS = ("省委", "市委", "区委", "县委", "党委", "政府", "人民政府", "人大", "政协", "科学院", "日报", "晚报", "时报",
             "电视台", "广播", "集团", "银行", "住房和", "发改委", "管委会", "大学", "省住房", "省政府", "市政府", "区政府")
# A division written with its level is complete (泺口街道黄河 is two names); 桑梓店 may start one.
# So is a zone whose name ends in 区 (先行区崔寨组团 is 先行区 + 崔寨组团).
COMPLETE_DIVISION = ("区", "县", "街道", "镇", "乡", "村", "社区", "居委会")
# The city: an article that names it anchors the short forms of its city-wide zones (起步区 for
# 济南新旧动能转换起步区), as the full name anchors them elsewhere.
CITY_ID = "jinan"
# Evidence weights for a sense (see `choose`).
W_PARAGRAPH_DISTRICT, W_ARTICLE_DISTRICT, W_PARAGRAPH_CUE, W_ARTICLE_CUE, OUT_OF_DATE = 2.0, 1.0, 2.0, 1.0, 0.2


@dataclass
class _Context:
    """What the document says about where it is: districts named per paragraph and overall."""

    paragraphs: list[tuple[int, int]]
    para_districts: list[dict[str, int]]    # paragraph → district → how often named
    article_districts: set[str]
    date: str | None
    seen: dict[str, bool] = field(default_factory=dict)     # words looked up in the whole article
    meta_districts: set[str] = field(default_factory=set)   # the catalog's districts for the article

    @cached_property
    def _starts(self) -> list[int]:
        return [s for s, _ in self.paragraphs]

    def in_article(self, norm: str, word: str) -> bool:
        if word not in self.seen:
            self.seen[word] = word in norm
        return self.seen[word]

    def para_of(self, npos: int) -> int:
        return max(0, bisect.bisect_right(self._starts, npos) - 1)


class Geoparser:
    """All place names of a document; build once (automata, jieba dictionary), parse many."""

    def __init__(self, gazetteer: Gazetteer, lexicon: Lexicon | None = None, recognise: bool = True):
        self.gazetteer = gazetteer
        self.extractor = Extractor(gazetteer)
        self.lexicon = lexicon or lexicon_for(gazetteer)
        self.recognise = recognise
        self._recognizer: Recognizer | None = None
        self._weak: dict[str, bool] = {}
        # Per form of the lexicon, read once here rather than per match: whether its senses are all
        # landmarks (see `_landmark`), for the forms no curated place has (the curated automaton
        # reads those) …
        lex = self.lexicon
        self._landmark_of = {form: _landmark(senses) for form, senses in lex.senses.items()
                             if not any(x.curated for x in senses)}
        # … and the forms with a sense that counts only with an anchor, in a list or after its city.
        self._conditional = {f for f, _ in lex.short | lex.listed} | {
            f for f, senses in lex.senses.items() if any(x.id in lex.needs_parent for x in senses)}

    @property
    def recognizer(self) -> Recognizer:
        if self._recognizer is None:
            self._recognizer = _recognizer_for(self.lexicon)
        return self._recognizer

    def parse(self, doc: Document) -> tuple[list[Mention], list[Framework]]:
        """Every mention in text order, and the frameworks (from the curated mentions, as before)."""
        with _gc_paused():
            return self._parse(doc)

    def _parse(self, doc: Document) -> tuple[list[Mention], list[Framework]]:
        curated = self.extractor.curated(doc)
        others = self._lexicon_hits(doc, curated)
        ctx = _context(doc, curated, others, self.lexicon)
        outside_ends = {e for _, e, senses in others if all(x.status == OUTSIDE for x in senses)}
        kept = []
        for m in curated:                 # a curated name may have a second sense elsewhere
            senses = self.lexicon.senses.get(doc.norm[m.nstart:m.nend], [])
            if _ambiguous(senses):
                sense, score = choose(senses, doc, m.nstart, ctx, self._outside_before(outside_ends, m.nstart))
                if sense.id != m.place_id:
                    _assign(m, sense, score)
                else:
                    m.score = score
            elif self._elsewhere(doc.norm[m.nstart:m.nend], m.district, ctx):
                continue                      # 会展中心 in a 济阳区 article is not 槐荫区's
            kept.append(m)
        curated_kept = [m for m in kept if m.place_id in self.gazetteer.places]
        frameworks = self.extractor.frameworks(doc, curated_kept)
        for nstart, nend, senses in others:
            sense, score = choose(senses, doc, nstart, ctx, self._outside_before(outside_ends, nstart))
            if sense.kind == "river":
                nend, sense = self._reach(doc.norm, nend, sense)
            if sense.kind == "township" and doc.norm.startswith("办事处", nend):
                nend += 3                     # 孙村街道办事处: the 街道's office names the 街道
            kept.append(_mention(doc, nstart, nend, sense, score))
        kept.sort(key=lambda m: (m.nstart, m.nend))
        if self.recognise:
            kept = self._add_new(doc, kept, ctx)
        return kept, frameworks

    # ------------------------------------------------------------------ steps

    def _lexicon_hits(self, doc: Document, curated: list[Mention]) -> list[tuple[int, int, list[Sense]]]:
        taken = [(m.nstart, m.nend) for m in curated]
        starts = [s for s, _ in taken]
        lex, norm, landmark_of = self.lexicon, doc.norm, self._landmark_of
        raw = []
        for s, e, form in lex.matches(norm):
            k = bisect.bisect_left(starts, e)
            if any(ts < e and s < te for ts, te in taken[max(0, k - 3):k]):
                continue
            # The longest form first; when it is no word here (济南市 in 济南市民), a shorter one (济南).
            for end in range(e, s + 1, -1):
                form = norm[s:end]
                landmark = landmark_of.get(form)
                if landmark is not None and self._stands_alone(norm, s, end, landmark):
                    raw.append((s, end, form))
                    break
        forms = {f for _, _, f in raw}
        full = {sid for f in forms for sid in (x.id for x in lex.senses[f]) if (f, sid) not in lex.short}
        if any(x.id == CITY_ID for f in forms for x in lex.senses[f]):
            full |= {x.id for f in forms for x in lex.senses[f] if x.kind == "zone" and x.district is None}
        out = []
        for s, e, form in raw:
            if e - s == 2 and SIZHI.match(norm, s):
                continue                      # 东至 in 东至X is a direction, not 东至县
            if form not in self._conditional:
                out.append((s, e, list(lex.senses[form])))
                continue
            listed = _in_division_list(norm, s, e)
            before = norm[max(0, s - 6):s]
            senses = [x for x in lex.senses[form]
                      if ((form, x.id) not in lex.short or x.id in full) and ((form, x.id) not in lex.listed or listed)
                      and (x.id not in lex.needs_parent or before.endswith(lex.needs_parent[x.id]))]
            if senses:
                out.append((s, e, senses))
        return out

    def _elsewhere(self, form: str, district: str | None, ctx: "_Context") -> bool:
        """A curated name made only of common words (会展中心, 和谐广场) names that place only in an
        article about its district; in an article about other districts it is a common noun."""
        districts = ctx.meta_districts or ctx.article_districts
        if not district or not districts or district in districts:
            return False
        if form not in self._weak:
            words = list(self.recognizer.plain.cut(form))
            self._weak[form] = all(self.recognizer.flags.get(w) in ("n", "vn", "v", "b", "a", "j") for w in words)
        return self._weak[form]

    def _stands_alone(self, norm: str, s: int, e: int, landmark: bool = False) -> bool:
        """Not inside an organisation's name or a title, and a word of its context."""
        if norm.startswith(ORG_HEADS, e) or norm.startswith(ORG_HEADS, e - 1) or _in_title(norm, s):
            return False                      # 济南市委, 《济南市国土空间总体规划》
        if ORG_NAME.match(norm, e):
            return False                      # 中国水稻研究所, 山东省农业科学院
        if _ascii_glued(norm, s, e):
            return False
        if norm.endswith("村", s, e) and norm.startswith("民", e):
            return False                      # 北官庄村民 is 北官庄 + 村民
        if e - s == 2:
            return self._is_word(norm, s, e, self.recognizer.plain) or landmark and self._is_word(
                norm, s, e, self.recognizer.tokenizer)   # 危山|海拔: jieba alone reads 危|山海|拔
        ends = self._ends_word(norm, e) or norm.startswith("村民", e) or \
            landmark and norm.startswith(tuple("东西南北畔岸边"), e)   # 玉符河|南侧, 大明湖|畔
        return ends and (s == 0 or self.recognizer.is_cut(norm, s))   # 滨海城市 ≠ 海城市

    def _reach(self, norm: str, nend: int, sense: Sense) -> tuple[int, Sense]:
        """黄河下游/黄河流域 is the river beyond Jinan (outside); 黄河济阳段 is one named stretch."""
        if sense.name in LONG_RIVERS and norm.startswith(BASIN_WORDS, nend):
            return nend, replace(sense, status=OUTSIDE, id=f"outside/{sense.name}", district=None)
        m = STRETCH.match(norm, nend)
        if m:
            district = next((s.district for s in self.lexicon.senses.get(m.group(1), []) if s.kind == "district"), None)
            return m.end(), replace(sense, district=district or sense.district)
        return nend, sense

    def _is_word(self, norm: str, s: int, e: int, tokenizer) -> bool:
        """A two-character name must be a word of its context: 河源 is a city, not in 小清河源头.
        `tokenizer`: jieba's own dictionary, or with the gazetteer's names for a hill or river's name,
        which jieba alone does not know."""
        if not (self.recognizer.may_straddle(norm, s) or self.recognizer.may_straddle(norm, e)):
            return True
        lo = max(0, s - 4)
        pos, cuts = lo, {lo}
        for w in tokenizer.cut(norm[lo:min(len(norm), e + 4)]):
            pos += len(w)
            cuts.add(pos)
        return s in cuts and e in cuts

    def _ends_word(self, norm: str, e: int) -> bool:
        return e >= len(norm) or self.recognizer.is_cut(norm, e)

    @staticmethod
    def _outside_before(outside_ends: set[int], nstart: int) -> bool:
        """An outside province/city written right before the name (枣庄市市中区, 四川乐山市中区)."""
        return nstart in outside_ends or nstart - 1 in outside_ends

    def _add_new(self, doc: Document, mentions: list[Mention], ctx: _Context) -> list[Mention]:
        spans = []
        for m in mentions:
            sense = self.lexicon.by_id.get(m.place_id or "")
            absorbable: bool | str = m.status == KNOWN and not (sense and (m.curated or (
                (sense.kind in DIVISION_KINDS or sense.kind == "zone") and doc.norm[m.nstart:m.nend].endswith(COMPLETE_DIVISION))))
            if m.status == OUTSIDE:
                absorbable = "road"           # 北京路, 京沪高铁: a road named after another place
            spans.append((m.nstart, m.nend, absorbable))
        quoted = quoted_names(doc.norm, spans)
        spans = sorted(spans + [(q.start, q.end, False) for q in quoted])
        found = self.recognizer.find(doc.norm, spans) + quoted
        found += list_siblings(doc.norm, [(s, e) for s, e, _ in spans] + [(f.start, f.end) for f in found],
                               [(m.nstart, m.nend) for m in mentions if m.status == KNOWN], self.recognizer.flags)
        found = [f for f in found if not _in_title(doc.norm, f.start)]
        if not found:
            return mentions
        absorbed = {s for f in found for s in f.absorbs}
        divisions = [(m.nstart, m.district) for m in mentions if m.status == KNOWN and m.district
                     and self.lexicon.by_id[m.place_id].kind in DIVISION_KINDS]
        by_start = {m.nstart: m for m in mentions}
        out = [m for m in mentions if m.nstart not in absorbed]
        for f in found:
            start, end = doc.orig_span(f.start, f.end)
            sent = doc.sentence_at(start, end)
            parts = [by_start[s] for s in f.absorbs if s in by_start]
            district = next((p.district for p in parts if p.district), None) or \
                _nearby_district(doc, f.start, divisions, ctx)
            out.append(Mention(None, doc.norm[f.start:f.end], doc.id, start, end, doc.original[start:end],
                               sent.text, sent.start, sent.end, f.start, f.end, status=NEW, district=district,
                               score=f.score, placed=False))
        out.sort(key=lambda m: (m.nstart, m.nend))
        return out


@contextmanager
def _gc_paused():
    """A long text makes hundreds of thousands of small objects (spans, tuples, mentions), none of
    them in a reference cycle; the cyclic collector would walk every live object (the lexicon's
    and jieba's too) again and again meanwhile — a quarter of the time. It runs after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_RECOGNIZERS: dict[int, tuple[Lexicon, Recognizer]] = {}


def _recognizer_for(lexicon: Lexicon) -> Recognizer:
    """jieba's dictionary with thousands of user words takes a second to load: once per lexicon."""
    hit = _RECOGNIZERS.get(id(lexicon))
    if hit is None or hit[0] is not lexicon:
        _RECOGNIZERS.clear()
        hit = _RECOGNIZERS[id(lexicon)] = (lexicon, Recognizer(lexicon.words))
    return hit[1]


def _in_title(norm: str, pos: int) -> bool:
    """Inside 《…》: a plan's, law's or book's title names a document, not a place."""
    opening = norm.rfind("《", max(0, pos - 60), pos)
    return opening >= 0 and norm.find("》", opening, pos) < 0


def _in_division_list(norm: str, s: int, e: int) -> bool:
    """An item of a 、-list of 街道/镇 (太平、孙耿、桑梓店等8个街道)."""
    if not (norm.startswith("、", e) or (s and norm[s - 1] == "、")):
        return False
    stop = min([i for i in (norm.find(c, e, e + 80) for c in "，,。；;：:\n") if i >= 0] or [len(norm)])
    return any(w in norm[e:stop] for w in ("街道", "镇", "乡"))


def _landmark(senses: list[Sense]) -> bool:
    """Only Jinan senses that are no division (a hill, a river): their names are no common words."""
    return all(s.status == KNOWN and s.kind not in DIVISION_KINDS for s in senses)


def _ambiguous(senses: list[Sense]) -> bool:
    return len({(s.status, s.district) for s in senses}) > 1


def _assign(m: Mention, sense: Sense, score: float) -> None:
    known = sense.status == KNOWN
    m.place_id = sense.id if known else None
    m.name, m.status, m.district, m.placed = sense.name, sense.status, sense.district if known else None, sense.placed
    m.score = score


def _mention(doc: Document, nstart: int, nend: int, sense: Sense, score: float) -> Mention:
    start, end = doc.orig_span(nstart, nend)
    sent = doc.sentence_at(start, end)
    m = Mention(None, sense.name, doc.id, start, end, doc.original[start:end], sent.text, sent.start, sent.end,
                nstart, nend)
    _assign(m, sense, score)
    return m


def _context(doc: Document, curated: list[Mention], others, lexicon: Lexicon) -> _Context:
    paragraphs = list(paragraph_bounds(doc.norm)) or [(0, len(doc.norm))]
    ctx = _Context(paragraphs, [{} for _ in paragraphs], set(), _iso(doc.meta.get("date")))
    for d in doc.meta.get("districts") or []:
        ctx.meta_districts.add(d.get("name") if isinstance(d, dict) else str(d))
    ctx.article_districts |= ctx.meta_districts
    named = [(m.nstart, lexicon.by_id.get(m.place_id)) for m in curated]
    named += [(s, senses[0]) for s, _, senses in others if not _ambiguous(senses)]
    for pos, sense in named:
        if sense and sense.status == KNOWN and sense.district and sense.kind in DIVISION_KINDS:
            counts = ctx.para_districts[ctx.para_of(pos)]
            counts[sense.district] = counts.get(sense.district, 0) + 1
            ctx.article_districts.add(sense.district)
    return ctx


def choose(senses: list[Sense], doc: Document, nstart: int, ctx: _Context, outside_before: bool) -> tuple[Sense, float]:
    """The sense the context supports best, and its share of all the evidence (the score).

    A Jinan sense beats an outside one unless an outside place is written right before the name.
    Among Jinan senses: weight 1, plus 2 when the sense's district is named in the paragraph and 1
    when named in the article (or its catalog entry), plus 2 per cue word (经二路, 博物馆 …) in the
    paragraph and 1 per cue elsewhere in the article; ×0.2 when the article's date is outside the
    years the place existed."""
    if len(senses) == 1:
        return senses[0], 1.0             # what the rules below give for one sense, known or outside
    jinan = [s for s in senses if s.status == KNOWN]
    outside = [s for s in senses if s.status == OUTSIDE]
    if outside and (not jinan or outside_before):
        return outside[0], 1.0 if not jinan else 0.8
    if len(jinan) == 1:
        return jinan[0], 1.0 if not outside else 0.9
    p = ctx.para_of(nstart)
    ps, pe = ctx.paragraphs[p]
    para_text = doc.norm[ps:pe]
    weights = []
    for s in jinan:
        w = 1.0
        if s.district and s.district in ctx.para_districts[p]:
            w += W_PARAGRAPH_DISTRICT
        if s.district and s.district in ctx.article_districts:
            w += W_ARTICLE_DISTRICT
        for cue in s.cues:
            if cue in para_text:
                w += W_PARAGRAPH_CUE
            elif ctx.in_article(doc.norm, cue):
                w += W_ARTICLE_CUE
        if ctx.date and ((s.since and ctx.date < s.since) or (s.until and ctx.date > s.until)):
            w *= OUT_OF_DATE
        weights.append(w)
    best = max(range(len(jinan)), key=lambda i: (weights[i], jinan[i].curated))
    return jinan[best], round(weights[best] / sum(weights), 2)


def _nearby_district(doc: Document, npos: int, divisions: list[tuple[int, str]], ctx: _Context) -> str | None:
    """The district of the nearest division named in the same sentence, else paragraph, else the
    article's only district. `divisions`: (position, district) of the divisions named, sorted."""
    ps, pe = ctx.paragraphs[ctx.para_of(npos)]
    sent_lo = ps
    for m in _SENTENCE_END.finditer(doc.norm, ps, npos):
        sent_lo = m.end()
    nxt = _SENTENCE_END.search(doc.norm, npos, pe)
    sent_hi = nxt.start() if nxt else pe
    for lo, hi in ((sent_lo, sent_hi), (ps, pe)):
        near = divisions[bisect.bisect_left(divisions, (lo,)):bisect.bisect_left(divisions, (hi,))]
        if near:
            return min(near, key=lambda d: abs(d[0] - npos))[1]
    return next(iter(ctx.article_districts)) if len(ctx.article_districts) == 1 else None


def _iso(value) -> str | None:
    return str(value) if value else None


def geoparse_all(docs: list[Document], gazetteer: Gazetteer) -> tuple[list[Mention], list[Framework]]:
    """Every mention (known, new, outside) of many documents, with their frameworks."""
    parser = Geoparser(gazetteer)
    mentions, frameworks = [], []
    for doc in docs:
        m, f = parser.parse(doc)
        mentions += m
        frameworks += f
    return mentions, link_frameworks(mentions, frameworks)
