"""The curation editor's fixes after a QA pass, in real headless Chromium, as a curator acts: a save
that fails (a proxy's 502 page, a dropped connection) says so and leaves Save usable with the
drawing kept; a double click on Save saves once; Save after only switching to Amap writes nothing;
a multi-part zone is edited with the mouse and saved.

The editor runs as `python -m geo curate` on a temporary copy (test_curate_browser's fixture).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from test_curate import PLACE, feature, snapshot
from test_curate_browser import draw_polygon, drawn, editor_server, offline, open_editor, page, pixel  # noqa: F401

pytestmark = pytest.mark.browser
SQUARE = [(117.013, 36.666), (117.017, 36.666), (117.017, 36.670), (117.013, 36.670)]
EDZ = "huaiyin/economic-development-zone"


def as_curator(data: dict, name: str = "tester") -> None:
    Path(data["CURATOR_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(data["CURATOR_FILE"]).write_text(name + "\n", encoding="utf-8")


def shape_requests(page) -> list[str]:
    """The save requests the page sends, as they are sent."""
    sent: list[str] = []
    page.on("request", lambda r: r.method == "POST" and r.url.endswith("/shape") and sent.append(r.url))
    return sent


@pytest.mark.parametrize("failure", ["502", "abort"])
def test_a_failed_save_says_so_keeps_the_drawing_and_save_works_again(page, editor_server, failure):
    base, data = editor_server
    as_curator(data)
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    draw_polygon(page, SQUARE)
    drawing = drawn(page)
    before = snapshot(data)
    if failure == "502":
        page.route("**/shape", lambda r: r.fulfill(status=502, content_type="text/html",
                                                   body="<html><body><h1>502 Bad Gateway</h1></body></html>"))
    else:
        page.route("**/shape", lambda r: r.abort())
    page.click("#save")
    page.wait_for_selector("#outcome .problems", timeout=30_000)
    text = page.inner_text("#outcome")
    assert ("Server error 502" in text) if failure == "502" else ("Could not reach the editor" in text)
    assert "Checking and rebuilding" not in text
    assert page.is_enabled("#save")
    assert drawn(page) == drawing                          # the drawing is kept
    assert snapshot(data) == before
    page.unroute("**/shape")
    page.click("#save")                                    # the connection is back: Save works
    page.wait_for_selector("#outcome .saved", timeout=180_000)
    assert feature(data, PLACE)["properties"]["method"] == "traced"
    assert page.errors == []


def test_a_double_click_on_save_saves_once(page, editor_server):
    base, data = editor_server
    as_curator(data)
    offline(page, base)
    sent = shape_requests(page)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    draw_polygon(page, SQUARE)
    page.dblclick("#save")
    page.wait_for_selector("#outcome .saved", timeout=180_000)
    page.wait_for_selector("#save:enabled", timeout=30_000)
    page.wait_for_load_state("networkidle")                # a second save, if sent, has been answered
    assert len(sent) == 1
    text = page.inner_text("#outcome")
    assert "Saved" in text and "Conflict" not in text
    assert page.errors == []


def test_save_after_only_switching_to_amap_writes_nothing(page, editor_server):
    base, data = editor_server
    as_curator(data)
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place=shizhong/baimashan-area")
    first = drawn(page)["coordinates"][0][0]
    before = snapshot(data)
    page.select_option("#basemap", "amap")
    page.wait_for_function("""x => JZC.state.crs === 'gcj02' && JZC.state.shape
        && Math.abs(JZC.state.shape.toGeoJSON(false).geometry.coordinates[0][0][0] - x) > 1e-3""", arg=first[0])
    page.click("#save")
    page.wait_for_selector("#outcome .unchanged", timeout=60_000)
    assert "Nothing changed: the shape is the one stored." in page.inner_text("#outcome")
    assert page.is_enabled("#save")
    assert snapshot(data) == before                         # provenance not rewritten
    assert "method drawn-from-description" in page.inner_text("#place-provenance")
    assert page.errors == []


def test_a_curator_moves_a_vertex_of_a_multipolygon_and_saves_it(page, editor_server):
    base, data = editor_server
    as_curator(data)
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={EDZ}")
    original = drawn(page)
    assert original["type"] == "MultiPolygon" and len(original["coordinates"]) == 3     # the stored blocks
    page.wait_for_function("() => /Area \\d/.test(document.getElementById('measure').textContent)")
    corner = original["coordinates"][1][0][1]
    page.evaluate("([lon, lat]) => JZC.map.setView([lat, lon], 15, {animate: false})", corner)
    page.click(".leaflet-pm-icon-edit")
    x, y = pixel(page, *corner)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 5, steps=5)
    page.mouse.move(x + 20, y + 10, steps=5)
    page.mouse.up()
    page.wait_for_function("n => JZC.state.history.length === n", arg=2)
    page.click(".leaflet-pm-icon-edit")
    moved = drawn(page)
    assert moved["type"] == "MultiPolygon" and moved["coordinates"][1][0][1] != corner
    page.click("#save")
    page.wait_for_selector("#outcome .saved", timeout=180_000)
    assert "MultiPolygon of 15 vertices → MultiPolygon of 15 vertices" in page.inner_text("#outcome")
    stored = feature(data, EDZ, "huaiyin")
    assert stored["geometry"]["type"] == "MultiPolygon" and stored["properties"]["method"] == "traced"
    assert stored["geometry"]["coordinates"][1][0][1] == pytest.approx(moved["coordinates"][1][0][1], abs=1e-6)
    assert stored["geometry"]["coordinates"][0] == original["coordinates"][0]      # the other blocks as they were
    assert page.errors == []


def test_escape_leaves_the_drawing_and_editing_tools(page, editor_server):
    base, _ = editor_server
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    original = drawn(page)
    page.click(".leaflet-pm-icon-polygon")
    for v in SQUARE[:2]:
        page.mouse.click(*pixel(page, *v))
    page.wait_for_function("() => JZC.state.drawing && JZC.state.drawing.getLatLngs().length === 2")
    page.keyboard.press("Escape")
    assert page.evaluate("() => !JZC.map.pm.Draw.getActiveShape() && JZC.state.drawing === null")
    assert drawn(page) == original                        # the half-drawn polygon is dropped, the shape kept
    page.click(".leaflet-pm-icon-edit")
    assert page.evaluate("() => JZC.map.pm.globalEditModeEnabled()")
    page.keyboard.press("Escape")
    assert not page.evaluate("() => JZC.map.pm.globalEditModeEnabled()")
    assert page.errors == []


def test_the_review_queue_says_loading_then_nothing_to_review(page, editor_server):
    base, _ = editor_server
    offline(page, base)
    held = []
    page.route("**/api/review", lambda r: held.append(r))      # the queue's answer is held back
    page.goto(f"{base}/?basemap=osm", wait_until="load")
    page.wait_for_function("() => document.getElementById('basemap').options.length > 0")
    assert page.is_visible("#review-loading") and "Loading…" in page.inner_text("#review-loading")
    assert not page.is_visible("#review-empty")
    while not held:                                       # until the request has reached the route
        page.wait_for_timeout(50)
    held[0].continue_()
    page.wait_for_function("() => window.JZC && window.JZC.ready === true")
    assert not page.is_visible("#review-loading")
    assert page.is_visible("#review-empty") and "Nothing to review" in page.inner_text("#review-empty")
    assert page.errors == []


def test_a_lost_connection_while_measuring_says_so(page, editor_server):
    base, _ = editor_server
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    page.route("**/api/measure", lambda r: r.abort())
    draw_polygon(page, SQUARE)
    page.wait_for_function("() => /Could not reach the editor/.test(document.getElementById('measure').textContent)")
    assert page.errors == []


def test_the_drawing_tools_are_named_for_a_screen_reader(page, editor_server):
    base, data = editor_server
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    buttons = page.locator(".leaflet-pm-toolbar .leaflet-buttons-control-button")
    assert buttons.count() >= 5
    names = [buttons.nth(i).get_attribute("aria-label") for i in range(buttons.count())]
    assert all(names) and len(set(names)) == len(names), names
    page.get_by_role("button", name=names[0]).click()               # found, and used, by its name
    assert page.evaluate("() => !!JZC.map.pm.Draw.getActiveShape() || JZC.map.pm.globalEditModeEnabled()"
                         " || JZC.map.pm.globalDragModeEnabled() || JZC.map.pm.globalRemovalModeEnabled()")
    assert page.errors == []


def test_the_area_shown_follows_undo_and_cancel_while_drawing(page, editor_server):
    """Three clicks measure a triangle; Undo leaves two vertices (nothing to measure: no figure);
    Escape cancels the drawing, and the place's own area is shown again."""
    base, data = editor_server
    offline(page, base)
    open_editor(page, f"{base}/?basemap=osm&place={PLACE}")
    page.wait_for_function("() => /km²/.test(document.querySelector('#measure').textContent)")
    own = page.inner_text("#measure")
    page.click(".leaflet-pm-icon-polygon")
    for lon, lat in SQUARE[:3]:
        page.mouse.click(*pixel(page, lon, lat))
    page.wait_for_function("own => /km²/.test(document.querySelector('#measure').textContent)"
                           " && document.querySelector('#measure').textContent !== own", arg=own)
    page.click("#undo")
    page.wait_for_function("() => document.querySelector('#measure').textContent === ''")
    page.keyboard.press("Escape")
    page.wait_for_function("own => document.querySelector('#measure').textContent === own", arg=own)
    assert page.errors == []
