"""Chinese map datums (GCJ-02, BD-09) and geodesic measures.

Stored coordinates are WGS-84; GCJ-02 (Amap, Tencent) and BD-09 (Baidu) only appear at the
edges, when a source comes in or a view goes out to a Chinese basemap. Near Jinan GCJ-02 is
several hundred metres off WGS-84, so every conversion matters.

The forward formulas are the published "public secret" ones (the leaked ChinaMapShift code, as
reimplemented by eviltransform and PRCoords). No package on PyPI is both maintained and exact:
coordTransform inverts in one step (up to ~3 m off near Jinan), eviltransform stops at ~0.1 m
and PRCoords' precise inverse ignores its own out-of-China check. So the inverses here iterate
the forward function to a fixed point: the round trip is within 1e-5 mm over Jinan.

Every conversion takes floats or NumPy arrays, so whole geometries convert in one call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# GCJ-02 computes its offset on the Krasovsky 1940 ellipsoid.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0
# Inverse iterations stop below this step (degrees, ~0.01 mm) or after _MAX_ITER rounds.
_TOL_DEG = 1e-10
_MAX_ITER = 30
_GEOD = Geod(ellps="WGS84")

Coords = tuple[Any, Any]
"""(lon, lat): floats, or NumPy arrays of the same shape."""


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The rectangle outside of which GCJ-02 leaves coordinates alone (as eviltransform)."""
    return ~((lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271))


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 at a WGS-84 point, in degrees, ignoring the China rectangle."""
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat_m = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
              + 0.2 * np.sqrt(np.abs(x)) + common
              + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
              + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon_m = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y
              + 0.1 * np.sqrt(np.abs(x)) + common
              + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
              + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad_lat = np.radians(lat)
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat_m * 180.0 / (_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE) / (magic * sqrt_magic) * np.pi)
    dlon = dlon_m * 180.0 / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _invert(forward: Callable[[np.ndarray, np.ndarray], Coords],
            lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(x) = target by fixed-point iteration; both datums shift smoothly and
    by far less than a degree, so x -= forward(x) - target converges in a few rounds."""
    x, y = lon, lat
    for _ in range(_MAX_ITER if lon.size else 0):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if max(np.max(np.abs(dx)), np.max(np.abs(dy))) < _TOL_DEG:
            break
    return x, y


def _result(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> Coords:
    return (float(lon), float(lat)) if scalar else (lon, lat)


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), np.ndim(lon) == 0


def _wgs_to_gcj_raw(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS-84 → GCJ-02 (Amap/Tencent). Points outside China are returned unchanged."""
    lon, lat, scalar = _arrays(lon, lat)
    glon, glat = _wgs_to_gcj_raw(lon, lat)
    outside = _out_of_china(lon, lat)
    return _result(np.where(outside, lon, glon), np.where(outside, lat, glat), scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 → WGS-84 by iterating the forward formula (residual < 1e-10°, well under 1 cm).

    A single-step inverse, as most snippets use, is off by up to ~3 m near Jinan."""
    lon, lat, scalar = _arrays(lon, lat)
    wlon, wlat = _invert(_wgs_to_gcj_raw, lon, lat)
    outside = _out_of_china(lon, lat)
    return _result(np.where(outside, lon, wlon), np.where(outside, lat, wlat), scalar)


def _gcj_to_bd_raw(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 → BD-09 (Baidu), the formula Baidu applies everywhere on top of GCJ-02."""
    lon, lat, scalar = _arrays(lon, lat)
    return _result(*_gcj_to_bd_raw(lon, lat), scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 → GCJ-02, iterated like gcj02_to_wgs84 (the closed form is up to ~0.2 m off)."""
    lon, lat, scalar = _arrays(lon, lat)
    return _result(*_invert(_gcj_to_bd_raw, lon, lat), scalar)


def transform_geometry(geom: BaseGeometry | Mapping[str, Any],
                       func: Callable[[np.ndarray, np.ndarray], Coords]) -> BaseGeometry:
    """Apply a (lon, lat) → (lon, lat) conversion to every vertex of a shapely geometry or a
    GeoJSON geometry mapping. Vertex by vertex, so vertices shared by neighbours stay shared."""
    geom = geom if isinstance(geom, BaseGeometry) else shape(geom)
    return shapely.transform(geom, func, interleaved=False)


def area_km2(geom: BaseGeometry) -> float:
    """Area of a WGS-84 (multi)polygon on the WGS-84 ellipsoid, in km².

    Computed per ring with absolute values, so it does not depend on ring orientation."""
    def ring(r: Any) -> float:
        return abs(_GEOD.polygon_area_perimeter(*r.xy)[0])

    total = sum(ring(p.exterior) - sum(ring(h) for h in p.interiors)
                for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty)
    return total / 1e6


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length of a WGS-84 line (or a polygon's perimeter) on the ellipsoid, in km."""
    return _GEOD.geometry_length(geom) / 1000.0
