"""The review queue end to end (issue 14, item 5): `geo add` queues a new name, and the editor's
review panel accepts it as a new place, merges it as an alias, or rejects it for good; each
outcome rebuilds the layers, and the rebuilt place cites the added article.

Every test works on a temporary copy of the gazetteer, the articles and the layers.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import run_geo
from test_curate import Editor, copy_data

NAME = "腊山河生态公园"
ARTICLE = ("槐荫区加快推进济南西站片区建设\n"
           "记者从槐荫区获悉,今年槐荫区将在济南西站以东新建腊山河生态公园。\n")
AGAIN = "槐荫区腊山河生态公园开工\n近日,槐荫区腊山河生态公园正式开工建设。\n"


def geo_add(data: dict, text: str, tmp: Path) -> str:
    article = tmp / f"article-{len(list(tmp.glob('article-*')))}.txt"
    article.write_text(text, encoding="utf-8")
    out = run_geo("add", str(article), "--title", text.splitlines()[0], "--outlet", "测试日报", "--date", "2024-05-01",
                  "--seeds", data["SEEDS_DIR"], "--layers", data["LAYERS_DIR"], "--gazetteer", data["GAZETTEER_DIR"])
    assert out.returncode == 0, out.stderr.decode()
    return sorted(Path(data["SEEDS_DIR"]).glob("*.txt"))[-1].stem


def layer_place(data: dict, place_id: str) -> dict:
    (feat,) = [f for p in Path(data["LAYERS_DIR"]).glob("*.geojson")
               for f in json.loads(p.read_text(encoding="utf-8"))["features"] if f["id"] == place_id]
    return feat


def queue(data: dict) -> list:
    path = Path(data["GAZETTEER_DIR"]) / "review" / "queue.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _queued(tmp: Path) -> tuple[dict, str, Editor]:
    data = copy_data(tmp)
    doc = geo_add(data, ARTICLE, tmp)
    ed = Editor(data)
    assert ed.post("/api/curator", {"curator": "test-curator"}).status_code == 200
    return data, doc, ed


@pytest.fixture
def queued(tmp_path):
    return _queued(tmp_path)


@pytest.fixture(scope="module")
def refusing(tmp_path_factory):
    """One copy for the tests that must change nothing."""
    return _queued(tmp_path_factory.mktemp("refusing"))


def test_the_panel_lists_the_queued_name_with_its_quote_district_and_suggested_id(queued):
    data, doc, ed = queued
    listed = ed.get("/api/review").get_json()
    (item,) = [q for q in listed["queue"] if q["name"] == NAME]
    assert item["district"] == "槐荫区" and item["suggested_id"] == "huaiyin/new-1" and item["adcode"] == "370104"
    assert item["quotes"][0]["doc"] == doc and NAME in item["quotes"][0]["quote"]
    assert "槐荫区" in listed["districts"] and "district" not in listed["kinds"]


def test_accept_appends_the_record_and_shape_and_the_rebuilt_layer_cites_the_article(queued):
    data, doc, ed = queued
    gaz = Path(data["GAZETTEER_DIR"])
    yml_before = (gaz / "huaiyin.yml").read_text(encoding="utf-8")
    resp = ed.post("/api/review/accept", {"name": NAME, "id": "huaiyin/lashan-river-eco-park",
                                          "name_en": "Lashan River Ecological Park", "kind": "park", "district": "槐荫区"})
    assert resp.status_code == 200, resp.get_json()
    yml_after = (gaz / "huaiyin.yml").read_text(encoding="utf-8")
    assert yml_after.startswith(yml_before)                  # comments and records kept byte for byte
    (rec,) = [r for r in yaml.safe_load(yml_after) if r["id"] == "huaiyin/lashan-river-eco-park"]
    assert (rec["name"], rec["kind"], rec["district"], rec["adcode"]) == (NAME, "park", "槐荫区", "370104")
    shapes = json.loads((gaz / "shapes" / "huaiyin.geojson").read_text(encoding="utf-8"))["features"]
    (feat,) = [f for f in shapes if f["id"] == "huaiyin/lashan-river-eco-park"]
    assert feat["geometry"] is None and feat["properties"]["method"] == "district"
    assert all(q["surface"] != NAME for q in queue(data))
    place = layer_place(data, "huaiyin/lashan-river-eco-park")
    assert any(c["doc"] == doc and NAME in c["quote"] for c in place["properties"]["citations"])
    opened = ed.get("/api/places/huaiyin/lashan-river-eco-park").get_json()     # ready to be drawn
    assert opened["provenance"]["precision"] == "district" and opened["name"] == NAME


def test_a_name_in_a_district_with_no_place_file_yet_can_be_accepted(tmp_path):
    """Only three districts had place files, so a name the articles place in 历城区 could only be
    rejected, merged or filed under the wrong district: accepting it now starts licheng.yml."""
    data = copy_data(tmp_path)
    name = "鲍山湿地公园"
    doc = geo_add(data, f"历城区推进鲍山片区建设\n记者从历城区获悉,今年历城区将新建{name}。\n", tmp_path)
    ed = Editor(data)
    assert ed.post("/api/curator", {"curator": "test-curator"}).status_code == 200
    listed = ed.get("/api/review").get_json()
    (item,) = [q for q in listed["queue"] if q["name"] == name]
    assert (item["district"], item["suggested_id"], item["adcode"]) == ("历城区", "licheng/new-1", "370112")
    assert {"历城区", "天桥区", "商河县"} <= set(listed["districts"])       # every district of Jinan offered
    gaz = Path(data["GAZETTEER_DIR"])
    assert not (gaz / "licheng.yml").exists()
    resp = ed.post("/api/review/accept", {"name": name, "id": "licheng/baoshan-wetland-park",
                                          "name_en": "Baoshan Wetland Park", "kind": "park", "district": "历城区"})
    assert resp.status_code == 200, resp.get_json()
    (rec,) = yaml.safe_load((gaz / "licheng.yml").read_text(encoding="utf-8"))
    assert (rec["id"], rec["district"], rec["adcode"]) == ("licheng/baoshan-wetland-park", "历城区", "370112")
    place = layer_place(data, "licheng/baoshan-wetland-park")
    assert place["properties"]["district"] == "历城区" and place["properties"]["precision"] == "district"
    assert any(c["doc"] == doc and name in c["quote"] for c in place["properties"]["citations"])


@pytest.mark.parametrize("place_id", ["huaiyin/huayang-avenue",                  # `aliases: []`
                                      "huaiyin/cas-microbiology-qilu-institute"])  # no aliases key
def test_merge_adds_an_alias_and_the_rebuilt_place_cites_the_article(queued, place_id):
    data, doc, ed = queued
    gaz = Path(data["GAZETTEER_DIR"])
    before = (gaz / "huaiyin.yml").read_text(encoding="utf-8").splitlines()
    resp = ed.post("/api/review/merge", {"name": NAME, "place": place_id})
    assert resp.status_code == 200, resp.get_json()
    after = (gaz / "huaiyin.yml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1 and NAME in changed[0][1]
    (rec,) = [r for r in yaml.safe_load("\n".join(after)) if r["id"] == place_id]
    assert rec["aliases"] == [NAME]
    assert all(q["surface"] != NAME for q in queue(data))
    place = layer_place(data, place_id)
    assert any(c["doc"] == doc and NAME in c["quote"] for c in place["properties"]["citations"])


def test_reject_moves_the_name_out_of_the_queue_for_good(queued, tmp_path):
    data, _, ed = queued
    resp = ed.post("/api/review/reject", {"name": NAME})
    assert resp.status_code == 200, resp.get_json()
    assert all(q["surface"] != NAME for q in queue(data))
    rejected = yaml.safe_load((Path(data["GAZETTEER_DIR"]) / "review" / "rejected.yml").read_text(encoding="utf-8"))
    assert [r["surface"] for r in rejected] == [NAME]
    geo_add(data, AGAIN, tmp_path)                           # a second article naming it
    assert all(q["surface"] != NAME for q in queue(data))


@pytest.mark.parametrize("url, body", [
    ("/api/review/accept", {"name": NAME, "id": "huaiyin/x", "name_en": "X", "kind": "park", "district": "槐荫区"}),
    ("/api/review/merge", {"name": NAME, "place": "huaiyin/huayang-avenue"}),
    ("/api/review/reject", {"name": NAME}),
])
@pytest.mark.parametrize("headers", [{"X-CSRF-Token": None}, {"Origin": "http://evil.example"}])
def test_every_review_action_needs_the_token_and_the_origin(refusing, url, body, headers):
    data, _, ed = refusing
    before = {p: p.read_bytes() for p in Path(data["GAZETTEER_DIR"]).rglob("*") if p.is_file()}
    assert ed.post(url, body, **headers).status_code == 403
    assert {p: p.read_bytes() for p in Path(data["GAZETTEER_DIR"]).rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("url, body, status", [
    ("/api/review/accept", {"name": NAME, "id": "Huaiyin/Bad Id", "name_en": "X", "kind": "park", "district": "槐荫区"}, 400),
    ("/api/review/accept", {"name": NAME, "id": "huaiyin/" + "x" * 81, "name_en": "X", "kind": "park",
                            "district": "槐荫区"}, 400),
    ("/api/review/accept", {"name": NAME, "id": "lixia/x", "name_en": "X", "kind": "park", "district": "槐荫区"}, 400),
    ("/api/review/accept", {"name": NAME, "id": "huaiyin/x", "name_en": "X", "kind": "castle", "district": "槐荫区"}, 400),
    ("/api/review/accept", {"name": NAME, "id": "huaiyin/x", "name_en": "X", "kind": "park", "district": "火星区"}, 400),
    ("/api/review/accept", {"name": NAME, "id": "huaiyin/huayang-avenue", "name_en": "X", "kind": "park",
                            "district": "槐荫区"}, 400),                      # the id is taken: the loader refuses
    ("/api/review/accept", {"name": NAME, "id": "huaiyin/x", "name_en": "X", "kind": "park", "district": "槐荫区",
                            "parent": "huaiyin/nowhere"}, 400),
    ("/api/review/merge", {"name": NAME, "place": "huaiyin/nowhere"}, 400),
    ("/api/review/reject", {"name": "不在队列"}, 400),
    ("/api/review/reject", {}, 400),
])
def test_bad_input_is_a_400_and_changes_nothing(refusing, url, body, status):
    data, _, ed = refusing
    before = {p: p.read_bytes() for p in Path(data["GAZETTEER_DIR"]).rglob("*") if p.is_file()}
    resp = ed.post(url, body)
    assert resp.status_code == status and resp.get_json()["description"]
    assert {p: p.read_bytes() for p in Path(data["GAZETTEER_DIR"]).rglob("*") if p.is_file()} == before
