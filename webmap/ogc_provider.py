"""A pygeoapi feature provider that serves a layer from memory.

pygeoapi's stock GeoJSON provider re-reads and re-parses the file on every request (~60 req/s on
our largest layer). This one answers from a `LayerIndex` built once per build: features in file
order, an id → position map, the shapely geometries in an STRtree for `bbox`, and which properties
a client may filter on. pygeoapi instantiates providers per request, so the constructor only looks
the index up.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import shapely
from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError
from shapely.geometry import shape

from webmap.downloads.dictionary import PROPERTIES
from webmap.ogc_openapi import NULL


@dataclass(frozen=True)
class LayerIndex:
    features: list[dict]
    positions: dict[str, int]          # feature id → position
    geometries: np.ndarray             # shapely geometries, same order
    tree: shapely.STRtree              # over `geometries`, for bbox
    fields: dict[str, dict]            # property → JSON Schema type
    filters: dict[str, str]            # property → JSON type of a `?property=value` filter on it
    encoded: list[bytes]               # each feature as JSON (ASCII), written once for GeoJSON item pages


def _json_type(values: list, empty: str = "string") -> str:
    """The JSON type of a column's values; `empty` when all are null (the data dictionary's type)."""
    present = [v for v in values if v is not None]
    if not present:
        return empty
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "number"
    if all(isinstance(v, list) for v in present):
        return "array"
    if all(isinstance(v, dict) for v in present):
        return "object"
    return "string"


def _filter_type(values: list, empty: str = "string") -> str | None:
    """Scalars filter by their own type; lists of scalars by their members' type; objects not at all."""
    kind = _json_type(values, empty)
    if kind == "array":
        members = [m for v in values if isinstance(v, list) for m in v]
        kind = _json_type(members) if members else "string"
    return kind if kind in ("string", "number", "integer", "boolean") else None


# The numeric properties' types as the data dictionary gives them: a layer where one is null
# throughout (parks have no areas) still types and filters it as a number, as the other layers do.
DECLARED = {name: kind.split()[0] for name, kind, _ in PROPERTIES if kind.split()[0] in ("integer", "number")}


def index_layer(collection: dict) -> LayerIndex:
    feats = collection["features"]
    keys: dict[str, None] = {}
    for f in feats:
        keys.update(dict.fromkeys(f["properties"]))
    columns = {k: [f["properties"].get(k) for f in feats] for k in keys}
    fields = {k: {"type": _json_type(v, DECLARED.get(k, "string"))} for k, v in columns.items()}
    filters = {k: t for k, v in columns.items() if (t := _filter_type(v, DECLARED.get(k, "string")))}
    geoms = np.array([shape(f["geometry"]) for f in feats], dtype=object)
    return LayerIndex(feats, {str(f["id"]): i for i, f in enumerate(feats)}, geoms, shapely.STRtree(geoms),
                      fields, filters, [json.dumps(f, separators=(",", ":")).encode() for f in feats])


VOCABULARIES = ("kind", "precision", "method", "vertex_basis", "district", "role")   # enums in /queryables


def _matches(value, wanted: str) -> bool:
    """Equality of a property with a query-string value; a list matches if any member does, and
    `null` matches an empty property."""
    if wanted == NULL:
        return value is None or value == []
    if isinstance(value, list):
        return any(_matches(v, wanted) for v in value)
    if value is None or isinstance(value, dict):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(wanted) == value
        except ValueError:
            return False
    return str(value) == wanted


def in_bbox(tree: shapely.STRtree, bbox: list[float]) -> np.ndarray:
    """Positions (ascending) of the features whose geometry intersects the box, via the STRtree."""
    if len(bbox) == 6:
        bbox = [bbox[0], bbox[1], bbox[3], bbox[4]]
    if not all(math.isfinite(v) for v in bbox):
        raise ProviderInvalidQueryError(user_msg="bbox values must be finite numbers")
    minx, miny, maxx, maxy = bbox
    boxes = [shapely.box(minx, miny, maxx, maxy)]
    if minx > maxx:   # crosses the antimeridian: two boxes
        boxes = [shapely.box(minx, miny, 180, maxy), shapely.box(-180, miny, maxx, maxy)]
    return np.unique(np.concatenate([tree.query(b, predicate="intersects") for b in boxes]))


def select(index: LayerIndex, bbox: list[float] | None, properties: list[tuple[str, str]]) -> list[int]:
    """Positions, in file order, of the features in `bbox` whose properties equal the values given."""
    rows = in_bbox(index.tree, bbox).tolist() if bbox else list(range(len(index.features)))
    if not properties:
        return rows
    return [i for i in rows if all(_matches(index.features[i]["properties"].get(k), v) for k, v in properties)]


class MemoryProvider(BaseProvider):
    """Features of one layer, from the app's in-memory layer store.

    The provider definition carries `source`: a callable returning the layer's `LayerIndex` for the
    current build (pygeoapi passes the definition through untouched)."""

    def __init__(self, provider_def: dict):
        super().__init__(provider_def)
        source: Callable[[], LayerIndex] = provider_def["source"]
        self._index = source()
        self._fields = {k: dict(v) for k, v in self._index.fields.items()}   # pygeoapi edits these
        # /queryables lists what `?property=value` can filter on (pygeoapi shows `properties` only),
        # with the values a vocabulary takes in this layer
        self.properties = list(self._index.filters)
        for name in VOCABULARIES:
            values = sorted({f["properties"][name] for f in self._index.features
                             if isinstance(f["properties"].get(name), str)})
            if name in self._fields and values:
                self._fields[name]["values"] = values

    def get_fields(self) -> dict:
        return self._fields

    def query(self, offset=0, limit=10, resulttype="results", bbox=None, datetime_=None, properties=None,
              sortby=None, select_properties=None, skip_geometry=False, q=None, filterq=None, **kwargs) -> dict:
        """Items in file order, filtered by bbox (intersects) and property equality. The layers carry
        no time, so `datetime` selects nothing out; free text and CQL are refused, not ignored
        (`sortby` is refused before pygeoapi is called)."""
        if q:
            raise ProviderInvalidQueryError(user_msg="q (free-text search) is not supported here")
        if filterq is not None:
            raise ProviderInvalidQueryError(user_msg="CQL filters are not supported here; use bbox and "
                                                     "property=value parameters")
        idx = self._index
        rows = select(idx, bbox, properties or [])
        page = rows[offset:offset + limit] if resulttype != "hits" else []
        features = [self._feature(i, select_properties, skip_geometry) for i in page]
        return {"type": "FeatureCollection", "features": features,
                "numberMatched": len(rows), "numberReturned": len(features)}

    def get(self, identifier, **kwargs) -> dict:
        pos = self._index.positions.get(str(identifier))
        if pos is None:
            raise ProviderItemNotFoundError(user_msg=f"no item {identifier!r} in this collection")
        return self._feature(pos, None, False)

    def _feature(self, pos: int, select: list[str] | None, skip_geometry: bool) -> dict:
        """A shallow copy: pygeoapi adds links and JSON-LD keys to what it is given."""
        f = self._index.features[pos]
        out = {**f}
        if select:
            out["properties"] = {k: v for k, v in f["properties"].items() if k in select}
        if skip_geometry:
            out["geometry"] = None
        return out
