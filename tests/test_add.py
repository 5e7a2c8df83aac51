"""`geo add` and `geo review` end to end on a private copy of the repository's data (issue 11, item 5)."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_geo

ARTICLE = ("槐荫区加快推进济南西站片区建设\n"
           "记者从槐荫区获悉,今年槐荫区将加快济南国际医学科学中心建设,并在济南西站以东新建腊山河生态公园。\n"
           "同时,槐荫区将启动经十西路沿线整治。\n")
META = ["--title", "槐荫区加快推进济南西站片区建设", "--outlet", "测试日报", "--date", "2024-05-01",
        "--url", "https://example.org/a/1", "--byline", "记者 张三"]


def _copy_repo(dest: Path) -> Path:
    (dest / "geo").mkdir(parents=True)
    shutil.copytree(ROOT / "seeds", dest / "seeds")
    shutil.copytree(ROOT / "layers", dest / "layers")
    shutil.copytree(ROOT / "geo" / "gazetteer", dest / "geo" / "gazetteer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return dest


def _paths(repo: Path) -> list[str]:
    return ["--seeds", str(repo / "seeds"), "--layers", str(repo / "layers"), "--gazetteer", str(repo / "geo" / "gazetteer")]


def _snapshot(repo: Path) -> dict[str, str]:
    return {str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(repo.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    repo = _copy_repo(tmp_path_factory.mktemp("repo"))
    article = repo / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    catalog_before = (repo / "seeds" / "catalog.yml").read_text(encoding="utf-8")
    out = run_geo("add", str(article), *META, *_paths(repo))
    assert out.returncode == 0, out.stderr.decode()
    return repo, catalog_before, out


def test_the_article_is_copied_verbatim_under_the_next_name(added):
    repo, _, _ = added
    new = sorted((repo / "seeds").glob("005_*.txt"))
    assert len(new) == 1
    assert new[0].read_bytes() == ARTICLE.encode("utf-8")
    assert new[0].stem == "005_" + hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()[:16]


def test_the_catalog_gains_the_entry_and_keeps_its_text(added):
    repo, before, _ = added
    after = (repo / "seeds" / "catalog.yml").read_text(encoding="utf-8")
    assert after.startswith(before)                         # comments and layout kept: appended
    entry = yaml.safe_load(after)["articles"][-1]
    assert entry["id"].startswith("005_") and entry["title"] == "槐荫区加快推进济南西站片区建设"
    assert (entry["outlet"], str(entry["date"]), entry["url"]) == ("测试日报", "2024-05-01", "https://example.org/a/1")
    assert entry["byline"]["as_printed"] == "记者 张三"
    assert entry["districts"] == [{"name": "槐荫区", "adcode": "370104"}]


def test_the_layers_are_rebuilt_and_a_known_place_quotes_the_article(added):
    repo, _, _ = added
    doc_id = sorted((repo / "seeds").glob("005_*.txt"))[0].stem
    features = [f for p in (repo / "layers").glob("*.geojson")
                for f in json.loads(p.read_text(encoding="utf-8"))["features"]]
    (center,) = {f["id"]: f for f in features if f["id"] == "huaiyin/medical-science-center"}.values()
    cites = [c for c in center["properties"]["citations"] if c["doc"] == doc_id]
    assert cites and "济南国际医学科学中心" in cites[0]["quote"] and cites[0]["outlet"] == "测试日报"
    assert ARTICLE[cites[0]["start"]:cites[0]["end"]] == cites[0]["quote"]


def test_the_review_queue_lists_the_new_names_with_quotes_and_districts(added):
    repo, _, _ = added
    out = run_geo("review", "--json", "--gazetteer", str(repo / "geo" / "gazetteer"))
    assert out.returncode == 0, out.stderr.decode()
    queue = json.loads(out.stdout)
    by_name = {q["surface"]: q for q in queue}
    park = by_name["腊山河生态公园"]
    assert park["district"] == "槐荫区" and "腊山河生态公园" in park["quote"]
    assert ARTICLE[park["start"]:park["end"]] == "腊山河生态公园"
    lines = run_geo("review", "--gazetteer", str(repo / "geo" / "gazetteer")).stdout.decode().splitlines()
    assert any(line.startswith("腊山河生态公园\t槐荫区\t") for line in lines)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return _copy_repo(tmp_path_factory.mktemp("pristine"))


@pytest.mark.parametrize("case, content, meta, reason", [
    ("empty", b"  \n", META, "empty"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, META, "binary"),
    ("undecodable", bytes(range(0x80, 0x100)) * 8, META, "undecodable"),
    ("duplicate", (ROOT / "seeds" / "000_d54c22738cddc5a0.txt").read_bytes(), META, "already in the corpus"),
    ("bad date", ARTICLE.encode(), ["--title", "t", "--outlet", "o", "--date", "2021-13-45"], "no calendar date"),
    ("date form", ARTICLE.encode(), ["--title", "t", "--outlet", "o", "--date", "2021/05/01"], "not YYYY-MM-DD"),
    ("future", ARTICLE.encode(), ["--title", "t", "--outlet", "o", "--date", "2999-01-01"], "in the future"),
    ("no title", ARTICLE.encode(), ["--title", " ", "--outlet", "o", "--date", "2021-05-01"], "--title is empty"),
    ("no outlet", ARTICLE.encode(), ["--title", "t", "--outlet", "", "--date", "2021-05-01"], "--outlet is empty"),
    ("bad url", ARTICLE.encode(), [*META[:6], "--url", "javascript:alert(1)"], "not an http(s) address"),
    ("too long", ("济南" * 100_001).encode(), META, "over the limit of 200,000"),
])
def test_refusals_give_one_line_and_change_nothing(pristine, tmp_path, case, content, meta, reason):
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    before = _snapshot(pristine)
    out = run_geo("add", str(article), *meta, *_paths(pristine))
    err = out.stderr.decode().strip()
    assert out.returncode == 2, (case, err)
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and reason in err, err
    assert _snapshot(pristine) == before


def test_the_added_corpus_validates_with_fresh_layers(added):
    repo, _, _ = added
    out = run_geo("validate", "--seeds", str(repo / "seeds"), "--layers", str(repo / "layers"),
                  "--gazetteer", str(repo / "geo" / "gazetteer"))
    assert out.returncode == 0, out.stderr.decode()


def test_a_failed_rebuild_puts_everything_back(tmp_path):
    repo = _copy_repo(tmp_path / "repo")
    (repo / "layers" / "districts.geojson").unlink()          # the build cannot run without it
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    before = _snapshot(repo)
    out = run_geo("add", str(article), *META, *_paths(repo))
    assert out.returncode == 2 and "districts layer is missing" in out.stderr.decode()
    assert _snapshot(repo) == before


# The same article as a differently saved file: the duplicate check compares the text as the corpus
# reads it, not the bytes (a QA pass added a BOM copy and a CRLF copy as new articles).
SAME_TEXT = {
    "utf-8 bom": b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"),
    "crlf": ARTICLE.replace("\n", "\r\n").encode("utf-8"),
    "bom and crlf": b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"),
    "old mac cr": ARTICLE.replace("\n", "\r").encode("utf-8"),
    "gbk": ARTICLE.encode("gb18030"),
    "utf-16 le": ARTICLE.encode("utf-16"),                     # Python writes the BOM, little-endian
    "utf-16 be": b"\xfe\xff" + ARTICLE.encode("utf-16-be"),
    "paragraphs spaced": ARTICLE.replace("\n", "\n\n").replace("。", "。 ").encode("utf-8"),
    "full-width ideographic spaces": ARTICLE.replace("\n", "\u3000\n").encode("utf-8"),
    # CJK compatibility ideographs (U+F937 路, U+F98E 年): look the same, NFC makes them the same
    "compatibility ideographs": ARTICLE.replace("路", "\uf937").replace("年", "\uf98e").encode("utf-8"),
    "traditional characters": ("槐蔭區加快推進濟南西站片區建設\n記者從槐蔭區獲悉，今年槐蔭區將加快濟南國際醫學科學中心建設，"
                               "並在濟南西站以東新建臘山河生態公園。\n同時，槐蔭區將啓動經十西路沿線整治。\n").encode("utf-8"),
}


@pytest.mark.parametrize("case", SAME_TEXT)
def test_the_same_text_saved_differently_is_already_in_the_corpus(added, tmp_path, case):
    repo, _, _ = added
    doc_id = sorted((repo / "seeds").glob("005_*.txt"))[0].stem
    copy = tmp_path / "copy.txt"
    copy.write_bytes(SAME_TEXT[case])
    before = _snapshot(repo)
    out = run_geo("add", str(copy), *META, *_paths(repo))
    err = out.stderr.decode().strip()
    assert out.returncode == 2 and err == f"error: {copy}: already in the corpus as {doc_id}", (case, err)
    assert _snapshot(repo) == before


@pytest.mark.parametrize("case", ["bom and crlf", "utf-16 le", "utf-16 be"])
def test_an_article_saved_with_a_bom_crlf_or_as_utf16_is_stored_as_plain_utf8(tmp_path, case):
    """What the seeds hold is the text: UTF-8, LF line ends, no byte-order mark; offsets index into it."""
    repo = _copy_repo(tmp_path / "repo")
    article = tmp_path / "article.txt"
    article.write_bytes(SAME_TEXT[case])
    out = run_geo("add", str(article), *META, *_paths(repo))
    assert out.returncode == 0, out.stderr.decode()
    (stored,) = (repo / "seeds").glob("005_*.txt")
    assert stored.read_bytes() == ARTICLE.encode("utf-8")
    assert stored.stem == "005_" + hashlib.sha256(stored.read_bytes()).hexdigest()[:16]
    queue = yaml.safe_load((repo / "geo" / "gazetteer" / "review" / "queue.yml").read_text(encoding="utf-8"))
    new = [q for q in queue if q["doc"] == stored.stem]
    assert new and all(ARTICLE[q["start"]:q["end"]] == q["surface"] for q in new)
    sources = json.loads((repo / "layers" / "sources.json").read_text(encoding="utf-8"))
    assert sources[stored.stem]["text"] == ARTICLE and sources[stored.stem]["encoding"] == "utf-8"


def test_the_article_url_and_the_given_date_reach_the_public_source_page(added):
    """`--url` is carried from the catalog into layers/sources.json and linked from /sources/<doc>;
    a date the curator gave is not called estimated (the seeds' estimated dates still are)."""
    from webmap import create_app

    repo, _, _ = added
    doc_id = sorted((repo / "seeds").glob("005_*.txt"))[0].stem
    sources = json.loads((repo / "layers" / "sources.json").read_text(encoding="utf-8"))
    assert (sources[doc_id]["url"], sources[doc_id]["date_certainty"]) == ("https://example.org/a/1", "given")
    seed = "000_d54c22738cddc5a0"
    assert (sources[seed]["url"], sources[seed]["date_certainty"]) == (None, "estimate")
    client = create_app({"LAYERS_DIR": str(repo / "layers"), "TESTING": True}).test_client()
    for lang, estimated in (("zh", "日期为推定"), ("en", "date estimated")):
        page = client.get(f"/sources/{doc_id}?lang={lang}").get_data(as_text=True)
        links = re.findall(r'<a href="https://example.org/a/1"([^>]*)>', page)
        assert len(links) == 1 and 'rel="noopener nofollow"' in links[0], links
        assert "<time>2024-05-01</time>" in page and estimated not in page
        seed_page = client.get(f"/sources/{seed}?lang={lang}").get_data(as_text=True)
        assert estimated in seed_page and "noopener nofollow" not in seed_page      # no URL in its catalog entry
