"""A layer as a flat table: what formats that can't nest (GeoPackage, KML, CSV, Shapefile) receive.

One rule for every flat format, so their columns agree with each other and with the GeoJSON:
the feature id comes first as `id`; scalar properties stay as they are; lists and objects become
JSON text; `citations` becomes `citation_count`, `first_quote` and the full list as JSON text.
Plain data in, plain data out: no file formats here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    ids: list[str]
    geometries: list[dict]                 # GeoJSON geometry objects, WGS-84
    columns: dict[str, list]               # column → one value per feature (None = null), in order
    types: dict[str, str]                  # column → "int" | "float" | "str"


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def flatten(feature: dict) -> dict:
    """One feature's row: id first, nested values as JSON text, citations summarised."""
    row = {"id": str(feature["id"])}
    for key, value in feature["properties"].items():
        if key == "id":
            continue
        if key == "citations":
            row["citation_count"] = len(value)
            row["first_quote"] = value[0]["quote"] if value else None
            row["citations"] = json_text(value)
        elif isinstance(value, (list, dict)):
            row[key] = json_text(value)
        else:
            row[key] = value
    return row


def _column_type(values: list) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "float"
    return "str"


def layer_table(name: str, collection: dict) -> Table:
    """The flat table of a FeatureCollection; columns in order of first appearance."""
    rows = [flatten(f) for f in collection["features"]]
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {c: [row.get(c) for row in rows] for c in names}
    types = {c: _column_type(v) for c, v in columns.items()}
    for c, t in types.items():
        if t == "str":
            columns[c] = [None if v is None else v if isinstance(v, str) else json_text(v) for v in columns[c]]
        elif t == "float":
            columns[c] = [None if v is None else float(v) for v in columns[c]]
    return Table(name, [r["id"] for r in rows], [f["geometry"] for f in collection["features"]], columns, types)


def citation_rows(collection: dict) -> list[dict]:
    """One row per (feature, citation), in order: the related table of the GeoPackage."""
    out = []
    for f in collection["features"]:
        for n, c in enumerate(f["properties"].get("citations", [])):
            out.append({"place_id": str(f["id"]), "seq": n, "doc": c.get("doc"), "title": c.get("title"),
                        "outlet": c.get("outlet"), "date": c.get("date"), "start": c.get("start"),
                        "end": c.get("end"), "quote": c.get("quote"), "marks": json_text(c.get("marks", []))})
    return out
