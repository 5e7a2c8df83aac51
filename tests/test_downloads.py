"""/layers/: the listing, and every download opening in GDAL with the GeoJSON layer's features."""
from __future__ import annotations

import csv
import gzip
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import zipfile
from urllib.parse import unquote

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely
from flask import request
from shapely.geometry import shape

from conftest import ROOT, collection, require_tool
from webmap import create_app

FORMATS = ["geojson", "gpkg", "kml", "csv", "zip"]
KML_STANDARD_FIELDS = {"description", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
                       "visibility", "drawOrder", "icon"}
CATALOG = json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))
LAYER_NAMES = sorted(CATALOG["layers"])


# --------------------------------------------------------------------------- the listing

def test_listing_json_describes_every_layer_with_its_downloads(client, catalog):
    r = client.get("/layers/?f=json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data["licence"] == catalog["licence"]
    assert data["build"]["inputs_sha256"] == catalog["inputs_sha256"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["build"]["written"])
    assert [layer["name"] for layer in data["layers"]] == list(catalog["layers"])
    for layer in data["layers"]:
        meta = catalog["layers"][layer["name"]]
        for key in ("title_zh", "title_en", "description_en", "feature_count", "bbox", "sources", "sha256"):
            assert layer[key] == meta[key], (layer["name"], key)
        hrefs = [link["href"] for link in layer["links"]]
        for ext in FORMATS:
            assert f"http://localhost/layers/{layer['name']}.{ext}" in hrefs
        assert f"http://localhost/layers/{layer['name']}.geojson?crs=gcj02" in hrefs
        assert f"http://localhost/ogc/collections/{layer['name']}" in hrefs
        for href in hrefs:
            assert client.get(href.removeprefix("http://localhost")).status_code == 200, href


def test_listing_page_links_every_download_and_escapes_the_catalog(client, catalog):
    r = client.get("/layers/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert catalog["inputs_sha256"] in page and catalog["licence"]["data"] in page
    for name, meta in catalog["layers"].items():
        assert meta["title_zh"] in page and meta["description_en"].replace("'", "&#39;") in page
        for ext in FORMATS:
            assert f'href="http://localhost/layers/{name}.{ext}"' in page
    assert client.get("/layers/", headers={"Accept": "application/json"}).mimetype == "application/json"
    assert client.get("/layers/?f=xml").status_code == 400


def test_listing_page_shows_injected_markup_as_text(tmp_path):
    layers = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", layers)
    cat = json.loads((layers / "catalog.json").read_text(encoding="utf-8"))
    first = next(iter(cat["layers"]))
    cat["layers"][first]["title_en"] += '"><script>window.__pwned=1</script>'
    (layers / "catalog.json").write_text(json.dumps(cat, ensure_ascii=False), encoding="utf-8")
    page = create_app({"LAYERS_DIR": str(layers)}).test_client().get("/layers/").get_data(as_text=True)
    assert "<script>window.__pwned" not in page and "&lt;script&gt;window.__pwned" in page


# --------------------------------------------------------------------------- GeoJSON: bytes, ETag, gzip

@pytest.mark.parametrize("name", LAYER_NAMES)
def test_geojson_download_is_the_built_file_with_a_strong_etag(client, layers_dir, catalog, name):
    r = client.get(f"/layers/{name}.geojson")
    raw = (layers_dir / f"{name}.geojson").read_bytes()
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    assert r.data == raw
    assert r.headers["ETag"] == f'"{hashlib.sha256(raw).hexdigest()}"' == f'"{catalog["layers"][name]["sha256"]}"'
    assert "Accept-Encoding" in r.headers["Vary"]
    assert "Content-Encoding" not in r.headers


def test_if_none_match_gives_304_first_time_and_from_the_cache(layers_dir):
    client = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    etag = '"' + hashlib.sha256((layers_dir / "parks.geojson").read_bytes()).hexdigest() + '"'
    for _ in range(3):   # 1st: the view answers; then the response cache
        r = client.get("/layers/parks.geojson", headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.data == b"" and r.headers["ETag"] == etag
        assert client.get("/layers/parks.geojson", headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
        assert client.get("/layers/parks.geojson", headers={"If-None-Match": '"other"'}).status_code == 200
        assert client.get("/layers/parks.geojson").status_code == 200


@pytest.mark.parametrize("ext", ["gpkg", "geojson"])
def test_if_modified_since_gives_the_same_answer_first_time_and_from_the_cache(layers_dir, ext):
    """The view (Werkzeug) answers If-Modified-Since; the response cache in front of it must answer
    alike: a GIS client revalidating got 304, then 200, 200… once the cache held the file."""
    client = create_app({"LAYERS_DIR": str(layers_dir)}).test_client()
    modified = client.get(f"/layers/parks.{ext}").headers["Last-Modified"]
    for _ in range(3):
        r = client.get(f"/layers/parks.{ext}", headers={"If-Modified-Since": modified})
        assert r.status_code == 304 and r.data == b"", r.status_code
        stale = client.get(f"/layers/parks.{ext}", headers={"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})
        assert stale.status_code == 200 and stale.data
    both = {"If-Modified-Since": modified, "If-None-Match": '"other"'}          # If-None-Match wins
    assert client.get(f"/layers/parks.{ext}", headers=both).status_code == 200


def test_response_cache_is_bounded_in_bytes_least_recently_used_out_first(layers_dir):
    size = len((layers_dir / "parks.geojson").read_bytes())
    app = create_app({"LAYERS_DIR": str(layers_dir), "RESPONSE_CACHE_BYTES": 4 * size + 100})   # room for 4 copies
    reached = []
    app.before_request(lambda: reached.append(request.full_path))         # only what the cache did not answer
    client = app.test_client()
    for v in range(1, 6):                                                 # the 5th pushes out the least recent: v=1
        assert client.get(f"/layers/parks.geojson?v={v}").status_code == 200
        if v == 2:
            client.get("/layers/parks.geojson?v=1")                       # used again: v=2 is now the least recent
    reached.clear()
    for v in (1, 3, 4, 5, 2):
        assert client.get(f"/layers/parks.geojson?v={v}").status_code == 200
    assert reached == ["/layers/parks.geojson?v=2"]


def test_gzip_only_when_accepted_and_compressed_once(client, layers_dir):
    raw = (layers_dir / "projects.geojson").read_bytes()
    bodies = []
    for _ in range(2):
        r = client.get("/layers/projects.geojson", headers={"Accept-Encoding": "br, gzip;q=0.8"})
        assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
        assert gzip.decompress(r.data) == raw and len(r.data) < len(raw) / 3
        assert r.headers["ETag"] != f'"{hashlib.sha256(raw).hexdigest()}"'   # another representation
        bodies.append(r.data)
    assert bodies[0] == bodies[1]
    for refused in ("gzip;q=0", "identity", "br"):
        r = client.get("/layers/projects.geojson", headers={"Accept-Encoding": refused})
        assert "Content-Encoding" not in r.headers and r.data == raw


@pytest.mark.parametrize("url", ["/layers/projects.kml", "/layers/projects.csv", "/layers/projects.geojson?crs=gcj02"])
def test_the_text_downloads_are_gzipped_for_clients_that_accept_it(client, url):
    """KML (535 KB), CSV and the GCJ-02 copy shrink 7–12× (a GIS user on a slow link): the same bytes
    once decompressed, their own ETag, and the identity bytes for a client that asks for them."""
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 5
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert packed.headers["Content-Disposition"] == plain.headers["Content-Disposition"]   # the file's own name


def test_gcj02_variant_is_shifted_and_says_it_is_not_wgs84(client, layers_dir):
    from geo.crs import gcj02_to_wgs84

    wgs = collection(layers_dir, "huaiyin-five-battlefields")
    r = client.get("/layers/huaiyin-five-battlefields.geojson?crs=gcj02")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert "filename=huaiyin-five-battlefields.gcj02.geojson" in r.headers["Content-Disposition"]
    gcj = r.get_json()
    assert gcj["coordinate_system"] == "GCJ-02"
    assert "NOT WGS-84" in gcj["coordinate_system_note"] and "RFC 7946" in gcj["coordinate_system_note"]
    assert [f["id"] for f in gcj["features"]] == [f["id"] for f in wgs["features"]]
    for a, b in zip(wgs["features"], gcj["features"]):
        assert a["properties"] == b["properties"]
        pa = shapely.get_coordinates(shape(a["geometry"]))
        pb = shapely.get_coordinates(shape(b["geometry"]))
        shift = np.hypot(*(pb - pa).T) * 111_000
        assert shift.min() > 200 and shift.max() < 1000                  # several hundred metres
        back = np.column_stack(gcj02_to_wgs84(pb[:, 0], pb[:, 1]))
        assert np.abs(back - pa).max() < 2e-6                            # rounded to 1e-6 degrees


@pytest.mark.parametrize("url", ["/layers/parks.geojson?crs=wgs84", "/layers/parks.geojson?crs=EPSG:4326",
                                 "/layers/parks.geojson?crs=", "/layers/parks.geojson?crs=GCJ02",
                                 "/layers/parks.gpkg?crs=gcj02", "/layers/parks.csv?crs=bd09"])
def test_other_crs_values_are_400(client, url):
    r = client.get(url)
    assert r.status_code == 400 and r.is_json and "crs" in r.get_json()["description"]


# --------------------------------------------------------------------------- bad input

NOT_FOUND = ["/layers/nope.geojson", "/layers/projects.shp", "/layers/projects.exe", "/layers/projects",
             "/layers/projects.", "/layers/.geojson", "/layers/catalog.json", "/layers/sources.json",
             "/layers/..%2f..%2fetc%2fpasswd", "/layers/..%2fcatalog.json", "/layers/%2Fetc%2Fpasswd",
             "/layers//etc/passwd", "/layers/etc/passwd.geojson", "/layers/projects%00.geojson",
             "/layers/projects.geojson%00", "/layers/%00", "/layers/projects.GEOJSON",
             "/layers/..%5c..%5cwindows%5cwin.ini", "/layers/projects.geojson/..%2f..%2fcatalog.json"]


@pytest.mark.parametrize("url", NOT_FOUND)
def test_unknown_layers_formats_and_path_tricks_are_404_json(client, url):
    r = client.get(url)
    assert r.status_code == 404 and r.is_json
    assert r.get_json()["code"] == 404


def test_path_tricks_are_404_through_gunicorn(live_server):
    """The same URLs sent verbatim over HTTP (no client-side normalisation) to the real server."""
    host, port = live_server.removeprefix("http://").split(":")
    for url in NOT_FOUND + ["/layers/../../etc/passwd", "/layers/./../layers/../catalog.json"]:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", url)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        assert r.status in (400, 404), (url, r.status)
        assert b"root:" not in body and b"inputs_sha256" not in body


# --------------------------------------------------------------------------- every format, read back by GDAL

def expected_rows(fc: dict, flat: bool = True) -> dict[str, dict]:
    """Each feature as a table row: id, then every column of the layer (None where a feature lacks
    it); flat formats also carry citation_count and first_quote next to the citations."""
    rows = {}
    for f in fc["features"]:
        row = {"id": str(f["id"])}
        for k, v in f["properties"].items():
            if k == "citations" and flat:
                row["citation_count"] = len(v)
                row["first_quote"] = v[0]["quote"] if v else None
            if k != "id":
                row[k] = v
        rows[row["id"]] = row
    columns = {k: None for row in rows.values() for k in row}
    return {i: {**columns, **row} for i, row in rows.items()}


def read_layers(path: str, layers: list[str] | None = None) -> list[tuple[dict, list]]:
    out = []
    for layer in layers or [name for name, _ in pyogrio.list_layers(path)]:
        meta, _, geoms, values = pyogrio.raw.read(path, layer=layer)
        out.append((meta, [(shapely.from_wkb(g), {k: v[i] for k, v in zip(meta["fields"], values)})
                           for i, g in enumerate(geoms)]))
    return out


def plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def cut_at(text: str, nbytes: int | None) -> str:
    """What a DBF field gives back of a text: its first bytes, at a character boundary, without
    trailing blanks (DBF pads with them)."""
    if nbytes is None:
        return text
    return text.encode()[:nbytes].decode("utf-8", errors="ignore").rstrip(" ")


def same_value(expected, got, *, text_only: bool, cut: int | None = None) -> bool:
    got = plain(got)
    if isinstance(expected, (list, dict)):
        if isinstance(got, (list, np.ndarray)):                      # GDAL's StringList
            return list(got) == expected
        if cut is not None:
            return got == cut_at(json.dumps(expected, ensure_ascii=False, separators=(",", ":")), cut)
        return json.loads(got) == expected
    if expected is None:
        return got in (None, "")
    if isinstance(expected, str):
        return got == cut_at(expected, cut)
    if text_only:
        return float(got) == pytest.approx(expected)
    return isinstance(got, (int, float)) and got == pytest.approx(expected)


def same_geometry(a, b) -> bool:
    return a.geom_type.removeprefix("Multi") == b.geom_type.removeprefix("Multi") and \
        shapely.hausdorff_distance(a, b) < 1e-7


def ogrinfo_count(path: str, layer: str | None = None) -> int:
    ogrinfo = require_tool("ogrinfo", "reading the downloads with GDAL's command line")
    args = [path, layer] if layer else ["-al", path]
    out = subprocess.run([ogrinfo, "-ro", "-so", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return sum(int(n) for n in re.findall(r"^Feature Count: (\d+)$", out.stdout, re.M))


@pytest.mark.gdal
@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("name", LAYER_NAMES)
def test_every_download_opens_with_the_layers_features_ids_and_attributes(client, layers_dir, tmp_path, name, ext):
    from geo.build.exports import dbf_names

    r = client.get(f"/layers/{name}.{ext}")
    assert r.status_code == 200
    path = tmp_path / f"{name}.{ext}"
    path.write_bytes(r.data)
    fc = collection(layers_dir, name)
    expected = expected_rows(fc, flat=ext != "geojson")
    geometries = {str(f["id"]): shape(f["geometry"]) for f in fc["features"]}
    gdal_path = f"/vsizip/{path}" if ext == "zip" else str(path)
    assert ogrinfo_count(gdal_path, name if ext == "gpkg" else None) == len(fc["features"])

    layers = read_layers(gdal_path, [name] if ext == "gpkg" else None)
    features = [f for _, feats in layers for f in feats]
    assert len(features) == len(fc["features"])
    renames, cut, text_only = {}, None, ext == "csv"
    if ext == "kml":
        renames = {"Name": "name"}
    if ext == "zip":
        renames = {short: full for full, short in dbf_names(list(_flat_columns(fc))).items()}
        cut = 254
        for meta, _ in layers:
            assert meta["encoding"] == "UTF-8" and meta["crs"] == "EPSG:4326"
    seen = []
    for geom, attrs in features:
        attrs = {renames.get(k, k): v for k, v in attrs.items()
                 if not (ext == "kml" and k in KML_STANDARD_FIELDS) and k != "WKT"}
        row = expected[attrs["id"]]
        seen.append(attrs["id"])
        assert set(attrs) == set(row), (attrs["id"], set(attrs) ^ set(row))
        for k, v in row.items():
            assert same_value(v, attrs[k], text_only=text_only, cut=cut), (attrs["id"], k, v, attrs[k])
        assert same_geometry(geometries[attrs["id"]], geom), attrs["id"]
    assert sorted(seen) == sorted(expected)
    if ext != "zip":
        assert seen == [str(f["id"]) for f in fc["features"]]        # file order kept


def _flat_columns(fc: dict) -> dict:
    cols = {"id": None}
    for f in fc["features"]:
        for k, v in f["properties"].items():
            if k == "citations":
                cols.update(dict.fromkeys(["citation_count", "first_quote", "citations"]))
            elif k != "id":
                cols[k] = None
    return cols


def test_geopackage_relates_each_feature_to_its_citations(client, layers_dir, tmp_path):
    path = tmp_path / "parks.gpkg"
    path.write_bytes(client.get("/layers/parks.gpkg").data)
    fc = collection(layers_dir, "parks")
    con = sqlite3.connect(path)
    rel = con.execute("SELECT base_table_name, base_primary_column, related_table_name, related_primary_column, "
                      "relation_name, mapping_table_name FROM gpkgext_relations").fetchall()
    assert rel == [("parks", "fid", "citations", "id", "attributes", "parks_citations")]
    exts = {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name = "
                                      "'gpkg_related_tables'")}
    assert exts == {"gpkgext_relations", "parks_citations"}
    kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert kinds == {"parks": "features", "citations": "attributes", "parks_citations": "attributes",
                     "licence": "attributes"}
    licence = con.execute("SELECT text FROM licence").fetchone()[0]
    assert licence == CATALOG["licence"]["data"]
    got = {}
    for pid, quote, doc, start, end, marks in con.execute(
            "SELECT p.id, c.quote, c.doc, c.start, c.\"end\", c.marks FROM parks p "
            "JOIN parks_citations m ON m.base_id = p.fid JOIN citations c ON c.id = m.related_id ORDER BY c.id"):
        got.setdefault(pid, []).append({"quote": quote, "doc": doc, "start": start, "end": end,
                                        "marks": json.loads(marks)})
    want = {f["id"]: [{k: c[k] for k in ("quote", "doc", "start", "end", "marks")}
                      for c in f["properties"]["citations"]] for f in fc["features"]}
    assert got == want
    con.close()


def test_shapefile_zip_has_prj_cpg_readme_and_every_value_in_full(client, layers_dir):
    fc = collection(layers_dir, "zones-and-corridors")
    zf = zipfile.ZipFile(io.BytesIO(client.get("/layers/zones-and-corridors.zip").data))
    names = set(zf.namelist())
    stems = sorted(n[:-4] for n in names if n.endswith(".shp"))
    assert stems == ["zones-and-corridors_lines", "zones-and-corridors_polygons"]
    for stem in stems:
        for ext in ("shx", "dbf", "prj", "cpg"):
            assert f"{stem}.{ext}" in names
        assert zf.read(f"{stem}.cpg").strip() == b"UTF-8"
        assert b"WGS_1984" in zf.read(f"{stem}.prj")
        # the DBF header's last-update date is the build's fixed stamp, not the day it ran (a build
        # after midnight gave other bytes than the committed ones)
        assert tuple(zf.read(f"{stem}.dbf")[1:4]) == (2020 - 1900, 1, 1)
    readme = zf.read("README.txt").decode()
    assert "254 bytes" in readme and "zones-and-corridors_attributes.csv" in readme and "vtx_basis" in readme
    assert CATALOG["licence"]["data"] in readme
    rows = list(csv.DictReader(io.StringIO(zf.read("zones-and-corridors_attributes.csv").decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [f["id"] for f in fc["features"]]
    for r, f in zip(rows, fc["features"]):
        assert json.loads(r["sources"]) == f["properties"]["sources"]
        assert json.loads(r["citations"]) == f["properties"]["citations"]
    assert any(len(r["citations"].encode()) > 254 for r in rows)


@pytest.mark.parametrize("ext, file", [("gpkg", "parks.gpkg"), ("kml", "parks.kml"), ("csv", "parks.csv"),
                                       ("zip", "parks.shp.zip")])
def test_downloads_are_the_built_files_with_etag_304_and_ranges(client, layers_dir, ext, file):
    built = (layers_dir / "downloads" / file).read_bytes()
    r = client.get(f"/layers/parks.{ext}")
    assert r.data == built and r.headers["ETag"] == f'"{hashlib.sha256(built).hexdigest()}"'
    assert f'filename={file}' in r.headers["Content-Disposition"]
    assert client.get(f"/layers/parks.{ext}", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    part = client.get(f"/layers/parks.{ext}", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == built[10:20]


def test_a_rebuild_replaces_every_download_the_running_app_serves(tmp_path):
    """A real rebuild (a new article citing a park) while the app runs: every format changes."""
    import yaml

    from geo import paths
    from geo.build import build

    layers, seeds = tmp_path / "layers", tmp_path / "seeds"
    shutil.copytree(ROOT / "layers", layers)
    shutil.copytree(paths.SEEDS, seeds)
    client = create_app({"LAYERS_DIR": str(layers)}).test_client()
    before = {ext: client.get(f"/layers/parks.{ext}").data for ext in FORMATS}
    (seeds / "900_test.txt").write_text("槐荫区今年将继续建设花漾大道。", encoding="utf-8")
    catalog = yaml.safe_load((seeds / "catalog.yml").read_text(encoding="utf-8"))
    catalog["articles"].append({"id": "900_test", "title": "测试", "outlet": "测试报", "date": "2024-01-01",
                                "districts": [{"name": "槐荫区", "adcode": "370104"}], "language": "zh-Hans"})
    (seeds / "catalog.yml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    assert build(seeds, paths.GAZETTEER, layers) is True
    for ext in FORMATS:
        after = client.get(f"/layers/parks.{ext}")
        assert after.data != before[ext] and after.data == _built(layers, "parks", ext), ext
    avenue = next(f for f in client.get("/layers/parks.geojson").get_json()["features"]
                  if f["id"] == "huaiyin/huayang-avenue")
    assert any(c["doc"] == "900_test" for c in avenue["properties"]["citations"])


def _built(layers, name, ext):
    return (layers / (f"{name}.geojson" if ext == "geojson" else
                      f"downloads/{name}.{'shp.zip' if ext == 'zip' else ext}")).read_bytes()


def test_data_dictionary_names_every_property_the_layers_carry_and_every_provenance_value(client):
    from geo.gazetteer.shapes import METHODS, PRECISIONS, VERTEX_BASES

    listing = client.get("/layers/").get_data(as_text=True)
    assert 'href="/layers/dictionary"' in listing
    page = client.get("/layers/dictionary").get_data(as_text=True)
    data = client.get("/layers/dictionary?f=json").get_json()
    documented = {p["name"] for p in data["properties"]}
    carried = {k for name in LAYER_NAMES if CATALOG["layers"][name]["role"] == "places"
               for f in collection(ROOT / "layers", name)["features"] for k in f["properties"]}
    assert carried == documented
    assert set(data["values"]["method"]) == set(METHODS) and set(data["values"]["vertex_basis"]) == set(VERTEX_BASES)
    assert set(data["values"]["precision"]) == set(PRECISIONS)
    for name in documented:
        assert f'<tr id="{name}">' in page
    assert client.get("/layers/dictionary?f=xml").status_code == 400


@pytest.mark.parametrize("ext", FORMATS)
def test_every_download_carries_its_licence_and_data_dictionary_link(client, ext):
    resp = client.get(f"/layers/parks.{ext}")
    link = resp.headers["Link"]
    assert 'rel="license"' in link and "/layers/dictionary" in link
    assert link.isascii()                                    # "©" raw would be Latin-1, read as clients please
    title = re.search(r"title\*=UTF-8''([^;,\s]+)", link) or re.search(r'title="([^"]*)"', link)
    assert unquote(title.group(1)) == CATALOG["licence"]["data"]                 # RFC 8187 decoded
    assert resp.headers["Content-Type"].count("charset") <= 1


def test_numeric_properties_have_the_dictionarys_type_in_every_layer_and_format(client):
    """A GIS user appends layers into one table: each numeric property must be the type the data
    dictionary gives in every layer and format, also where a layer has no value for it (GeoJSON
    `"count": 21.0`, a GeoPackage String in one layer and Real in the next broke that)."""
    from webmap.downloads.dictionary import PROPERTIES
    numeric = {name: kind.split()[0] for name, kind, _ in PROPERTIES if kind.split()[0] in ("integer", "number")}
    assert {"count", "uncertainty_m", "area_km2"} <= set(numeric)
    gpkg_types = {"integer": {"int32", "int64"}, "number": {"float64"}}
    for name in CATALOG["layers"]:
        fc = json.loads(client.get(f"/layers/{name}.geojson").data)
        for prop, kind in numeric.items():
            values = [f["properties"][prop] for f in fc["features"] if f["properties"].get(prop) is not None]
            allowed = (int,) if kind == "integer" else (int, float)
            assert all(isinstance(v, allowed) and not isinstance(v, bool) for v in values), (name, prop)
        path = ROOT / "layers" / "downloads" / f"{name}.gpkg"
        info = pyogrio.read_info(path, layer=name)
        types = dict(zip(info["fields"], info["dtypes"]))
        for prop, kind in numeric.items():
            if prop in types:
                assert types[prop] in gpkg_types[kind], (name, prop, types[prop])
        if name != "districts":
            queryables = client.get(f"/ogc/collections/{name}/queryables?f=json").get_json()["properties"]
            for prop, kind in numeric.items():
                if prop in queryables:
                    assert queryables[prop]["type"] == kind, (name, prop)


def test_a_kml_placemark_balloon_says_what_the_place_is_and_quotes_its_article(client, layers_dir, tmp_path):
    """Google Earth shows a placemark's description in its balloon: it held nothing, leaving only
    the raw attribute table. Now the English name, kind, precision and the first passage cited."""
    path = tmp_path / "projects.kml"
    path.write_bytes(client.get("/layers/projects.kml").data)
    fc = collection(layers_dir, "projects")
    by_id = {str(f["id"]): f["properties"] for f in fc["features"]}
    for _, feats in read_layers(str(path), None):
        for _, attrs in feats:
            props, text = by_id[attrs["id"]], attrs["description"]
            assert f"precision: {props['precision']}" in text and props["kind"] in text
            if props.get("name_en"):
                assert props["name_en"] in text
            if props["citations"]:
                assert props["citations"][0]["quote"] in text
