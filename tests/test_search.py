"""The map's search: gazetteer-style ranking (exact name, then prefix, then substring), spaces and
punctuation ignored in Chinese, every word of a Latin query required in any order.

Ranking rules are checked on small local entries; the reported cases ("CBD", "中央 商务") on the
built layers, with the expected places derived from the layers rather than written in.
"""
from __future__ import annotations

import pytest

from webmap.core import search
from webmap.store import LayerStore


def entry(id_: str, name: str, name_en: str = "") -> dict:
    return {"id": id_, "type": "place", "name": name, "name_en": name_en}


LOCAL = [entry("holds", "老城CBD商圈", "Old Town CBD shopping"),
         entry("starts", "CBD国际消费中心商圈", "CBD International Consumption Centre"),
         entry("equals", "济南中央商务区", "Jinan Central Business District (CBD)"),
         entry("park", "泉城公园", "Quancheng Park")]


def ids(items: list[dict], query: str) -> list[str]:
    return [e["id"] for e in search.search(items, query)]


def test_an_exact_abbreviation_ranks_before_prefixes_and_prefixes_before_substrings():
    assert ids(LOCAL, "CBD") == ["equals", "starts", "holds"]
    assert ids(LOCAL, "ｃｂｄ") == ["equals", "starts", "holds"]          # full-width and case folded


def test_an_exact_name_in_either_language_ranks_first():
    assert ids(LOCAL, "济南中央商务区")[0] == "equals"
    assert ids(LOCAL, "jinan central business district (cbd)")[0] == "equals"
    assert ids(LOCAL + [entry("longer", "泉城公园北门")], "泉城公园") == ["park", "longer"]


def test_spaces_and_punctuation_in_a_chinese_query_are_ignored():
    for q in ("中央 商务", "中央　商务", "中央，商务", " 中央·商务 ", "中央 商務"):
        assert ids(LOCAL, q) == ["equals"], q


def test_every_word_of_a_latin_query_must_match_in_any_order():
    assert ids(LOCAL, "business jinan") == ["equals"]
    assert ids(LOCAL, "district, central") == ["equals"]
    assert ids(LOCAL, "jinan park") == []


def test_an_empty_or_punctuation_only_query_finds_nothing():
    for q in ("", "  ", "，。", "-"):
        assert ids(LOCAL, q) == []


@pytest.fixture(scope="module")
def built(layers_dir) -> tuple[list[dict], list[dict]]:
    snap = LayerStore(layers_dir).snapshot()
    return search.entries(snap), list(snap.places.values())


def test_cbd_finds_the_zone_named_cbd_first_in_the_built_layers(built):
    items, places = built
    named = [f["properties"]["id"] for f in places
             if "(CBD)" in (f["properties"].get("name_en") or "")]      # the CBD itself
    others = [f["properties"]["id"] for f in places if "CBD" in (f["properties"].get("name") or "")]
    assert named and others, "the layers no longer hold the reported case"
    found = ids(items, "CBD")
    assert found[:len(named)] == named and set(others) <= set(found)


def test_a_spaced_chinese_query_finds_the_names_holding_its_words_in_the_built_layers(built):
    items, _ = built
    expected = {e["id"] for e in items if "中央商务" in e["name"]}
    assert expected and set(ids(items, "中央 商务")) == expected


def test_search_json_ranks_the_exact_match_first_and_ignores_chinese_spaces(client, layers_dir):
    items = search.entries(LayerStore(layers_dir).snapshot())
    exact = [e["id"] for e in items if "(CBD)" in e["name_en"]]
    hits = client.get("/search.json", query_string={"q": "CBD"}).get_json()["results"]
    assert [h["id"] for h in hits[:len(exact)]] == exact and len(hits) > len(exact)
    spaced = client.get("/search.json", query_string={"q": "中央 商务"}).get_json()
    assert spaced["query"] == "中央 商务"
    assert {h["id"] for h in spaced["results"]} == {e["id"] for e in items if "中央商务" in e["name"]}


def test_a_place_is_found_first_by_each_of_its_aliases_in_the_built_layers(built):
    """The gazetteer's other names reach the layers (`aliases`) and the search: 济南CBD finds the CBD."""
    items, places = built
    props = {f["properties"]["id"]: f["properties"] for f in places}
    pairs = [(pid, a) for pid, p in props.items() for a in p.get("aliases") or []]
    assert any(search.fold(a) not in search.fold(props[pid]["name"] + props[pid]["name_en"]) for pid, a in pairs), \
        "no alias beyond the names in the layers: the case is gone"
    by_id = {e["id"]: e for e in items}
    for pid, alias in pairs:
        assert search.rank(by_id[pid], search._terms(alias)) == search.EXACT, alias
        assert pid in ids(items, alias), alias          # exact matches come first


def test_a_name_ranks_before_an_id_that_holds_the_query(built):
    """"Lixia" lists the district (its English name starts so) before the places whose id starts lixia/."""
    items, _ = built
    districts = [e for e in items if e["type"] == "district" and e["name_en"]]
    word = next(w for d in districts for w in [d["name_en"].split()[0]]
                if any(e["id"].startswith(w.lower() + "/") for e in items))
    found = [e["id"] for e in search.search(items, word)]
    district = next(d["id"] for d in districts if d["name_en"].startswith(word))
    assert district in found
    by_id_only = [e["id"] for e in items if search.rank(e, [word.lower()]) == search.BY_ID]
    assert by_id_only and all(found.index(district) < found.index(i) for i in by_id_only if i in found)
