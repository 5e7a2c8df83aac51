"""The short cuts taken for speed on long texts (issue 11) give exactly what the plain way gives.

The base-gazetteer matcher reads only the stretches of text where some name occurs; its matches
must be those of pyahocorasick's iter_long over the whole text. The 四至 finder tries its pattern
only at direction characters; it must find what the pattern's finditer finds."""
from pathlib import Path

from hypothesis import given, settings, strategies as st

from geo.corpus import load_file
from geo.lexicon import lexicon_for
from geo.recognise import SIZHI, _sizhi_spans

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
