"""QA #1: Back and Forward bring back the place a person had open, and its view (desktop 1280×800).

One history entry per place the person opens (from the search box or by a click on the map);
opening the next place must not overwrite the entry of the one before (Leaflet closes the old
popup and the new place's fit moves the map before the new entry is made).
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map, popup_text
from test_browser_map_url import state, wait_state

pytestmark = pytest.mark.browser
CBD, WEST = "lixia/cbd", "huaiyin/jinan-west-station"


VIEWPORT = (1280, 800)                   # the `page` fixture's (conftest)


def search_and_open(page, query: str, place: str) -> None:
    page.click(".jz-search input")
    page.fill(".jz-search input", query)
    page.locator(f".jz-search-results button[data-id='{place}']").click()
    popup_text(page)
    wait_state(page, lambda q, v: q.get("place") == place)
    page.wait_for_timeout(600)                    # the popup's pan is over: the entry holds the final view


def named(page, name: str) -> None:
    """The one popup open is `name`'s."""
    page.locator(".leaflet-popup-content h3", has_text=name).wait_for(state="visible")
    page.wait_for_timeout(400)                    # a closed popup fades out for 200 ms
    assert page.locator(".leaflet-popup").count() == 1


def shows(page, name: str | None, view) -> None:
    """The map shows `name`'s popup (or none) at `view`, and the URL says so."""
    wait_state(page, lambda q, v: v == view)
    page.wait_for_timeout(400)
    if name is None:
        assert page.locator(".leaflet-popup").count() == 0
        assert "place" not in state(page)[0]
    else:
        named(page, name)
    assert state(page)[1] == view


def test_back_and_forward_after_two_searches(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    wait_state(page, lambda q, v: v is not None)
    overview = state(page)[1]
    search_and_open(page, "济南中央商务区", CBD)
    at_cbd = state(page)[1]
    search_and_open(page, "济南西站", WEST)
    assert state(page)[1] != at_cbd

    page.go_back()
    shows(page, "济南中央商务区", at_cbd)
    assert state(page)[0]["place"] == CBD
    page.go_back()
    shows(page, None, overview)
    page.go_forward()
    shows(page, "济南中央商务区", at_cbd)
    page.go_forward()
    wait_state(page, lambda q, v: q.get("place") == WEST)
    named(page, "济南西站")
    assert page.errors == []


def click_marker(page, name: str, place: str) -> None:
    page.locator(f".jz-marker .jz-pin[aria-label='{name}']").click()
    popup_text(page)
    wait_state(page, lambda q, v: q.get("place") == place)
    page.wait_for_timeout(600)


def test_back_after_clicking_two_markers(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none#map=12/36.66/116.96")
    wait_state(page, lambda q, v: v is not None)
    first = state(page)[1]
    click_marker(page, "济南西站", WEST)
    at_west = state(page)[1]
    click_marker(page, "百花洲", "lixia/baihuazhou")

    page.go_back()
    shows(page, "济南西站", at_west)
    page.go_back()
    shows(page, None, first)
    page.go_forward()
    shows(page, "济南西站", at_west)
    assert page.errors == []


def test_back_to_a_deep_linked_place(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={CBD}")
    popup_text(page)
    page.wait_for_timeout(600)
    at_cbd = state(page)[1]
    search_and_open(page, "济南西站", WEST)

    page.go_back()
    shows(page, "济南中央商务区", at_cbd)
    assert state(page)[0]["place"] == CBD
    assert page.errors == []


def test_closing_a_popup_by_hand_replaces_its_entry(page, live_server):
    """A closed popup stays closed: Back goes to the entry before the place, not to it again."""
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    wait_state(page, lambda q, v: v is not None)
    overview = state(page)[1]
    search_and_open(page, "济南中央商务区", CBD)
    at_cbd = state(page)[1]
    page.click(".leaflet-popup-close-button")
    wait_state(page, lambda q, v: "place" not in q and v == at_cbd)
    page.go_back()
    shows(page, None, overview)
    page.go_forward()
    shows(page, None, at_cbd)


def test_a_place_without_its_popup_stays_in_the_url(page, live_server, catalog):
    """/?place=X&popup=0 (centred on X, popup closed) keeps both through zooming and a reload; the
    place goes when a popup is opened or no layer shows it."""
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={CBD}&popup=0")
    wait_state(page, lambda q, v: v is not None)
    assert state(page)[0].get("place") == CBD and state(page)[0].get("popup") == "0"
    zoom = state(page)[1][0]
    page.click(".leaflet-control-zoom-in")
    wait_state(page, lambda q, v: v[0] == zoom + 1)
    assert state(page)[0].get("place") == CBD and state(page)[0].get("popup") == "0"
    page.reload(wait_until="load")
    page.wait_for_function("() => window.JZ && window.JZ.ready === true")
    page.wait_for_timeout(400)
    assert page.locator(".leaflet-popup").count() == 0
    assert state(page)[0].get("place") == CBD and state(page)[1][0] == zoom + 1

    zones = catalog["layers"]["lixia-axis-districts-parks"]["title_zh"]
    page.locator(".leaflet-control-layers-overlays label", has_text=zones).locator("input").click()
    wait_state(page, lambda q, v: "place" not in q and "popup" not in q)
    page.go_back()
    wait_state(page, lambda q, v: q.get("place") == CBD)
    search_and_open(page, "济南西站", WEST)
    assert "popup" not in state(page)[0]
    assert page.errors == []
