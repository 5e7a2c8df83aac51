"""The curation editor in real headless Chromium, as a curator uses it: say who you are, find a
place, draw with the mouse on the map (Leaflet-Geoman), watch the area, undo, snap to the district
line, save; the shapes file and the rebuilt layer change, a drawing on Amap is stored in WGS-84,
and an invalid drawing is refused with its reason and nothing written.

The editor runs as `python -m geo curate` on a temporary copy of the gazetteer, articles and layers.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape

from conftest import ARTIFACTS, ROOT, free_port, wait_for
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from test_curate import PLACE, copy_data, feature, layer_feature, snapshot

pytestmark = pytest.mark.browser
GEOD = Geod(ellps="WGS84")
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)


@pytest.fixture
def editor_server(tmp_path):
    """The editor under `python -m geo curate` on a free loopback port, over private data."""
    data = copy_data(tmp_path)
    port = free_port()
    env = {**os.environ, "JINAN_ZONES_CURATOR_FILE": data["CURATOR_FILE"]}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "curate", "--port", str(port), "--gazetteer",
                             data["GAZETTEER_DIR"], "--seeds", data["SEEDS_DIR"], "--layers", data["LAYERS_DIR"]],
                            cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/curator")
        yield f"http://127.0.0.1:{port}", data
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    p = context.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    p.on("console", lambda m: "Content Security Policy" in m.text and p.errors.append(m.text))
    yield p
    context.close()


def offline(page, base: str) -> None:
    """Only the editor's own requests go through (tiles are blocked: the test machine is offline)."""
    origin = urlsplit(base).netloc
    page.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).netloc == origin
               or r.request.url.startswith("data:") else r.abort())


def open_editor(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.JZC && window.JZC.ready === true")


def say_who(page, name: str) -> None:
    page.fill("#curator", name)
    page.click("#curator-save")
    page.wait_for_selector("#curator-shown", state="visible")


def find_place(page, query: str, place_id: str) -> None:
    page.fill("#search", query)
    page.click(f'#results button[data-id="{place_id}"]')
    page.wait_for_function("id => JZC.state.place && JZC.state.place.id === id", arg=place_id)


def pixel(page, lon: float, lat: float) -> tuple[float, float]:
    """Where a coordinate of the current view's datum is on the screen."""
    return tuple(page.evaluate("""([lon, lat]) => {
        const p = JZC.map.latLngToContainerPoint([lat, lon]), box = JZC.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", [lon, lat]))


def draw_polygon(page, vertices: list[tuple[float, float]]) -> None:
    """Click the polygon tool, click each vertex on the map, close the ring on the first vertex."""
    page.click(".leaflet-pm-icon-polygon")
    points = [pixel(page, *v) for v in vertices]
    for x, y in points:
        page.mouse.click(x, y)
    page.mouse.click(*points[0])
    page.wait_for_function("() => !JZC.map.pm.Draw.getActiveShape()")


def drawn(page) -> dict:
    return page.evaluate("() => JZC.state.shape.toGeoJSON(false).geometry")


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_a_curator_traces_a_zone_and_saves_it(page, editor_server):
    base, data = editor_server
    offline(page, base)
    shapes_before = (Path(data["GAZETTEER_DIR"]) / "shapes" / "lixia.geojson").read_text(encoding="utf-8")
    open_editor(page, f"{base}/?basemap=osm")
    say_who(page, "王 curator")
    find_place(page, "明府城", PLACE)
    assert "明府城片区" in page.inner_text("#place-name")
    assert "济南古城(明府城片区)城市更新项目" in page.inner_text("#place-sources")      # its source
    assert "明府城" in page.inner_text("#place-quotes mark")                          # the quote, name marked
    assert "official-boundary" in page.inner_text("#place-provenance")
    square = [(117.013, 36.666), (117.017, 36.666), (117.017, 36.670), (117.013, 36.670)]
    page.click(".leaflet-pm-icon-polygon")
    for v in square[:3]:
        page.mouse.click(*pixel(page, *v))
    page.mouse.click(*pixel(page, 117.016, 36.6685))       # a stray vertex …
    page.wait_for_function("() => JZC.state.drawing.getLatLngs().length === 4")
    page.click("#undo")                                    # … taken back while drawing
    assert page.evaluate("() => JZC.state.drawing.getLatLngs().length") == 3
    page.mouse.click(*pixel(page, *square[3]))
    page.mouse.click(*pixel(page, *square[0]))
    page.wait_for_function("() => !JZC.map.pm.Draw.getActiveShape()")
    page.wait_for_function("() => /Area 0\\.15/.test(document.getElementById('measure').textContent)")
    shown_area = float(page.inner_text("#measure").split("Area ")[1].split(" ")[0])
    ring = drawn(page)["coordinates"][0]
    assert len(ring) == 5 and all(metres(p, v) < 5 for p, v in zip(ring, square))
    page.fill("#note", "Traced along 泉城路 and 大明湖路.")
    page.fill("#source-url", "https://example.org/mingfu-plan")
    page.fill("#source-title", "明府城片区 规划范围图")
    page.click("#save")
    page.wait_for_selector("#outcome .saved", timeout=180_000)
    outcome = page.inner_text("#outcome")
    assert "0.591 km² → 0.15" in outcome
    assert "shapes/lixia.geojson: -1 +1 line(s); lixia/mingfu-city" in outcome
    new = feature(data, PLACE)
    props = new["properties"]
    assert props["method"] == "traced" and props["vertex_basis"] == "traced"
    assert props["traced"]["basemap"] == "osm" and props["traced"]["curator"] == "王 curator"
    assert props["note"] == "Traced along 泉城路 and 大明湖路."
    assert [s["url"] for s in props["sources"]] == ["http://fc.sddp.net/html/news/202112/169195/1.html",
                                                    "https://example.org/mingfu-plan"]     # official URL kept
    stored = new["geometry"]["coordinates"][0]
    assert all(metres(p, v) < 5 for p, v in zip(stored, square))
    shapes_after = (Path(data["GAZETTEER_DIR"]) / "shapes" / "lixia.geojson").read_text(encoding="utf-8")
    assert sum(a != b for a, b in zip(shapes_before.splitlines(), shapes_after.splitlines())) == 1
    built = layer_feature(data, PLACE)["properties"]
    assert built["method"] == "traced" and built["vertex_basis"] == "traced"
    assert built["area_km2"] == pytest.approx(shown_area, abs=0.001)     # the area shown is the one built
    assert "method traced" in page.inner_text("#place-provenance")        # the editor shows the new state
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "curate.png"))
    assert page.errors == []


def test_a_vertex_traced_on_amap_is_stored_at_its_wgs84_position(page, editor_server):
    base, data = editor_server
    Path(data["CURATOR_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(data["CURATOR_FILE"]).write_text("amap-tracer\n", encoding="utf-8")
    offline(page, base)
    open_editor(page, f"{base}/?basemap=amap&place={PLACE}")
    target = (117.0200, 36.6680)                    # GCJ-02: where the curator sees the corner on Amap
    # The place is shown shifted to GCJ-02 on this basemap.
    shown = page.evaluate("() => JZC.state.shape.toGeoJSON().geometry.coordinates[0]")
    first_wgs = feature(data, PLACE)["geometry"]["coordinates"][0]         # the stored shape, as drawn
    assert any(metres(wgs84_to_gcj02(*w), s) < 0.5 for w in first_wgs for s in shown[:1])
    page.evaluate("([lon, lat]) => JZC.map.setView([lat, lon], 18, {animate: false})", list(target))
    draw_polygon(page, [target, (target[0] + 0.0005, target[1]), (target[0] + 0.0005, target[1] + 0.0004),
                        (target[0], target[1] + 0.0004)])
    known = drawn(page)["coordinates"][0][0]        # the vertex the click placed, in GCJ-02, full precision
    assert metres(known, target) < 2                # a pixel is ~0.5 m at zoom 18
    page.click("#save")
    page.wait_for_selector("#outcome .saved", timeout=180_000)
    new = feature(data, PLACE)
    assert new["properties"]["traced"] == {**new["properties"]["traced"], "basemap": "amap", "curator": "amap-tracer"}
    stored = new["geometry"]["coordinates"][0]
    expected = gcj02_to_wgs84(*known)
    nearest = min(stored, key=lambda p: metres(p, expected))
    assert metres(nearest, expected) < 1.0
    assert metres(wgs84_to_gcj02(*nearest), known) < 1.0          # and forward again onto the Amap corner
    assert metres(nearest, known) > 400                             # the ~520 m shift was undone
    assert page.errors == []


def test_an_invalid_drawing_is_refused_with_the_reason_and_nothing_written(page, editor_server):
    base, data = editor_server
    offline(page, base)
    before = snapshot(data)
    open_editor(page, f"{base}/?basemap=positron")
    say_who(page, "tester")
    find_place(page, "mingfu", PLACE)
    bowtie = [(117.012, 36.666), (117.018, 36.669), (117.018, 36.666), (117.012, 36.669)]
    draw_polygon(page, bowtie)
    page.click("#save")
    page.wait_for_selector("#outcome .problems", timeout=180_000)
    text = page.inner_text("#outcome")
    assert "nothing was written" in text and "Self-intersection" in text and PLACE in text
    assert snapshot(data) == before
    assert page.errors == []


def test_undo_restores_the_shape_and_vertices_snap_to_the_district_line(page, editor_server):
    base, data = editor_server
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm")
    find_place(page, "lixia/mingfu", PLACE)
    original = drawn(page)
    districts = json.loads((Path(data["LAYERS_DIR"]) / "districts.geojson").read_text(encoding="utf-8"))
    lixia = shape(next(f for f in districts["features"] if f["properties"]["adcode"] == "370102")["geometry"])
    line = lixia.boundary
    on_line = line.interpolate(line.project(Point(117.0095, 36.6677)))
    page.evaluate("([lon, lat]) => JZC.map.setView([lat, lon], 17, {animate: false})", [on_line.x, on_line.y])
    x, y = pixel(page, on_line.x, on_line.y)
    near = page.evaluate("""([x, y]) => { const box = JZC.map.getContainer().getBoundingClientRect();
        const ll = JZC.map.containerPointToLatLng([x - box.left, y - box.top]); return [ll.lng, ll.lat]; }""",
                         [x + 7, y])
    assert metres(near, (on_line.x, on_line.y)) > 5          # clicked 7 px (~9 m) east of the line
    page.click(".leaflet-pm-icon-polygon")
    page.mouse.click(x + 7, y)
    page.mouse.click(x + 150, y)
    page.mouse.click(x + 150, y - 120)
    page.mouse.click(x + 7, y)
    page.wait_for_function("() => !JZC.map.pm.Draw.getActiveShape()")
    vertex = drawn(page)["coordinates"][0][0]
    ux, uy = TO_UTM.transform(*vertex)
    line_utm = shapely.transform(line, lambda c: np.column_stack(TO_UTM.transform(c[:, 0], c[:, 1])))
    assert Point(ux, uy).distance(line_utm) < 0.5              # snapped onto the district line
    page.click("#undo")
    assert drawn(page) == original
    assert page.errors == []


def test_the_second_of_two_curators_saving_the_same_file_is_told_of_the_conflict(browser, editor_server):
    base, data = editor_server
    Path(data["CURATOR_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(data["CURATOR_FILE"]).write_text("shared\n", encoding="utf-8")
    pages = []
    for _ in range(2):                          # two browsers: two sessions, two tokens
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        p = context.new_page()
        offline(p, base)
        open_editor(p, f"{base}/?basemap=osm&place={PLACE}")
        pages.append(p)
    first, second = pages
    for p, ring in ((first, [(117.013, 36.666), (117.017, 36.666), (117.017, 36.670)]),
                    (second, [(117.012, 36.666), (117.018, 36.666), (117.015, 36.669)])):
        draw_polygon(p, ring)
    first.click("#save")
    first.wait_for_selector("#outcome .saved", timeout=180_000)
    saved = Path(data["GAZETTEER_DIR"], "shapes", "lixia.geojson").read_bytes()
    second.click("#save")
    second.wait_for_selector("#outcome .problems", timeout=180_000)
    assert "冲突 · Conflict" in second.inner_text("#outcome")
    assert "changed by someone else" in second.inner_text("#outcome")
    assert Path(data["GAZETTEER_DIR"], "shapes", "lixia.geojson").read_bytes() == saved
    for p in pages:
        p.context.close()


def test_a_curator_moves_a_vertex_of_the_current_shape_and_undoes_it(page, editor_server):
    base, _ = editor_server
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    original = drawn(page)
    # The stored shape as drawn (0.68 km²), not the built copy clipped to the district (0.591 km²).
    page.wait_for_function("() => /Area 0\\.679/.test(document.getElementById('measure').textContent)")
    page.click(".leaflet-pm-icon-edit")
    corner = original["coordinates"][0][1]
    x, y = pixel(page, *corner)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 10, steps=5)
    page.mouse.move(x + 40, y + 30, steps=5)
    page.mouse.up()
    page.wait_for_function("n => JZC.state.history.length === n", arg=2)
    moved = drawn(page)
    assert moved != original and len(moved["coordinates"][0]) == len(original["coordinates"][0])
    assert metres(moved["coordinates"][0][1], corner) > 30
    page.wait_for_function("() => !/Area 0\\.679/.test(document.getElementById('measure').textContent)")
    page.click(".leaflet-pm-icon-edit")                   # leave edit mode, then take the move back
    page.click("#undo")
    assert drawn(page) == original
    assert page.errors == []
