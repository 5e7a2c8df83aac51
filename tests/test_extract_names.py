"""Recognition of names no gazetteer holds, statuses, districts and disambiguation (issue 11, items 2–4)."""
from __future__ import annotations

import json

import pytest

from conftest import run_geo
from geo.corpus import document_from_text
from geo.extract import extract_all
from geo.geoparse import Geoparser
from geo.lexicon import KNOWN, Sense, build_lexicon


@pytest.fixture(scope="module")
def parser(gazetteer):
    return Geoparser(gazetteer)


def _parse(parser, text, **meta):
    mentions, _ = parser.parse(document_from_text("t", text, meta))
    return mentions


def _found(parser, text, **meta):
    return [(m.surface, m.status) for m in _parse(parser, text, **meta)]


def test_the_issue_sentence_finds_the_road_and_the_new_square(parser):
    found = _found(parser, "今年将启动解放东路商业街整治，并新建大明湖东门广场。")
    assert found[0][0] == "解放东路" and found[0][1] in ("known", "new")
    assert found[1] == ("大明湖东门广场", "new")
    assert len(found) == 2
    surfaces = [s for s, _ in found]
    assert not {"东路商业街", "新建大明湖", "新建大明湖东门广场", "解放东路商业街"} & set(surfaces)


def test_seeds_give_no_verb_count_or_generic_head_names(parser, corpus):
    new = [m.surface for doc in corpus for m in parser.parse(doc)[0] if m.status == "new"]
    for bad in ("充分发挥赤子城", "片区30余条道路", "幼儿园办园", "余条道路", "道路"):
        assert bad not in new
    assert not [s for s in new if s.startswith(("充分", "新建", "打造", "启动", "推进", "实施"))]


def test_boundary_phrases_yield_the_four_names(parser):
    text = "四至范围为：东至二环东路，西至历山路，南至经十路，北至解放东路。"
    found = [s for s, _ in _found(parser, text)]
    assert found == ["二环东路", "历山路", "经十路", "解放东路"]


def test_leading_verbs_and_counts_are_not_part_of_names(parser):
    found = _found(parser, "加快打造华山湖湿地公园，推进小清河两岸整治，新增30余条道路。")
    assert [s for s, _ in found if _ == "new"][0] == "华山湖湿地公园"
    assert not [s for s, _ in found if "余条" in s or s.startswith(("打造", "推进"))]


def test_a_new_name_takes_the_district_named_next_to_it(parser):
    ms = _parse(parser, "天桥区桑梓店片区将建设桑梓店高端制造产业基地。")
    by = {m.surface: m for m in ms}
    assert (by["天桥区"].status, by["天桥区"].district) == ("known", "天桥区")
    assert (by["桑梓店片区"].status, by["桑梓店片区"].district, by["桑梓店片区"].place_id) == ("new", "天桥区", None)
    assert by["桑梓店高端制造产业基地"].status == "new"


def test_a_new_name_takes_the_articles_only_district(parser):
    (m,) = [m for m in _parse(parser, "今年将建设泺口黄河生态公园。", districts=[{"name": "天桥区"}])
            if m.status == "new"]
    assert m.surface == "泺口黄河生态公园" and m.district == "天桥区"


def test_outside_names_are_outside_and_never_beat_jinan(parser):
    ms = _parse(parser, "从北京南站出发，经枣庄市市中区，来到济南市中区和市中区。")
    got = [(m.surface, m.status, m.place_id) for m in ms]
    assert ("北京南站", "outside", None) in got
    assert got[-3:] == [("市中区", "outside", None), ("济南市中区", "known", "district/shizhong"),
                        ("市中区", "known", "district/shizhong")]
    assert all(m.status != "known" for m in ms if m.surface in ("北京南站", "枣庄市"))


def test_names_inside_organisations_and_titles_are_not_places(parser):
    found = [s for s, _ in _found(parser, "济南市委常委会审议《济南市国土空间总体规划》，济南市民关注。")]
    assert found == ["济南"]


def test_base_divisions_are_known_without_a_geometry(parser):
    (m,) = _parse(parser, "唐王街道加快发展。")
    assert (m.status, m.place_id, m.district, m.placed) == ("known", "base/370112008", "历城区", False) or \
        (m.status, m.district, m.placed) == ("known", "历城区", False)


def test_short_forms_count_only_where_the_full_name_is_written(parser):
    assert _found(parser, "起步区建设提速。") == []
    found = _found(parser, "济南新旧动能转换起步区成立，起步区建设提速。")
    assert found == [("济南新旧动能转换起步区", "known"), ("起步区", "known")]


def test_a_two_sense_name_is_chosen_by_its_paragraph(parser):
    old = _parse(parser, "历下区泉城路上的宏济堂老店，曾是院西大街的老字号。")
    (m,) = [m for m in old if m.surface == "宏济堂"]
    assert (m.place_id, m.district) == ("lixia/hongjitang-old-shop", "历下区") and 0.5 < m.score < 1
    museum = _parse(parser, "槐荫区经二路的宏济堂博物馆开馆。")
    (m,) = [m for m in museum if m.surface == "宏济堂"]
    assert (m.place_id, m.district) == ("huaiyin/hongjitang", "槐荫区") and 0.5 < m.score < 1


def test_the_seed_mention_of_hongjitang_stays_with_the_curated_place(extracted_seeds):
    mentions, _ = extracted_seeds
    assert [m.place_id for m in mentions if m.surface == "宏济堂"] == ["huaiyin/hongjitang"]


@pytest.fixture(scope="module")
def extracted_seeds(corpus, gazetteer):
    return extract_all(corpus, gazetteer)


def test_the_layers_interface_returns_curated_places_only(extracted_seeds, gazetteer):
    mentions, frameworks = extracted_seeds
    assert mentions and frameworks
    assert all(m.place_id in gazetteer.places and m.status == "known" for m in mentions)


def test_the_articles_date_weighs_against_a_place_that_did_not_exist_yet(gazetteer):
    lex = build_lexicon(gazetteer)
    lex.add(Sense("a/old", "甲园", KNOWN, "park", "历下区", True, cues=("泉城路",)), ["甲园"])
    lex.add(Sense("b/new", "甲园", KNOWN, "park", "槐荫区", True, since="2022-01-01"), ["甲园"])
    parser = Geoparser(gazetteer, lexicon=lex.finish())
    text = "槐荫区的甲园开放。"
    (m,) = [m for m in _parse(parser, text, date="2023-05-01") if m.surface == "甲园"]
    assert m.place_id == "b/new"
    (m,) = [m for m in _parse(parser, text, date="2019-05-01") if m.surface == "甲园"]
    assert m.place_id == "a/old"


def test_extract_cli_reports_every_status():
    out = run_geo("extract", "-", stdin="从北京南站出发到济南西站，新建大明湖东门广场。".encode())
    assert out.returncode == 0, out.stderr
    rows = [(r["surface"], r["status"], r["place_id"]) for r in json.loads(out.stdout)]
    assert rows == [("北京南站", "outside", None), ("济南西站", "known", "huaiyin/west-railway-station"),
                    ("大明湖东门广场", "new", None)] or rows[1][2] is not None


def test_a_curated_name_of_common_words_counts_only_in_its_districts_articles(parser):
    text = "全球最大的会展中心落成。"
    assert _found(parser, text, districts=[{"name": "济阳区"}]) == []
    assert _found(parser, text, districts=[{"name": "槐荫区"}]) == [("会展中心", "known")]
    assert _found(parser, "吾悦广场开业。", districts=[{"name": "济阳区"}]) == [("吾悦广场", "known")]


def test_a_name_must_start_at_a_word_boundary(parser):
    assert [s for s, st in _found(parser, "打造滨海城市。") if st == "outside"] == []


def test_the_city_anchors_the_short_forms_of_its_city_wide_zones(parser):
    assert ("起步区", "known") in _found(parser, "济南加快起步区建设。")


def test_a_quoted_name_before_a_zone_head_is_new_and_so_are_its_repeats(parser):
    found = _found(parser, "该镇12个村组成“桃花溪谷”片区。“桃花溪谷”今年接待游客10万人次。")
    assert [s for s, st in found if st == "new"] == ["桃花溪谷", "桃花溪谷"]
    assert _found(parser, "推进“一轴两翼”片区建设。") == []          # a slogan counted out is no name


def test_a_station_or_exit_named_after_its_line_is_one_name(parser):
    found = [s for s, _ in _found(parser, "完成胶济铁路章丘站扩建，启用济青高速白云湖出入口。")]
    assert found == ["胶济铁路章丘站", "济青高速白云湖出入口"]


def test_metro_lines_are_names_by_their_number(parser):
    assert ("轨道交通6号线", "new") in _found(parser, "加快轨道交通6号线建设。")


def test_a_whole_enumeration_item_with_a_site_suffix_is_a_name(parser):
    found = [s for s, st in _found(parser, "修缮名单:大士阁、观音寺等古建筑。") if st == "new"]
    assert found == ["大士阁", "观音寺"]
    assert [s for s, st in _found(parser, "争创跨境电商综合试验区、服务贸易创新发展试点城市。") if st == "new"] == []


def test_a_streets_common_word_stem_counts_in_a_list_of_streets_only(parser):
    assert ("大桥", "known") in _found(parser, "包括太平、孙耿、大桥、崔寨等街道。")
    assert ("大桥", "known") not in _found(parser, "这座大桥已经通车。")


def test_village_and_villagers_split_where_the_words_do(parser):
    found = [s for s, _ in _found(parser, "在小院里,北官庄村民正在忙碌。")]
    assert "北官庄" in found and "北官庄村" not in found


def test_a_photo_credit_ends_its_caption_line(parser):
    found = [s for s, _ in _found(parser, "旧貌。图片来源:某某地产\n华山片区旧貌,已经改造。")]
    assert "华山片区" in found and not [s for s in found if "地产" in s]


def test_unnamed_items_of_an_enumeration_of_known_places_are_new_names(parser):
    found = _found(parser, "游客可以走过:鞭指巷、芙蓉街、状元第、百花洲等地。")
    assert ("状元第", "new") in found
    seeds_like = "加快推进半导体产业小镇、标准厂房、德迈产业园二期等重点项目建设。"
    assert "标准厂房" not in [s for s, _ in _found(parser, seeds_like)]    # an ordinary word


def test_a_quoted_name_with_its_own_landmark_suffix_is_a_name(parser):
    assert _found(parser, "这座山原名叫“馒头山”,后来改了名字。") == [("馒头山", "new")]
    assert _found(parser, "这座山原名叫馒头山,后来改了名字。") == []     # 馒头 alone is a common noun


def test_names_end_at_verbs_companies_and_banks(parser):
    found = [s for s, _ in _found(parser, "沿玉带河畔前行,再沿港里河进山,来到山乡集团花雨澜山项目。")]
    assert {"玉带河", "港里河", "花雨澜山"} <= set(found)
    assert not [s for s in found if s.endswith("进山") or "集团" in s]
