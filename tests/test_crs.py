"""GCJ-02 / BD-09 conversions and geodesic measures in geo.crs."""

import numpy as np
import pytest
import shapely
from shapely.affinity import translate
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Proj, Transformer

from geo.crs import (area_km2, bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, length_km,
                     transform_geometry, wgs84_to_gcj02)

GEOD = Geod(ellps="WGS84")
QUANCHENG_SQUARE_WGS84 = (117.0213, 36.6615)  # 泉城广场, central Jinan

# (wgs lon, wgs lat, gcj lon, gcj lat): the test vectors of googollee/eviltransform,
# python/test.py (same values in go/transform_test.go), lon/lat swapped to our order.
EVILTRANSFORM_VECTORS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
# Example results printed in the README of wandergis/coordtransform (npm "coordtransform"),
# each computed from the input (116.404, 39.915).
WANDERGIS_INPUT = (116.404, 39.915)
WANDERGIS_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
WANDERGIS_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
WANDERGIS_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)  # its one-step closed form

jinan_lon = st.floats(116.2, 117.6)
jinan_lat = st.floats(36.0, 37.2)


def metres(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_wgs84_to_gcj02_moves_central_jinan_by_several_hundred_metres():
    gcj = wgs84_to_gcj02(*QUANCHENG_SQUARE_WGS84)
    assert 300 < metres(QUANCHENG_SQUARE_WGS84, gcj) < 800
    assert gcj[0] > QUANCHENG_SQUARE_WGS84[0] and gcj[1] > QUANCHENG_SQUARE_WGS84[1]  # to NE


def test_gcj02_to_wgs84_recovers_central_jinan_within_a_centimetre():
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*QUANCHENG_SQUARE_WGS84))
    assert metres(QUANCHENG_SQUARE_WGS84, back) < 0.01


@settings(max_examples=300)
@given(jinan_lon, jinan_lat)
def test_gcj02_round_trip_is_within_a_centimetre_over_jinan(lon, lat):
    assert metres((lon, lat), gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))) < 0.01


@settings(max_examples=300)
@given(jinan_lon, jinan_lat)
def test_bd09_round_trip_is_within_a_centimetre_over_jinan(lon, lat):
    assert metres((lon, lat), bd09_to_gcj02(*gcj02_to_bd09(lon, lat))) < 0.01


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM_VECTORS)
def test_wgs84_to_gcj02_matches_eviltransform_vectors(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    assert wgs84_to_gcj02(wgs_lon, wgs_lat) == pytest.approx((gcj_lon, gcj_lat), abs=1e-9)


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM_VECTORS)
def test_gcj02_to_wgs84_inverts_eviltransform_vectors_within_a_centimetre(
        wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    assert metres((wgs_lon, wgs_lat), gcj02_to_wgs84(gcj_lon, gcj_lat)) < 0.01


def test_forward_conversions_match_wandergis_coordtransform_readme():
    assert gcj02_to_bd09(*WANDERGIS_INPUT) == pytest.approx(WANDERGIS_GCJ02_TO_BD09, abs=1e-9)
    assert wgs84_to_gcj02(*WANDERGIS_INPUT) == pytest.approx(WANDERGIS_WGS84_TO_GCJ02, abs=1e-9)


def test_bd09_to_gcj02_agrees_with_the_closed_form_within_its_error():
    # The closed form is not exact (up to ~0.2 m); ours iterates, so they differ by centimetres.
    assert metres(bd09_to_gcj02(*WANDERGIS_INPUT), WANDERGIS_BD09_TO_GCJ02) < 0.2


@pytest.mark.parametrize("point", [(2.3522, 48.8566), (139.6917, 35.6895), (-74.006, 40.7128)])
def test_points_outside_china_are_unchanged(point):
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_conversions_accept_arrays_like_scalars():
    lons, lats = np.array([116.5, 117.0, 2.35]), np.array([36.5, 36.7, 48.85])
    glons, glats = wgs84_to_gcj02(lons, lats)
    for lon, lat, glon, glat in zip(lons, lats, glons, glats):
        assert wgs84_to_gcj02(lon, lat) == (glon, glat)


def test_transform_geometry_converts_every_vertex_of_a_mapping_or_shapely_geometry():
    ring = [(117.0, 36.6), (117.1, 36.6), (117.1, 36.7), (117.0, 36.6)]
    from_mapping = transform_geometry({"type": "Polygon", "coordinates": [ring]}, wgs84_to_gcj02)
    from_shapely = transform_geometry(shapely.Polygon(ring), wgs84_to_gcj02)
    expected = [wgs84_to_gcj02(*p) for p in ring]
    assert isinstance(from_mapping, shapely.Polygon)
    assert from_mapping.equals_exact(from_shapely, 0)
    assert list(from_mapping.exterior.coords) == expected


def utm50n_square_km(x0=500_000.0, y0=4_060_000.0, side=1000.0):
    """A side × side metre square on the UTM 50N grid (central Jinan), in WGS-84."""
    to_wgs = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
    square = shapely.box(x0, y0, x0 + side, y0 + side)
    return shapely.transform(square, to_wgs.transform, interleaved=False), (x0, y0)


def test_area_of_a_utm_kilometre_square_is_one_square_kilometre():
    square, (x0, y0) = utm50n_square_km()
    lon, lat = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True).transform(x0, y0)
    # UTM shrinks the grid by k ≈ 0.9996 at the central meridian, so the ground area is 1/k².
    areal_scale = Proj("EPSG:32650").get_factors(lon, lat).areal_scale
    assert area_km2(square) == pytest.approx(1 / areal_scale, rel=1e-5)
    assert area_km2(square) == pytest.approx(1.0, rel=2e-3)


def test_area_ignores_ring_orientation_and_subtracts_holes():
    square, _ = utm50n_square_km()
    assert area_km2(square.reverse()) == pytest.approx(area_km2(square), rel=1e-12)
    hole, _ = utm50n_square_km(500_250.0, 4_060_250.0, 500.0)
    holed = shapely.Polygon(square.exterior, [hole.exterior])
    assert area_km2(holed) == pytest.approx(area_km2(square) - area_km2(hole), rel=1e-9)
    assert area_km2(shapely.MultiPolygon([hole, translate(hole, 0.1)])) == (
        pytest.approx(2 * area_km2(hole), rel=1e-3))


def test_length_of_a_utm_kilometre_is_one_kilometre():
    square, _ = utm50n_square_km()
    assert length_km(square.exterior) == pytest.approx(4.0, rel=1e-3)
    assert length_km(shapely.LineString(square.exterior.coords[:2])) == pytest.approx(1.0, rel=1e-3)
