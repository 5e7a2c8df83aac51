"""`geo validate` catches each kind of broken record and names it (small broken fixtures)."""
import json
import shutil

import pytest
import yaml

from conftest import ROOT, run_geo
from geo import paths
from geo.build.check import validate_project


@pytest.fixture
def project(tmp_path):
    """A private copy of seeds, gazetteer and layers that a test may break."""
    for src, name in ((paths.SEEDS, "seeds"), (paths.GAZETTEER, "gazetteer"), (ROOT / "layers", "layers")):
        shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return tmp_path


def _problems(project):
    return validate_project(project / "seeds", project / "gazetteer", project / "layers")


def _edit_yaml(path, fn):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _set_shape(project, pid, geometry=None, **changes):
    """Change one place's Feature in its district's shapes file, as a curator would."""
    path = project / "gazetteer" / "shapes" / f"{pid.split('/')[0]}.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    for f in fc["features"]:
        if f["id"] == pid:
            f["properties"].update(changes)
            if geometry is not None:
                f["geometry"] = geometry
            path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
            return
    raise KeyError(pid)


def _edit_layer(project, name, fn):
    path = project / "layers" / f"{name}.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fn(fc)
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


def _assert_named(problems, record, phrase):
    assert any(record in p and phrase in p for p in problems), problems


def test_committed_data_is_valid():
    out = run_geo("validate")
    assert out.returncode == 0, out.stderr.decode()


def test_invalid_geometry(project):
    bowtie = {"type": "Polygon", "coordinates": [[[117.05, 36.66], [117.06, 36.67], [117.06, 36.66],
                                                  [117.05, 36.67], [117.05, 36.66]]]}
    _set_shape(project, "lixia/changlingshan-area", geometry=bowtie, stated_area_km2=None)
    _assert_named(_problems(project), "lixia/changlingshan-area", "invalid geometry")


def test_empty_geometry(project):
    _set_shape(project, "lixia/baihuazhou", geometry={"type": "Polygon", "coordinates": []})
    _assert_named(_problems(project), "lixia/baihuazhou", "empty")


def test_coordinates_outside_jinan_catch_a_lat_lon_swap(project):
    _set_shape(project, "lixia/baihuazhou", geometry={"type": "Point", "coordinates": [36.6669, 117.0181]})
    _assert_named(_problems(project), "lixia/baihuazhou", "outside Jinan's extent")


def test_place_outside_its_district_beyond_its_uncertainty(project):
    # 百花洲 moved to Huaiyin's 济南西站: well inside Jinan, but not in 历下区.
    _set_shape(project, "lixia/baihuazhou", geometry={"type": "Point", "coordinates": [116.887, 36.669]},
               uncertainty_m=200)
    _assert_named(_problems(project), "lixia/baihuazhou", "outside its district 历下区")


def test_area_off_from_the_stated_area(project):
    _set_shape(project, "lixia/cbd", stated_area_km2=30.0)
    _assert_named(_problems(project), "lixia/cbd", "from the 30.0 km² its source states")


def test_duplicate_ids(project):
    def dup(records):
        records.append(dict(records[0], name="重复", aliases=[], short_aliases=[]))
    _edit_yaml(project / "gazetteer" / "lixia.yml", dup)
    _assert_named(_problems(project), "lixia/quancheng-jiefang-axis", "duplicate id")


def test_broken_gazetteer_record_is_named(project):
    def broken(records):
        records[1]["kind"] = "castle"
        del records[2]["name_en"]
    _edit_yaml(project / "gazetteer" / "lixia.yml", broken)
    problems = _problems(project)
    _assert_named(problems, "lixia/daminghu-qianfoshan-corridor", "kind 'castle'")
    _assert_named(problems, "lixia/maolingshan-area", "name_en")


def test_feature_with_no_citation(project):
    def unnamed(records):
        records.append({"id": "lixia/nowhere-park", "name": "无名之园", "name_en": "Nowhere Park", "kind": "park",
                        "district": "历下区", "adcode": "370102", "aliases": []})
    _edit_yaml(project / "gazetteer" / "lixia.yml", unnamed)
    path = project / "gazetteer" / "shapes" / "lixia.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"].append({"type": "Feature", "id": "lixia/nowhere-park",
                           "geometry": {"type": "Point", "coordinates": [117.02, 36.67]},
                           "properties": {"precision": "site", "uncertainty_m": 100, "method": "placed-at-address",
                                          "vertex_basis": "recalled", "sources": [], "note": None,
                                          "no_source_reason": "a test fixture, not a real place"}})
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    _assert_named(_problems(project), "lixia/nowhere-park", "no citation")


def test_shape_without_provenance_is_named(project):
    _set_shape(project, "lixia/baihuazhou", vertex_basis="guessed", sources=[{"url": "x"}])
    problems = _problems(project)
    _assert_named(problems, "lixia/baihuazhou", "vertex_basis 'guessed'")
    _assert_named(problems, "lixia/baihuazhou", "sources must be a list of")


def test_citation_whose_quote_is_not_the_original_text(docs_by_id):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from geo.build.validate import check_citations

    doc = next(iter(docs_by_id.values()))
    places = gpd.GeoDataFrame({"id": ["x/a"]}, geometry=[Point(117, 36.6)], crs="EPSG:4326").set_index("id", drop=False)
    cites = pd.DataFrame([{"place_id": "x/a", "doc": doc.id, "start": 0, "end": 6, "quote": "伪造的引文。",
                           "marks": [[0, 2]]}])
    assert check_citations(places, cites, docs_by_id) == [
        f"x/a: citation quote is not the original text of {doc.id} at 0–6"]
    cites.loc[0, "quote"] = doc.original[0:6]
    assert check_citations(places, cites, docs_by_id) == []


def test_framework_whose_count_differs_from_its_text(project):
    seeds = project / "seeds"
    (seeds / "900_wrong_count.txt").write_text(
        "槐荫区将推进济南国际医学科学中心、央企总部城五大主战场建设。", encoding="utf-8")
    _edit_yaml(seeds / "catalog.yml", lambda c: c["articles"].append({
        "id": "900_wrong_count", "title": "测试", "outlet": None, "districts": [{"name": "槐荫区", "adcode": "370104"}],
        "date": "2021-01", "language": "zh-Hans"}))
    _assert_named(_problems(project), "huaiyin-five-battlefields", "lists 2 member(s)")


def test_stale_layers_are_reported(project):
    path = project / "seeds" / "000_d54c22738cddc5a0.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert any("stale" in p for p in _problems(project))


def test_cli_exits_non_zero_and_names_the_record(project):
    _set_shape(project, "lixia/baihuazhou", geometry={"type": "Point", "coordinates": [36.6669, 117.0181]})
    out = run_geo("validate", "--seeds", str(project / "seeds"), "--gazetteer", str(project / "gazetteer"),
                  "--layers", str(project / "layers"))
    err = out.stderr.decode()
    assert out.returncode == 1 and "lixia/baihuazhou" in err and "Traceback" not in err


def test_a_layer_edited_by_hand_is_reported(project):
    def edit(fc):
        fc["features"][0]["properties"]["precision"] = "site"
    _edit_layer(project, "parks", edit)
    problems = _problems(project)
    assert any("parks.geojson" in p and "sha256" in p for p in problems), problems


def test_an_export_edited_by_hand_is_reported(project):
    path = project / "layers" / "downloads" / "parks.csv"
    path.write_bytes(path.read_bytes().replace(b"site", b"zone", 1))
    assert any("downloads/parks.csv" in p and "sha256" in p for p in _problems(project))
