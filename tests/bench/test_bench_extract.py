"""Extraction throughput on a ≥ 10 MB corpus, against jieba segmenting the same text (same run).

Run with `make bench`. "Extraction" is what `python -m geo extract` does for a document: normalise,
match the curated and the base gazetteer (≥ 5,000 names), recognise new names (jieba on short
windows before place suffixes only), choose senses, infer districts, cite. Prints MB/s for both and
their ratio; issue 11 asks for 10× jieba.cut's throughput.

The big corpus is the seeds repeated; a second measurement runs on the 27 distinct gold articles
(tests/gold/articles/) concatenated once, so that a speed-up that only pays off on repeated text
would show as a gap between the two ratios.
"""
import time
from pathlib import Path

import pytest

from geo.corpus import document_from_text
from geo.geoparse import Geoparser

TARGET_RATIO = 10.0
GOLD_ARTICLES = Path(__file__).resolve().parent.parent / "gold" / "articles"


@pytest.fixture(scope="module")
def big_text(corpus):
    text = "\n\n".join(d.original for d in corpus)
    reps = 10 * 1024 * 1024 // len(text.encode("utf-8")) + 1
    return "\n\n".join([text] * reps)


def _best_of(n, fn):
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


@pytest.fixture(scope="module")
def parser(gazetteer):
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    parser = Geoparser(gazetteer)
    parser.recognizer                              # jieba's dictionary and ours, loaded once
    return parser


@pytest.fixture(scope="module")
def measured(big_text, parser):
    import jieba

    mb = len(big_text.encode("utf-8")) / 1e6

    def ours():
        return parser.parse(document_from_text("bench", big_text))[0]

    def theirs():
        return sum(1 for _ in jieba.cut(big_text))

    t_ours, mentions = _best_of(2, ours)
    t_jieba, words = _best_of(1, theirs)
    statuses = {s: sum(1 for m in mentions if m.status == s) for s in ("known", "new", "outside")}
    print(f"\ncorpus {mb:.1f} MB, {len(parser.lexicon.senses)} names: extraction {mb / t_ours:.2f} MB/s "
          f"({len(mentions)} mentions: {statuses}); jieba.cut {mb / t_jieba:.2f} MB/s ({words} words); "
          f"ratio ours/jieba = {t_jieba / t_ours:.2f}")
    return mb, t_ours, t_jieba, mentions, parser


def test_extraction_with_the_full_base_gazetteer_runs_on_the_whole_corpus(measured):
    mb, t_ours, t_jieba, mentions, parser = measured
    assert mb >= 10 and len(parser.lexicon.senses) >= 5000
    assert {m.status for m in mentions} == {"known", "new", "outside"}


@pytest.mark.xfail(strict=True, reason="issue 11 asks 10x jieba.cut; measured 2.7x-3.7x on the seeds repeated, ~1x on the 27 distinct gold articles (see README, How the text is read: Speed)")
def test_extraction_is_ten_times_faster_than_jieba(measured):
    _, t_ours, t_jieba, _, _ = measured
    assert t_jieba / t_ours >= TARGET_RATIO


def test_speed_on_distinct_articles(parser):
    """The gold articles, each once (~50 KB): no repetition for any cache to profit from. Denser in
    roads and villages than the seeds, so more suffix windows go to jieba per character."""
    import jieba

    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(GOLD_ARTICLES.glob("*.txt")))
    mb = len(text.encode("utf-8")) / 1e6
    t_ours, mentions = _best_of(10, lambda: parser.parse(document_from_text("gold", text))[0])
    t_jieba, words = _best_of(10, lambda: sum(1 for _ in jieba.cut(text)))
    print(f"\ngold articles {mb * 1000:.0f} KB (27 distinct): extraction {mb / t_ours:.2f} MB/s "
          f"({len(mentions)} mentions); jieba.cut {mb / t_jieba:.2f} MB/s ({words} words); "
          f"ratio ours/jieba = {t_jieba / t_ours:.2f}")
    assert len(list(GOLD_ARTICLES.glob("*.txt"))) >= 27 and {m.status for m in mentions} == {"known", "new", "outside"}
