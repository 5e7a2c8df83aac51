"""`geo add`: bring the next article into the corpus, rebuild the layers, queue its new names.

An article is accepted whole or not at all: every check (readable text, size, not already in the
corpus, complete and well-formed metadata) runs before anything is written; if the rebuild then
fails, the article file, the catalog and the queue are put back as they were (the layers are only ever
swapped in complete). The review queue (`geo/gazetteer/review/queue.yml`) is written before the
build and restored with the rest on failure.

The article is stored as its text: UTF-8, LF line ends, no byte-order mark (a GBK, UTF-16 or
Windows-saved file keeps every character, not its bytes). File names follow the seeds' form
`NNN_<16 hex>.txt`: the next three-digit number and the first 16 hex digits of the SHA-256 of the
stored bytes. (The five seeds' hex parts are not hashes of their bytes; only the form is shared.)
An article is "already in the corpus" when its text reads the same as one there after the corpus's
normalisation (`same_text`), whatever its encoding, byte-order mark, line ends or spacing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from geo import paths
from geo.corpus import decode, document_from_text, load_catalog, load_corpus, normalise
from geo.errors import GeoError

MAX_CHARS = 200_000            # a long feature is ~20,000; ten times that is no news article
MAX_TITLE = 300
_NAME = re.compile(r"^(\d{3})_[0-9a-f]{16}\.txt$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://[^\s]+$")


class AddError(GeoError):
    """The article was refused; nothing was changed."""


@dataclass
class Added:
    doc_id: str
    path: Path
    new_names: list[dict]
    known: int


def review_path(gazetteer_dir: Path) -> Path:
    return Path(gazetteer_dir) / "review" / "queue.yml"


def rejected_path(gazetteer_dir: Path) -> Path:
    return Path(gazetteer_dir) / "review" / "rejected.yml"


def read_rejected(gazetteer_dir: Path) -> set[str]:
    """Names a curator rejected in the review queue (`geo.review.reject`): never queued again."""
    path = rejected_path(gazetteer_dir)
    if not path.exists():
        return set()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise GeoError(f"{path}: the rejected names are not valid YAML ({exc})") from None
    return {e["surface"] for e in data if isinstance(e, dict) and isinstance(e.get("surface"), str)}


def read_queue(gazetteer_dir: Path) -> list[dict]:
    path = review_path(gazetteer_dir)
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise GeoError(f"{path}: the review queue is not valid YAML ({exc})") from None
    if not isinstance(data, list):
        raise GeoError(f"{path}: the review queue must be a list")
    return data


def _check_metadata(title: str, outlet: str, date: str, url: str | None, byline: str | None) -> None:
    if not (title or "").strip():
        raise AddError("missing metadata: --title is empty")
    if len(title) > MAX_TITLE:
        raise AddError(f"malformed metadata: --title is longer than {MAX_TITLE} characters")
    if not (outlet or "").strip():
        raise AddError("missing metadata: --outlet is empty")
    if not _DATE.match(date or ""):
        raise AddError(f"malformed metadata: --date {date!r} is not YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise AddError(f"malformed metadata: --date {date!r} is no calendar date") from None
    if day > dt.date.today():
        raise AddError(f"malformed metadata: --date {date} is in the future")
    if url is not None and not _URL.match(url):
        raise AddError(f"malformed metadata: --url {url!r} is not an http(s) address")
    if byline is not None and (not byline.strip() or "\n" in byline):
        raise AddError("malformed metadata: --byline must be one non-empty line")


def _read_article(file: Path) -> str:
    """The article's text as it is stored: the byte-order mark dropped, CR LF and CR line ends as LF."""
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        raise AddError(f"{file}: cannot read ({exc.strerror or exc})") from None
    try:
        text, _ = decode(data, str(file))
    except GeoError as exc:
        raise AddError(str(exc)) from None
    if len(text) > MAX_CHARS:
        raise AddError(f"{file}: {len(text):,} characters, over the limit of {MAX_CHARS:,} for one article")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def same_text(text: str) -> str:
    """What the duplicate check compares: the corpus's normalised copy (line ends, layout breaks,
    punctuation width, traditional → simplified) of the NFC text, without byte-order marks and blanks,
    so a re-saved or re-spaced copy of an article is recognised as the same text."""
    return "".join(normalise(unicodedata.normalize("NFC", text).replace("\ufeff", ""))[0].split())


def _next_name(seeds: Path, data: bytes) -> str:
    numbers = [int(m.group(1)) for p in seeds.glob("*.txt") if (m := _NAME.match(p.name))]
    return f"{max(numbers, default=-1) + 1:03d}_{hashlib.sha256(data).hexdigest()[:16]}"


def _catalog_entry(doc_id: str, title: str, outlet: str, date: str, url: str | None, byline: str | None,
                   districts: list[dict]) -> str:
    """The entry as YAML text in the catalog's own layout, to append (the file keeps its comments)."""
    entry = {
        "id": doc_id, "title": title.strip(), "subtitle": None, "outlet": outlet.strip(), "outlet_en": None,
        "byline": {"reporters": [], "correspondents": [], "as_printed": byline.strip()} if byline else None,
        "districts": districts, "date": date, "date_certainty": "given",
        "date_basis": "given by the curator with `geo add --date`", "url": url, "language": "zh-Hans",
        "added_by": "geo add",
    }
    body = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=110)
    return "".join("  " + line if line.strip() else line for line in body.splitlines(keepends=True))


def _districts(doc, gazetteer) -> list[dict]:
    """The Jinan districts the article names, most named first, with their codes."""
    from geo.geoparse import Geoparser

    counts: dict[str, int] = {}
    codes: dict[str, str] = {}
    parser = Geoparser(gazetteer)
    for m in parser.parse(doc)[0]:
        sense = parser.lexicon.by_id.get(m.place_id or "")
        if m.status == "known" and sense and sense.kind == "district" and sense.district:
            counts[sense.district] = counts.get(sense.district, 0) + 1
            place = gazetteer.places.get(sense.id)
            codes[sense.district] = place.adcode if place else sense.id.removeprefix("base/")
    return [{"name": d, "adcode": codes[d]} for d in sorted(counts, key=lambda d: (-counts[d], d))]


def add_article(file: Path, title: str, outlet: str, date: str, url: str | None = None, byline: str | None = None,
                seeds: Path = paths.SEEDS, gazetteer_dir: Path = paths.GAZETTEER, layers: Path = paths.LAYERS) -> Added:
    """Copy the article into `seeds`, catalogue it, rebuild `layers`, queue its new names."""
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import NEW, Geoparser
    from geo.build import build

    seeds, gazetteer_dir, layers = Path(seeds), Path(gazetteer_dir), Path(layers)
    _check_metadata(title, outlet, date, url, byline)
    text = _read_article(file)
    key = same_text(text)
    for doc in load_corpus(seeds):
        if same_text(doc.original) == key:
            raise AddError(f"{file}: already in the corpus as {doc.id}")
    data = text.encode("utf-8")
    gazetteer = load_gazetteer(gazetteer_dir)
    doc_id = _next_name(seeds, data)
    districts = _districts(document_from_text(doc_id, text), gazetteer)

    mentions, _ = Geoparser(gazetteer).parse(document_from_text(doc_id, text, {"districts": districts}))
    rejected = read_rejected(gazetteer_dir)
    new = [{"doc": doc_id, "surface": m.surface, "start": m.start, "end": m.end, "district": m.district,
            "score": m.score, "quote": m.quote, "added": dt.date.today().isoformat()}
           for m in mentions if m.status == NEW and m.surface not in rejected]

    # The queue is written first: it lives in the gazetteer folder, which the build may hash.
    target, catalog, queue = seeds / f"{doc_id}.txt", seeds / "catalog.yml", review_path(gazetteer_dir)
    saved = {p: p.read_bytes() if p.exists() else None for p in (catalog, queue)}
    try:
        _write_queue(queue, read_queue(gazetteer_dir) + new)
        target.write_bytes(data)
        with catalog.open("a", encoding="utf-8") as fh:
            if not saved[catalog].endswith(b"\n"):
                fh.write("\n")
            fh.write(_catalog_entry(doc_id, title, outlet, date, url, byline, districts))
        load_catalog(seeds)
        build(seeds, gazetteer_dir, layers, districts_path=layers / "districts.geojson")
    except BaseException:
        target.unlink(missing_ok=True)
        for path, old in saved.items():
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)
        raise
    return Added(doc_id, target, new, sum(1 for m in mentions if m.status == "known"))


def _write_queue(path: Path, queue: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("# New place names found by `geo add`, for curators: add each to a gazetteer or drop it.\n"
                   + yaml.safe_dump(queue, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
    tmp.replace(path)
