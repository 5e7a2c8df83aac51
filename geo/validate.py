"""Checks that fail loudly, naming the record: geometry, extent, district, area, ids, citations, counts.

`validate_layers` checks layers in memory (the build runs it before swapping layers in);
`validate_project` checks the committed gazetteer, articles and layers/ together.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import LinearRing, Point, shape

from geo.corpus import Document, load_corpus
from geo.errors import GeoError
from geo.gazetteer import PRECISIONS, Gazetteer, read_gazetteer

# Jinan (incl. Laiwu, Gangcheng, Shanghe) with a small margin: catches lat/lon swaps and stray data.
JINAN_EXTENT = (116.15, 35.95, 118.05, 37.6)
AREA_TOLERANCE = 0.25
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)


def _utm(geom):
    return shapely.transform(geom, lambda xy: _xy_to_utm(xy))


def _xy_to_utm(xy):
    import numpy as np

    x, y = _TO_UTM.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _positions(geometry: dict):
    coords = geometry.get("coordinates")

    def walk(c):
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            yield c
        elif isinstance(c, (list, tuple)):
            for x in c:
                yield from walk(x)
    yield from walk(coords)


def _rings(geometry: dict):
    t = geometry.get("type")
    polys = [geometry["coordinates"]] if t == "Polygon" else geometry["coordinates"] if t == "MultiPolygon" else []
    for poly in polys:
        for k, ring in enumerate(poly):
            yield k, ring


def check_geometry(fid: str, geometry: dict | None) -> list[str]:
    """RFC 7946 and sanity: valid, non-empty, inside Jinan, right-hand winding, ≤ 6 decimals."""
    if not geometry:
        return [f"{fid}: no geometry"]
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError) as exc:
        return [f"{fid}: unreadable geometry ({exc})"]
    out = []
    if geom.is_empty:
        return [f"{fid}: empty geometry"]
    if not geom.is_valid:
        out.append(f"{fid}: invalid geometry ({shapely.is_valid_reason(geom)})")
    x0, y0, x1, y1 = JINAN_EXTENT
    for pos in _positions(geometry):
        lon, lat = pos[0], pos[1]
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            out.append(f"{fid}: coordinate ({lon}, {lat}) is outside Jinan's extent "
                       f"(lon {x0}–{x1}, lat {y0}–{y1}; lat/lon swapped?)")
            break
    if any(len(repr(float(v)).split(".")[-1]) > 6 for pos in _positions(geometry) for v in pos[:2]):
        out.append(f"{fid}: coordinates with more than 6 decimals")
    for k, ring in _rings(geometry):
        if len(ring) >= 4 and LinearRing(ring).is_ccw != (k == 0):
            out.append(f"{fid}: {'exterior' if k == 0 else 'hole'} ring wound the wrong way (RFC 7946 §3.1.6)")
            break
    return out


def check_place_feature(f: dict, districts, docs: dict[str, Document]) -> list[str]:
    fid = f.get("id")
    props = f.get("properties") or {}
    out = check_geometry(str(fid), f.get("geometry"))
    if not fid or fid != props.get("id"):
        out.append(f"{fid}: feature id and properties.id differ or are missing")
    if props.get("precision") not in PRECISIONS:
        out.append(f"{fid}: precision {props.get('precision')!r} unknown")
    if not props.get("geometry_source"):
        out.append(f"{fid}: no geometry_source")
    cites = props.get("citations") or []
    if not cites:
        out.append(f"{fid}: no citation: no article names this place")
    for c in cites:
        doc = docs.get(c.get("doc"))
        if doc is None:
            out.append(f"{fid}: citation of unknown article {c.get('doc')!r}")
        elif doc.original[c.get("start", 0):c.get("end", 0)] != c.get("quote"):
            out.append(f"{fid}: citation quote is not the original text of {c['doc']} at {c.get('start')}–{c.get('end')}")
        else:
            for s, e in c.get("marks", []):
                if not (c["start"] <= s < e <= c["end"]):
                    out.append(f"{fid}: citation mark {s}–{e} lies outside its quote")
    if out:
        return out
    geom = shape(f["geometry"])
    district = districts.get(props.get("adcode"))
    if district is None:
        out.append(f"{fid}: no district with adcode {props.get('adcode')!r}")
    else:
        tolerance = props.get("uncertainty_m") or 0
        g, d = _utm(geom), _utm(district)
        outside = max((d.distance(Point(p)) for p in shapely.get_coordinates(g)), default=0.0)
        if outside > tolerance + 1:
            out.append(f"{fid}: lies {outside:.0f} m outside its district {props.get('district')} "
                       f"(uncertainty {tolerance} m)")
    stated = props.get("stated_area_km2")
    if stated and geom.geom_type in ("Polygon", "MultiPolygon"):
        from geo.crs import area_km2

        area = area_km2(geom)
        if abs(area / stated - 1) > AREA_TOLERANCE:
            out.append(f"{fid}: area {area:.2f} km² is off by {100 * (area / stated - 1):+.0f}% from the "
                       f"{stated} km² its source states ({props.get('stated_area_source')})")
    return out


def validate_layers(layers: dict[str, dict], catalog: dict, docs: dict[str, Document],
                    gazetteer: Gazetteer | None = None) -> list[str]:
    problems = []
    districts = {}
    for f in layers.get("districts", {}).get("features", []):
        problems += check_geometry(f"districts/{f.get('id')}", f.get("geometry"))
        districts[f["properties"]["adcode"]] = shape(f["geometry"])
    for name, fc in layers.items():
        if name == "districts":
            continue
        seen = set()
        for f in fc.get("features", []):
            if f.get("id") in seen:
                problems.append(f"{name}: duplicate id {f.get('id')}")
            seen.add(f.get("id"))
            problems += [f"{name}: {p}" for p in check_place_feature(f, districts, docs)]
    for fw in catalog.get("frameworks", []):
        if not fw.get("count_ok"):
            n = len(fw.get("members", []))
            problems.append(f"framework {fw.get('id')} in {fw.get('doc')}: the text says {fw.get('label')} "
                            f"but lists {n} member(s): {fw.get('quote')}")
    if gazetteer is not None:
        placed = {f["id"] for n, fc in layers.items() if n != "districts" for f in fc["features"]}
        for p in gazetteer:
            if p.kind != "district" and p.id not in placed:
                problems.append(f"{p.id}: in the gazetteer but in no layer")
    return problems


def validate_project(seeds: Path, gazetteer_dir: Path, layers_dir: Path) -> list[str]:
    """Everything: gazetteer records, shapes, a fresh build in memory, and the committed layers."""
    from geo.layers import is_stale, render

    gazetteer, problems = read_gazetteer(gazetteer_dir)
    if problems:
        return problems
    docs = {d.id: d for d in load_corpus(seeds)}
    districts_path = Path(layers_dir) / "districts.geojson"
    try:
        fresh, problems = render(Path(seeds), Path(gazetteer_dir), districts_path)
    except GeoError as exc:
        return [str(exc)]
    try:
        catalog = json.loads((Path(layers_dir) / "catalog.json").read_text(encoding="utf-8"))
        layers = {name: json.loads((Path(layers_dir) / spec["file"]).read_text(encoding="utf-8"))
                  for name, spec in catalog["layers"].items()}
    except (OSError, ValueError, KeyError) as exc:
        return problems + [f"{layers_dir}: cannot read the built layers ({exc}); run `python -m geo build`"]
    problems += [f"committed {p}" for p in validate_layers(layers, catalog, docs, gazetteer)]
    for name, spec in catalog["layers"].items():
        data = (Path(layers_dir) / spec["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != spec.get("sha256"):
            problems.append(f"{layers_dir}/{spec['file']}: does not match the sha256 in catalog.json (edited by hand?)")
    if is_stale(Path(seeds), Path(gazetteer_dir), Path(layers_dir), districts_path):
        problems.append(f"{layers_dir}: layers are stale (inputs changed); run `python -m geo build`")
    else:
        # Same inputs must give the same bytes: anything else was edited after the build.
        for name, data in sorted(fresh.items()):
            path = Path(layers_dir) / name
            if not path.exists() or path.read_bytes() != data:
                problems.append(f"{path}: differs from what the build writes from the same inputs "
                                "(edited by hand?); run `python -m geo build`")
    return problems
