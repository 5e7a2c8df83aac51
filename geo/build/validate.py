"""Checks on the places GeoDataFrame that fail loudly, naming the record: validity, extent, district
containment within the stated uncertainty, stated areas, duplicate ids, citations, framework counts.

Vectorised with geopandas: containment is a spatial join of every vertex with the districts in
UTM 50N (metres), so a place is measured against its own district, not just any.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.corpus import Document
from geo.crs import area_km2

# Jinan (incl. Laiwu, Gangcheng, Shanghe) with a small margin: catches lat/lon swaps and stray data.
JINAN_EXTENT = (116.15, 35.95, 118.05, 37.6)
AREA_TOLERANCE = 0.25
UTM = "EPSG:32650"


def check_geometries(frame: gpd.GeoDataFrame, label: str = "") -> list[str]:
    """Empty, invalid (with GEOS's reason) and out-of-Jinan geometries, by id."""
    out = []
    geoms = frame.geometry
    for pid in frame.index[geoms.is_empty | geoms.isna()]:
        out.append(f"{label}{pid}: empty geometry")
    bad = ~geoms.is_valid & ~geoms.is_empty
    for pid, reason in zip(frame.index[bad], shapely.is_valid_reason(geoms[bad].values)):
        out.append(f"{label}{pid}: invalid geometry ({reason})")
    x0, y0, x1, y1 = JINAN_EXTENT
    b = geoms.bounds
    outside = (b.minx < x0) | (b.maxx > x1) | (b.miny < y0) | (b.maxy > y1)
    for pid in frame.index[outside.fillna(False)]:
        out.append(f"{label}{pid}: coordinates outside Jinan's extent (lon {x0}–{x1}, lat {y0}–{y1}; lat/lon swapped?)")
    dup = frame.index[frame.index.duplicated()]
    out += [f"{label}duplicate id {pid}" for pid in sorted(set(dup))]
    return out


def check_containment(places: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> list[str]:
    """Every vertex of a place inside its stated district, or within its uncertainty of it."""
    verts = places.geometry.get_coordinates(index_parts=False)
    points = gpd.GeoDataFrame({"id": verts.index, "adcode": places.loc[verts.index, "adcode"].values},
                              geometry=gpd.points_from_xy(verts.x, verts.y), crs=places.crs).to_crs(UTM)
    dist_utm = districts[["adcode", "geometry"]].to_crs(UTM)
    joined = gpd.sjoin(points, dist_utm, how="left", predicate="within")
    own = joined[joined["adcode_left"] == joined["adcode_right"]]
    astray = points.loc[~points.index.isin(own.index)]
    if astray.empty:
        return []
    polys = dist_utm.set_index("adcode").geometry
    known = astray["adcode"].isin(polys.index)
    out = [f"{pid}: no district with adcode {code!r}" for pid, code in
           astray.loc[~known, ["id", "adcode"]].drop_duplicates().itertuples(index=False)]
    astray = astray[known]
    dist = pd.Series(shapely.distance(astray.geometry.values, polys.loc[astray["adcode"]].values), index=astray.index)
    worst = dist.groupby(astray["id"]).max()
    tolerance = places["uncertainty_m"].astype("Float64").fillna(0).loc[worst.index]
    for pid in worst.index[worst > tolerance + 1]:
        out.append(f"{pid}: lies {worst[pid]:.0f} m outside its district {places.at[pid, 'district']} "
                   f"(uncertainty {places.at[pid, 'uncertainty_m']} m)")
    return out


def check_areas(places: gpd.GeoDataFrame) -> list[str]:
    stated = places[places["stated_area_km2"].notna() & places.geom_type.isin(["Polygon", "MultiPolygon"])]
    out = []
    for pid, geom, km2, src in zip(stated.index, stated.geometry, stated["stated_area_km2"], stated["stated_area_source"]):
        area = area_km2(geom)
        if abs(area / km2 - 1) > AREA_TOLERANCE:
            out.append(f"{pid}: area {area:.2f} km² is off by {100 * (area / km2 - 1):+.0f}% from the "
                       f"{km2} km² its source states ({src})")
    return out


def check_citations(places: gpd.GeoDataFrame, citations: pd.DataFrame, docs: dict[str, Document]) -> list[str]:
    """Every place cited; every quote the original text at its offsets; marks inside their quote."""
    out = [f"{pid}: no citation: no article names this place"
           for pid in places.index[~places.index.isin(citations["place_id"])]]
    for c in citations.itertuples(index=False):
        doc = docs.get(c.doc)
        if doc is None:
            out.append(f"{c.place_id}: citation of unknown article {c.doc!r}")
        elif doc.original[c.start:c.end] != c.quote:
            out.append(f"{c.place_id}: citation quote is not the original text of {c.doc} at {c.start}–{c.end}")
        elif any(not (c.start <= s < e <= c.end) for s, e in c.marks):
            out.append(f"{c.place_id}: a citation mark lies outside its quote in {c.doc}")
    return out


def check_frameworks(frameworks: list[dict]) -> list[str]:
    return [f"framework {fw['id']} in {fw['doc']}: the text says {fw['label']} but lists "
            f"{len(fw['members'])} member(s): {fw['quote']}" for fw in frameworks if not fw["count_ok"]]


def validate_places(places: gpd.GeoDataFrame, citations: pd.DataFrame, districts: gpd.GeoDataFrame,
                    docs: dict[str, Document], frameworks: list[dict]) -> list[str]:
    problems = check_geometries(districts.set_index("adcode", drop=False), "districts/")
    problems += check_geometries(places)
    if problems:
        return problems
    return (problems + check_containment(places, districts) + check_areas(places)
            + check_citations(places, citations, docs) + check_frameworks(frameworks))


def unplaced(gazetteer_ids: list[str], layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """Gazetteer places that no layer shows."""
    shown = set().union(*(set(f.index) for f in layers.values()))
    return [f"{pid}: in the gazetteer but in no layer" for pid in gazetteer_ids if pid not in shown]


def sha256_mismatches(files: dict[str, str], folder: Path) -> list[str]:
    """Files whose bytes no longer match the sha256 the build recorded (truncated, edited by hand)."""
    out = []
    for rel, digest in sorted(files.items()):
        try:
            data = (folder / rel).read_bytes()
        except OSError:
            out.append(f"{folder}/{rel}: missing")
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            out.append(f"{folder}/{rel}: does not match the sha256 recorded in catalog.json (truncated or edited?)")
    return out

