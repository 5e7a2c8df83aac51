"""The map from the keyboard alone (QA pass of 2026-11-30, minor items: 78 Tab presses to the search box).

Only the keys a person presses: Tab from the page's start, Enter, Escape, typing. The first tab stop
takes them to the search box; the controls come before the zones and markers, which follow, each
named, brought into view and opening its popup on Enter; a focused feature shows its name as on
hover, also after a pick from the search list.
"""
from __future__ import annotations

import re

import pytest

from test_browser import offline, open_map, popup_text

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement, box = el.getBoundingClientRect();
    return {tag: el.tagName.toLowerCase(), control: !!el.closest('.leaflet-control-container'),
            feature: el.matches('path.leaflet-interactive, .jz-marker'), skip: el.matches('.jz-skip'),
            map: el.matches('.leaflet-container'),
            search: el.matches('.jz-search input'), shown: box.width > 0 && box.height > 0 && box.bottom > 0
            && box.right > 0 && box.top < innerHeight && box.left < innerWidth};
}"""


VIEWPORT = (1280, 800)                   # the `page` fixture's (conftest)


@pytest.fixture
def desktop(page):
    """A 1280×800 page in Chinese that keeps script errors."""
    return page


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def focused_name(page) -> str:
    """The accessible name of the focused element, as a screen reader announces it."""
    snapshot = page.locator(":focus").aria_snapshot()
    m = re.match(r'- \w+ "(.*)"', snapshot)
    return m.group(1) if m else ""


def tab_until(page, test, most: int = 200) -> int:
    """Press Tab until the focused element passes `test`; the number of presses."""
    for n in range(1, most + 1):
        page.keyboard.press("Tab")
        if test(focused(page)):
            return n
    raise AssertionError(f"not reached in {most} Tab presses")


def test_the_first_tab_stop_takes_the_keyboard_to_the_search_box(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    hash_before = desktop.evaluate("() => location.hash")
    assert tab_until(desktop, lambda f: f["search"] or f["skip"], most=3) == 1
    assert focused(desktop)["shown"]                        # the link is seen once focused
    assert focused_name(desktop) == "跳到搜索框"
    desktop.keyboard.press("Enter")
    assert focused(desktop)["search"]
    assert desktop.evaluate("() => location.hash") == hash_before        # the view in the URL stays
    desktop.keyboard.type("济南西站")
    desktop.wait_for_selector(".jz-search-results button")
    desktop.keyboard.press("Enter")
    assert "济南西站" in popup_text(desktop)
    assert desktop.errors == []


def test_controls_come_before_the_features_and_every_feature_is_named_and_opens_on_enter(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    stops = []
    while True:
        desktop.keyboard.press("Tab")
        f = focused(desktop)
        if not (f["control"] or f["feature"] or f["skip"] or f["map"]):
            break                                           # past the map (back to the page's start)
        f["name"] = focused_name(desktop)
        stops.append(f)
        assert len(stops) < 200
    kinds = ["feature" if s["feature"] else "control" for s in stops if not (s["skip"] or s["map"])]
    first = kinds.index("feature")
    assert "control" not in kinds[first:]                   # every control first, then the zones and markers
    assert any(s["search"] for s in stops[:first + 2]) and any(s["tag"] == "summary" for s in stops)
    features = [s for s in stops if s["feature"]]
    assert len(features) > 60 and {s["tag"] for s in features} == {"path", "div"}
    assert [s for s in features if not s["name"]] == []     # each one named (the feature's name)
    names = [s["name"] for s in features]
    assert "济南中央商务区" in names and "槐荫区" in names and "济南西站" in names
    # back to the CBD's outline with Shift+Tab, as a person would, then Enter opens its popup
    for _ in range(len(stops)):
        desktop.keyboard.press("Shift+Tab")
        if focused_name(desktop) == "济南中央商务区":
            break
    assert focused_name(desktop) == "济南中央商务区" and focused(desktop)["tag"] == "path"
    desktop.keyboard.press("Enter")
    popup_text(desktop)
    assert "济南中央商务区" in desktop.inner_text(".leaflet-popup-content h3")
    assert desktop.errors == []


def test_a_focused_district_out_of_view_comes_into_view_with_its_name(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    tab_until(desktop, lambda f: f["tag"] == "path")
    while focused_name(desktop) != "商河县":               # the northernmost district, off the opening view
        desktop.keyboard.press("Tab")
        assert focused(desktop)["tag"] == "path"
    desktop.wait_for_timeout(600)                           # the map's pan
    tip = desktop.locator(".leaflet-tooltip", has_text="商河县")
    box = tip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= 1280
    assert desktop.errors == []


def test_a_click_on_a_district_whose_middle_is_out_of_view_does_not_move_the_map(desktop, live_server):
    """Only the keyboard's focus brings a district into view: a click focuses its outline too."""
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none#map=16/36.6642/117.1200")
    where = "() => JZ._.map.latLngToContainerPoint([36.6642, 117.1200]).x"     # the opening centre, across
    before = desktop.evaluate(where)
    desktop.mouse.click(640, 650)                           # inside 历下区, whose middle is far off this view
    popup_text(desktop)
    assert "历下区" in desktop.inner_text(".leaflet-popup-content h3")
    assert focused(desktop)["tag"] == "path"
    desktop.wait_for_timeout(600)
    assert desktop.evaluate("() => JZ._.map.getZoom()") == 16
    assert abs(desktop.evaluate(where) - before) < 5        # not towards the middle 700 px west
    assert desktop.errors == []


def test_enter_on_a_focused_marker_opens_its_popup_and_escape_closes_it(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    tab_until(desktop, lambda f: f["tag"] == "div" and f["feature"])
    while focused_name(desktop) != "济南西站":
        desktop.keyboard.press("Tab")
        assert focused(desktop)["feature"]
    desktop.keyboard.press("Enter")
    popup_text(desktop)
    assert "济南西站" in desktop.inner_text(".leaflet-popup-content h3")
    desktop.keyboard.press("Escape")
    desktop.wait_for_selector(".leaflet-popup", state="detached")
    assert focused_name(desktop) == "济南西站"                # back on the marker
    assert desktop.errors == []


def tooltip_of_focused(page) -> str:
    page.wait_for_selector(".leaflet-tooltip", state="visible", timeout=3000)
    return " ".join(page.locator(".leaflet-tooltip").all_inner_texts())


def test_a_focused_marker_shows_its_name_also_after_a_pick_from_the_search_list(desktop, live_server):
    """After a pick the tooltips the pointer would open are held back; the keyboard's focus is not the pointer."""
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    desktop.keyboard.press("Tab")
    desktop.keyboard.press("Enter")                         # the skip link: into the search box
    desktop.keyboard.type("济南西站")
    desktop.wait_for_selector(".jz-search-results button")
    desktop.keyboard.press("Enter")
    assert "济南西站" in popup_text(desktop)
    tab_until(desktop, lambda f: f["tag"] == "div" and f["feature"])
    name = focused_name(desktop)
    assert name.split(" · ")[0] in tooltip_of_focused(desktop)
    desktop.keyboard.press("Tab")                           # the next one: its own name, the last one's gone
    name = focused_name(desktop)
    desktop.wait_for_timeout(300)
    assert tooltip_of_focused(desktop).startswith(name.split(" · ")[0])
    assert desktop.errors == []


def tab_to_marker(page, name: str) -> None:
    tab_until(page, lambda f: f["tag"] == "div" and f["feature"])
    while focused_name(page) != name:
        page.keyboard.press("Tab")
        assert focused(page)["feature"]


IN_POPUP = "() => !!document.activeElement.closest('.leaflet-popup')"


def test_a_popup_opened_from_the_keyboard_takes_the_focus_and_gives_it_back(desktop, live_server):
    """Enter on a marker: the next Tab reaches the popup's controls, not the next marker; closed with its
    × button (its last tab stop) or Escape, the focus is back on the marker."""
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    tab_to_marker(desktop, "济南西站")
    desktop.keyboard.press("Enter")
    popup_text(desktop)
    desktop.keyboard.press("Tab")
    assert desktop.evaluate(IN_POPUP)
    # the popup's first control (its evidence's <summary>), not the next marker
    assert desktop.evaluate("() => document.activeElement.matches('.leaflet-popup-content :is(a[href], summary)')")
    desktop.keyboard.press("Escape")
    desktop.wait_for_selector(".leaflet-popup", state="detached")
    assert focused_name(desktop) == "济南西站"
    desktop.keyboard.press("Enter")                          # again, and out by the × button this time
    popup_text(desktop)
    close = "() => document.activeElement.matches('.leaflet-popup-close-button')"
    for _ in range(40):                                     # through the popup's links to its × (last)
        desktop.keyboard.press("Tab")
        if desktop.evaluate(close):
            break
        assert desktop.evaluate(IN_POPUP)
    assert desktop.evaluate(close)
    desktop.keyboard.press("Enter")
    desktop.wait_for_selector(".leaflet-popup", state="detached")
    assert focused_name(desktop) == "济南西站"
    assert desktop.errors == []


def test_a_popup_opened_with_the_pointer_leaves_the_focus_alone(desktop, live_server):
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none#map=16/36.6690/116.8880")   # near the station, markers apart
    desktop.locator(".jz-marker", has=desktop.locator('[aria-label="济南西站"]')).click()
    assert "济南西站" in popup_text(desktop)
    assert not desktop.evaluate(IN_POPUP)
    assert desktop.errors == []


def test_a_focused_outline_and_a_focused_group_show_what_hovering_shows(desktop, live_server):
    """Tab onto a zone: its outline is drawn heavier, as under the pointer, and back when the focus
    moves on; Tab onto the marker of items known only to their district: that district's area is drawn."""
    offline(desktop, live_server)
    open_map(desktop, f"{live_server}/?basemap=none")
    weight = "() => parseFloat(document.activeElement.getAttribute('stroke-width'))"
    tab_until(desktop, lambda f: f["tag"] == "path")
    while focused_name(desktop) != "济南中央商务区":
        desktop.keyboard.press("Tab")
        assert focused(desktop)["tag"] == "path"
    heavier = desktop.evaluate(weight)
    outline = desktop.locator("path:focus").element_handle()
    desktop.keyboard.press("Tab")
    assert float(outline.get_attribute("stroke-width")) == heavier - 2      # the hover's +2 gone with the focus
    area = ".leaflet-overlay-pane path.jz-area"
    assert desktop.locator(area).count() == 0
    tab_until(desktop, lambda f: f["feature"] and f["tag"] == "div"
              and desktop.evaluate("() => !!document.activeElement.querySelector('.jz-pin--district')"))
    assert desktop.locator(area).count() >= 1
    desktop.keyboard.press("Tab")
    assert desktop.evaluate("() => !!document.activeElement.querySelector('.jz-pin--district')") \
        or desktop.locator(area).count() == 0
    assert desktop.errors == []
