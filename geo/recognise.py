"""Recognise Jinan place names that no gazetteer holds: a name stem plus a place suffix.
Longer than 250 lines because the grammar's word lists (suffixes, stop words, generic heads) are
part of it, kept beside the rules that read them.

The grammar (see README, "How the text is read"):
1. Find every place suffix (路, 大街, 街道, 村, 片区, 公园, 湖, 山 …) with one Aho–Corasick pass.
2. Segment only a short window before each suffix with jieba, whose user dictionary holds every
   gazetteer name (so 解放东路 and 大明湖 are words, not the verb 解放 or the name 大明); names
   already matched are single tokens of the window.
3. The suffix must end a word (山 in 山东 does not), and the name extends left over name-like words
   (nouns, place names, directions, known names) — never over planning verbs (新建, 打造, 启动 …),
   counts (30余条), pronouns, time words or punctuation.
4. The stem must be a proper name: a known name, a word jieba's dictionary lacks (jieba's HMM
   proposes those; most are names), a proper-noun tag, or for roads a numeral/direction stem
   (经十路, 二环东路), or the whole item of an enumeration (老县委旧址、大士阁等). Generic heads and
   generic stems (城市公园, 特色街区, 道路) are not names.
5. Boundary phrases of 四至 texts (东至X，西至Y…) are cut after the direction word, and their objects
   are places by construction, suffix or not.
6. Names without a suffix: metro lines by number (轨道交通8号线); names in quotes before a zone
   or project head (“九龙观澜”片区, “花开辛庄”28个村) with their repeats in the text; unnamed items of
   an enumeration whose other items are known places (鞭指巷、芙蓉街、王府池、起凤桥).
A known name followed by a place head forms a new, longer name (大明湖 + 东门广场 = 大明湖东门广场):
the longest complete name wins, as for known names — but a road followed by a generic head is the
road (解放东路商业街 is reported as 解放东路); a line followed by its station or exit is one name
(胶济铁路章丘站, 济青高速白云湖出入口).
"""
from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import ahocorasick

# Suffix → its class. Longer suffixes win at the same end (风景名胜区 over 区 …).
SUFFIXES = {
    **dict.fromkeys(("路", "大街", "街", "巷", "大道", "胡同", "高架", "高速", "隧道", "大桥", "桥", "环线", "北延线", "外环", "内环", "高铁", "铁路",
                     "南延线", "东延线", "西延线", "延长线"), "road"),
    **dict.fromkeys(("街道", "镇", "村", "社区", "庄", "屯"), "division"),
    **dict.fromkeys(("片区", "街区", "产业园", "科技园", "工业园", "物流园", "产业基地", "基地", "小镇", "新城",
                     "商圈", "组团", "开发区", "高新区", "示范区", "试验区", "先行区", "起步区", "功能区", "集聚区",
                     "走廊", "风貌带"), "zone"),
    **dict.fromkeys(("景区", "风景区", "风景名胜区", "公园", "湿地公园", "湿地", "湖", "泉", "泉群", "山", "河", "水库",
                     "广场", "商业街", "步行街", "古城", "古村", "老街", "闸", "站", "车站", "高铁站", "机场", "码头",
                     "大学城", "遗址", "墓", "汉墓"), "landmark"),
    **dict.fromkeys(("博物馆", "纪念馆", "美术馆", "图书馆", "体育馆", "体育场", "医院", "大厦", "研究院",
                     "研究所", "实验室", "华侨城", "综合体", "寺", "阁", "旧址", "花园", "宾馆", "商城"), "project"),
}
STRONG = {"road", "division", "landmark"}
# Words that end a name going left: planning verbs and their adverbs, even where jieba tags them
# as nouns or place names (新建 is tagged ns).
STOP = set("""新建 源头 附近 周边 沿线 沿岸 两岸 两侧 一带 境内 以 最美 最 更 运营 建成 推出 拥有 打造 启动 推进 实施 充分 发挥 建设 加快 推动 提升 围绕 发展 引进 开展 完善 整合 培育 构建 落实
做好 做大 做强 全力 荣获 动员 助力 依托 科学合理 设置 加强 重点 着力 持续 全面 积极 聚焦 高标准 优化 成立 举办
改造 整治 提升 修建 新增 规划 位于 地处 坐落 连接 贯通 打通 建成 开工 竣工 投用 启用 开放 入驻 落户 落地 签约
实现 形成 完成 力争 争创 创建 申报 获批 获评 设立 以及 及 和 与 或 等 的 在 于 为 是 将 对 向 从 到 至 沿 由
今年 去年 明年 目前 当前 此外 同时 其中 包括 如 像 全区 全市 全省 全国 我市 我区 该区 本区 各区 辖区 区内 市内
一批 一个 一条 一座 一处 多个 多条 多处 若干 各类 各个 这 那 此 该 其 个 座 条 处 所 家 项 项目 地标 集团 公司
这座 那座 这条 那条 这个 那个 这里 那里 这片 那片""".split())
# Flags of words a name may be made of (jieba's tag set) …
NAME_FLAGS = {"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "eng", "s", "f", "b", "an", "ng", "vn", "z", "KNOWN",
              "OOV", "ROADSTEM"}
# … and of the words that make it a proper name.
PROPER_FLAGS = {"nr", "nrt", "nrfg", "ns", "nt", "nz", "KNOWN", "OOV"}
# Proper-looking words that are generic in this press (jieba tags 城市 and 东路 as place names).
COMMON = set("""城市 东路 西路 南路 北路 中路 东门 西门 南门 北门 东部 西部 南部 北部 中部 东侧 西侧 南侧 北侧 中心 市区 城区
老城 新城 主城 全域 区域 省会 国家 国际 中国 全国 新区 开发 高新 科技 产业 创新 数字 智慧 文化 旅游 生态 绿色 现代
健康 医养 商务 金融 总部 综合 特色 口袋 城市 社区 农村 乡村 美丽 幸福 和谐 未来 示范 重点 标准 一流 核心 中央
高端 高速 齐鲁 四好 研学 步行 车行 人行 大都市 国际化 省级 都市 养老 服务 会议 最美 一流 主次 干道 主干 自贸 城市更新""".split())
GENERIC = set("""城区 园区 片区 街区 社区 景区 新城 广场 中心 基地 道路 马路 公路 大街 街道 村庄 乡村 农村 湖泊 山体
河道 车站 公园 湿地 小镇 商圈 开发区 高新区 示范区 试验区 先行区 功能区 集聚区 城市公园 口袋公园 街头公园 山体公园
主干路 次干路 支路 快速路 高速路 城市道路 背街小巷 特色街区 特色小镇 商业街 步行街 老街 古城 研究院 研究所 实验室 城中村 文明村 示范村 样板村 美丽乡村 和美乡村 美乡村 农村路 研学基地
温泉基地 开放式公园 景区公园 一带一路 铁路 公路 高速公路 思路 线路 网路 出路 门路 套路 一路 高楼大厦 胡同巷""".split())
# A name does not start with a count word, conjunction or particle (30余条道路 → 余条道路).
NOT_FIRST = set("余多个条座处所家项等及和与或的之第各")
FUNCTION_CHARS = set("将在的了和与及把被向从对为是有等建以也都就还又并而且或")
DIRECTIONS = set("东 西 南 北 东部 西部 南部 北部 东侧 西侧 南侧 北侧 东南 东北 西南 西北".split())
RURAL = {"乡村", "城中村", "村庄", "农村"}
CITY = {"济南", "济南市", "泉城"}
CITY_GENERIC = {"街区", "新城", "片区", "公园", "广场", "城区"}
GENERIC_PREFIXES = ("美乡村", "美丽乡村", "乡村振兴", "特色", "四好", "国家级", "省级", "市级", "红色", "赋能", "一些", "新时代",
                    "半壁江山", "山泉河湖")
COUNTED = re.compile("[一二两三四五六七八九十]+大")     # 四大泉群, 两大乡村: a count, not a name
SHORT_OK = {"山", "泉", "湖", "河", "庄", "屯", "峪"}
# Characters of generic landscape words: an unknown word made only of them (河湖, 山水) is no name.
LANDSCAPE = set("山水泉河湖江海林田草城乡村路街园区")
ROAD_STEM = re.compile(r"^(?:[经纬][一二三四五六七八九十]{1,3}|[一二三]环[东西南北]?|[东西南北]?[外内]环[东西南北]?|"
                       r"[一二三四五六七八九十]{1,3}[号里]?|[东西南北中]+)$")
HARD_BREAK = "，,。；;：:！!？?、\n()（）《》“”‘’\"'「」『』【】[] \t"
# 四至: "东至X，西至Y，南至Z，北至W" (also 东起/西到/南临/北邻, and 东至于X).
SIZHI = re.compile(r"(?:(?<=[，,；;：:、。\n\s])|^)[东南西北](?:至于|至|到|起|止|临|邻|靠|接)")
SIZHI_LEAD = re.compile(r"[东南西北](?:至于|至|到|临|邻|靠|接)")
SIZHI_TRIM = re.compile(r"(?:以[东南西北]|一线|沿线|边界|界|路口|交界处|附近|为界)+$")
_LAST_BREAK = re.compile(f"[{re.escape(HARD_BREAK)}][^{re.escape(HARD_BREAK)}]*$")
# Metro lines are written by number (轨道交通8号线, 地铁3号线, 轨道交通R1线).
METRO = re.compile(r"(?:轨道交通|地铁)(?:[0-9一二三四五六七八九十]+号|[A-Z][0-9]+号?)线")
LINES = ("铁路", "高铁", "高速", "城际")
LINE_EXITS = ("出入口", "收费站", "互通立交", "互通", "服务区", "立交")
WINDOW = 16                    # characters segmented before a suffix
MAX_NAME = 20
MAX_WORDS = 6


@dataclass(frozen=True)
class NewName:
    start: int                 # in the normalised text
    end: int
    score: float
    rule: str                  # suffix class, or "sizhi"
    absorbs: tuple[int, ...] = ()   # starts of known spans the name contains (大明湖 in 大明湖东门广场)


class Recognizer:
    """The grammar over one lexicon; build once, then `find` in many documents."""

    def __init__(self, user_words: list[str]):
        import jieba
        import jieba.posseg

        jieba.setLogLevel(60)
        jieba.initialize()
        self.plain = jieba.dt                # jieba's dictionary as shipped; we never add to it
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        self.flags = jieba.posseg.dt.word_tag_tab
        self.known_words = set(user_words)
        for w in user_words:
            if 2 <= len(w) <= MAX_NAME:
                self.tokenizer.add_word(w, 50, "ns")
        self.suffixes = ahocorasick.Automaton()
        for s in SUFFIXES:
            self.suffixes.add_word(s, s)
        self.suffixes.make_automaton()

    # ------------------------------------------------------------------ tokens

    def _flag(self, word: str) -> str:
        if word in self.known_words:
            return "KNOWN"
        flag = self.flags.get(word)
        if flag is None:
            return "OOV" if len(word) >= 2 and all(_cjk(c) for c in word) else "x"
        return flag

    def _tokens(self, norm: str, lo: int, hi: int, spans, starts) -> list[tuple[int, int, str, str]]:
        """Words of norm[lo:hi]; a known span is one token (flag KNOWN, or FIXED when it may not
        be part of a longer name)."""
        out, pos = [], lo
        for s, e, absorbable in spans[max(0, bisect.bisect_left(starts, lo) - 1):bisect.bisect_left(starts, hi)]:
            if e <= lo or s >= hi:
                continue
            out += self._cut(norm, pos, max(pos, s))
            out.append((s, e, norm[s:e], "KNOWN" if absorbable is True else "ROADSTEM" if absorbable == "road" else "FIXED"))
            pos = e
        out += self._cut(norm, pos, hi)
        return out

    def _ends_word(self, norm: str, e: int, suffix: str, klass: str) -> bool:
        """The suffix is not the start of a longer word: 山东, 路线, 湖泊, 村民, 河道 (but 经十路东延
        and 旅游路以南 are roads followed by a direction)."""
        nxt = norm[e:e + 1]
        if not nxt or not _cjk(nxt) or (klass == "road" and nxt in "东西南北以段口"):
            return True
        if suffix == "街" and nxt in "镇道":
            return False                     # 街镇 (街道 and 镇), 街道: no street
        if suffix == "村" and nxt in "里内":
            return True                      # 华山村里: in the village
        if suffix == "村" and nxt == "民":
            return False                     # 北官庄村民: 北官庄 + 村民
        if suffix in ("河", "湖") and nxt in "畔段岸边" and norm[e - 2:e - 1] != suffix:
            return True                      # 玉带河畔, 玉带河段: the river's bank, its stretch
        if suffix[-1] + nxt in SUFFIXES:
            return True
        return self.is_cut(norm, e)

    def may_straddle(self, norm: str, pos: int) -> bool:
        """Some dictionary word of two or three characters runs across `pos` (cheap look-ups
        before asking jieba)."""
        freq = self.plain.FREQ
        return bool(freq.get(norm[pos - 1:pos + 1]) or freq.get(norm[pos - 2:pos + 1]) or freq.get(norm[pos - 1:pos + 2]))

    def is_cut(self, norm: str, pos: int) -> bool:
        """jieba, on the few characters around `pos`, puts a word boundary there (its own
        dictionary only: with ours, 济南市 would win over 济南|市民)."""
        if not self.may_straddle(norm, pos):
            return True
        lo = max(0, pos - 3)
        for w in self.plain.cut(norm[lo:pos + 3]):
            lo += len(w)
            if lo >= pos:
                return lo == pos
        return True

    def _cut(self, norm: str, lo: int, hi: int):
        pos, out = lo, []
        if hi <= lo:
            return out
        for w in self.tokenizer.cut(norm[lo:hi]):
            flag = self._flag(w)
            if flag == "OOV" and w[0] in "中内外上下里" and len(w) >= 3:
                out.append((pos, pos + 1, w[0], "f"))            # HMM glued 街区中|太乙泉
                pos, w, flag = pos + 1, w[1:], self._flag(w[1:])
            elif len(w) >= 3 and w[0] in FUNCTION_CHARS and w[1:] in self.known_words:
                out.append((pos, pos + 1, w[0], "p"))            # 从华山 (a rare person's name in jieba) = 从|华山
                pos, w, flag = pos + 1, w[1:], "KNOWN"
            out.append((pos, pos + len(w), w, flag))
            pos += len(w)
        return out

    # ------------------------------------------------------------------ the grammar

    def find(self, norm: str, spans: list[tuple[int, int, bool]]) -> list[NewName]:
        """New names in `norm`. `spans` are the names already matched, sorted, each
        (start, end, absorbable): a known landmark may start a longer new name, a district,
        curated place or outside name may not."""
        starts = [s for s, _, _ in spans]
        ends_at = {e for _, e, _ in spans}
        sizhi = _sizhi_spans(norm)
        sizhi_ends = [e for _, e in sizhi]
        found: list[NewName] = []
        best_at: dict[int, str] = {}
        for end_incl, suffix in self.suffixes.iter(norm):
            e = end_incl + 1
            if len(suffix) > len(best_at.get(e, "")):
                best_at[e] = suffix
        for e in sorted(best_at):
            if e in ends_at or _inside(spans, starts, e):
                continue                     # the suffix ends or sits inside a known name
            cand = self._name_at(norm, e, best_at[e], spans, starts, sizhi_ends)
            if cand:
                found.append(cand)
        found += self._sizhi(norm, sizhi, spans, starts, list(itertools.accumulate((e for _, e, _ in spans), max)))
        found += [NewName(m.start(), m.end(), 0.7, "road") for m in METRO.finditer(norm)
                  if not _inside(spans, starts, m.start()) and m.start() not in ends_at]
        return [_on_the_line(norm, f, spans, starts) for f in _longest(found)]

    def _name_at(self, norm, e, suffix, spans, starts, sizhi_ends) -> NewName | None:
        lo = max(0, e - WINDOW)
        brk = _LAST_BREAK.search(norm, lo, e)
        k = bisect.bisect_right(sizhi_ends, e - len(suffix))
        lo = max(lo, brk.start() + 1 if brk else 0, sizhi_ends[k - 1] if k else 0)
        # A known span cut by the window's edge is left out whole.
        k = bisect.bisect_left(starts, lo) - 1
        if k >= 0 and spans[k][0] < lo < spans[k][1]:
            lo = spans[k][1]
        klass = SUFFIXES[suffix]
        if not self._ends_word(norm, e, suffix, klass):
            return None                      # 山 in 山东, 路 in 路线: the suffix does not end a word
        words = self._tokens(norm, lo, e, spans, starts)
        k = len(words) - 1
        if k < 0 or words[k][1] != e:
            return None
        head = words[k]
        if head[3] == "FIXED" or head[2] == "一路" and k > 0 and words[k - 1][3] in ("KNOWN", "FIXED"):
            return None                      # 泉城广场一路向北: "all the way", no road
        if head[3] in VERB_FLAGS and head[2].endswith(suffix) and head[2] != suffix:
            return None                      # 沿港里河进山: 进山 "into the hills" is a verb, no hill
        j, loose = k, False
        if head[2] == suffix or head[2][-len(suffix):] == suffix and len(head[2]) - len(suffix) <= 1:
            # The bare suffix (or 东路, 北街): a road takes the word before it whatever its tag
            # (解放路, 建设路, 胜利大街), unless that word is a planning verb.
            if klass == "road" and k > 0 and head[2] not in GENERIC and _word_ok(words[k - 1], loose=True):
                j, loose = k - 1, True
        while j > 0 and k - j + 1 < MAX_WORDS and (_word_ok(words[j - 1]) or _inner_verb(words[j - 1])):
            j -= 1
        while j < k - loose and words[j][3] in VERB_FLAGS:
            j += 1                           # a name may hold a verb (桑梓店高端制造产业基地), not start with one
        start = words[j][0]
        lead = SIZHI_LEAD.match(norm, start, e)
        if lead:
            start = lead.end()               # 项目东靠京沪铁路: a boundary phrase without a comma before it
        name = norm[start:e]
        stem_words = words[j:k + 1]
        if len(name) == 2 and suffix in SHORT_OK and not self.plain.FREQ.get(name) \
                and self.flags.get(name[0], "n") in ("n", "ng", "nr", "ns", "nz"):
            return NewName(start, e, 0.6, klass)   # 标山, 危山: a hill's name is often two characters
        if name[:-len(suffix)] in DIRECTIONS and klass != "road":
            return None                      # 东广场: a side of something named before it
        if name.startswith(GENERIC_PREFIXES) or head[2] in ("之路", "之城"):
            return None
        if len(name) < 3 or len(name) > MAX_NAME or name[0] in NOT_FIRST or COUNTED.search(name) or name in GENERIC or name[:-len(suffix)] in COMMON | {""}:
            return None
        proper = any(_proper(w) for w in stem_words)
        if klass == "road":                  # 世纪大道, 旅游路, 文化西路: roads take common words as names
            proper = proper or loose or bool(ROAD_STEM.match(name[:-len(suffix)].removesuffix("大")))
        if not proper and not (klass != "zone" and start == lo and self._list_item(norm, start, e)):
            return None
        if any(w[3] == "ROADSTEM" for w in stem_words) and klass != "road":
            return None                      # 北京路 is a Jinan road; 北京 + anything else is not Jinan's
        absorbs = tuple(w[0] for w in stem_words if w[3] in ("KNOWN", "ROADSTEM"))
        if absorbs and all(w[3] == "KNOWN" for w in stem_words[:-1]) and (
                stem_words[-1][2] in RURAL or (stem_words[0][2] in CITY and (stem_words[-1][2] in CITY_GENERIC
                                                                          or norm[e - 1:e + 1] in CITY_GENERIC))):
            return None                      # 赵台乡村, 济南街区 (not 济南街 + 区): the known name and a common noun
        if absorbs and stem_words[0][3] == "KNOWN" and len(stem_words) == 2 and stem_words[1][2] in GENERIC \
                and SUFFIXES.get(stem_words[0][2][-1]) == "road":
            return None                      # 解放东路商业街: the shops along 解放东路, which is the name
        score = 0.7 if klass in STRONG else 0.6
        if absorbs:
            score += 0.1
        return NewName(start, e, round(score, 2), klass, absorbs)

    @staticmethod
    def _list_item(norm: str, start: int, e: int) -> bool:
        """The whole item of an enumeration (老县委旧址、大士阁等): a site by its suffix and its
        siblings, even when its stem is made of common words (not a zone: 跨境电商综合试验区、… are
        designations)."""
        return start > 0 and norm[start - 1] == "、" and (e >= len(norm) or norm[e] in "、等") \
            or norm.startswith("、", e) and (start == 0 or norm[start - 1] in "、，,;；：:")

    def _sizhi(self, norm, sizhi, spans, starts, max_end) -> list[NewName]:
        """`max_end[k]`: the furthest end of spans[0..k] (spans may overlap: 黄河济阳段 holds 济阳)."""
        out = []
        for _, mend in sizhi:
            stop = min([i for i in (norm.find(c, mend, mend + 40) for c in "，,；;。\n、") if i >= 0] or [len(norm)])
            obj = SIZHI_TRIM.sub("", norm[mend:stop])
            oend = mend + len(obj)
            if not 2 <= len(obj) <= MAX_NAME or not all(_cjk(c) or c.isalnum() for c in obj):
                continue
            k = bisect.bisect_left(starts, oend)
            if k and max_end[k - 1] > mend:
                continue                     # a known name: found as such
            out.append(NewName(mend, oend, 0.7, "sizhi"))
        return out


_DIRECTION = re.compile("[东南西北]")


def _sizhi_spans(norm: str) -> list[tuple[int, int]]:
    """What SIZHI.finditer finds, trying the pattern only where a direction character stands (every
    match starts with one; a pattern that starts with a look-behind is otherwise tried everywhere)."""
    out: list[tuple[int, int]] = []
    after = 0
    for d in _DIRECTION.finditer(norm):
        if d.start() >= after and (m := SIZHI.match(norm, d.start())):
            out.append((m.start(), m.end()))
            after = m.end()
    return out


# A name in quotes followed by the kind of thing it names: “九龙观澜”片区, “玉带玫香”示范区, “清河记忆”民俗
# 旅游项目, “花开辛庄”28个村 — village clusters and projects are named like brands, with no place suffix.
QUOTED = re.compile(r"[“「]([\u4e00-\u9fff]{2,8})[”」](?=片区|示范区|组团|街区|园区|景区|小镇|[\u4e00-\u9fff]{0,4}项目|"
                    r"[0-9一二三四五六七八九十]+个(?:村|社区|行政村))")
# … or a quoted name with a landmark's suffix of its own (“花骨朵山”).
QUOTED_SELF = re.compile(r"[“「]([\u4e00-\u9fff]{1,6}(?:山|湖|泉|河|公园|湿地|景区|广场))[”」]")
# … but not a slogan or plan counted out (“一轴三区”, “两大片区”).
SLOGAN = re.compile(r"[一二三四五六七八九十两多][轴区园心带廊圈大个项核城翼]")


def quoted_names(norm: str, spans: list[tuple[int, int, object]]) -> list[NewName]:
    """Names in quotes before a zone or project head, and their other occurrences in the text (once an
    article calls “九龙观澜” a 片区, 九龙观澜 is that place wherever the article writes it)."""
    taken = _SpanIndex([(s, e) for s, e, _ in spans])

    def crossed(lo: int, hi: int) -> bool:       # a known name across the edge (one inside is absorbed)
        return any(s < hi and lo < e and not (lo <= s and e <= hi) for s, e in taken.near(lo, hi))

    names = {m.group(1) for m in QUOTED.finditer(norm)
             if m.group(1) not in GENERIC and not SLOGAN.search(m.group(1)) and not crossed(m.start(1), m.end(1))}
    names |= {m.group(1) for m in QUOTED_SELF.finditer(norm)   # “花骨朵山”: the quote holds the whole name
              if m.group(1) not in GENERIC and not m.group(1).startswith(GENERIC_PREFIXES)
              and not crossed(m.start(1), m.end(1))}
    out = []
    for name in sorted(names):
        for m in re.finditer(re.escape(name), norm):
            if not crossed(m.start(), m.end()):
                inside = tuple(s for s, e in taken.near(m.start(), m.end()) if m.start() <= s and e <= m.end())
                out.append(NewName(m.start(), m.end(), 0.6, "quoted", inside))
                taken.add(m.start(), m.end())
    return sorted(out, key=lambda n: n.start)


class _SpanIndex:
    """Spans (start, end), possibly overlapping, added in any order: the few that can meet a stretch,
    found without reading them all (a long text holds tens of thousands)."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.items = sorted((s, e, k) for k, (s, e) in enumerate(spans))   # by start; k: order added
        self.longest = max((e - s for s, e in spans), default=0)

    def near(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """Every span that overlaps or lies in [lo, hi) (and a few that do not), in the order added."""
        i = bisect.bisect_left(self.items, (lo - self.longest,))
        j = bisect.bisect_left(self.items, (hi,))
        return [(s, e) for s, e, _ in sorted(self.items[i:j], key=lambda t: t[2])]

    def add(self, s: int, e: int) -> None:
        bisect.insort(self.items, (s, e, len(self.items)))
        self.longest = max(self.longest, e - s)


# A clause of a text, where enumerations live (匡山、粟山、北马鞍山等).
CLAUSE = re.compile(r"[^，,。；;：:！!？?\n“”「」()（）《》…]+")
LIST_END = re.compile("等|和|与|及|以及")
COMMON_TAGS = {"n", "vn", "v", "a", "ad", "an", "l", "i", "d", "m", "q", "r", "t"}


def list_siblings(norm: str, taken: list[tuple[int, int]], known: list[tuple[int, int]], flags: dict) -> list[NewName]:
    """Unnamed items of an enumeration of places (鞭指巷、芙蓉街、王府池、起凤桥、状元第): a site's name
    without a suffix, recognised by the company it keeps — at least two items, and a third of them,
    are places a gazetteer knows, and the item is no ordinary word of jieba's dictionary (标准厂房).
    `taken`: every name found so far; `known`: the known ones; `flags`: jieba's word → tag."""
    spans = sorted(taken)
    starts = [s for s, _ in spans]
    max_end = list(itertools.accumulate((e for _, e in spans), max))     # spans may overlap
    start_set = set(starts)
    known_ends, known_spans = {ke for _, ke in known}, set(known)
    first_end: dict[int, int] = {}                   # known start → its nearest end
    for ks, ke in known:
        first_end[ks] = min(ke, first_end.get(ks, ke))

    def is_known(s: int, e: int, where: str) -> bool:     # the first item may carry words before the name
        return e in known_ends if where == "first" else \
            first_end.get(s, e + 1) <= e if where == "last" else (s, e) in known_spans

    out = []
    for clause in _list_clauses(norm):
        items = _enumeration(clause, start_set)
        placed = sum(is_known(s, e, where) for s, e, where in items)
        if placed < 2 or 3 * placed < len(items):
            continue
        for s, e, where in items:
            text = norm[s:e]
            k = bisect.bisect_left(starts, e)
            if where != "first" and 2 <= len(text) <= 5 and all(_cjk(c) for c in text) \
                    and text not in GENERIC | COMMON | STOP and flags.get(text, "nr") not in COMMON_TAGS \
                    and not (k and max_end[k - 1] > s):
                out.append(NewName(s, e, 0.5, "listed"))
    return out


_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?\n“”「」()（）《》…]")


def _list_clauses(norm: str) -> Iterator[re.Match]:
    """What CLAUSE.finditer finds, but only the clauses that hold a 、 (the others list nothing): each
    found from its first 、, its start by searching the reversed text for the break before it."""
    end, reverse = -1, None
    for comma in re.finditer("、", norm):
        if comma.start() < end:
            continue
        reverse = reverse if reverse is not None else norm[::-1]
        brk = _CLAUSE_BREAK.search(reverse, len(norm) - comma.start())
        clause = CLAUSE.match(norm, len(norm) - brk.start() if brk else 0)
        end = clause.end()
        yield clause


def _enumeration(clause: re.Match, starts: set[int]) -> list[tuple[int, int, str]]:
    """The items of a 、-list of three or more in a clause, as (start, end, first|inner|last). The first
    item may carry the words before the list (包括太平); the last ends before 等, or is split at 和/与
    when a name starts right after it (睦里村、宋家桥、龙王庙和常旗屯). `starts`: where names start."""
    parts = clause.group().split("、")
    if len(parts) < 3:
        return []
    items, pos = [], clause.start()
    for i, part in enumerate(parts):
        s, e = pos, pos + len(part)
        pos = e + 1
        if i < len(parts) - 1:
            items.append((s, e, "first" if i == 0 else "inner"))
            continue
        cut = LIST_END.search(part)
        if cut and (cut.group() == "等" or s + cut.end() in starts):
            if cut.group() != "等":
                items.append((s, s + cut.start(), "inner"))
                s = s + cut.end()
            else:
                e = s + cut.start()
        items.append((s, e, "last"))
    return items


def _proper(word) -> bool:
    _, _, text, flag = word
    if flag == "ROADSTEM":
        return True
    if flag == "OOV" and (all(c in LANDSCAPE for c in text) or any(c in FUNCTION_CHARS for c in text)):
        return False
    return flag in PROPER_FLAGS and text not in COMMON and text not in GENERIC


VERB_FLAGS = {"v", "vn", "vd"}


# Verbs that occur inside names of parks and zones (桑梓店高端制造产业基地); any other verb ends a name.
INNER_VERBS = set("制造 智造 创新 设计 研发 孵化 物流 会展 体验 展示 转换 转化 保护 示范 培训 交易 检测 加工 种植 养殖".split())


def _inner_verb(word) -> bool:
    return word[3] in VERB_FLAGS and word[2] in INNER_VERBS


def _word_ok(word, loose: bool = False) -> bool:
    _, _, text, flag = word
    if text in STOP or flag == "FIXED" or not text.strip() or any(c in HARD_BREAK for c in text):
        return False
    if flag == "OOV" and any(c in FUNCTION_CHARS for c in text):
        return False                         # HMM junk such as 将建, 有爱
    if flag == "f" and text not in DIRECTIONS:
        return False                         # 街区中太乙泉: 中 ends the phrase before the name
    if loose:
        return all(_cjk(c) for c in text) and len(text) <= 3
    if flag == "m":
        return False
    return flag in NAME_FLAGS or text == "新"    # 新材料产业园, 新东站: 新 is part of many names


def _inside(spans, starts, pos: int) -> bool:
    k = bisect.bisect_left(starts, pos) - 1
    return k >= 0 and spans[k][0] < pos < spans[k][1]


def _on_the_line(norm: str, f: NewName, spans, starts) -> NewName:
    """A railway's station or a motorway's exit named after the line (胶济铁路章丘站, 济青高速白云湖
    出入口) is one name, though the station (章丘站) or the place (白云湖) is known by itself."""
    if f.rule != "road" or not norm.endswith(LINES, f.start, f.end):
        return f
    k = bisect.bisect_left(starts, f.end)
    if k == len(spans) or spans[k][0] != f.end or spans[k][2] is not True:
        return f
    end = spans[k][1]
    if not norm.endswith("站", f.start, end):
        exit_ = next((x for x in LINE_EXITS if norm.startswith(x, end)), None)
        if exit_ is None:
            return f
        end += len(exit_)
    return NewName(f.start, end, f.score, "landmark", f.absorbs + (spans[k][0],))


def _longest(found: list[NewName]) -> list[NewName]:
    """Overlapping candidates: the longest wins (大明湖东门广场 over 东门广场). The names kept are
    disjoint, so one look at the kept neighbours (by start) tells whether a candidate overlaps."""
    kept: list[tuple[int, int]] = []           # (start, end) of the names kept, sorted by start
    out: list[NewName] = []
    for c in sorted(found, key=lambda c: (-(c.end - c.start), c.start)):
        k = bisect.bisect_left(kept, (c.start,))
        if (k < len(kept) and kept[k][0] < c.end) or (k and kept[k - 1][1] > c.start):
            continue
        kept.insert(k, (c.start, c.end))
        out.append(c)
    return sorted(out, key=lambda c: c.start)


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"
