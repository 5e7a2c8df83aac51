"""The review panel in real headless Chromium: a curator accepts a name `geo add` queued, the
layers are rebuilt, and the new place opens in the editor ready to be drawn.

The editor runs as `python -m geo curate` on a temporary copy of the gazetteer, articles and layers.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_curate_browser import editor_server, offline, open_editor, page  # noqa: F401  (fixtures)
from test_review import ARTICLE, NAME, geo_add, layer_place, queue

pytestmark = pytest.mark.browser


def test_a_curator_accepts_a_queued_name_and_opens_it_to_draw(editor_server, page, tmp_path):  # noqa: F811
    base, data = editor_server
    doc = geo_add(data, ARTICLE, tmp_path)
    offline(page, base)
    open_editor(page, base + "/")
    item = page.locator(f'#review-list > li[data-name="{NAME}"]')
    assert NAME in item.locator("ol").inner_text() and "槐荫区" in item.inner_text()
    assert item.locator('input[name="id"]').input_value() == "huaiyin/new-1"
    item.locator('input[name="id"]').fill("huaiyin/lashan-river-eco-park")
    item.locator('input[name="name_en"]').fill("Lashan River Ecological Park")
    item.locator('select[name="kind"]').select_option("park")
    item.locator("button.accept").click()
    page.wait_for_selector("#review-outcome .ok")
    assert "huaiyin/lashan-river-eco-park" in page.inner_text("#review-outcome")
    assert page.locator(f'#review-list > li[data-name="{NAME}"]').count() == 0
    assert all(q["surface"] != NAME for q in queue(data))
    place = layer_place(data, "huaiyin/lashan-river-eco-park")
    assert any(c["doc"] == doc for c in place["properties"]["citations"])
    page.set_viewport_size({"width": 1280, "height": 360})               # a laptop's window, the queue above
    page.click("#review-outcome button.open-place")
    page.wait_for_function("() => JZC.state.place && JZC.state.place.id === 'huaiyin/lashan-river-eco-park'")
    assert page.is_visible("#edit") and NAME in page.inner_text("#place-name")
    page.wait_for_function("() => { const r = document.querySelector('#place').getBoundingClientRect();"
                           " return r.top > -2 && r.top < innerHeight / 2; }")          # brought into view
    shapes = json.loads((Path(data["GAZETTEER_DIR"]) / "shapes" / "huaiyin.geojson").read_text(encoding="utf-8"))
    assert any(f["id"] == "huaiyin/lashan-river-eco-park" for f in shapes["features"])
    assert page.errors == []
