"""The one reader and writer of layers/: GeoDataFrames in, RFC 7946 GeoJSON bytes out, and back.

Writing: counter-clockwise exteriors, clockwise holes, 6 decimals (≈ 0.1 m), sorted keys, compact,
so the same frame always gives the same bytes. Reading gives GeoDataFrames indexed by place id
with the CRS set; `crs="gcj02"` gives a copy shifted for Chinese basemaps, labelled as such.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.crs import wgs84_to_gcj02

DECIMALS = 6
WGS84 = "EPSG:4326"
# GCJ-02 has no EPSG code; a named CRS of its own keeps it from passing for WGS-84.
GCJ02 = CRS.from_wkt(
    'GEOGCRS["GCJ-02 (Amap/Gaode, Tencent: WGS-84 shifted by the published obfuscation, ~520 m near Jinan)",'
    'DATUM["GCJ-02",ELLIPSOID["WGS 84",6378137,298.257223563]],'
    'CS[ellipsoidal,2],AXIS["longitude",east,ANGLEUNIT["degree",0.0174532925199433]],'
    'AXIS["latitude",north,ANGLEUNIT["degree",0.0174532925199433]]]')
GCJ02_NOTE = ("Coordinates are GCJ-02 (the obfuscated datum of Amap/Gaode and Tencent maps), NOT WGS-84. "
              "RFC 7946 GeoJSON allows only WGS-84, so this does not conform to RFC 7946: use it only over a "
              "GCJ-02 basemap.")


def _round(obj):
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and all(isinstance(v, float) for v in obj):
            return [round(v, DECIMALS) for v in obj]
        return [_round(v) for v in obj]
    return obj


def rfc7946(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON geometry per RFC 7946 at 6 decimals.

    Plain rounding keeps vertex order (a borrowed district stays identical to the district layer);
    only if rounding breaks validity is the geometry snapped to the 6-decimal grid instead."""
    rounded = shape(_round(mapping(geom)))
    geom = rounded if rounded.is_valid else shapely.set_precision(geom, 10 ** -DECIMALS)
    return _round(mapping(shapely.orient_polygons(geom)))


def plain(value):
    """A cell as JSON: NaN/NA → null, numpy scalars → Python values; lists, dicts and text as they are."""
    if isinstance(value, (list, dict, str)) or value is None:
        return value
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def feature_collection(name: str, frame: gpd.GeoDataFrame, extra: dict | None = None) -> dict:
    """A layer as a FeatureCollection: one Feature per row, `id` top-level and in properties."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    features = []
    for pid, row in zip(frame.index, frame.itertuples(index=False)):
        values = row._asdict()
        props = {c: plain(values[c]) for c in columns}
        features.append({"type": "Feature", "id": pid, "geometry": rfc7946(values[frame.geometry.name]),
                         "properties": props})
    return {"type": "FeatureCollection", "name": name, **(extra or {}), "features": features}


def dumps(collection: dict) -> bytes:
    """The canonical bytes of a layer: compact, sorted keys, UTF-8 names, trailing newline."""
    return (json.dumps(collection, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


# The numeric columns' types, as the data dictionary gives them, in every layer and format: pandas
# makes an integer column with a null float (GeoJSON "count": 21.0) and an all-null one text (a
# GeoPackage String in one layer, Real in the next), and such layers do not append in QGIS.
DTYPES = {"uncertainty_m": "Int64", "count": "Int64", "area_km2": "float64", "stated_area_km2": "float64"}


def typed(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`frame` with its numeric columns of the types `DTYPES` gives (those it has)."""
    return frame.astype({c: t for c, t in DTYPES.items() if c in frame.columns})


def frame_from_collection(collection: dict, crs: str = WGS84) -> gpd.GeoDataFrame:
    """Features → GeoDataFrame indexed by feature id, nested properties (citations) kept as lists,
    numeric columns typed."""
    feats = collection["features"]
    frame = typed(gpd.GeoDataFrame.from_features(feats, crs=crs))
    frame.index = pd.Index([f.get("id") for f in feats], name="id")
    return frame


def shift_to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same features shifted WGS-84 → GCJ-02 for Chinese basemaps, labelled with its own CRS."""
    def shift(coords: np.ndarray) -> np.ndarray:
        x, y = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), DECIMALS)

    out = frame.copy()
    out = out.set_geometry(shapely.transform(np.asarray(frame.geometry.values), shift), crs=GCJ02)
    out.attrs["coordinate_system"] = "GCJ-02"
    out.attrs["coordinate_system_note"] = GCJ02_NOTE
    return out


def read_collection(path: Path) -> dict:
    return json.loads(Path(path).read_bytes())
