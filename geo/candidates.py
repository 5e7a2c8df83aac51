"""Place-like names that the gazetteer lacks, for a curator to review.

Heuristics (see README, "Candidates"):
1. Segment the normalised text with jieba (part-of-speech tagging).
2. A candidate ends with a word that ends in a place suffix (园, 区, 中心, 广场, 公园, 路, 街,
   大道, 小镇, 基地, 馆, 医院, 湖, 山, 大厦, 研究院, 商圈 …).
3. It extends left over name-like words (nouns, place and organisation names, Latin words,
   numbers, nominal verbs) and stops at punctuation, function words and the common planning verbs
   (打造, 推进, 建设 …).
4. It must be at least four characters, not a generic word (城区, 园区, 全区 …), and not overlap a
   name the gazetteer already matches.
Known misses: names that start with a verb jieba tags as such (创新 in 济南国际创新设计产业园
is kept only because it is inside the run), names split over a quote mark, suffix-less names
(齐鲁之门, 印象济南), and generic compounds ending in a suffix (e.g. 特色街区) that slip through.
"""
from __future__ import annotations

from functools import lru_cache

from geo.corpus import Document
from geo.extract import Extractor
from geo.gazetteer import Gazetteer

SUFFIXES = ("产业园", "公园", "广场", "大道", "小镇", "基地", "医院", "大厦", "研究院", "商圈", "片区",
            "中心", "街区", "高速", "园", "区", "路", "街", "馆", "湖", "山", "谷", "城", "里")
NAME_FLAGS = {"n", "ns", "nr", "nrt", "nz", "nt", "j", "eng", "vn", "b", "s", "m", "nrfg", "an", "l"}
STOP_WORDS = {"打造", "推进", "建设", "加快", "实施", "依托", "推动", "提升", "围绕", "发展", "引进",
              "开展", "完善", "启动", "整合", "培育", "构建", "落实", "做好", "做大", "做强", "全力", "荣获",
              "动员", "助力", "发挥", "充分", "全年", "科学合理", "设置",
              "加强", "重点", "着力", "持续", "全面", "积极", "聚焦", "高标准", "优化", "成立", "举办"}
GENERIC = {"城区", "园区", "全区", "辖区", "社区", "市区", "地区", "该区", "景区", "片区", "城市", "中心城区",
           "示范区", "开发区", "产业园", "产业园区", "主城区", "新区", "老城区", "功能区", "服务中心",
           "一流中心城区", "中心城", "服务区", "试验区", "核心区", "先行区", "集聚区", "消费中心"}
GENERIC_ENDINGS = ("城区", "公里", "全区", "社区", "地区", "园区")
MAX_WORDS = 6


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg


def find_candidates(doc: Document, gazetteer: Gazetteer, extractor: Extractor | None = None) -> list[dict]:
    """Candidate names with offsets into the original text, in text order, each reported once per place."""
    known = [(m.nstart, m.nend) for m in (extractor or Extractor(gazetteer)).mentions(doc)]
    words, pos = [], 0
    for w in _posseg().cut(doc.norm):
        words.append((pos, pos + len(w.word), w.word, w.flag))
        pos += len(w.word)
    out = []
    for i, (_, wend, word, _) in enumerate(words):
        if not word.endswith(SUFFIXES) or (i + 1 < len(words) and words[i + 1][2].endswith(SUFFIXES)):
            continue
        j = i
        while j > 0 and i - j + 1 < MAX_WORDS and _name_like(words[j - 1]):
            j -= 1
        nstart = words[j][0]
        text = doc.norm[nstart:wend]
        if len(text) < 4 or text in GENERIC or text[0].isdigit() or text.endswith(GENERIC_ENDINGS):
            continue
        if any(s < wend and nstart < e for s, e in known):
            continue
        start, end = doc.orig_span(nstart, wend)
        out.append({"surface": doc.original[start:end], "start": start, "end": end})
    return out


def _name_like(word) -> bool:
    _, _, text, flag = word
    return flag in NAME_FLAGS and text not in STOP_WORDS and not text.isspace()
