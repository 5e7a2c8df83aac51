"""Drawings between the view and the data: the basemap's datum in and out (GCJ-02 for Amap, with
`geo.crs`'s exact inverse), checks on what a browser sends, and geodesic measures as the build
computes them (pyproj on the WGS-84 ellipsoid), so the area shown while drawing is the one built.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.crs import area_km2, gcj02_to_wgs84, length_km, transform_geometry, wgs84_to_gcj02

CRSES = ("wgs84", "gcj02")
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiLineString", "MultiPolygon")
AREAS = ("Polygon", "MultiPolygon")
LINES = ("LineString", "MultiLineString")
SAME_DEGREES = 1e-6          # two vertices closer than this (~0.1 m) are one: a datum round trip, 6-decimal storage
MAX_VERTICES = 5000


class EditError(ValueError):
    """A request the editor cannot act on (bad geometry, unknown basemap): a 400 with the reason."""


def to_view(geom: BaseGeometry, crs: str) -> BaseGeometry:
    """WGS-84 → the datum of the basemap in view."""
    return transform_geometry(geom, wgs84_to_gcj02) if crs == "gcj02" else geom


def from_view(geom: BaseGeometry, crs: str) -> BaseGeometry:
    """The datum of the basemap in view → WGS-84 (exact inverse for GCJ-02)."""
    return transform_geometry(geom, gcj02_to_wgs84) if crs == "gcj02" else geom


def parse_geometry(data: object) -> BaseGeometry:
    """A drawn GeoJSON geometry, checked for type, size and finite lon/lat (validity is the build's
    check, so a self-intersecting polygon is refused with GEOS's reason, not here)."""
    if not isinstance(data, dict) or data.get("type") not in GEOMETRY_TYPES:
        raise EditError(f"geometry must be a GeoJSON {', '.join(GEOMETRY_TYPES)}")
    try:
        geom = shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError) as exc:
        raise EditError(f"unreadable geometry ({exc})") from None
    coords = shapely.get_coordinates(geom)
    if geom.is_empty or len(coords) == 0:
        raise EditError("empty geometry")
    if len(coords) > MAX_VERTICES:
        raise EditError(f"too many vertices ({len(coords)} > {MAX_VERTICES})")
    if not np.isfinite(coords).all() or (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        raise EditError("coordinates must be finite longitude/latitude")
    return geom


def measure(geom: BaseGeometry) -> dict:
    """Geodesic area (km², polygons) and length (km, lines) of a WGS-84 geometry, as the build measures."""
    kind = geom.geom_type
    return {"type": kind, "vertices": int(shapely.get_num_coordinates(geom)),
            "area_km2": round(area_km2(geom), 4) if kind in AREAS else None,
            "length_km": round(length_km(geom), 3) if kind in LINES else None}


def same_shape(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    """Whether a drawing is the stored shape again (same type, vertices within SAME_DEGREES), so an
    untouched save, or one that only went to Amap and back, is not recorded as a tracing. Repeated
    vertices are dropped on both sides first: GCJ-02 and back, then 6-decimal rounding, can merge two
    vertices that were a hair apart, and that is no change of shape."""
    if a is None or b is None or a.geom_type != b.geom_type:
        return False
    return bool(shapely.equals_exact(shapely.remove_repeated_points(a, SAME_DEGREES),
                                     shapely.remove_repeated_points(b, SAME_DEGREES), tolerance=SAME_DEGREES))

