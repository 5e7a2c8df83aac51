"""The map page (/): server render time cold and warm, page weight, browser time to first map paint.

Run with `make bench` (prints the report). No timed assertions: timings on a shared machine vary;
the numbers are the report. The browser part uses basemap "none" so tiles (network) don't count.
"""
from __future__ import annotations

import gzip
import statistics
import time
import urllib.request

import pytest

from test_webmap import copy_layers
from webmap import create_app


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def test_server_render_time_cold_and_warm(tmp_path):
    folder = copy_layers(tmp_path / "layers")
    t0 = time.perf_counter()
    client = create_app({"LAYERS_DIR": str(folder)}).test_client()
    cold = client.get("/")
    t_cold = time.perf_counter() - t0
    assert cold.status_code == 200
    t1 = time.perf_counter()
    assert client.get("/?lang=en").status_code == 200                # a second variant: layers already loaded
    t_variant = time.perf_counter() - t1
    warm = []
    for _ in range(50):
        t = time.perf_counter()
        resp = client.get("/?place=huaiyin/central-soe-hq-city")
        warm.append(time.perf_counter() - t)
        assert resp.status_code == 200
    t2 = time.perf_counter()
    client.get("/places/huaiyin/central-soe-hq-city")
    t_place = time.perf_counter() - t2
    print(f"\n/ server render: cold {_ms(t_cold)} (app + layers + page), another language {_ms(t_variant)}, "
          f"warm median {_ms(statistics.median(warm))} (p95 {_ms(sorted(warm)[47])}, from memory); "
          f"a place page cold {_ms(t_place)}")


@pytest.mark.browser
def test_page_weight_and_time_to_first_map_paint(browser, live_server):
    url = f"{live_server}/?basemap=none"
    urllib.request.urlopen(url).read()                                # render it once before timing
    runs, sizes, wire = [], {}, {}
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        bodies = {}
        page.on("response", lambda r: bodies.__setitem__(r.url, r) if r.ok else None)
        page.goto(url, wait_until="load")
        page.wait_for_function("window.JZ && window.JZ.ready === true")
        timing = page.evaluate("""() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const fcp = performance.getEntriesByName('first-contentful-paint')[0];
            const ready = performance.getEntriesByName('jz-map-ready')[0];
            done({ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd, fcp: fcp ? fcp.startTime : null,
                  ready: ready.startTime, painted: performance.now()});
        })))""")
        runs.append(timing)
        for u, r in bodies.items():
            try:
                sizes[u] = r.body()
                wire[u] = r.request.sizes()["responseBodySize"]      # as transferred (gzip where served so)
            except Exception:                                         # redirects and the like carry no body
                pass
        context.close()
    raw = sum(len(b) for b in sizes.values())
    zipped = sum(len(gzip.compress(b, 6)) for b in sizes.values())
    html = next(len(b) for u, b in sizes.items() if u == url)
    med = {k: statistics.median([r[k] for r in runs if r[k] is not None] or [float("nan")]) for k in runs[0]}
    print(f"\n/ page weight: HTML {html / 1024:.0f} KiB; with scripts, styles and fonts {len(sizes)} requests, "
          f"{raw / 1024:.0f} KiB ({zipped / 1024:.0f} KiB if all gzipped; {sum(wire.values()) / 1024:.0f} KiB "
          f"as transferred)")
    print(f"/ in Chromium (median of {len(runs)} cold loads, basemap none): first byte {med['ttfb']:.0f} ms, "
          f"DOM ready {med['dcl']:.0f} ms, first contentful paint {med['fcp']:.0f} ms (nan: not reported), "
          f"map built {med['ready']:.0f} ms, map painted {med['painted']:.0f} ms")
    assert html > 0 and med["painted"] >= med["ready"] > 0

