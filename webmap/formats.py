"""Download formats as plug-ins: one writer per (extension, crs) behind one interface.

pygeoapi-style: the download view looks a writer up in `FORMATS` and never branches on the format;
a new format is a new class with `@register`. Writers take a `LayerSource` (the layer as built,
plus its catalog entry) and return bytes; the caller caches them per build. GDAL does the file
formats (through pyogrio); the flattening rule every flat format shares lives in `webmap.table`.
Output is deterministic for a given build: embedded timestamps are the build's, not the clock's.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from webmap.table import Table, citation_rows, layer_table


@dataclass(frozen=True)
class LayerSource:
    name: str
    collection: dict          # the FeatureCollection as built
    raw: bytes                # the committed .geojson bytes
    meta: dict                # the layer's entry in catalog.json
    licence: dict             # catalog.json's licence
    written: datetime         # when layers/ was written (UTC): the timestamp files embed


class Format:
    ext: str
    crs: str | None = None    # None: WGS-84, as stored
    mimetype: str
    title: str
    note: str = ""

    def filename(self, name: str) -> str:
        return f"{name}.{self.ext}"

    def render(self, src: LayerSource) -> bytes:
        raise NotImplementedError

    def written(self, src: LayerSource, driver: str, finish=None, **options) -> bytes:
        """The layer written by GDAL's `driver` into a scratch file (then `finish(path)`), as bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / self.filename(src.name)
            _write(path, layer_table(src.name, src.collection), driver, **options)
            if finish:
                finish(path)
            return path.read_bytes()


FORMATS: dict[tuple[str, str | None], Format] = {}


def register(cls: type[Format]) -> type[Format]:
    FORMATS[(cls.ext, cls.crs)] = cls()
    return cls


def _wkb(table: Table) -> np.ndarray:
    return np.array([shapely.to_wkb(shape(g)) for g in table.geometries], dtype=object)


def _field_arrays(table: Table, columns: list[str]) -> tuple[list, list]:
    """numpy columns and null masks for pyogrio (ints need an explicit mask)."""
    data, masks = [], []
    for c in columns:
        vals = table.columns[c]
        mask = np.array([v is None for v in vals])
        kind = table.types[c]
        if kind == "int":   # 32-bit when it fits: KML has no 64-bit integers
            ints = [0 if v is None else v for v in vals]
            fits = all(-2**31 <= v < 2**31 for v in ints)
            data.append(np.array(ints, dtype=np.int32 if fits else np.int64))
        elif kind == "float":
            data.append(np.array([np.nan if v is None else v for v in vals], dtype=np.float64))
        else:
            data.append(np.array(vals, dtype=object))
        masks.append(mask if mask.any() else None)
    return data, masks


def _write(path: Path, table: Table, driver: str, *,
           rows: list[int] | None = None, geometry_type: str = "Unknown", **options) -> None:
    import pyogrio.raw

    columns = list(table.columns)
    data, masks = _field_arrays(table, columns)
    geoms = _wkb(table)
    if rows is not None:
        data = [d[rows] for d in data]
        masks = [None if m is None else m[rows] for m in masks]
        geoms = geoms[rows]
    pyogrio.raw.write(str(path), geoms, data, columns, field_mask=masks, layer=table.name, driver=driver,
                      geometry_type=geometry_type, crs="EPSG:4326", promote_to_multi=False, **options)


def _describe(src: LayerSource) -> str:
    m = src.meta
    return (f"{m['title_zh']} — {m['title_en']}. {m['description_en']} Licence: {src.licence.get('data')}. "
            f"Jinan Zones, layer {src.name}, sha256 of the GeoJSON {m['sha256']}.")


@register
class GeoJSON(Format):
    ext, mimetype, title = "geojson", "application/geo+json", "GeoJSON (RFC 7946, WGS-84)"
    note = "The layer as built: nested citations, WGS-84 lon/lat."

    def render(self, src: LayerSource) -> bytes:
        return src.raw


@register
class GeoJSONGCJ02(Format):
    """The same layer shifted to GCJ-02 for Amap/Gaode and Tencent basemaps.

    RFC 7946 allows only WGS-84, so this file is GeoJSON in syntax but not a conforming RFC 7946
    document: it says so in its own members and is served as plain application/json."""
    ext, crs, mimetype = "geojson", "gcj02", "application/json"
    title = "GeoJSON shifted to GCJ-02 (for Chinese basemaps; not RFC 7946)"
    note = "Coordinates in GCJ-02 (Amap/Gaode, Tencent), NOT WGS-84: off by several hundred metres on any other map."

    def filename(self, name: str) -> str:
        return f"{name}.gcj02.geojson"

    def render(self, src: LayerSource) -> bytes:
        from geo.crs import transform_geometry, wgs84_to_gcj02

        def shift(lon, lat):
            x, y = wgs84_to_gcj02(lon, lat)
            return np.round(x, 6), np.round(y, 6)

        feats = [{**f, "geometry": mapping(transform_geometry(f["geometry"], shift))}
                 for f in src.collection["features"]]
        doc = {**src.collection, "features": feats,
               "coordinate_system": "GCJ-02",
               "coordinate_system_note": (
                   "Coordinates are GCJ-02 (the obfuscated datum of Amap/Gaode and Tencent maps), NOT WGS-84. "
                   "RFC 7946 GeoJSON allows only WGS-84, so this file does not conform to RFC 7946: use it only "
                   "over a GCJ-02 basemap. The WGS-84 layer is the same URL without ?crs=gcj02.")}
        return (json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode()


@register
class GeoPackage(Format):
    ext, mimetype, title = "gpkg", "application/geopackage+sqlite3", "GeoPackage"
    note = ("One feature table; citations also as a related table `citations` "
            "(GeoPackage Related Tables extension), one row per quote.")

    def render(self, src: LayerSource) -> bytes:
        return self.written(src, "GPKG", finish=lambda path: self._relate_citations(path, src),
                            dataset_options={"VERSION": "1.2"},          # readable by older GDAL/QGIS
                            layer_options={"IDENTIFIER": src.meta["title_en"], "DESCRIPTION": _describe(src)})

    @staticmethod
    def _relate_citations(path: Path, src: LayerSource) -> None:
        """Add `citations` and the mapping table, registered as a GeoPackage related table
        (OGC 18-000), and stamp gpkg_contents with the build time instead of the clock."""
        rows = citation_rows(src.collection)
        stamp = src.written.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        mapping_table = f"{src.name}_citations"
        rte = "http://www.geopackage.org/18-000.html"
        con = sqlite3.connect(path)
        try:
            with con:
                fids = dict(con.execute(f'SELECT id, fid FROM "{src.name}"'))
                con.execute('CREATE TABLE citations (id INTEGER PRIMARY KEY AUTOINCREMENT, place_id TEXT NOT NULL, '
                            'seq INTEGER NOT NULL, doc TEXT, title TEXT, outlet TEXT, date TEXT, start INTEGER, '
                            '"end" INTEGER, quote TEXT, marks TEXT)')
                con.execute(f'CREATE TABLE "{mapping_table}" (base_id INTEGER NOT NULL, related_id INTEGER NOT NULL)')
                for n, r in enumerate(rows, start=1):
                    con.execute('INSERT INTO citations VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                                (n, r["place_id"], r["seq"], r["doc"], r["title"], r["outlet"], r["date"],
                                 r["start"], r["end"], r["quote"], r["marks"]))
                    con.execute(f'INSERT INTO "{mapping_table}" VALUES (?,?)', (fids[r["place_id"]], n))
                con.executemany("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                                "last_change) VALUES (?, 'attributes', ?, ?, ?)",
                                [("citations", "citations", "Quoted passages: one row per feature and quote", stamp),
                                 (mapping_table, mapping_table, f"{src.name}.fid → citations.id", stamp)])
                con.execute("CREATE TABLE IF NOT EXISTS gpkgext_relations (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "base_table_name TEXT NOT NULL, base_primary_column TEXT NOT NULL DEFAULT 'id', "
                            "related_table_name TEXT NOT NULL, related_primary_column TEXT NOT NULL DEFAULT 'id', "
                            "relation_name TEXT NOT NULL, mapping_table_name TEXT NOT NULL UNIQUE)")
                con.execute("INSERT INTO gpkgext_relations (base_table_name, base_primary_column, related_table_name, "
                            "related_primary_column, relation_name, mapping_table_name) "
                            "VALUES (?, 'fid', 'citations', 'id', 'attributes', ?)", (src.name, mapping_table))
                con.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
                            "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, "
                            "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
                con.executemany("INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_related_tables', ?, 'read-write')",
                                [("gpkgext_relations", rte), (mapping_table, rte)])
                con.execute("UPDATE gpkg_contents SET last_change = ?", (stamp,))
            con.execute("VACUUM")
        finally:
            con.close()
        _settle_change_counter(path)


def _settle_change_counter(path: Path) -> None:
    """SQLite's header counts write transactions (file change counter, offset 24, and the
    version-valid-for number, offset 92); GDAL's count varies from run to run. Setting both to the
    same fixed value keeps the header valid and the download byte-identical across workers."""
    with open(path, "r+b") as f:
        for offset in (24, 92):
            f.seek(offset)
            f.write((1).to_bytes(4, "big"))


@register
class KML(Format):
    ext, mimetype, title = "kml", "application/vnd.google-earth.kml+xml", "KML"
    note = "For Google Earth: attributes in ExtendedData; the feature id is the Placemark id."

    def render(self, src: LayerSource) -> bytes:
        return self.written(src, "LIBKML", dataset_options={
            "NAME": f"{src.meta['title_zh']} — {src.meta['title_en']}", "DESCRIPTION": _describe(src)})


@register
class CSVWithWKT(Format):
    ext, mimetype, title = "csv", "text/csv; charset=utf-8", "CSV with WKT geometry"
    note = "UTF-8 with a byte-order mark (for Excel); geometry as WKT in the first column."

    def render(self, src: LayerSource) -> bytes:
        return self.written(src, "CSV", layer_options={"GEOMETRY": "AS_WKT", "WRITE_BOM": "YES"})


# Shapefile: DBF names are at most 10 characters and DBF text at most 254 bytes.
DBF_NAMES = {"uncertainty_m": "uncert_m", "geometry_method": "geom_meth", "geometry_source": "geom_src",
             "stated_area_km2": "stated_km2", "stated_area_source": "stated_src", "citation_count": "cite_count",
             "first_quote": "first_qt"}
DBF_TEXT_BYTES = 254
SHAPE_FAMILIES = {"points": ("Point", "MultiPoint"), "lines": ("LineString", "MultiLineString"),
                  "polygons": ("Polygon", "MultiPolygon")}


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


def dbf_text(value: str | None) -> str | None:
    """A text value cut to what a DBF field holds, at a character boundary (DBF pads with blanks,
    so trailing ones don't survive anyway)."""
    if value is None:
        return None
    return value.encode("utf-8")[:DBF_TEXT_BYTES].decode("utf-8", errors="ignore").rstrip(" ")


@register
class ZippedShapefile(Format):
    """One shapefile per geometry family (a shapefile holds one geometry type), zipped with a
    full-attribute CSV, since DBF text stops at 254 bytes and our quotes and sources run longer."""
    ext, mimetype, title = "zip", "application/zip", "Shapefile (zipped)"
    note = ("One .shp per geometry type (points, lines, polygons) with .prj and UTF-8 .cpg; DBF names are "
            "shortened and text is cut at 254 bytes; full values in <layer>_attributes.csv, see README.txt.")

    def render(self, src: LayerSource) -> bytes:
        table = layer_table(src.name, src.collection)
        names = dbf_names(list(table.columns))
        values = {c: [dbf_text(v) for v in vals] if table.types[c] == "str" else vals
                  for c, vals in table.columns.items()}
        short = Table(src.name, table.ids, table.geometries, {names[c]: v for c, v in values.items()},
                      {names[c]: t for c, t in table.types.items()})
        stamp = src.written.timetuple()[:6]
        out = io.BytesIO()
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            written = []
            for family, types in SHAPE_FAMILIES.items():
                rows = [i for i, g in enumerate(table.geometries) if g["type"] in types]
                if not rows:
                    continue
                kinds = {table.geometries[i]["type"] for i in rows}
                gtype = types[1] if types[1] in kinds else types[0]
                stem = f"{src.name}_{family}"
                part = Table(stem, short.ids, short.geometries, short.columns, short.types)
                _write(Path(tmp) / f"{stem}.shp", part, "ESRI Shapefile", rows=rows, geometry_type=gtype,
                       layer_options={"ENCODING": "UTF-8"})
                for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                    self._add(zf, f"{stem}.{ext}", (Path(tmp) / f"{stem}.{ext}").read_bytes(), stamp)
                written.append((stem, len(rows), sorted(kinds)))
            self._add(zf, f"{src.name}_attributes.csv", self._full_attributes(table), stamp)
            self._add(zf, "README.txt", self._readme(src, names, written).encode(), stamp)
        return out.getvalue()

    @staticmethod
    def _add(zf: zipfile.ZipFile, name: str, data: bytes, stamp) -> None:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, data)

    @staticmethod
    def _full_attributes(table: Table) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(table.columns))
        for i in range(len(table.ids)):
            w.writerow(["" if table.columns[c][i] is None else table.columns[c][i] for c in table.columns])
        return buf.getvalue().encode("utf-8-sig")

    @staticmethod
    def _readme(src: LayerSource, names: dict[str, str], written: list) -> str:
        lines = [f"Jinan Zones — {src.meta['title_zh']} / {src.meta['title_en']} ({src.name})", "",
                 src.meta["description_en"], "", f"Licence: {src.licence.get('data')}",
                 "Coordinates: WGS-84 (EPSG:4326), lon/lat. Encoding: UTF-8 (.cpg).", "",
                 "A shapefile holds one geometry type, so the layer is split:"]
        lines += [f"  {stem}.shp  {n} features ({', '.join(kinds)})" for stem, n, kinds in written]
        lines += ["", f"DBF text fields stop at {DBF_TEXT_BYTES} bytes: longer values (sources, quotes, the "
                      f"citations JSON) are cut there. {src.name}_attributes.csv has every value in full, "
                      "keyed by id, with the full column names.", "", "DBF field ← column:"]
        lines += [f"  {short:<10} ← {full}" for full, short in names.items()]
        return "\n".join(lines) + "\n"
