"""QA minor items: the zoom buttons are named in the page's language, and a click on a zone draws
no focus rectangle round it (only the keyboard's focus is outlined)."""
from __future__ import annotations

import pytest

from test_browser import offline, open_map, popup_text
from test_browser_map_search import CBD, _anchor_on_screen

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang, zoom_in, zoom_out", [("zh", "放大", "缩小"), ("en", "Zoom in", "Zoom out")])
def test_zoom_buttons_are_named_in_the_page_language(page, live_server, lang, zoom_in, zoom_out):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&lang={lang}")
    for selector, name in ((".leaflet-control-zoom-in", zoom_in), (".leaflet-control-zoom-out", zoom_out)):
        assert page.get_attribute(selector, "title") == name
        assert page.get_by_role("button", name=name, exact=True).is_visible()


def test_clicking_a_zone_draws_no_focus_rectangle(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&place={CBD}&popup=0")
    x, y = _anchor_on_screen(page, live_server, "lixia-axis-districts-parks", CBD)
    page.mouse.click(x, y)
    popup_text(page)
    focused = page.evaluate("() => [document.activeElement.tagName, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["path", "none"]
