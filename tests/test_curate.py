"""The curation editor without a browser: the public app has no write route, the editor binds to
loopback unless told otherwise, every write needs the session's CSRF token and a same-origin
Origin, saves are validated by the build's checks (nothing written when they fail), conflicts are
409s, GCJ-02 drawings are stored in WGS-84, and a save rewrites one line and rebuilds the layers.

Every test works on a temporary copy of the gazetteer, the articles and the layers.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from pyproj import Geod

from conftest import ROOT, free_port, wait_for
from geo import paths
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PLACE = "lixia/mingfu-city"                    # 明府城片区: a drawn zone, clipped to its district
GEOD = Geod(ellps="WGS84")


def copy_data(dest: Path) -> dict:
    """A private gazetteer (data files only), articles and built layers, as the editor's folders."""
    shutil.copytree(paths.GAZETTEER, dest / "gazetteer", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copytree(paths.SEEDS, dest / "seeds")
    shutil.copytree(ROOT / "layers", dest / "layers")
    return {"GAZETTEER_DIR": str(dest / "gazetteer"), "SEEDS_DIR": str(dest / "seeds"),
            "LAYERS_DIR": str(dest / "layers"), "CURATOR_FILE": str(dest / "config" / "curator")}


@pytest.fixture
def data(tmp_path) -> dict:
    return copy_data(tmp_path)


class Editor:
    """A test client that loaded the editor page, so it holds a session and its token."""

    def __init__(self, config: dict):
        from webmap.curate import create_app

        self.app = create_app({**config, "TESTING": True})
        self.client = self.app.test_client()
        page = self.client.get("/")
        assert page.status_code == 200
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
        self.origin = "http://localhost"

    def post(self, url: str, body: dict, **headers):
        sent = {"Origin": self.origin, "X-CSRF-Token": self.token, **headers}
        return self.client.post(url, json=body, headers={k: v for k, v in sent.items() if v is not None})

    def get(self, url: str):
        return self.client.get(url)


@pytest.fixture
def editor(data) -> Editor:
    ed = Editor(data)
    assert ed.post("/api/curator", {"curator": "test-curator"}).status_code == 200
    return ed


def shapes_file(data: dict, name: str = "lixia") -> Path:
    return Path(data["GAZETTEER_DIR"]) / "shapes" / f"{name}.geojson"


def square(lon: float, lat: float, half: float = 0.002) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


def snapshot(data: dict) -> dict[str, bytes]:
    """Every file of the gazetteer and the layers, to show that nothing was written."""
    out = {}
    for key in ("GAZETTEER_DIR", "LAYERS_DIR"):
        for p in sorted(Path(data[key]).rglob("*")):
            if p.is_file():
                out[str(p)] = p.read_bytes()
    return out


def feature(data: dict, place_id: str, name: str = "lixia") -> dict:
    fc = json.loads(shapes_file(data, name).read_text(encoding="utf-8"))
    return next(f for f in fc["features"] if f["id"] == place_id)


def layer_feature(data: dict, place_id: str) -> dict:
    for path in sorted(Path(data["LAYERS_DIR"]).glob("*.geojson")):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if f["id"] == place_id:
                return f
    raise LookupError(place_id)


# ------------------------------------------------------------------ the public app stays read-only

def _sample_url(rule, assets: dict[str, str], fid: str) -> str:
    """A URL of the rule that the app really serves (an existing place, layer, article, asset)."""
    real = {"place_id": "lixia/cbd", "item_id": "huaiyin/new-city-parks", "ident": "lixia/cbd", "name": "parks", "ext": "geojson",
            "collection_id": "parks", "doc_id": "004_82a2d61d833f1e94", "rest": "no-such-page", "fid": fid,
            **assets}
    return rule.build({arg: real[arg] for arg in rule.arguments}, append_unknown=False)[1]


READ_ONLY_POSTS = {"/analyze"}       # analyses a pasted article, stores nothing (issue 13)


def test_public_app_answers_405_to_every_write_method_on_every_route(client, catalog):
    app = client.application
    asset = re.search(r"/assets/([0-9a-f]+)/(leaflet)/(leaflet\.js)", client.get("/").get_data(as_text=True))
    assets = dict(zip(("digest", "group", "filename"), asset.groups()))
    rules = list(app.url_map.iter_rules())
    assert not any(r.endpoint.startswith("curate") for r in rules)
    unknown = set()
    for rule in rules:
        url = _sample_url(rule, assets, catalog["frameworks"][0]["id"])
        if client.get(url).status_code == 404:       # the OGC catch-all: no such page, for any method
            unknown.add(rule.endpoint)
        for method in WRITE_METHODS:
            if method == "POST" and url in READ_ONLY_POSTS:
                continue
            resp = client.open(url, method=method, headers={"Origin": "http://localhost"})
            if rule.endpoint in unknown:
                assert resp.status_code == 404, (method, url, resp.status_code)
                continue
            assert resp.status_code == 405, (method, url, resp.status_code)
            assert "GET" in resp.headers["Allow"]
    assert unknown == {"ogc.unknown"}


def test_the_one_public_post_stores_nothing(client, layers_dir):
    """POST /analyze reads a pasted article; the layers (and the gazetteer) are unchanged after it."""
    before = {p: p.read_bytes() for p in sorted(layers_dir.rglob("*")) if p.is_file()}
    gazetteer = {p: p.read_bytes() for p in sorted(paths.GAZETTEER.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}
    resp = client.post("/analyze", data={"text": "历下区在明府城片区突出“古”。"}, headers={"Accept": "application/json"})
    assert resp.status_code == 200
    assert {p: p.read_bytes() for p in sorted(layers_dir.rglob("*")) if p.is_file()} == before
    assert {p: p.read_bytes() for p in sorted(paths.GAZETTEER.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts} == gazetteer


# ------------------------------------------------------------------ binding

def run_curate(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "curate", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_a_non_loopback_bind_without_the_flag_exits_with_a_message(host):
    done = run_curate("--host", host, "--port", str(free_port()))
    assert done.returncode == 2
    assert f"refusing to serve the curation editor on {host}" in done.stderr
    assert "--allow-remote" in done.stderr


def test_allow_remote_serves_with_a_warning(tmp_path):
    data = copy_data(tmp_path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "geo", "curate", "--host", "0.0.0.0", "--port", str(port),
                             "--allow-remote", "--gazetteer", data["GAZETTEER_DIR"], "--seeds", data["SEEDS_DIR"],
                             "--layers", data["LAYERS_DIR"]], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/curator")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/places?q=%E6%98%8E%E5%BA%9C%E5%9F%8E") as r:
            assert json.load(r)["results"][0]["id"] == PLACE
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "WARNING: the curation editor is reachable on 0.0.0.0" in err


def test_loopback_is_told_apart_from_other_addresses():
    from webmap.curate.server import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.10") and not is_loopback("no-such-host.invalid")


# ------------------------------------------------------------------ CSRF and Origin

def test_a_write_without_the_token_or_from_another_origin_is_refused(editor, data):
    before = snapshot(data)
    place = editor.get(f"/api/places/{PLACE}").get_json()
    body = {"geometry": square(117.015, 36.668), "crs": "wgs84", "basemap": "osm", "sha256": place["sha256"]}
    url = f"/api/places/{PLACE}/shape"
    for headers in ({"X-CSRF-Token": None}, {"X-CSRF-Token": "forged"}, {"Origin": "http://evil.example"},
                    {"Origin": None}, {"Origin": "http://localhost:8080"}):
        resp = editor.post(url, body, **headers)
        assert resp.status_code == 403, headers
        assert "Refused" in resp.get_json()["description"]
    assert editor.post("/api/curator", {"curator": "mallory"}, Origin="http://evil.example").status_code == 403
    assert snapshot(data) == before
    other = Editor(data)                         # another session's token is not this one's
    assert editor.post("/api/curator", {"curator": "x"}, **{"X-CSRF-Token": other.token}).status_code == 403


def test_an_untrusted_host_is_refused(editor):
    assert editor.client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_the_editor_page_cannot_be_framed_and_runs_only_its_own_scripts(editor):
    resp = editor.get("/")
    assert resp.headers["X-Frame-Options"] == "DENY"
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "frame-ancestors 'none'" in csp
    html = resp.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)     # no inline script
    assert not re.search(r'(src|href)="(https?:)?//', html)                  # nothing from a CDN


# ------------------------------------------------------------------ ids, paths and input

@pytest.mark.parametrize("place_id", ["../../etc/passwd", "lixia/../../x", "lixia/no-such-place", "x" * 300,
                                      "district/lixia"])
def test_unknown_or_malformed_ids_are_404_and_write_nothing(editor, data, place_id):
    before = snapshot(data)
    body = {"geometry": square(117.015, 36.668), "crs": "wgs84", "basemap": "osm", "sha256": "0"}
    assert editor.post(f"/api/places/{place_id}/shape", body).status_code == 404
    assert editor.get(f"/api/places/{place_id}").status_code == 404
    assert snapshot(data) == before


@pytest.mark.parametrize("body, reason", [
    ({"geometry": {"type": "MultiPoint", "coordinates": [[117, 36]]}}, "geometry must be"),
    ({"geometry": {"type": "Polygon", "coordinates": "nope"}}, "unreadable geometry"),
    ({"geometry": {"type": "Point", "coordinates": [1e300, 36]}}, "finite longitude/latitude"),
    ({"basemap": "none"}, "trace over a basemap"),
    ({"basemap": "amap"}, "only the Amap view is in GCJ-02"),
    ({"crs": "bd09"}, "crs must be one of"),
    ({"note": "x" * 501}, "at most 500"),
])
def test_bad_input_is_a_400_with_the_reason(editor, data, body, reason):
    before = snapshot(data)
    place = editor.get(f"/api/places/{PLACE}").get_json()
    full = {"geometry": square(117.015, 36.668), "crs": "wgs84", "basemap": "osm", "sha256": place["sha256"], **body}
    resp = editor.post(f"/api/places/{PLACE}/shape", full)
    assert resp.status_code == 400
    assert reason in resp.get_json()["description"]
    assert snapshot(data) == before


def test_a_body_that_is_not_json_is_a_400_and_an_oversized_one_a_413(editor):
    assert editor.client.post("/api/measure", data="{", content_type="application/json",
                              headers={"Origin": editor.origin, "X-CSRF-Token": editor.token}).status_code == 400
    big = editor.client.post("/api/measure", data=b"[" + b"0," * 600_000 + b"0]", content_type="application/json",
                             headers={"Origin": editor.origin, "X-CSRF-Token": editor.token})
    assert big.status_code == 413


def test_the_curator_is_asked_once_and_stored_locally(data):
    ed = Editor(data)
    assert ed.get("/api/curator").get_json() == {"curator": None}
    place = ed.get(f"/api/places/{PLACE}").get_json()
    body = {"geometry": square(117.015, 36.668), "crs": "wgs84", "basemap": "osm", "sha256": place["sha256"]}
    assert "say who you are" in ed.post(f"/api/places/{PLACE}/shape", body).get_json()["description"]
    assert ed.post("/api/curator", {"curator": "a\nb"}).status_code == 400
    assert ed.post("/api/curator", {"curator": " 李 curator "}).status_code == 200
    assert Path(data["CURATOR_FILE"]).read_text(encoding="utf-8") == "李 curator\n"
    assert Editor(data).get("/api/curator").get_json() == {"curator": "李 curator"}     # a new session knows


# ------------------------------------------------------------------ measuring while drawing

def test_measure_gives_the_geodesic_area_the_build_will_compute(editor):
    from shapely.geometry import shape

    from geo.crs import area_km2

    sq = square(117.015, 36.668)
    got = editor.post("/api/measure", {"geometry": sq, "crs": "wgs84"}).get_json()
    assert got["area_km2"] == pytest.approx(area_km2(shape(sq)), abs=1e-4)
    assert 0.157 < got["area_km2"] < 0.160        # 0.357 km × 0.444 km: 0.004° × 0.004° near 36.7° N
    shifted = editor.post("/api/measure", {"geometry": got["gcj02"], "crs": "gcj02"}).get_json()
    assert shifted["wgs84"]["coordinates"][0][0] == pytest.approx(sq["coordinates"][0][0], abs=1e-9)
    line = editor.post("/api/measure", {"geometry": {"type": "LineString", "coordinates": [[117.0, 36.6], [117.01, 36.6]]},
                                        "crs": "wgs84"}).get_json()
    assert line["length_km"] == pytest.approx(0.894, abs=0.002) and line["area_km2"] is None


# ------------------------------------------------------------------ saving

def test_a_save_rewrites_one_line_records_the_tracing_and_rebuilds_the_layers(editor, data):
    path = shapes_file(data)
    before_text = path.read_text(encoding="utf-8")
    old = feature(data, PLACE)
    raw = editor.get(f"/api/places/{PLACE}").get_data(as_text=True)
    place = json.loads(raw, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))     # strict, as browsers
    assert place["borrowed_from"] is None and place["parent"] is None and place["area_km2"] == 0.591
    assert place["sha256"] == hashlib.sha256(before_text.encode()).hexdigest()
    assert place["citations"] and "明府城" in place["citations"][0]["quote"]
    resp = editor.post(f"/api/places/{PLACE}/shape", {"geometry": square(117.015, 36.668), "crs": "wgs84",
                                                      "basemap": "positron", "sha256": place["sha256"],
                                                      "note": "Traced along 泉城路."})
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    after_text = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before_text.splitlines(), after_text.splitlines()) if a != b]
    assert len(changed) == 1 and len(before_text.splitlines()) == len(after_text.splitlines())
    new = feature(data, PLACE)
    props = new["properties"]
    assert props["method"] == "traced" and props["vertex_basis"] == "traced"
    assert props["traced"]["basemap"] == "positron" and props["traced"]["curator"] == "test-curator"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", props["traced"]["date"])
    assert props["note"] == "Traced along 泉城路."
    assert props["sources"] == old["properties"]["sources"]           # the official text's URL kept
    from geo.gazetteer.shapes import dumps_shapes

    assert after_text == dumps_shapes(json.loads(after_text)["features"])       # the one stable form
    built = layer_feature(data, PLACE)["properties"]
    assert built["method"] == "traced" and built["vertex_basis"] == "traced"
    assert out["before_area_km2"] == pytest.approx(0.591, abs=0.01)
    assert out["after_area_km2"] == built["area_km2"] and 0.157 < built["area_km2"] < 0.160
    assert out["summary"].startswith("shapes/lixia.geojson: -1 +1 line(s); lixia/mingfu-city: Polygon of 7 vertices → Polygon of 5")
    assert out["sha256"] == hashlib.sha256(after_text.encode()).hexdigest()
    from geo.build.check import validate_project

    assert validate_project(Path(data["SEEDS_DIR"]), Path(data["GAZETTEER_DIR"]), Path(data["LAYERS_DIR"])) == []


def test_the_second_of_two_editors_saving_the_same_file_gets_a_conflict(data):
    first, second = Editor(data), Editor(data)
    assert first.post("/api/curator", {"curator": "one"}).status_code == 200
    sha = first.get(f"/api/places/{PLACE}").get_json()["sha256"]
    assert second.get("/api/places/lixia/cbd").get_json()["sha256"] == sha          # same file, same hash
    ok = first.post(f"/api/places/{PLACE}/shape", {"geometry": square(117.015, 36.668), "crs": "wgs84",
                                                   "basemap": "osm", "sha256": sha})
    assert ok.status_code == 200
    after = shapes_file(data).read_bytes()
    late = second.post("/api/places/lixia/cbd/shape", {"geometry": square(117.095, 36.664, 0.009), "crs": "wgs84",
                                                        "basemap": "osm", "sha256": sha})
    assert late.status_code == 409
    assert "changed by someone else" in late.get_json()["description"]
    assert shapes_file(data).read_bytes() == after


def test_two_editor_processes_saving_at_once_never_overwrite_each_other(data):
    """Two app instances (as two `geo curate` processes: separate locks in memory) save the same file
    at the same moment: one is written, the other is a 409, whichever comes first."""
    from concurrent.futures import ThreadPoolExecutor

    first, second = Editor(data), Editor(data)
    for ed in (first, second):
        assert ed.post("/api/curator", {"curator": "c"}).status_code == 200
    sha = first.get(f"/api/places/{PLACE}").get_json()["sha256"]
    jobs = [(first, PLACE, square(117.015, 36.668)), (second, "lixia/cbd", square(117.095, 36.664, 0.009))]
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda j: j[0].post(f"/api/places/{j[1]}/shape", {
            "geometry": j[2], "crs": "wgs84", "basemap": "osm", "sha256": sha}).status_code, jobs))
    assert sorted(codes) == [200, 409]
    methods = [feature(data, pid)["properties"]["method"] for pid in (PLACE, "lixia/cbd")]
    assert methods.count("traced") == 1


@pytest.mark.parametrize("geometry, reason", [
    ({"type": "Polygon", "coordinates": [[[117.010, 36.665], [117.020, 36.670], [117.020, 36.665],
                                          [117.010, 36.670], [117.010, 36.665]]]}, "Self-intersection"),
    (square(116.95, 36.66), "outside its district"),                           # in Huaiyin, not Lixia
])
def test_an_invalid_drawing_is_refused_with_the_reason_and_nothing_written(editor, data, geometry, reason):
    before = snapshot(data)
    sha = editor.get(f"/api/places/{PLACE}").get_json()["sha256"]
    resp = editor.post(f"/api/places/{PLACE}/shape", {"geometry": geometry, "crs": "wgs84", "basemap": "osm",
                                                      "sha256": sha})
    assert resp.status_code == 422
    body = resp.get_json()
    assert "nothing was written" in body["description"]
    assert any(reason in p and PLACE in p for p in body["problems"]), body["problems"]
    assert snapshot(data) == before


def test_a_stated_area_off_by_more_than_a_quarter_is_refused(editor, data):
    before = snapshot(data)
    sha = editor.get("/api/places/lixia/cbd").get_json()["sha256"]          # states 3.2 km²
    resp = editor.post("/api/places/lixia/cbd/shape", {"geometry": square(117.095, 36.664, 0.002), "crs": "wgs84",
                                                        "basemap": "osm", "sha256": sha})
    assert resp.status_code == 422
    assert any("from the 3.2 km² its source states" in p for p in resp.get_json()["problems"])
    assert snapshot(data) == before


def test_a_shape_traced_on_amap_is_stored_in_wgs84(editor, data):
    gcj = (117.0152, 36.6689)                       # a vertex as read off Amap's tiles
    ring = [gcj, (gcj[0] + 0.003, gcj[1]), (gcj[0] + 0.003, gcj[1] + 0.002), (gcj[0], gcj[1] + 0.002), gcj]
    place = editor.get(f"/api/places/{PLACE}?crs=gcj02").get_json()
    shown = place["geometry"]["coordinates"][0][0]
    wgs_shown = feature(data, PLACE)["geometry"]["coordinates"][0]             # the stored shape, as drawn
    assert abs(wgs84_to_gcj02(*wgs_shown[0])[0] - shown[0]) < 1e-6             # the view is shifted
    resp = editor.post(f"/api/places/{PLACE}/shape", {"geometry": {"type": "Polygon", "coordinates": [ring]},
                                                      "crs": "gcj02", "basemap": "amap", "sha256": place["sha256"]})
    assert resp.status_code == 200, resp.get_json()
    stored = feature(data, PLACE)["geometry"]["coordinates"][0]
    expected = gcj02_to_wgs84(*gcj)
    nearest = min(GEOD.inv(p[0], p[1], *expected)[2] for p in stored)
    assert nearest < 1.0
    assert GEOD.inv(*expected, *gcj)[2] > 400          # it really was shifted back (~520 m near Jinan)
    assert feature(data, PLACE)["properties"]["traced"]["basemap"] == "amap"


def test_vendored_geoman_is_the_packaged_file():
    vendor = ROOT / "webmap" / "curate" / "static" / "vendor"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    for name in ("leaflet-geoman.min.js", "leaflet-geoman.css", "LICENSE-leaflet-geoman"):
        digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
        assert re.search(rf"`{re.escape(name)}`.*`{digest}`", readme), name
    assert "MIT License" in (vendor / "LICENSE-leaflet-geoman").read_text(encoding="utf-8")


def test_the_cli_serves_the_editor_on_loopback(tmp_path):
    data = copy_data(tmp_path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "geo", "curate", "--port", str(port), "--gazetteer",
                             data["GAZETTEER_DIR"], "--seeds", data["SEEDS_DIR"], "--layers", data["LAYERS_DIR"]],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as r:
            assert "csrf-token" in r.read().decode()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "WARNING" not in err


def test_the_basemaps_to_trace_on_are_osm_positron_amap_and_tianditu_with_a_key(data):
    def offered(config: dict) -> dict:
        html = Editor(config).get("/").get_data(as_text=True)
        settings = json.loads(re.search(r'<script type="application/json" id="settings">(.*?)</script>', html, re.S).group(1))
        return {b["id"]: b for b in settings["basemaps"]}

    plain = offered(data)
    assert list(plain) == ["osm", "positron", "amap"]
    assert plain["amap"]["crs"] == "gcj02" and plain["osm"]["crs"] == "wgs84"
    keyed = offered({**data, "TIANDITU_KEY": "k123"})
    assert list(keyed) == ["osm", "positron", "amap", "tianditu"]
    assert all("tk=k123" in url for url in keyed["tianditu"]["tiles"])


def test_make_curate_serves_the_editor_with_host_and_port_like_make_run():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make not installed")
    dry = subprocess.run([make, "-n", "curate", "PORT=5077"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "-m geo curate --host 127.0.0.1 --port 5077" in dry.stdout
    assert "geo build --if-stale" in dry.stdout                 # the layers are fresh before editing


def test_a_place_that_borrowed_its_zone_gets_a_point_of_its_own(editor, data):
    pid = "lixia/cbd-consumption-district"                 # method parent: shows lixia/cbd's shape
    place = editor.get(f"/api/places/{pid}").get_json()
    assert place["borrowed_from"] == "lixia/cbd" and place["provenance"]["method"] == "parent"
    resp = editor.post(f"/api/places/{pid}/shape", {"geometry": {"type": "Point", "coordinates": [117.0951, 36.6642]},
                                                    "crs": "wgs84", "basemap": "osm", "sha256": place["sha256"]})
    assert resp.status_code == 200, resp.get_json()
    props = feature(data, pid)["properties"]
    assert (props["method"], props["precision"], props["uncertainty_m"]) == ("traced", "site", 100)
    assert props["no_source_reason"]                        # kept: still no published source
    built = layer_feature(data, pid)
    assert built["geometry"] == {"type": "Point", "coordinates": [117.0951, 36.6642]}
    assert built["properties"]["borrowed_from"] is None and built["properties"]["area_km2"] is None
    assert "lixia/cbd-consumption-district: no shape → Point; method parent → traced" in resp.get_json()["summary"]


@pytest.mark.parametrize("source, reason", [
    ({"url": "javascript:alert(1)", "title": "x"}, "http(s) URL"),
    ({"url": "http://[::1", "title": "x"}, "http(s) URL"),
    ({"url": "https://example.org/plan"}, "source title"),
    ("https://example.org/plan", "source must be an object"),
])
def test_a_bad_source_is_a_400(editor, data, source, reason):
    before = snapshot(data)
    sha = editor.get(f"/api/places/{PLACE}").get_json()["sha256"]
    resp = editor.post(f"/api/places/{PLACE}/shape", {"geometry": square(117.015, 36.668), "crs": "wgs84",
                                                      "basemap": "osm", "sha256": sha, "source": source})
    assert resp.status_code == 400 and reason in resp.get_json()["description"]
    assert snapshot(data) == before


def test_the_page_traced_from_is_added_to_the_sources(editor, data):
    old_sources = feature(data, PLACE)["properties"]["sources"]
    sha = editor.get(f"/api/places/{PLACE}").get_json()["sha256"]
    src = {"url": "https://example.org/mingfu-plan.pdf", "title": "明府城片区 规划图"}
    resp = editor.post(f"/api/places/{PLACE}/shape", {"geometry": square(117.015, 36.668), "crs": "wgs84",
                                                      "basemap": "osm", "sha256": sha, "source": src})
    assert resp.status_code == 200, resp.get_json()
    sources = feature(data, PLACE)["properties"]["sources"]
    assert sources[:-1] == old_sources
    assert sources[-1] == {**src, "publisher": "example.org", "accessed": sources[-1]["accessed"]}
    assert layer_feature(data, PLACE)["properties"]["sources"] == sources


def test_reads_check_their_parameters(editor):
    assert editor.get("/api/places/lixia/cbd?crs=bd09").status_code == 400
    assert editor.get("/api/districts?crs=").status_code == 400
    assert editor.get("/api/places?q=" + "x" * 101).status_code == 400
    assert editor.get("/api/places?q=").get_json() == {"results": []}
    gcj = editor.get("/api/districts?crs=gcj02").get_json()["features"]
    wgs = editor.get("/api/districts").get_json()["features"]
    assert {f["properties"]["adcode"] for f in wgs} >= {"370102", "370103", "370104"}
    import shapely
    from shapely.geometry import shape

    first_wgs = shapely.get_coordinates(shape(wgs[0]["geometry"]))[0]
    first_gcj = shapely.get_coordinates(shape(gcj[0]["geometry"]))[0]
    assert list(first_gcj) == pytest.approx(list(wgs84_to_gcj02(*first_wgs)), abs=1e-9)   # shifted for Amap
    assert editor.get("/leaflet/leaflet.js").status_code == 200
    for bad in ("/leaflet/../__init__.py", "/leaflet/%2e%2e/x", "/leaflet/package.json"):
        assert editor.get(bad).status_code == 404
