"""Issue 13, item 2: the map on a phone (390×844, touch), used with taps on the visible controls.

The layers button opens the layer list and a tap elsewhere folds it; a popup fits the screen and
opens clear of the controls; the scale bar is not covered by the attribution; one viewport tag,
which allows pinch zoom.
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map, popup_text

pytestmark = pytest.mark.browser
W, H = 390, 844


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": W, "height": H}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    p = context.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    context.close()


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] \
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_layers_button_opens_on_tap_and_folds_on_a_tap_outside(phone, live_server):
    offline(phone, live_server)
    open_map(phone, f"{live_server}/?basemap=none")
    overlays = phone.locator(".leaflet-control-layers-overlays")
    assert not overlays.is_visible()
    phone.locator(".leaflet-control-layers-toggle").tap()
    phone.wait_for_timeout(400)
    assert overlays.is_visible()
    overlays.locator("label").first.tap()                     # a tap inside keeps it open
    phone.wait_for_timeout(300)
    assert overlays.is_visible()
    phone.touchscreen.tap(W // 2, H - 200)                    # the map, away from every control
    phone.wait_for_timeout(400)
    assert not overlays.is_visible()
    assert phone.errors == []


def test_popup_fits_the_screen_clear_of_the_controls(phone, live_server):
    offline(phone, live_server)
    open_map(phone, f"{live_server}/?basemap=none")
    phone.locator(".jz-search input").tap()
    phone.fill(".jz-search input", "央企总部城")
    phone.locator(".jz-search-results button").first.tap()
    popup_text(phone)
    phone.wait_for_timeout(600)                               # the pan that makes room for it
    box = phone.locator(".leaflet-popup-content-wrapper").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= W, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= H, box
    for control in phone.locator(".leaflet-control").all():
        if control.is_visible():
            assert not overlap(box, control.bounding_box()), control.get_attribute("class")


def test_scale_bar_is_not_under_the_attribution(phone, live_server):
    offline(phone, live_server)
    open_map(phone, f"{live_server}/?basemap=none")
    scale = phone.locator(".leaflet-control-scale").bounding_box()
    attribution = phone.locator(".leaflet-control-attribution").bounding_box()
    assert not overlap(scale, attribution), (scale, attribution)
    assert phone.evaluate("""([x, y]) => !!document.elementFromPoint(x, y).closest('.leaflet-control-scale')""",
                          [scale["x"] + 10, scale["y"] + scale["height"] / 2])


@pytest.mark.parametrize("path", ["/?basemap=none", "/places/huaiyin/central-soe-hq-city?basemap=none"])
def test_one_viewport_tag_that_allows_pinch_zoom(phone, live_server, path):
    offline(phone, live_server)
    phone.goto(live_server + path, wait_until="load")
    tags = phone.locator("meta[name=viewport]")
    assert tags.count() == 1
    content = tags.get_attribute("content").replace(" ", "")
    assert "user-scalable=no" not in content and "maximum-scale=1" not in content
