"""The hand-annotated gold articles of the `gold` annotator (tests/gold/articles/, issue 11).

They are the yardstick for the extractor's recall and precision on articles from outside the seeds,
so a slip in them (an offset one off, a repeated name left unannotated, an unknown type) would
silently skew every score. The rules are in tests/gold/articles/GUIDELINES.md.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ARTICLES = Path(__file__).parent / "gold" / "articles"

# The articles annotated on the `gold` branch; the `gold2` annotator's are checked by their own test.
MINE = (
    "qbq-2021-fangan",
    "qbq-2024-sanzhounian",
    "lx-2025-gucheng",
    "zq-2019-xiangmu",
    "zq-2025-zhengfu",
    "lc-2021-huashan",
    "gx-2024-dongqu",
    "qbq-2022-jibin",
    "lc-2019-huashan-binhai",
    "lx-2020-xiyuanmen",
    "jy-2019-xianxingqu",
    "lx-2025-gucheng-xinbian",
    "lx-2019-cbd-xianggang",
    "lx-2023-cbd-zongbu",
    "zq-2024-shengjing",
    "jy-2024-nongcunlu",
    "jy-2021-jiyangjiedao",
)

REQUIRED = ("url", "title", "outlet", "date", "districts", "retrieved", "excerpt", "places")
PLACE_KEYS = {"surface", "start", "end", "status", "type", "district"}
STATUSES = {"jinan", "outside"}
TYPES = {"zone", "project", "road", "landmark", "division", "other"}
DISTRICTS = {
    "历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区",
    "莱芜区", "钢城区", "平阴县", "商河县",
}


def load(article: str) -> tuple[str, dict[str, Any]]:
    """The article's text and its parsed metadata."""
    text = (ARTICLES / f"{article}.txt").read_bytes().decode("utf-8")
    meta = yaml.safe_load((ARTICLES / f"{article}.yml").read_text(encoding="utf-8"))
    return text, meta


@pytest.mark.parametrize("article", MINE)
def test_metadata_is_complete(article: str) -> None:
    text, meta = load(article)
    assert text.strip(), "empty article"
    missing = [key for key in REQUIRED if key not in meta]
    assert not missing, f"{article}.yml lacks {missing}"
    assert re.fullmatch(r"https?://\S+", meta["url"]), meta["url"]
    assert meta["title"] and meta["outlet"] and meta["retrieved"]
    assert re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", str(meta["date"])), meta["date"]
    assert 2018 <= int(str(meta["date"])[:4]) <= 2025
    assert isinstance(meta["excerpt"], bool)
    assert meta["districts"] and all(isinstance(d, str) for d in meta["districts"])
    assert meta["places"], "no annotations"


@pytest.mark.parametrize("article", MINE)
def test_annotations_slice_the_text(article: str) -> None:
    text, meta = load(article)
    for place in meta["places"]:
        assert PLACE_KEYS <= set(place) <= PLACE_KEYS | {"note"}, place
        assert text[place["start"]:place["end"]] == place["surface"], place
        assert place["status"] in STATUSES, place
        assert place["type"] in TYPES, place
        if place["status"] == "outside":
            assert place["district"] is None, place
        else:
            assert place["district"] is None or place["district"] in DISTRICTS, place


@pytest.mark.parametrize("article", MINE)
def test_annotations_do_not_overlap(article: str) -> None:
    _, meta = load(article)
    spans = sorted((p["start"], p["end"]) for p in meta["places"])
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start >= end, f"overlap at {start} in {article}"


@pytest.mark.parametrize("article", MINE)
def test_places_left_out_on_purpose_are_not_also_annotated(article: str) -> None:
    """An occurrence is either a place or excused, not both (a shorter place may overlap an excused
    longer reading, as 济南 + 市民 against 济南市)."""
    _, meta = load(article)
    annotated = {(p["start"], p["end"]) for p in meta["places"]}
    for skipped in meta.get("not_places", []):
        assert (skipped["start"], skipped["end"]) not in annotated, skipped


@pytest.mark.parametrize("article", MINE)
def test_every_occurrence_of_an_annotated_name_is_accounted_for(article: str) -> None:
    """A name annotated once is annotated everywhere, unless a longer name covers it or the file
    says why not (`not_places`): the usual slip of a hand annotator is the second mention."""
    text, meta = load(article)
    covered = [(p["start"], p["end"]) for p in meta["places"]]
    excused = {(n["start"], n["end"]) for n in meta.get("not_places", [])}
    for skipped in meta.get("not_places", []):
        assert text[skipped["start"]:skipped["end"]] == skipped["surface"], skipped
        assert skipped["why"], skipped
    for surface in {p["surface"] for p in meta["places"]}:
        for found in re.finditer(re.escape(surface), text):
            start, end = found.span()
            inside = any(a <= start and end <= b for a, b in covered)
            inside_excused = any(a <= start and end <= b for a, b in excused)
            assert inside or inside_excused, f"{surface!r} at {start} in {article} is not annotated"


def test_every_article_has_both_files() -> None:
    for article in MINE:
        assert (ARTICLES / f"{article}.txt").is_file() and (ARTICLES / f"{article}.yml").is_file()
