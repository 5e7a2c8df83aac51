"""The short cuts taken for speed on long texts (issue 11) give exactly what the plain way gives.

The base-gazetteer matcher reads only the stretches of text where some name occurs; its matches
must be those of pyahocorasick's iter_long over the whole text. The 四至 finder tries its pattern
only at direction characters; it must find what the pattern's finditer finds. Enumerations and
quoted names look up the names around them in an index, not by reading every name of the text."""
import re
from pathlib import Path

from hypothesis import given, settings, strategies as st

from geo.corpus import load_file
from geo.lexicon import lexicon_for
from geo.recognise import CLAUSE, SIZHI, _list_clauses, _sizhi_spans, list_siblings, quoted_names

GOLD = Path(__file__).resolve().parent / "gold" / "articles"


def _whole_text(lexicon, norm):
    return [(e + 1 - n, e + 1, norm[e + 1 - n:e + 1]) for e, n in lexicon.automaton.iter_long(norm + "\n")]


def test_stretches_give_the_matches_of_the_whole_text(corpus, gazetteer):
    lexicon = lexicon_for(gazetteer)
    docs = list(corpus) + [load_file(p) for p in sorted(GOLD.glob("*.txt"))]
    assert len(docs) >= 32
    for doc in docs:
        assert lexicon.matches(doc.norm) == _whole_text(lexicon, doc.norm), doc.id
    joined = "\n".join(d.norm for d in docs)
    assert lexicon.matches(joined) == _whole_text(lexicon, joined) and len(_whole_text(lexicon, joined)) > 700


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_stretches_match_on_text_made_of_name_pieces(gazetteer, data):
    """Names cut, glued and overlapped (longer names running on from shorter ones), between
    characters no name has and at the text's very ends: where the two readings could part."""
    lexicon = lexicon_for(gazetteer)
    names = sorted(lexicon.senses)
    piece = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).flatmap(lambda n: st.integers(1, len(n)).map(lambda k: n[:k])),
        st.sampled_from(names).flatmap(lambda n: st.integers(0, len(n) - 1).map(lambda k: n[k:])),
        st.sampled_from(["，", "。", "\n", "的", "和", "a", " "]),
    )
    text = "".join(data.draw(st.lists(piece, min_size=1, max_size=12)))
    assert lexicon.matches(text) == _whole_text(lexicon, text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="东南西北至于到起接，,\n a", max_size=30))
def test_boundary_phrases_are_found_as_the_pattern_finds_them(text):
    assert _sizhi_spans(text) == [(m.start(), m.end()) for m in SIZHI.finditer(text)]


# The plain readings of an enumeration and of quoted names (as first written, reading every span for
# every item): the oracles for the indexed ones.
def _plain_list_siblings(norm, taken, known, flags):
    from geo.recognise import CLAUSE, COMMON, COMMON_TAGS, GENERIC, STOP, NewName, _cjk, _enumeration

    spans = sorted(taken)
    out = []
    for clause in CLAUSE.finditer(norm):
        items = _enumeration(clause, {s for s, _ in spans})
        placed = sum(any((ks == s or where == "first") and ke == e or ks == s and where == "last" and ke <= e
                         for ks, ke in known) for s, e, where in items)
        if placed < 2 or 3 * placed < len(items):
            continue
        for s, e, where in items:
            text = norm[s:e]
            if where != "first" and 2 <= len(text) <= 5 and all(_cjk(c) for c in text) \
                    and text not in GENERIC | COMMON | STOP and flags.get(text, "nr") not in COMMON_TAGS \
                    and not any(ts < e and s < te for ts, te in spans):
                out.append(NewName(s, e, 0.5, "listed"))
    return out


def _plain_quoted_names(norm, spans):
    from geo.recognise import GENERIC, GENERIC_PREFIXES, QUOTED, QUOTED_SELF, SLOGAN, NewName

    taken = [(s, e) for s, e, _ in spans]

    def crossed(lo, hi):
        return any(s < hi and lo < e and not (lo <= s and e <= hi) for s, e in taken)

    names = {m.group(1) for m in QUOTED.finditer(norm)
             if m.group(1) not in GENERIC and not SLOGAN.search(m.group(1)) and not crossed(m.start(1), m.end(1))}
    names |= {m.group(1) for m in QUOTED_SELF.finditer(norm)
              if m.group(1) not in GENERIC and not m.group(1).startswith(GENERIC_PREFIXES)
              and not crossed(m.start(1), m.end(1))}
    out = []
    for name in sorted(names):
        for m in re.finditer(re.escape(name), norm):
            if not crossed(m.start(), m.end()):
                inside = tuple(s for s, e in taken if m.start() <= s and e <= m.end())
                out.append(NewName(m.start(), m.end(), 0.6, "quoted", inside))
                taken.append((m.start(), m.end()))
    return sorted(out, key=lambda n: n.start)


def _spans_in(text_len):
    return st.lists(st.tuples(st.integers(0, max(0, text_len - 1)), st.integers(1, 6)), max_size=12).map(
        lambda xs: sorted({(s, min(text_len, s + n)) for s, n in xs if s < min(text_len, s + n)}))


@st.composite
def _enumerations(draw):
    """Clauses of 、-lists (some with 等 or 和), names known at some items, others anywhere."""
    text, items = "", []
    for _ in range(draw(st.integers(1, 4))):
        text += draw(st.sampled_from(["", "包括", "，", "。\n"]))
        words = draw(st.lists(st.sampled_from(["龙山", "东湖", "花园", "王村", "柳埠", "山"]), min_size=1, max_size=5))
        for k, w in enumerate(words):
            items.append((len(text), len(text) + len(w)))
            text += w + ("、" if k < len(words) - 1 else draw(st.sampled_from(["", "等", "和泉村", "，"])))
    known = draw(st.lists(st.sampled_from(items), max_size=len(items)))
    known += draw(st.lists(st.sampled_from(items).map(lambda se: (se[0], se[1] + 1)), max_size=2))
    return text, sorted(set(known) | set(draw(_spans_in(len(text))))), known


@settings(max_examples=400, deadline=None)
@given(st.one_of(_enumerations(), st.none()), st.data())
def test_enumerations_are_read_as_the_plain_reading_reads_them(case, data):
    if case is None:
        text = data.draw(st.text(alphabet="山泉村庄、、、等和，。\n“”", max_size=40))
        taken = data.draw(_spans_in(len(text)))
        known = data.draw(st.lists(st.sampled_from(taken), max_size=len(taken))) if taken else []
    else:
        text, taken, known = case
    assert list_siblings(text, taken, known, {}) == _plain_list_siblings(text, taken, known, {})
    assert [(c.start(), c.end()) for c in _list_clauses(text)] == \
        [(c.start(), c.end()) for c in CLAUSE.finditer(text) if "、" in c.group()]


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_quoted_names_are_found_as_the_plain_reading_finds_them(data):
    text = data.draw(st.lists(st.sampled_from(["“九龙”", "九龙", "片区", "“花山”", "花山", "，", "龙", "项目", "“一轴”"]),
                              max_size=14).map("".join))
    spans = [(s, e, True) for s, e in data.draw(_spans_in(len(text)))]
    assert quoted_names(text, spans) == _plain_quoted_names(text, spans)
