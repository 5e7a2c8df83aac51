"""Load articles into documents whose every offset points back into the original file.

Matching runs on a normalised copy of the text (print-layout breaks repaired,
punctuation width folded, traditional characters converted to simplified); the
copy keeps, for each of its characters, the index of the original character it
came from, so any span found in it can be cited as an exact slice of the original.

Longer than 250 lines because decoding, layout repair, normalisation and sentence/paragraph
segmentation all build or read the same offset map; apart, each would need its internals.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator

import yaml

from geo.errors import GeoError


class CorpusError(GeoError):
    """An article or the catalog cannot be used; the message names the file and the reason."""


SENTENCE_END = "。！？!?；;…"
CLOSERS = "”’」』）)》"
# A paragraph that starts like this is a caption, bullet or list item, never a continuation.
NOT_CONTINUATION = "-•▲■□①②③④⑤⑥⑦⑧⑨⑩（(【[“"
# A line break with the blanks around it: "[ \t\u3000]*\n[ \t\u3000\n]*", found from its "\n" (a
# pattern that may start with a blank is tried at every character of the text).
_NEWLINES = re.compile(r"\n[ \t\u3000\n]*")
_BLANKS = " \t\u3000"
_CONTROL_OK = "\n\r\t"
# One article at most: a long feature runs to ~20,000 characters; ten times that is no news article
# (a 5 MB file once made a 25 MB map page).
MAX_ARTICLE_CHARS = 200_000


@dataclass(frozen=True)
class Span:
    """A stretch of the original text: ``text == original[start:end]``."""

    start: int
    end: int
    text: str


@dataclass
class Document:
    id: str
    original: str
    norm: str
    norm_to_orig: list[int]
    meta: dict = field(default_factory=dict)
    source: str = ""
    encoding: str = "utf-8"

    def orig_span(self, nstart: int, nend: int) -> tuple[int, int]:
        """Map a span of the normalised text to the original (end exclusive)."""
        if nend <= nstart:
            pos = self.norm_to_orig[nstart] if nstart < len(self.norm_to_orig) else len(self.original)
            return pos, pos
        return self.norm_to_orig[nstart], self.norm_to_orig[nend - 1] + 1

    def slice(self, start: int, end: int) -> str:
        return self.original[start:end]

    @cached_property
    def sentences(self) -> list[Span]:
        return [self._sentence(k) for k in range(len(self._sentence_offsets[0]))]

    @cached_property
    def paragraphs(self) -> list[Span]:
        starts, ends = _bounds(self, paragraph_bounds(self.norm))
        return [Span(s, e, self.original[s:e]) for s, e in zip(starts, ends)]

    @cached_property
    def _sentence_offsets(self) -> tuple[list[int], list[int]]:
        """Starts and ends (in the original) of the sentences; a Span is made when one is cited."""
        return _bounds(self, _sentence_bounds(self.norm))

    @cached_property
    def _spans(self) -> dict[int, Span]:
        return {}

    def _sentence(self, k: int) -> Span:
        span = self._spans.get(k)
        if span is None:
            s, e = self._sentence_offsets[0][k], self._sentence_offsets[1][k]
            span = self._spans[k] = Span(s, e, self.original[s:e])
        return span

    def sentence_at(self, start: int, end: int) -> Span:
        """The sentence of the original text that contains [start, end)."""
        starts, ends = self._sentence_offsets
        k = bisect.bisect_right(starts, start) - 1
        if k >= 0 and starts[k] <= start and end <= ends[k]:
            return self._sentence(k)
        # A match straddling a sentence boundary: cite the union of the sentences it touches.
        touched = [i for i in range(max(0, k), bisect.bisect_left(starts, end)) if starts[i] < end and start < ends[i]]
        lo = min([start] + [starts[i] for i in touched])
        hi = max([end] + [ends[i] for i in touched])
        return Span(lo, hi, self.original[lo:hi])


# --------------------------------------------------------------------------- decoding


# Byte-order marks of the wider Unicode forms (UTF-32's first: its LE mark starts like UTF-16's).
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
              (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode article bytes: UTF-16/32 by their byte-order mark (Windows editors save "Unicode" so),
    else UTF-8 or, failing that, GB18030; refuse empty and binary data."""
    # A byte-order mark stays in the text as U+FEFF, so offsets count the file's code points.
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                text = _checked(data.decode(encoding), name)
            except UnicodeDecodeError:
                text = ""
            if _looks_chinese(text.lstrip("\ufeff")):       # UTF-16 decodes most byte soup too
                return text, encoding
            form = encoding[:6].upper()
            raise CorpusError(f"{name}: not UTF-8 text, and not {form} either though it starts with {form}'s "
                              "byte-order mark (undecodable bytes)")
    if b"\x00" in data:
        raise CorpusError(f"{name}: binary data (NUL bytes), not an article")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and not _looks_chinese(text):
            break
        return _checked(text, name), encoding
    raise CorpusError(f"{name}: not UTF-8 text, and not GB18030/GBK either (undecodable bytes)")


def _checked(text: str, name: str) -> str:
    """The decoded text, if it is an article: not blank, not binary, not over the size limit."""
    if not text.lstrip("\ufeff").strip():
        raise CorpusError(f"{name}: the file is empty")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _CONTROL_OK)
    if controls > max(2, len(text) // 200):
        raise CorpusError(f"{name}: binary data ({controls} control characters), not an article")
    if len(text) > MAX_ARTICLE_CHARS:
        raise CorpusError(f"{name}: {len(text):,} characters, over the limit of {MAX_ARTICLE_CHARS:,} "
                          "for one article")
    return text


def _looks_chinese(text: str) -> bool:
    """GB18030 decodes most byte soup; accept it only if the result is mostly CJK text."""
    letters = [ch for ch in text if not ch.isspace()]
    cjk = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or ch.isascii())
    return bool(letters) and cjk / len(letters) > 0.8


# --------------------------------------------------------------------------- normalisation


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # OpenCC: the reference traditional→simplified converter

    return opencc.OpenCC("t2s")


def fold_char(ch: str) -> str:
    """Fold full-width ASCII forms and the ideographic space to their ASCII twins."""
    if "\uff01" <= ch <= "\uff5e" or ch == "\u3000":
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1:
            return folded
    return ch


# fold_char for every character it changes.
_FOLD = [(ch, fold_char(ch)) for ch in map(chr, [*range(0xFF01, 0xFF5F), 0x3000]) if fold_char(ch) != ch]


def to_simplified(text: str) -> str:
    """Traditional → simplified, keeping the length (so the offset map stays one to one)."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


def normalise_text(text: str) -> str:
    """Normalise a short string (a gazetteer name) the way documents are normalised."""
    return normalise(text)[0]


def _unify_newlines(text: str) -> tuple[str, list[int] | None]:
    """Windows (CR LF) and old Mac (CR) line ends as LF, with each character's index in ``text``."""
    if "\r" not in text:
        return text, None
    chars, index = [], []
    for i, ch in enumerate(text):
        if ch == "\r":
            if text.startswith("\n", i + 1):
                continue                      # CR of CR LF: the LF stands for both
            ch = "\n"
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


def normalise(text: str) -> tuple[str, list[int]]:
    """Return the normalised text and, for each of its characters, its index in ``text``.
    Works on runs between layout breaks (slices and `str.replace`), not character by character:
    a 10 MB text is read in well under a second."""
    view, view_index = _unify_newlines(text)
    runs, pos = [], 0
    for start, end in _breaks(view):
        if _is_layout_break(view, start, end):
            runs.append((pos, start))
            pos = end
    runs.append((pos, len(view)))
    index: list[int] = []
    for a, b in runs:
        index += range(a, b) if view_index is None else view_index[a:b]
    folded = "".join(view[a:b] for a, b in runs)
    for wide, narrow in _FOLD:               # ~100 C-speed scans beat a per-character table
        if wide in folded:
            folded = folded.replace(wide, narrow)
    return to_simplified(folded), index


def _breaks(view: str) -> Iterator[tuple[int, int]]:
    """Every line break with the blanks before and after it, as (start, end)."""
    prev = 0
    for m in _NEWLINES.finditer(view):
        start = m.start()
        while start > prev and view[start - 1] in _BLANKS:
            start -= 1
        yield start, m.end()
        prev = m.end()


# A photo credit ending a caption line (图片来源:中海地产): the next line starts afresh.
_CREDIT = re.compile(r"(?:[图圖]片[来來]源|[来來]源|[图圖]源|[摄攝]影)[:：][^，,。；;]{1,20}$")


def _is_layout_break(text: str, start: int, end: int) -> bool:
    """A line break inside a running sentence, left there by the print layout.

    The previous paragraph must be body text (it has clause punctuation) and end
    mid-sentence; the next one must start with a character that can continue it.
    """
    if start == 0 or end >= len(text):
        return False
    prev = text[text.rfind("\n", 0, start) + 1:start]
    nxt_end = text.find("\n", end)
    nxt = text[end:nxt_end if nxt_end >= 0 else len(text)]
    before, after = text[start - 1], text[end]
    if before in SENTENCE_END or after in NOT_CONTINUATION:
        return False
    if not (_is_cjk(before) or before in "、，,”") or not (_is_cjk(after) or after.isalnum()):
        return False
    # Headlines and captions stand alone: they have no clause punctuation, or a
    # space between their halves, or a photo credit at the end.
    return _is_body(prev) and not prev.endswith(("供图", "摄")) and not _CREDIT.search(prev) and _has_clause_punct(nxt)


def _has_clause_punct(line: str) -> bool:
    return any(p in line for p in "，,。、；;")


def _is_body(line: str) -> bool:
    return _has_clause_punct(line) and " " not in line and "\u3000" not in line


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


# --------------------------------------------------------------------------- segmentation


_SENTENCE_BREAK = re.compile(f"\n|[{re.escape(SENTENCE_END)}][{re.escape(CLOSERS + '”')}]*")


def _sentence_bounds(norm: str) -> Iterator[tuple[int, int]]:
    """A line break ends a sentence (and is no part of it); an end mark ends one with the closing
    quotes and brackets after it."""
    start = 0
    for m in _SENTENCE_BREAK.finditer(norm):
        yield start, (m.start() if m.group() == "\n" else m.end())
        start = m.end()
    yield start, len(norm)


def paragraph_bounds(norm: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in re.finditer(r"\n+", norm):
        yield start, m.start()
        start = m.end()
    yield start, len(norm)


def _bounds(doc: Document, bounds: Iterator[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Starts and ends in the original of the non-blank segments, whitespace trimmed."""
    starts, ends = [], []
    norm, index = doc.norm, doc.norm_to_orig
    for ns, ne in bounds:
        seg = norm[ns:ne]
        stripped = seg.strip()                # str.strip trims exactly what str.isspace calls space
        if stripped:
            ns += len(seg) - len(seg.lstrip())
            starts.append(index[ns])
            ends.append(index[ns + len(stripped) - 1] + 1)
    return starts, ends


# --------------------------------------------------------------------------- loading


def document_from_text(doc_id: str, text: str, meta: dict | None = None, source: str = "",
                       encoding: str = "utf-8") -> Document:
    norm, index = normalise(text)
    return Document(doc_id, text, norm, index, dict(meta or {}), source or doc_id, encoding)


def load_file(path: str | Path, meta: dict | None = None) -> Document:
    """Load any article file (not necessarily in the catalog)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text, encoding = decode(data, str(path))
    return document_from_text(path.stem, text, meta, str(path), encoding)


def load_bytes(data: bytes, name: str = "-") -> Document:
    text, encoding = decode(data, name)
    return document_from_text(name, text, None, name, encoding)


def load_catalog(seeds_dir: str | Path) -> list[dict]:
    path = Path(seeds_dir) / "catalog.yml"
    try:
        catalog = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the catalog ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: the catalog is not valid YAML ({exc})") from None
    entries = (catalog or {}).get("articles") if isinstance(catalog, dict) else None
    if not isinstance(entries, list):
        raise CorpusError(f"{path}: the catalog has no 'articles' list")
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("id"):
            raise CorpusError(f"{path}: catalog entry #{n + 1} has no id")
    return entries


def load_corpus(seeds_dir: str | Path) -> list[Document]:
    """Load every article of the catalog; the files and the catalog must match one to one."""
    seeds_dir = Path(seeds_dir)
    entries = load_catalog(seeds_dir)
    by_id = {e["id"]: e for e in entries}
    files = {p.stem: p for p in seeds_dir.glob("*.txt")}
    missing_files = sorted(set(by_id) - set(files))
    if missing_files:
        raise CorpusError(f"{seeds_dir / 'catalog.yml'}: catalog entry without its file: "
                          + ", ".join(f"{i}.txt" for i in missing_files))
    uncatalogued = sorted(set(files) - set(by_id))
    if uncatalogued:
        raise CorpusError(f"{seeds_dir}: article missing from the catalog: "
                          + ", ".join(f"{i}.txt" for i in uncatalogued))
    return [load_file(files[e["id"]], e) for e in entries]
