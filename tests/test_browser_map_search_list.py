"""QA #2 and #3: the search list as a person uses it on a desktop (1280×800, the legend open).

The list lies on top of every control (the legend in the bottom-left corner came later in the
page and covered it from the 4th result on); Enter opens the first result of what is typed now,
not of an older list still shown, and does nothing while an input method is composing.
"""
from __future__ import annotations

import pytest

from test_browser import offline, open_map, popup_text

pytestmark = pytest.mark.browser


VIEWPORT = (1280, 800)                   # the `page` fixture's (conftest)


def opened(page, name: str) -> None:
    page.locator(".leaflet-popup-content h3", has_text=name).wait_for(state="visible")
    page.wait_for_timeout(400)
    assert page.locator(".leaflet-popup").count() == 1


@pytest.mark.parametrize("query, lang", [("区", "zh"), ("医", "zh"), ("Park", "en")])
def test_every_result_can_be_clicked_over_the_open_legend(page, live_server, query, lang):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none&lang={lang}")
    assert page.locator(".jz-legend details").get_attribute("open") is not None
    page.click(".jz-search input")
    page.keyboard.type(query)
    buttons = page.locator(".jz-search-results button")
    buttons.nth(6).wait_for(state="visible")
    seventh = buttons.nth(6)
    name = seventh.inner_text().split(" · ")[0]
    seventh.click(timeout=5000)                   # fails when another element would take the click
    opened(page, name)
    assert page.errors == []


def test_enter_opens_the_first_result_of_what_is_typed_now(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.click(".jz-search input")
    page.keyboard.type("医")
    page.locator(".jz-search-results button").nth(11).wait_for(state="visible")
    page.keyboard.type("科大学")
    page.keyboard.press("Enter")                  # the list shown is still the one for 医
    opened(page, "山东第一医科大学")
    assert page.input_value(".jz-search input") == "山东第一医科大学"
    assert page.errors == []


def test_enter_right_after_pasting_opens_on_the_first_press(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.fill(".jz-search input", "济南西站")
    page.keyboard.press("Enter")
    opened(page, "济南西站")
    assert "济南西站" in popup_text(page)


def test_enter_while_composing_does_nothing(page, live_server):
    """An input method's Enter confirms the characters; it must not pick a result. The composition
    is the browser's own (DevTools' Input.imeSetComposition and insertText, as an IME drives it)."""
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.click(".jz-search input")
    page.keyboard.type("济南西")
    page.locator(".jz-search-results button").first.wait_for(state="visible")
    ime = page.context.new_cdp_session(page)
    ime.send("Input.imeSetComposition", {"text": "zhan", "selectionStart": 4, "selectionEnd": 4})
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)
    assert page.locator(".leaflet-popup").count() == 0
    ime.send("Input.insertText", {"text": "站"})              # the composition is over
    assert page.input_value(".jz-search input") == "济南西站"
    page.keyboard.press("Enter")
    opened(page, "济南西站")


def test_a_click_on_the_map_folds_the_list_and_the_box_brings_it_back(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.click(".jz-search input")
    page.keyboard.type("区")
    page.locator(".jz-search-results button").nth(11).wait_for(state="visible")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 60)
    page.wait_for_timeout(300)
    assert page.locator(".jz-search-results li").count() == 0
    page.click(".jz-search input")
    page.locator(".jz-search-results button").nth(11).wait_for(state="visible")


def test_arrow_keys_move_through_the_results(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    page.click(".jz-search input")
    page.keyboard.type("济南西")
    page.locator(".jz-search-results button").nth(1).wait_for(state="visible")
    focused = "() => document.activeElement.getAttribute('data-id') || document.activeElement.tagName"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == "huaiyin/jinan-west-station"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")                  # the last stays
    assert page.evaluate(focused) == "huaiyin/decathlon-west"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "INPUT"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    opened(page, "迪卡侬济南西城店")


def test_escape_closes_a_popup_opened_from_the_keyboard(page, live_server):
    offline(page, live_server)
    open_map(page, f"{live_server}/?basemap=none")
    marker = page.locator(".jz-marker:has(.jz-pin[aria-label='济南西站'])")
    marker.focus()
    page.keyboard.press("Enter")
    opened(page, "济南西站")
    page.keyboard.press("Escape")
    page.wait_for_timeout(400)
    assert page.locator(".leaflet-popup").count() == 0
    assert page.evaluate("() => document.activeElement.querySelector('.jz-pin').getAttribute('aria-label')") == "济南西站"
    assert page.errors == []
