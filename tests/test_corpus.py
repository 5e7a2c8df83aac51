"""geo.corpus: original text kept exactly, normalised copy for matching, offsets that map back."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_geo
from geo.corpus import (CorpusError, decode, document_from_text, fold_char, load_corpus, load_file, normalise,
                        to_simplified)


def test_sentences_and_paragraphs_slice_the_original_exactly(corpus):
    assert len(corpus) == 5
    for doc in corpus:
        assert doc.original == (ROOT / "seeds" / f"{doc.id}.txt").read_text(encoding="utf-8")
        assert len(doc.norm) == len(doc.norm_to_orig)
        for span in doc.sentences + doc.paragraphs:
            assert doc.original[span.start:span.end] == span.text
        # Every normalised character is the original character it maps to, width-folded and simplified.
        for i, j in enumerate(doc.norm_to_orig):
            assert doc.norm[i] == to_simplified(fold_char(doc.original[j])), (doc.id, i, j)


def test_layout_breaks_inside_words_are_repaired(docs_by_id):
    d000, d002 = docs_by_id["000_d54c22738cddc5a0"], docs_by_id["002_ab62ca587b7de40b"]
    assert "央企\n\n总部城" in d000.original and "央企总部城将高水平建设" in d000.norm
    assert "不断推\n\n进" in d002.original and "不断推进" in d002.norm
    i = d000.norm.index("央企总部城将")
    start, end = d000.orig_span(i, i + 5)
    assert d000.original[start:end] == "央企\n\n总部城"


def test_headlines_and_captions_are_not_glued_to_the_next_paragraph(docs_by_id):
    d000 = docs_by_id["000_d54c22738cddc5a0"]
    assert "槐荫区供图\n" in d000.norm              # photo credit stays apart
    assert "医养之都”\n" in d000.norm                 # headline stays apart
    sentences = [s.text for s in d000.sentences]
    assert "奋力建设现代化强省会一流中心城区" in sentences


def test_ascii_and_fullwidth_punctuation_fold_together():
    a = document_from_text("a", "槐荫区:打造“齐鲁门户,医养之都”")
    b = document_from_text("b", "槐荫区：打造“齐鲁门户，医养之都”")
    assert a.norm == b.norm


def test_traditional_text_is_matched_as_simplified_with_offsets_kept():
    doc = document_from_text("t", "濟南國際醫學科學中心")
    assert doc.norm == "济南国际医学科学中心" and doc.norm_to_orig == list(range(10))


# ------------------------------------------------------------------ property test

_word = st.text(alphabet="济南槐荫区医学中心央企总部城公园产业园", min_size=1, max_size=8)
_punct = st.sampled_from(["，", ",", "。", "、", "：", ":", "；"])


@st.composite
def _article(draw):
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        parts.append(draw(_word))
        parts.append(draw(st.sampled_from(["", "", "\n\n", "\n", "\n\n\n", "\r\n\r\n", "\r\n", "\r", "，", ","])))
        parts.append(draw(_punct) if draw(st.booleans()) else "")
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_article())
def test_offsets_round_trip_on_synthetic_text(text):
    doc = document_from_text("h", text)
    norm, index = normalise(text)
    assert norm == doc.norm and len(index) == len(norm)
    assert index == sorted(set(index))                        # monotonic, no duplicates
    for span in doc.sentences + doc.paragraphs:
        assert text[span.start:span.end] == span.text
    removed = set(range(len(text))) - set(index)
    assert all(text[i].isspace() or text[i] in " \u3000" for i in removed)   # only whitespace is dropped
    for i in range(len(norm)):
        for j in range(i + 1, min(len(norm), i + 6) + 1):
            s, e = doc.orig_span(i, j)
            # the original slice, with breaks removed and punctuation folded, is the normalised slice
            assert normalise(text[s:e])[0].replace("\n", "") == norm[i:j].replace("\n", "")
    assert "\r" not in norm                                   # CR LF and CR read as line ends


# ------------------------------------------------------------------ bad input


def test_gb18030_article_is_decoded(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("济南国际医学科学中心建设提速，央企总部城开工。".encode("gb18030"))
    doc = load_file(path)
    assert doc.encoding == "gb18030" and doc.original.startswith("济南国际医学科学中心")


UNICODE = "济南国际医学科学中心建设提速，央企总部城开工。\n"


@pytest.mark.parametrize("data, encoding", [
    (UNICODE.encode("utf-16"), "utf-16-le"),                  # Windows Notepad's "Unicode"
    (b"\xfe\xff" + UNICODE.encode("utf-16-be"), "utf-16-be"),
    (UNICODE.encode("utf-32"), "utf-32-le"),
    (b"\x00\x00\xfe\xff" + UNICODE.encode("utf-32-be"), "utf-32-be"),
])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read_as_text(data, encoding):
    """Their ASCII characters hold NUL bytes: the mark, not the NULs, says what the file is."""
    assert decode(data, "u.txt") == ("\ufeff" + UNICODE, encoding)       # the mark kept, as for UTF-8


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe" + "  \n".encode("utf-16-le"), "u.txt: the file is empty"),
    (b"\xff\xfe\x00\xd8\x41\x00", "u.txt: not UTF-8 text, and not UTF-16 either though it starts with UTF-16's "
                                "byte-order mark (undecodable bytes)"),
    (b"\xff\xfe\xfd\x80\x81" * 40, "u.txt: not UTF-8 text, and not UTF-16 either"),   # decodes, to no text
    (b"\xff\xfe" + "a\x01\x02\x03\x04".encode("utf-16-le"), "u.txt: binary data (4 control characters)"),
])
def test_a_bad_utf16_file_is_refused_with_an_accurate_reason(data, reason):
    with pytest.raises(CorpusError) as exc:
        decode(data, "u.txt")
    assert str(exc.value).startswith(reason)


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\n ", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(1, 32)) * 20, "binary"),
    (b"\xff\xfe\xfd\x80\x81" * 40, "not UTF-8"),
])
def test_bad_bytes_are_refused_with_a_reason(data, reason):
    with pytest.raises(CorpusError) as exc:
        decode(data, "bad.txt")
    assert "bad.txt" in str(exc.value) and reason in str(exc.value)


def _seed_copy(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for p in (ROOT / "seeds").iterdir():
        (seeds / p.name).write_bytes(p.read_bytes())
    return seeds


def test_article_missing_from_catalog_is_named(tmp_path):
    seeds = _seed_copy(tmp_path)
    (seeds / "999_extra.txt").write_text("槐荫区新建公园。", encoding="utf-8")
    with pytest.raises(CorpusError, match="missing from the catalog: 999_extra.txt"):
        load_corpus(seeds)


def test_catalog_entry_without_its_file_is_named(tmp_path):
    seeds = _seed_copy(tmp_path)
    (seeds / "003_6a09d21cf5d458f4.txt").unlink()
    with pytest.raises(CorpusError, match="without its file: 003_6a09d21cf5d458f4.txt"):
        load_corpus(seeds)


def test_broken_catalog_is_reported(tmp_path):
    seeds = _seed_copy(tmp_path)
    (seeds / "catalog.yml").write_text("articles: [unclosed", encoding="utf-8")
    with pytest.raises(CorpusError, match="not valid YAML"):
        load_corpus(seeds)


@pytest.mark.parametrize("content, reason", [(b"", "empty"), (b"\x00\x01binary\x00", "binary")])
def test_cli_reports_bad_files_without_traceback(tmp_path, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = run_geo("extract", str(bad))
    assert out.returncode == 2
    err = out.stderr.decode()
    assert "bad.txt" in err and reason in err and "Traceback" not in err


def test_cli_reports_missing_file(tmp_path):
    out = run_geo("candidates", str(tmp_path / "nope.txt"))
    assert out.returncode == 2 and "nope.txt" in out.stderr.decode() and "Traceback" not in out.stderr.decode()


def test_windows_line_ends_are_repaired_like_unix_ones():
    unix = "今年，槐荫区将加快建设央企\n\n总部城，推进项目建设。\n"
    windows = unix.replace("\n", "\r\n")
    a, b = document_from_text("u", unix), document_from_text("w", windows)
    assert a.norm == b.norm and "央企总部城" in b.norm
    i = b.norm.index("央企总部城")
    s, e = b.orig_span(i, i + 5)
    assert windows[s:e] == "央企\r\n\r\n总部城"
    assert [x.text for x in b.sentences] == [windows[x.start:x.end] for x in b.sentences]


def test_a_file_with_only_a_byte_order_mark_is_empty():
    with pytest.raises(CorpusError, match="empty"):
        decode(b"\xef\xbb\xbf \n", "bom.txt")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="a 中\t\u3000\n\r", max_size=40))
def test_line_breaks_are_the_blank_runs_around_each_newline(text):
    """`_breaks` finds them from the newline (fast); it must agree with the plain pattern."""
    from geo.corpus import _breaks

    pattern = re.compile(r"[ \t\u3000]*\n[ \t\u3000\n]*")
    assert list(_breaks(text)) == [(m.start(), m.end()) for m in pattern.finditer(text)]
