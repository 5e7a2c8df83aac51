"""Download formats, written once at build time from the layer's GeoDataFrame (geopandas/pyogrio).

GeoPackage (citations as a related non-spatial table), KML, CSV with WKT and a byte-order mark,
zipped Shapefile per geometry type, and the GCJ-02 GeoJSON copy. Flat formats share one rule
(`flat_frame`): nested values become JSON text, citations become a count, the first quote and the
full list. Output is deterministic: GDAL's timestamps are the build's (`OGR_CURRENT_DATE`), zip
entries carry a fixed date, and the GeoPackage is rewritten by SQLite's VACUUM so its header does
not depend on how many write transactions GDAL happened to make.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.build.io import GCJ02_NOTE, dumps, feature_collection, shift_to_gcj02

# Every exported file carries a fixed timestamp: the same inputs give the same bytes.
STAMP = "2020-01-01T00:00:00Z"
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
DOWNLOADS = "downloads"
TEXT_DOWNLOADS = (".kml", ".csv", ".gcj02.geojson")      # also written gzip-compressed (.gz), as the GeoJSON
# Shapefile: DBF names are at most 10 characters and DBF text at most 254 bytes.
DBF_NAMES = {"uncertainty_m": "uncert_m", "vertex_basis": "vtx_basis", "borrowed_from": "borrowed",
             "stated_area_km2": "stated_km2", "stated_area_source": "stated_src", "citation_count": "cite_count",
             "first_quote": "first_qt"}
DBF_TEXT_BYTES = 254
SHAPE_FAMILIES = {"points": ("Point", "MultiPoint"), "lines": ("LineString", "MultiLineString"),
                  "polygons": ("Polygon", "MultiPolygon")}
# (file suffix, title, note) of every format; the web app lists downloads from this.
FORMATS = {
    "geojson": ("GeoJSON (RFC 7946, WGS-84)", "The layer as built: nested citations, WGS-84 lon/lat."),
    "gcj02.geojson": ("GeoJSON shifted to GCJ-02 (for Chinese basemaps; not RFC 7946)",
                      "Coordinates in GCJ-02 (Amap/Gaode, Tencent), NOT WGS-84: off by several hundred metres on any other map."),
    "gpkg": ("GeoPackage", "One feature table; citations also as a related table `citations` "
                           "(GeoPackage Related Tables extension), one row per quote."),
    "kml": ("KML", "For Google Earth: attributes in ExtendedData; the feature id is the Placemark id."),
    "csv": ("CSV with WKT geometry", "UTF-8 with a byte-order mark (for Excel); geometry as WKT in the first column."),
    "shp.zip": ("Shapefile (zipped)", "One .shp per geometry type (points, lines, polygons) with .prj and UTF-8 .cpg; "
                                      "DBF names are shortened and text is cut at 254 bytes; full values in "
                                      "<layer>_attributes.csv, see README.txt."),
}


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)   # as in the GeoJSON


def flat_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer for formats that can't nest: id first, lists as JSON text, citations summarised."""
    out = frame.drop(columns=["id", "citations"], errors="ignore").copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].map(lambda v: isinstance(v, (list, dict))).any():
            out[col] = out[col].map(lambda v: None if v is None else json_text(v))
    if "citations" in frame:
        out["citation_count"] = frame["citations"].map(len).astype("int32")
        out["first_quote"] = frame["citations"].map(lambda c: c[0]["quote"] if c else None)
        out["citations"] = frame["citations"].map(json_text)
    for col in out.columns:
        if str(out[col].dtype) in ("Int64", "int64"):
            out[col] = out[col].astype("Int32")
    out.insert(0, "id", out.index.astype(str))
    return out.reset_index(drop=True)


def citation_table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    rows = [{"place_id": str(pid), "seq": n, **{k: c.get(k) for k in ("doc", "title", "outlet", "date", "start", "end", "quote")},
             "marks": json_text(c.get("marks", []))}
            for pid, cites in zip(frame.index, frame["citations"]) for n, c in enumerate(cites)]
    return pd.DataFrame(rows, columns=["place_id", "seq", "doc", "title", "outlet", "date", "start", "end", "quote", "marks"])


def _describe(meta: dict, licence: str) -> str:
    return (f"{meta['title_zh']} — {meta['title_en']}. {meta['description_en']} Licence: {licence}. "
            f"Jinan Zones, layer {meta['name']}.")


def _to_file(frame: gpd.GeoDataFrame, path: Path, driver: str, **options) -> None:
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": STAMP})   # GeoPackage timestamps: the build's
    frame.to_file(path, driver=driver, engine="pyogrio", **options)


def geopackage(flat: gpd.GeoDataFrame, citations: pd.DataFrame, meta: dict, licence: str, tmp: Path) -> bytes:
    name = meta["name"]
    path = tmp / f"{name}.gpkg"
    _to_file(flat, path, "GPKG", layer=name, layer_options={"IDENTIFIER": meta["title_en"],
                                                             "DESCRIPTION": _describe(meta, licence)})
    mapping_table, rte = f"{name}_citations", "http://www.geopackage.org/18-000.html"
    con = sqlite3.connect(path)
    try:
        with con:
            fids = dict(con.execute(f'SELECT id, fid FROM "{name}"'))
            con.execute('CREATE TABLE citations (id INTEGER PRIMARY KEY AUTOINCREMENT, place_id TEXT NOT NULL, '
                        'seq INTEGER NOT NULL, doc TEXT, title TEXT, outlet TEXT, date TEXT, start INTEGER, '
                        '"end" INTEGER, quote TEXT, marks TEXT)')
            con.execute(f'CREATE TABLE "{mapping_table}" (base_id INTEGER NOT NULL, related_id INTEGER NOT NULL)')
            for n, r in enumerate(citations.itertuples(index=False), start=1):
                con.execute("INSERT INTO citations VALUES (?,?,?,?,?,?,?,?,?,?,?)", (n, *[_sql(v) for v in r]))
                con.execute(f'INSERT INTO "{mapping_table}" VALUES (?,?)', (fids[r.place_id], n))
            con.executemany("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                            "VALUES (?, 'attributes', ?, ?, ?)",
                            [("citations", "citations", "Quoted passages: one row per feature and quote", STAMP),
                             (mapping_table, mapping_table, f"{name}.fid → citations.id", STAMP),
                             ("licence", "licence", f"Licence: {licence}", STAMP)])
            con.execute("CREATE TABLE licence (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            con.execute("INSERT INTO licence VALUES (1, ?)", (licence,))
            con.execute("CREATE TABLE IF NOT EXISTS gpkgext_relations (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        "base_table_name TEXT NOT NULL, base_primary_column TEXT NOT NULL DEFAULT 'id', "
                        "related_table_name TEXT NOT NULL, related_primary_column TEXT NOT NULL DEFAULT 'id', "
                        "relation_name TEXT NOT NULL, mapping_table_name TEXT NOT NULL UNIQUE)")
            con.execute("INSERT INTO gpkgext_relations (base_table_name, base_primary_column, related_table_name, "
                        "related_primary_column, relation_name, mapping_table_name) "
                        "VALUES (?, 'fid', 'citations', 'id', 'attributes', ?)", (name, mapping_table))
            con.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
                        "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
                        "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
            con.executemany("INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_related_tables', ?, 'read-write')",
                            [("gpkgext_relations", rte), (mapping_table, rte)])
            con.execute("UPDATE gpkg_contents SET last_change = ?", (STAMP,))
        # A fresh copy: page layout and header counters depend only on the content.
        out = tmp / f"{name}.vacuumed.gpkg"
        con.execute("VACUUM INTO ?", (str(out),))
    finally:
        con.close()
    return out.read_bytes()


def _sql(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def kml_description(row) -> str:
    """A placemark's balloon in Google Earth: what the place is, how precisely it is placed, and the
    first passage that names it (its attributes follow as ExtendedData, as before)."""
    what = " · ".join(str(v) for v in (row.get("name_en"), row.get("kind"), row.get("district")) if v)
    metres = row.get("uncertainty_m")
    where = f"precision: {row.get('precision')}" + (f" (±{metres} m)" if pd.notna(metres) and metres else "")
    quote = row.get("first_quote")
    n = row.get("citation_count")
    cited = f"“{quote}” ({n} passage{'' if n == 1 else 's'} cited)" if quote else ""
    return "\n".join(part for part in (what, where, cited) if part)


def kml(flat: gpd.GeoDataFrame, meta: dict, licence: str, tmp: Path) -> bytes:
    path = tmp / f"{meta['name']}.kml"
    flat = flat.assign(description=flat.apply(kml_description, axis=1))
    _to_file(flat, path, "LIBKML", layer=meta["name"], dataset_options={
        "NAME": f"{meta['title_zh']} — {meta['title_en']}", "DESCRIPTION": _describe(meta, licence)})
    return path.read_bytes()


def csv_wkt(flat: gpd.GeoDataFrame, tmp: Path, name: str) -> bytes:
    path = tmp / f"{name}.csv"
    _to_file(flat, path, "CSV", layer=name, layer_options={"GEOMETRY": "AS_WKT", "WRITE_BOM": "YES"})
    return path.read_bytes()


def dbf_names(columns: list[str]) -> dict[str, str]:
    """Column → DBF field name: the fixed short names, else cut to 10 characters, made unique."""
    out: dict[str, str] = {}
    for c in columns:
        base = DBF_NAMES.get(c, c)[:10]
        name, n = base, 1
        while name in out.values():
            suffix = str(n)
            name, n = base[:10 - len(suffix)] + suffix, n + 1
        out[c] = name
    return out


def dbf_text(value):
    """A text value cut to what a DBF field holds, at a character boundary."""
    if not isinstance(value, str):
        return value
    return value.encode("utf-8")[:DBF_TEXT_BYTES].decode("utf-8", errors="ignore").rstrip(" ")


def _zip_add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def shapefile_zip(flat: gpd.GeoDataFrame, meta: dict, licence: str, tmp: Path) -> bytes:
    """One shapefile per geometry family, with the full attributes as CSV and a README of names."""
    name = meta["name"]
    attrs = [c for c in flat.columns if c != flat.geometry.name]
    names = dbf_names(attrs)
    short = flat.rename(columns=names)
    for c in names.values():
        if short[c].map(lambda v: isinstance(v, str)).any():
            short[c] = short[c].map(dbf_text)
    out, written = io.BytesIO(), []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for family, types in SHAPE_FAMILIES.items():
            part = short[short.geom_type.isin(types)]
            if part.empty:
                continue
            kinds = sorted(set(part.geom_type))
            stem = f"{name}_{family}"
            _to_file(part, tmp / f"{stem}.shp", "ESRI Shapefile", layer=stem, promote_to_multi=types[1] in kinds,
                     layer_options={"ENCODING": "UTF-8", "DBF_DATE_LAST_UPDATE": STAMP[:10]})   # not today's
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                _zip_add(zf, f"{stem}.{ext}", (tmp / f"{stem}.{ext}").read_bytes())
            written.append((stem, len(part), kinds))
        full = io.StringIO()
        flat.drop(columns=flat.geometry.name).to_csv(full, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        _zip_add(zf, f"{name}_attributes.csv", full.getvalue().encode("utf-8-sig"))
        lines = [f"Jinan Zones — {meta['title_zh']} / {meta['title_en']} ({name})", "", meta["description_en"], "",
                 f"Licence: {licence}", "Coordinates: WGS-84 (EPSG:4326), lon/lat. Encoding: UTF-8 (.cpg).", "",
                 "A shapefile holds one geometry type, so the layer is split:"]
        lines += [f"  {stem}.shp  {n} features ({', '.join(kinds)})" for stem, n, kinds in written]
        lines += ["", f"DBF text fields stop at {DBF_TEXT_BYTES} bytes: longer values (sources, quotes, the "
                      f"citations JSON) are cut there. {name}_attributes.csv has every value in full, "
                      "keyed by id, with the full column names.", "", "DBF field ← column:"]
        lines += [f"  {s:<10} ← {full_name}" for full_name, s in names.items()]
        _zip_add(zf, "README.txt", ("\n".join(lines) + "\n").encode())
    return out.getvalue()


def gcj02_geojson(frame: gpd.GeoDataFrame, meta: dict, licence: str) -> bytes:
    shifted = shift_to_gcj02(frame)
    fc = feature_collection(meta["name"], shifted, {"coordinate_system": "GCJ-02", "coordinate_system_note": GCJ02_NOTE,
                                                    "licence": licence})
    return dumps(fc)


def export_layer(frame: gpd.GeoDataFrame, meta: dict, licence: str) -> dict[str, bytes]:
    """Every download of one layer: relative path under layers/ → bytes."""
    name = meta["name"]
    flat = flat_frame(frame)
    files = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        cited = frame if "citations" in frame else frame.assign(citations=[[]] * len(frame))
        files[f"{name}.gpkg"] = geopackage(flat, citation_table(cited), meta, licence, t)
        files[f"{name}.kml"] = kml(flat, meta, licence, t)
        files[f"{name}.csv"] = csv_wkt(flat, t, name)
        files[f"{name}.shp.zip"] = shapefile_zip(flat, meta, licence, t)
    files[f"{name}.gcj02.geojson"] = gcj02_geojson(frame, meta, licence)
    return {f"{DOWNLOADS}/{k}": v for k, v in files.items()}


def gzipped(data: bytes) -> bytes:
    """A pre-compressed copy for clients that accept gzip (no timestamp: same bytes every build)."""
    return gzip.compress(data, compresslevel=9, mtime=0)
