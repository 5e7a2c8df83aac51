"""Every name the extractor knows, with all its senses: curated places, the base gazetteer of Jinan
(divisions, landmarks), extra senses of ambiguous names, and names outside Jinan.

A *sense* is one place a name can stand for. Several senses may share a form (宏济堂: a museum on
经二路 and the old shop on 泉城路; 市中区: Jinan's district and Zaozhuang's); `geo.geoparse` chooses
between them by context. The curated gazetteer (`geo/gazetteer/*.yml`) is matched exactly as
`geo.curated` always did; the other names go into a second automaton here.
Longer than 250 lines because the readers of each base-gazetteer file and the matcher (which must
give exactly the whole-text matches while reading only part of a long text) share these records.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import ahocorasick
import ahocorasick_rs
import yaml

from geo.corpus import normalise_text
from geo.gazetteer import Gazetteer, GazetteerError

# Names that are Jinan's own but may also name a place elsewhere (outside.csv's also_in_jinan).
KNOWN, OUTSIDE = "known", "outside"
# Kinds that name an administrative unit: a district-level one gives its name to what is near it.
DIVISION_KINDS = {"district", "township", "village", "city"}


@dataclass(frozen=True)
class Sense:
    """One place a name may stand for."""

    id: str
    name: str
    status: str                      # known | outside
    kind: str
    district: str | None
    placed: bool                     # we have a geometry for it
    curated: bool = False
    cues: tuple[str, ...] = ()       # words that, near the name, point to this sense
    since: str | None = None         # ISO date the place exists from (a museum opened in 2010 …)
    until: str | None = None
    also_in_jinan: bool = False      # an outside name that Jinan has too (市中区)


@dataclass
class Lexicon:
    senses: dict[str, list[Sense]] = field(default_factory=dict)    # normalised form → senses
    short: set[tuple[str, str]] = field(default_factory=set)        # (form, sense id) needing an anchor
    listed: set[tuple[str, str]] = field(default_factory=set)       # (form, sense id) only in a list
    needs_parent: dict[str, tuple[str, ...]] = field(default_factory=dict)   # sense id → its city's forms
    by_id: dict[str, Sense] = field(default_factory=dict)
    automaton: ahocorasick.Automaton | None = None                  # forms no curated place has
    finder: ahocorasick_rs.AhoCorasick | None = None                # the same forms: where any occurs
    alphabet: frozenset[str] = frozenset()                          # every character of those forms
    words: list[str] = field(default_factory=list)                  # every Jinan form: jieba's user dictionary

    def add(self, sense: Sense, forms: list[str], short_forms: list[str] = ()) -> None:
        self.by_id.setdefault(sense.id, sense)
        for form, is_short in [(f, False) for f in forms] + [(f, True) for f in short_forms]:
            key = normalise_text(form.strip())
            if len(key) < 2:
                continue
            bucket = self.senses.setdefault(key, [])
            if all(s.id != sense.id for s in bucket):
                bucket.append(sense)
            if is_short and (key, sense.id) not in self.listed:
                self.short.add((key, sense.id))

    def refine(self, sense_id: str, cues: tuple[str, ...], since=None, until=None) -> None:
        old = self.by_id[sense_id]
        new = replace(old, cues=old.cues + cues, since=str(since) if since else old.since,
                      until=str(until) if until else old.until)
        self.by_id[sense_id] = new
        for bucket in self.senses.values():
            bucket[:] = [new if s is old else s for s in bucket]

    def finish(self, first_freq: dict[str, int] | None = None) -> "Lexicon":
        """Build the automaton. pyahocorasick finds a node's child by a linear scan in insertion
        order, and the root has a child per first character (over a thousand): adding the names
        whose first character starts the most words first (`first_freq`) makes that scan short
        for common text. The trie, and so every match, is the same in any order."""
        self.automaton = ahocorasick.Automaton()
        keys = [key for key, bucket in self.senses.items() if not any(s.curated for s in bucket)]
        for key in sorted(keys, key=lambda k: -(first_freq or {}).get(k[0], 0)):
            self.automaton.add_word(key, len(key))
        self.automaton.make_automaton()
        self.finder = ahocorasick_rs.AhoCorasick(keys) if keys else None
        self.alphabet = frozenset("".join(keys))
        self.words = sorted(k for k, b in self.senses.items() if any(s.status == KNOWN for s in b))
        return self

    def matches(self, norm: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest matches of the non-curated forms: (start, end, form) in `norm`.

        pyahocorasick's `iter_long` decides which matches these are; it runs only on the stretches
        of text around the places where some form occurs (`finder`, a compiled automaton, finds
        those at C speed). A stretch ends at characters that no form contains: there
        `iter_long`'s state is back at the root with nothing pending, so reading the stretches
        alone gives exactly the matches of reading the whole text."""
        out: list[tuple[int, int, str]] = []
        if self.finder is None:
            return out
        n, alphabet = len(norm), self.alphabet
        hi = -1
        # Non-overlapping matches, in text order: a stretch holding any form holds one of them.
        for _, s, e in self.finder.find_matches_as_indexes(norm):
            if s < hi:
                continue                      # in the stretch just read
            lo, hi = s, e
            while lo and norm[lo - 1] in alphabet:
                lo -= 1
            while hi < n and norm[hi] in alphabet:
                hi += 1
            # The character after the stretch (no form has it), or the "\n" sentinel at the end:
            # pyahocorasick's iter_long drops a last match when its text ends inside a longer key.
            stretch = norm[lo:hi + 1] if hi < n else norm[lo:] + "\n"
            for end_incl, length in self.automaton.iter_long(stretch):
                start = lo + end_incl + 1 - length
                out.append((start, lo + end_incl + 1, norm[start:lo + end_incl + 1]))
        return out


def _read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _forms(row: dict) -> list[str]:
    return [f for f in (row.get("forms") or "").split("|") if f.strip()] or [row["name"]]


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes")


# A village written without 村/社区 is a name only when it still looks like one (宋家桥, 常旗屯);
# two-character short forms (丁家, 华阳, 新建) are ordinary words far more often than villages.
VILLAGE_ENDINGS = tuple("庄屯营峪桥庙店寨集铺堡洼坡沟岭湾窝园苑")


# How often jieba's corpus must have seen a two-character form for it to be an ordinary word
# (太平, 大桥, 新建 are; 圣井, 雪野 — seen a handful of times — are the places' names).
COMMON_FREQ = 30
# Forms of the outside list that are common nouns, never names (全国 "the whole country").
NOT_NAMES = {"全国", "全省", "省会", "全市"}


def _division_forms(row: dict, common_words) -> tuple[list[str], list[str]]:
    """(forms, list-only forms) of a division. A two-character short form that is an ordinary word
    (太平, 大桥, 丁家: in jieba's dictionary) counts only as an item of a list of 街道 (太平、孙耿、
    桑梓店等8个街道); one that is no word (雪野, 圣井, 葛庄) counts wherever it stands alone."""
    forms, listed = [], []
    stem = re.sub("(街道|镇|乡)$", "", row["name"])
    if row["level"] == "township" and len(stem) == 2 and stem not in _forms(row) \
            and common_words.get(stem, 0) >= COMMON_FREQ:
        listed.append(stem)                  # 大桥街道 → 大桥, in a list of 街道 only (else a bridge)
    for f in _forms(row):
        if f == row["name"] or row["level"] == "district" or len(f) >= 4 and row["level"] == "township":
            forms.append(f)
        elif len(f) == 2 and common_words.get(f, 0) >= COMMON_FREQ:
            if row["level"] == "township":
                listed.append(f)
        elif len(f) == 2 or f.endswith(VILLAGE_ENDINGS) or f.endswith(("村", "社区", "居委会")) \
                or row["level"] == "township":
            forms.append(f)
    return forms, listed


def _parent_forms(parent: str) -> tuple[str, ...]:
    """山东省枣庄市 → (枣庄市, 枣庄): how the city is written right before a county's name."""
    city = re.split("省|自治区", parent)[-1] or parent
    return tuple(f for f in {city, city.removesuffix("市")} if len(f) >= 2)


def _base_senses(folder: Path, lex: Lexicon, curated: dict[str, Sense], common_words) -> None:
    curated_ids = {sense.id: sense for sense in curated.values()}
    """The base gazetteer (branch `base`): divisions.csv, landmarks.yml, outside*.csv. A base record
    that is a curated place (历下区) takes the curated id, so both read as the same place."""
    for row in _read_csv(folder / "divisions.csv"):
        same = curated.get(normalise_text(row["name"]))
        district = row.get("district") or None
        if same and same.district == district:
            sense = replace(same, curated=False)
        else:
            sense = Sense(f"base/{row['code']}", row["name"], KNOWN, row["level"], district, False)
        forms, listed = _division_forms(row, common_words)
        lex.listed.update((normalise_text(f), sense.id) for f in listed)
        lex.add(sense, forms, listed)
    path = folder / "landmarks.yml"
    for rec in (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or []:
        districts = rec.get("districts") or []
        same = rec.get("same_as") and curated_ids.get(rec["same_as"])
        if same:
            sense = replace(same, curated=False)
        else:
            sense = Sense(rec["id"], rec["name"], KNOWN, rec.get("kind") or "landmark",
                          districts[0] if len(districts) == 1 else None, bool(rec.get("geometry")))
        lex.add(sense, [rec["name"], *(rec.get("forms") or [])])
    for name in ("outside.csv", "outside_extra.csv"):
        for row in _read_csv(folder / name):
            parent = row.get("parent") or ""
            sense = Sense(f"outside/{row['name']}@{parent}", row["name"], OUTSIDE, row.get("kind") or "place",
                          None, False, also_in_jinan=_flag(row.get("also_in_jinan")))
            forms = [f for f in _forms(row) if f not in NOT_NAMES and not (
                len(f) == 2 and common_words.get(f, 0) >= COMMON_FREQ and row.get("kind") not in ("province", "prefecture", "country"))]
            if row.get("kind") == "county" and len(row["name"]) <= 3 and row["name"].endswith("区"):
                # 城区, 新城区, 市中区: ordinary words or Jinan's own unless their city is written first
                lex.needs_parent[sense.id] = _parent_forms(parent)
            lex.add(sense, forms)


def _extra_senses(folder: Path, lex: Lexicon) -> None:
    """`geo/gazetteer/senses/*.yml`: second senses of names the other gazetteers already hold."""
    for path in sorted(folder.glob("*.yml")):
        try:
            records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            raise GazetteerError(f"{path}: not valid YAML ({exc})") from None
        for rec in records:
            if rec.get("id") in lex.by_id:         # cues and dates for a sense held elsewhere
                lex.refine(rec["id"], tuple(rec.get("cues") or ()), rec.get("since"), rec.get("until"))
                continue
            try:
                sense = Sense(rec["id"], rec["name"], KNOWN, rec["kind"], rec.get("district"),
                              bool(rec.get("geometry")), cues=tuple(rec.get("cues") or ()),
                              since=str(rec["since"]) if rec.get("since") else None,
                              until=str(rec["until"]) if rec.get("until") else None)
            except (KeyError, TypeError):
                raise GazetteerError(f"{path}: record {rec!r} needs id, name, kind") from None
            lex.add(sense, [rec["name"], *(rec.get("aliases") or [])], rec.get("short_aliases") or [])


def build_lexicon(gazetteer: Gazetteer, folder: Path | None = None) -> Lexicon:
    """The curated places plus whatever the gazetteer folder's `base/` and `senses/` hold."""
    lex = Lexicon()
    curated = {}
    for p in gazetteer:
        sense = Sense(p.id, p.name, KNOWN, p.kind, p.district, True, curated=True)
        lex.add(sense, p.full_forms, p.short_aliases)
        curated.update((normalise_text(f), sense) for f in p.full_forms)
    folder = Path(folder or gazetteer.folder or ".")
    common_words = _jieba_words()
    _base_senses(folder / "base", lex, curated, common_words)
    _extra_senses(folder / "senses", lex)
    return lex.finish(_first_char_freq(common_words))


def _jieba_words():
    """jieba's dictionary: which short forms are ordinary words."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba.dt.FREQ


def _first_char_freq(words: dict[str, int]) -> dict[str, int]:
    """How often (summed word frequency) a character starts a word: how common it is in text."""
    out: dict[str, int] = {}
    for w, f in words.items():
        if f:
            out[w[0]] = out.get(w[0], 0) + f
    return out


_BUILT: dict[int, tuple[Gazetteer, Lexicon]] = {}


def lexicon_for(gazetteer: Gazetteer) -> Lexicon:
    """One lexicon per loaded gazetteer (building it reads thousands of base records)."""
    hit = _BUILT.get(id(gazetteer))
    if hit is None or hit[0] is not gazetteer:
        if len(_BUILT) > 8:
            _BUILT.clear()
        hit = _BUILT[id(gazetteer)] = (gazetteer, build_lexicon(gazetteer))
    return hit[1]
