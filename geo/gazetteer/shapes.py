"""Place shapes as data: one GeoJSON file per district under `shapes/`, one Feature per place id.

A curator opens these files in QGIS or the curation editor; the build reads them here. Each
Feature's properties say how far to trust its geometry and where it came from (structured
provenance, never prose): `method`, `vertex_basis`, `sources`, `note`. A place that only borrows a
shape (its zone's or its district's) has `geometry: null` and `method: parent` or `district`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape as to_shape
from shapely.geometry.base import BaseGeometry

PRECISIONS = {"site": 100, "street": 300, "zone": 1000, "district": None}
METHODS = ("official-boundary", "drawn-from-description", "placed-at-address", "parent", "district", "traced")
BORROWED = ("parent", "district")
VERTEX_BASES = ("official", "traced", "geocoded", "recalled")
SOURCE_KEYS = ("url", "title", "publisher", "accessed")
DECIMALS = 6
SHAPES_DIR = "shapes"


@dataclass
class Shape:
    place_id: str
    geometry: BaseGeometry | None           # None: borrowed (method parent or district)
    precision: str
    uncertainty_m: int | None
    method: str
    vertex_basis: str
    sources: list[dict]
    note: str | None
    file: str
    no_source_reason: str | None = None
    clip_to_district: bool = False
    stated_area_km2: float | None = None
    stated_area_source: str | None = None
    traced: dict | None = None              # basemap, date, curator when method is traced


def _check_properties(props: dict, where: str) -> list[str]:
    out = []
    if props.get("precision") not in PRECISIONS:
        out.append(f"{where}: precision {props.get('precision')!r} is not one of {', '.join(PRECISIONS)}")
    if props.get("method") not in METHODS:
        out.append(f"{where}: method {props.get('method')!r} is not one of {', '.join(METHODS)}")
    if props.get("vertex_basis") not in VERTEX_BASES:
        out.append(f"{where}: vertex_basis {props.get('vertex_basis')!r} is not one of {', '.join(VERTEX_BASES)}")
    sources = props.get("sources")
    if not isinstance(sources, list) or any(not isinstance(s, dict) or set(s) != set(SOURCE_KEYS)
                                            or not s.get("url") for s in sources):
        out.append(f"{where}: sources must be a list of {{{', '.join(SOURCE_KEYS)}}} with a url")
    elif not sources and not props.get("no_source_reason"):
        out.append(f"{where}: no source and no no_source_reason saying why none exists")
    u = props.get("uncertainty_m")
    if u is not None and not (isinstance(u, int) and u >= 0):
        out.append(f"{where}: uncertainty_m must be a non-negative integer or null")
    return out


def read_shape_file(path: Path) -> tuple[list[Shape], list[str]]:
    """Every Feature of one shapes file; problems name the file and the feature."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return [], [f"{path.name}: not UTF-8 text"]
    except json.JSONDecodeError as exc:
        return [], [f"{path.name}: not valid JSON ({exc})"]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        return [], [f"{path.name}: must be a GeoJSON FeatureCollection"]
    shapes, problems = [], []
    for n, feat in enumerate(data["features"]):
        fid = feat.get("id") if isinstance(feat, dict) else None
        where = f"{path.name} feature {fid or '#' + str(n + 1)}"
        if not isinstance(fid, str) or not isinstance(feat.get("properties"), dict):
            problems.append(f"{where}: a Feature needs a string id and properties")
            continue
        props = feat["properties"]
        errs = _check_properties(props, where)
        geom = None
        if props.get("method") in BORROWED:
            if feat.get("geometry") is not None:
                errs.append(f"{where}: method {props['method']} borrows a shape, so geometry must be null")
        else:
            try:
                geom = to_shape(feat.get("geometry"))
            except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError) as exc:
                errs.append(f"{where}: unreadable geometry ({exc})")
            else:
                if geom.is_empty:
                    errs.append(f"{where}: empty geometry")
                elif not geom.is_valid:
                    errs.append(f"{where}: invalid geometry ({shapely.is_valid_reason(geom)})")
        if errs:
            problems += errs
            continue
        shapes.append(Shape(fid, geom, props["precision"], props.get("uncertainty_m", PRECISIONS[props["precision"]]),
                            props["method"], props["vertex_basis"], props["sources"], props.get("note"), path.name,
                            props.get("no_source_reason"), bool(props.get("clip_to_district")),
                            props.get("stated_area_km2"), props.get("stated_area_source"), props.get("traced")))
    return shapes, problems


def read_shapes(folder: Path) -> tuple[dict[str, Shape], list[str]]:
    """place id → Shape from every `shapes/*.geojson` in the gazetteer folder."""
    shapes: dict[str, Shape] = {}
    problems: list[str] = []
    for path in sorted((Path(folder) / SHAPES_DIR).glob("*.geojson")):
        found, errs = read_shape_file(path)
        problems += errs
        for s in found:
            if s.place_id in shapes:
                problems.append(f"{path.name} feature {s.place_id}: shape given twice (also in {shapes[s.place_id].file})")
            shapes[s.place_id] = s
    return shapes, problems


def _rounded(geometry: dict) -> dict:
    def walk(c):
        if c and isinstance(c[0], (int, float)):
            return [round(float(v), DECIMALS) for v in c]
        return [walk(x) for x in c]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def dumps_shapes(features: list[dict]) -> str:
    """A shapes file in its one stable form: features sorted by id, one per line, sorted keys,
    coordinates at 6 decimals — so a corrected shape is a one-line diff a reviewer can read."""
    lines = []
    for f in sorted(features, key=lambda f: f["id"]):
        geom = f.get("geometry")
        feat = {"type": "Feature", "id": f["id"], "geometry": _rounded(geom) if geom else None,
                "properties": f["properties"]}
        lines.append(json.dumps(feat, ensure_ascii=False, sort_keys=True, separators=(", ", ": ")))
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"
