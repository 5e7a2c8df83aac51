"""Issue 13, item 3: the view is in the URL (desktop 1366×800).

A person zooms with the zoom buttons, unticks a layer in the layer control, picks a place from the
search; the address follows (history API), Back undoes the choices one by one, a reload or a shared
link restores them, and the panel's language and basemap links keep them.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from test_browser import offline, open_map, popup_text

pytestmark = pytest.mark.browser
SOE = "huaiyin/central-soe-hq-city"


def state(page) -> tuple[dict, tuple[float, float, float] | None]:
    parts = urlsplit(page.url)
    m = re.search(r"map=([\d.]+)/([-\d.]+)/([-\d.]+)", parts.fragment)
    return ({k: v[0] for k, v in parse_qs(parts.query).items()},
            tuple(float(g) for g in m.groups()) if m else None)


def wait_state(page, test, timeout: float = 15.0) -> None:
    """Wait until the URL satisfies `test(query, view)`."""
    for _ in range(int(timeout * 10)):
        if test(*state(page)):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the URL never got there: {page.url}")


def untick(page, title: str) -> None:
    page.locator(".leaflet-control-layers-overlays label", has_text=title).locator("input").click()


def test_choices_go_into_the_url_and_back_undoes_them(page, live_server, catalog):
    offline(page, live_server)
    parks = catalog["layers"]["parks"]["title_zh"]
    open_map(page, f"{live_server}/?basemap=none")
    wait_state(page, lambda q, v: v is not None)
    start_zoom = state(page)[1][0]
    page.click(".leaflet-control-zoom-in")
    wait_state(page, lambda q, v: v[0] == start_zoom + 1)
    untick(page, parks)
    wait_state(page, lambda q, v: "layers" in q and "parks" not in q["layers"].split(","))
    page.fill(".jz-search input", "央企总部城")
    page.locator(f".jz-search-results button[data-id='{SOE}']").click()
    popup_text(page)
    wait_state(page, lambda q, v: q.get("place") == SOE)
    shared = page.url

    page.go_back()                                            # the place is closed again
    wait_state(page, lambda q, v: "place" not in q)
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-popup").count() == 0
    page.go_back()                                            # the parks come back
    wait_state(page, lambda q, v: "layers" not in q)
    label = page.locator(".leaflet-control-layers-overlays label", has_text=parks).locator("input")
    assert label.is_checked()

    open_map(page, shared)                                    # a shared link restores all of it
    assert "央企总部城" in popup_text(page)
    assert not page.locator(".leaflet-control-layers-overlays label", has_text=parks).locator("input").is_checked()
    q, v = state(page)
    assert q.get("place") == SOE and "parks" not in q["layers"].split(",")
    assert page.errors == []


def test_a_view_in_the_url_is_restored_on_load(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none#map=15/36.66/117.02")
    page.click(".leaflet-control-zoom-in")                    # zooming in keeps the centre it was given
    wait_state(page, lambda q, v: v == (16.0, 36.66, 117.02))
    assert "m" in page.inner_text(".leaflet-control-scale") and "km" not in page.inner_text(".leaflet-control-scale")


@pytest.mark.parametrize("link", ["English", "无底图"])
def test_language_and_basemap_links_keep_view_and_layers(page, live_server, catalog, link):
    offline(page, live_server)
    parks = catalog["layers"]["parks"]["title_zh"]
    open_map(page, f"{live_server}/?basemap=osm")
    page.click(".leaflet-control-zoom-in")
    page.click(".leaflet-control-zoom-in")
    untick(page, parks)
    wait_state(page, lambda q, v: "layers" in q)
    page.wait_for_timeout(500)
    before = state(page)
    page.locator(".jz-panel a", has_text=link).click()
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    page.wait_for_timeout(300)
    after = state(page)
    assert after[1] == before[1]                               # same zoom and centre
    assert after[0]["layers"] == before[0]["layers"]
    assert after[0].get("lang", "zh") != before[0].get("lang", "zh") or after[0]["basemap"] == "none"
    title = catalog["layers"]["parks"]["title_en" if link == "English" else "title_zh"]
    assert not page.locator(".leaflet-control-layers-overlays label", has_text=title).locator("input").is_checked()


def test_unticking_every_layer_is_kept_by_a_reload(page, live_server, catalog):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    for spec in catalog["layers"].values():
        untick(page, spec["title_zh"])
    for _ in range(50):
        if parse_qs(urlsplit(page.url).query, keep_blank_values=True).get("layers") == [""]:
            break
        page.wait_for_timeout(100)
    assert parse_qs(urlsplit(page.url).query, keep_blank_values=True).get("layers") == [""], page.url
    page.reload(wait_until="load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    assert page.locator(".leaflet-control-layers-overlays input:checked").count() == 0
    assert page.locator(".leaflet-overlay-pane path").count() == 0 and page.locator(".jz-marker").count() == 0
    page.go_back()                                            # the last layer comes back
    wait_state(page, lambda q, v: "layers" in q)
    assert page.locator(".leaflet-control-layers-overlays input:checked").count() == 1
    assert page.errors == []
