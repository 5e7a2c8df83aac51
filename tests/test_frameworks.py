"""Framework pages (`/frameworks/`, `/frameworks/<id>`) and their JSON twins, through the Flask client.

Each framework shows the sentence that states it with its members marked, the count check, and each
member with area, precision, number of citations and the places inside it; unknown ids are a 404.
"""
from __future__ import annotations

import html
import re
from urllib.parse import unquote

FIVE = "huaiyin-five-battlefields"


def test_framework_page_shows_statement_count_check_and_members(client, catalog):
    page = client.get(f"/frameworks/{FIVE}").get_data(as_text=True)
    stated = next(f for f in catalog["frameworks"] if f["id"] == FIVE)
    for m in stated["members"]:
        assert f"<mark>{m['text']}</mark>" in page                        # each name marked in the sentence
    assert "文中所述 5 · 列出 5 · 一致" in page
    assert page.count('<tr><td><a href="/places/') == 5
    assert "42.8 平方公里" in page and "片区级" in page
    assert 'href="/places/huaiyin/shulan-hospital"' in page             # a project inside a member


def test_framework_json_twin_has_the_same_members(client, catalog):
    data = client.get(f"/frameworks/{FIVE}?f=json").get_json()
    stated = next(f for f in catalog["frameworks"] if f["id"] == FIVE)
    assert [m["id"] for m in data["members"]] == [m["place_id"] for m in stated["members"]]
    member = data["members"][0]
    assert {"area_km2", "precision", "citations", "inside"} <= set(member) and member["citations"] > 0
    assert all(s["count"] == s["listed"] == 5 and s["count_ok"] for s in data["statements"])
    quote = data["statements"][0]["quote"]
    s, e = data["statements"][0]["marks"][0]
    start = data["statements"][0]["start"]
    assert quote[s - start:e - start] == stated["members"][0]["text"]


def test_framework_list_links_every_framework(client, catalog):
    page = client.get("/frameworks/?lang=en").get_data(as_text=True)
    links = {unquote(html.unescape(h)).split("?")[0] for h in re.findall(r'href="(/frameworks/[^"]+)"', page)}
    assert links == {f"/frameworks/{f['id']}" for f in catalog["frameworks"]}
    for link in links:
        assert client.get(link).status_code == 200, link
    assert "Five main battlefields" in page
    assert len(client.get("/frameworks/?f=json").get_json()["frameworks"]) == len({f["id"] for f in catalog["frameworks"]})


def test_unknown_framework_is_a_404_and_bad_format_a_400(client):
    resp = client.get("/frameworks/no-such-framework")
    assert resp.status_code == 404 and "/frameworks/" in resp.get_data(as_text=True)
    assert client.get("/frameworks/no-such-framework?f=json").status_code == 404
    assert client.get(f"/frameworks/{FIVE}?f=xml").status_code == 400
    assert client.get(f"/frameworks/{FIVE}?lang=fr").status_code == 400


def test_search_finds_frameworks_in_either_language_and_traditional_characters(client):
    for q in ("五大主战场", "battlefield", "五大主戰場"):
        hits = client.get("/search.json", query_string={"q": q}).get_json()["results"]
        assert hits and hits[0]["id"] == FIVE and hits[0]["type"] == "framework", q
        assert hits[0]["url"] == f"/frameworks/{FIVE}" and len(hits[0]["members"]) == 5
    hits = client.get("/search.json", query_string={"q": "濟南中央商務區"}).get_json()["results"]
    assert hits[0]["id"] == "lixia/cbd"
    assert client.get("/search.json", query_string={"q": "x" * 5000}).status_code == 200
