"""The curation editor's fixes after a QA pass, without a browser: a save that changes nothing writes
nothing (also after a trip through Amap's GCJ-02 and back), a place whose article states an area
cannot be turned into a Point or a line, and multi-part shapes are shown as stored and can be saved.

Every test works on a temporary copy of the gazetteer, the articles and the layers (test_curate's).
"""
from __future__ import annotations

import json
import pytest
import shapely
import shapely.affinity
from shapely.geometry import mapping, shape

from geo.crs import gcj02_to_wgs84, transform_geometry, wgs84_to_gcj02
from test_curate import PLACE, data, editor, feature, layer_feature, snapshot  # noqa: F401 (fixtures)

CHANGLINGSHAN = "lixia/changlingshan-area"        # official boundary, states 2.7785 km²; built as a MultiPolygon
EDZ = "huaiyin/economic-development-zone"         # stored as a MultiPolygon of three blocks, states 9.53 km²
SHUNHE = "shizhong/shunhe-elevated"               # a LineString, built as a MultiLineString


def save(editor, place_id: str, geometry: dict, crs: str = "wgs84", basemap: str = "osm", sha: str | None = None):
    sha = sha or editor.get(f"/api/places/{place_id}").get_json()["sha256"]
    return editor.post(f"/api/places/{place_id}/shape", {"geometry": geometry, "crs": crs, "basemap": basemap,
                                                         "sha256": sha})


def stored(data: dict, place_id: str) -> dict:
    return feature(data, place_id, place_id.split("/")[0])["geometry"]


# ------------------------------------------------------------------ an untouched save writes nothing

@pytest.mark.parametrize("place_id", [PLACE, "shizhong/baimashan-area", EDZ])
def test_saving_the_shape_as_loaded_writes_nothing(editor, data, place_id):
    before = snapshot(data)
    place = editor.get(f"/api/places/{place_id}").get_json()
    resp = save(editor, place_id, place["geometry"], sha=place["sha256"])
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["unchanged"] is True and out["summary"].startswith("Nothing changed: the shape is the one stored")
    assert out["sha256"] == place["sha256"]
    assert snapshot(data) == before                       # provenance untouched: still as it was


def test_a_shape_shown_on_amap_and_saved_untouched_writes_nothing(editor, data):
    before = snapshot(data)
    place = editor.get("/api/places/shizhong/baimashan-area?crs=gcj02").get_json()
    resp = save(editor, "shizhong/baimashan-area", place["geometry"], crs="gcj02", basemap="amap", sha=place["sha256"])
    assert resp.status_code == 200 and resp.get_json()["unchanged"] is True, resp.get_json()
    assert snapshot(data) == before


def test_moving_a_vertex_by_a_metre_is_a_change(editor, data):
    geom = editor.get(f"/api/places/{PLACE}").get_json()["geometry"]
    geom["coordinates"][0][1][0] += 1e-5
    resp = save(editor, PLACE, geom)
    assert resp.status_code == 200 and resp.get_json()["unchanged"] is False
    assert feature(data, PLACE)["properties"]["method"] == "traced"


def test_a_datum_round_trip_keeps_every_vertex_of_every_stored_shape():
    """WGS-84 → GCJ-02 → WGS-84 over every stored shape: same vertices, within a hair of a millimetre."""
    from geo import paths

    for path in sorted((paths.GAZETTEER / "shapes").glob("*.geojson")):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if not f["geometry"]:
                continue
            geom = shape(f["geometry"])
            back = transform_geometry(transform_geometry(geom, wgs84_to_gcj02), gcj02_to_wgs84)
            a, b = shapely.get_coordinates(geom), shapely.get_coordinates(back)
            assert a.shape == b.shape and abs(a - b).max() < 1e-9, f["id"]


# ------------------------------------------------------------------ a stated area stays an area

@pytest.mark.parametrize("kind", ["Point", "LineString"])
def test_a_place_with_a_stated_area_cannot_become_a_point_or_a_line(editor, data, kind):
    built = shape(layer_feature(data, CHANGLINGSHAN)["geometry"])       # inside its district, so the build takes it
    inner = built.representative_point()
    geometry = mapping(inner if kind == "Point" else shapely.shortest_line(inner, built.boundary))
    before = snapshot(data)
    resp = save(editor, CHANGLINGSHAN, json.loads(json.dumps(geometry)))
    assert resp.status_code == 422
    body = resp.get_json()
    assert "nothing was written" in body["description"]
    problem = " ".join(body["problems"])
    assert CHANGLINGSHAN in problem and "states an area (2.7785 km²" in problem and kind in problem
    assert snapshot(data) == before


def test_a_place_without_a_stated_area_may_change_its_geometry_type(editor, data):
    pid = "shizhong/baimashan-area"                      # a rough zone, no area stated
    inner = shape(layer_feature(data, pid)["geometry"]).representative_point()
    resp = save(editor, pid, mapping(inner))
    assert resp.status_code == 200, resp.get_json()
    assert stored(data, pid)["type"] == "Point" and "Polygon of 5 vertices → Point" in resp.get_json()["summary"]


# ------------------------------------------------------------------ multi-part shapes

def test_the_editor_shows_the_stored_shape_not_the_clipped_build(editor, data):
    place = editor.get(f"/api/places/{CHANGLINGSHAN}").get_json()
    assert layer_feature(data, CHANGLINGSHAN)["geometry"]["type"] == "MultiPolygon"      # the clipped build
    assert place["geometry"] == stored(data, CHANGLINGSHAN)                           # the shape as drawn
    assert editor.get(f"/api/places/{EDZ}").get_json()["geometry"]["type"] == "MultiPolygon"
    borrowed = editor.get("/api/places/lixia/cbd-consumption-district").get_json()    # nothing stored: the built
    assert borrowed["geometry"] == layer_feature(data, "lixia/cbd")["geometry"]


def test_measure_gives_the_area_of_a_multipolygon(editor, data):
    geom = stored(data, EDZ)
    resp = editor.post("/api/measure", {"geometry": geom, "crs": "wgs84"})
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["type"] == "MultiPolygon" and out["area_km2"] > 5 and out["gcj02"]["type"] == "MultiPolygon"


def test_a_multipolygon_is_saved_and_rebuilt(editor, data):
    geom = stored(data, EDZ)
    geom["coordinates"][0][0][1][0] += 0.0005                          # one block's corner moved ~45 m
    resp = save(editor, EDZ, geom)
    assert resp.status_code == 200, resp.get_json()
    new = stored(data, EDZ)
    assert new["type"] == "MultiPolygon" and new["coordinates"][0][0][1][0] == pytest.approx(geom["coordinates"][0][0][1][0])
    assert feature(data, EDZ, "huaiyin")["properties"]["method"] == "traced"
    assert "MultiPolygon of 15 vertices → MultiPolygon of 15 vertices" in resp.get_json()["summary"]


def test_a_multilinestring_is_saved_and_rebuilt(editor, data):
    line = shape(stored(data, SHUNHE))
    coords = list(line.coords)
    multi = {"type": "MultiLineString", "coordinates": [coords[:8], coords[8:]]}
    resp = save(editor, SHUNHE, multi)
    assert resp.status_code == 200, resp.get_json()
    assert stored(data, SHUNHE)["type"] == "MultiLineString"
    assert layer_feature(data, SHUNHE)["properties"]["method"] == "traced"


def test_a_multipolygon_is_checked_against_its_stated_area(editor, data):
    before = snapshot(data)
    blocks = shape(stored(data, EDZ))
    small = mapping(shapely.affinity.scale(blocks, 0.4, 0.4, origin="centroid"))      # a sixth of the area
    resp = save(editor, EDZ, json.loads(json.dumps(small)))
    assert resp.status_code == 422
    assert any("from the 9.53 km² its source states" in p for p in resp.get_json()["problems"])
    assert snapshot(data) == before
