"""Gold articles of the second annotator (branch gold2): the files are well formed, so that recall and
precision measured against them mean something (an offset off by one would count a hit as a miss)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ARTICLES = Path(__file__).resolve().parent / "gold" / "articles"

# Huaiyin, Shizhong, Tianqiao, Changqing, Laiwu/Gangcheng/Pingyin/Shanghe; the other annotator's ids differ.
IDS = (
    "hy-2018-xiaoqinghe-villages",
    "hy-2020-jinghu-parlour",
    "tq-2024-sangzidian-plan",
    "gc-2025-village-industry",
    "cq-2021-wenchang-renewal",
    "py-2022-yudai-meixiang",
    "tq-2018-qiyan-jiudian",
    "lw-2021-xueye-parlour",
    "hy-2018-xingjihe-river",
    "sh-2020-wenquan-huadu",
)
PREFIXES = {"hy", "sz", "tq", "cq", "lw", "gc", "py", "sh"}
REQUIRED = ("url", "title", "outlet", "date", "districts", "retrieved", "excerpt", "places")
STATUSES = {"jinan", "outside"}
TYPES = {"zone", "project", "road", "landmark", "division", "other"}
JINAN_DISTRICTS = {"历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区", "莱芜区", "钢城区",
                   "平阴县", "商河县"}


def load(article_id: str) -> tuple[dict, str]:
    meta = yaml.safe_load((ARTICLES / f"{article_id}.yml").read_text(encoding="utf-8"))
    text = (ARTICLES / f"{article_id}.txt").read_text(encoding="utf-8")
    return meta, text


@pytest.mark.parametrize("article_id", IDS)
def test_metadata_is_complete(article_id: str) -> None:
    meta, text = load(article_id)
    assert isinstance(meta, dict)
    for field in REQUIRED:
        assert field in meta, field
    assert re.match(r"https?://\S+$", meta["url"]), meta["url"]
    assert re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", str(meta["date"])), meta["date"]
    assert 2018 <= int(str(meta["date"])[:4]) <= 2025
    assert isinstance(meta["excerpt"], bool)
    assert meta["districts"] and set(meta["districts"]) <= JINAN_DISTRICTS
    assert meta["title"].strip() and meta["outlet"].strip() and meta["retrieved"].strip()
    assert text.strip() and "\ufffd" not in text


@pytest.mark.parametrize("article_id", IDS)
def test_every_annotation_slices_its_surface(article_id: str) -> None:
    meta, text = load(article_id)
    places = meta["places"]
    assert places
    for p in places:
        assert {"surface", "start", "end", "status", "type", "district"} <= set(p), p
        assert set(p) <= {"surface", "start", "end", "status", "type", "district", "note"}, p
        assert text[p["start"]:p["end"]] == p["surface"], p
        assert p["status"] in STATUSES, p
        assert p["type"] in TYPES, p
        assert p["district"] is None or p["district"] in JINAN_DISTRICTS, p
        if p["status"] == "outside":
            assert p["district"] is None, p


@pytest.mark.parametrize("article_id", IDS)
def test_annotations_do_not_overlap(article_id: str) -> None:
    meta, _ = load(article_id)
    spans = sorted((p["start"], p["end"]) for p in meta["places"])
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2, ((s1, e1), (s2, e2))


@pytest.mark.parametrize("article_id", IDS)
def test_every_occurrence_of_an_annotated_name_is_annotated(article_id: str) -> None:
    """A name annotated once but skipped elsewhere would make the extractor look wrong where it is right."""
    meta, text = load(article_id)
    covered = [False] * len(text)
    for p in meta["places"] + meta.get("not_places", []):
        covered[p["start"]:p["end"]] = [True] * (p["end"] - p["start"])
    for surface in {p["surface"] for p in meta["places"]}:
        for m in re.finditer(re.escape(surface), text):
            assert all(covered[m.start():m.end()]), (surface, m.start())


@pytest.mark.parametrize("article_id", IDS)
def test_deliberate_omissions_are_recorded_with_a_reason(article_id: str) -> None:
    """`not_places` ({surface, start, end, why}) lists occurrences of a place name left out on purpose (inside an
    outlet's or an organisation's name, a plan's title), so the completeness check can tell them from oversights."""
    meta, text = load(article_id)
    for q in meta.get("not_places", []):
        assert text[q["start"]:q["end"]] == q["surface"], q
        assert q["why"].strip(), q


def test_the_set_is_ours_and_complete() -> None:
    """Every listed article has both files, and none of ours (by district prefix) lies on disk unlisted."""
    for article_id in IDS:
        assert (ARTICLES / f"{article_id}.txt").is_file() and (ARTICLES / f"{article_id}.yml").is_file()
    assert len(IDS) == len(set(IDS))
    ours = {p.stem for p in ARTICLES.glob("*.yml") if p.stem.split("-")[0] in PREFIXES}
    assert ours == set(IDS)
