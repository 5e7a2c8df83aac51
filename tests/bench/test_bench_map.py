"""The map page (/), a place page and an embed: server render time, bytes transferred, and time to
the map painted in headless Chromium (median of 7 cold loads, basemap "none" so tiles don't count).

Run with `make bench` (prints the report). Targets for `/?basemap=none` (issue 12): ≤ 150 KiB
transferred and map painted ≤ 250 ms. OLD is the page before the shell (commit 1c8f46d: every popup
pre-rendered in the HTML, the Font Awesome web font): its bytes as measured with this file's
`measure`, and, with `JZ_BENCH_OLD` naming a checkout of it with its own virtualenv, its paint time
measured in the same run, loads taken in turn with ours. Bytes are deterministic and asserted;
timings on a shared machine vary and are the report (see the README). The same page is also
timed on a phone over a slow mobile link (Chromium's network emulation), the case the shell is for.

Each line prints, for the median of 7 cold loads (the issue asks a median of 3; single loads on a
shared two-core machine spread over ±50 ms, so more are taken): first byte, DOM ready (DOMContentLoaded ended),
map built (map.js's `jz-map-ready` mark: features drawn, view fitted) and **map painted**: when the
frame holding the built map was presented on screen. The harness puts a one-character text element
with an `elementtiming` attribute on the page in the same task as the mark, so the Element Timing
API reports the presentation time of that very frame (`renderTime`; on these pages it equals the
Paint Timing API's first-paint, as Chromium holds the first frame until the page is parsed).
Earlier sessions timed "painted" as two animation frames after the mark seen from Playwright, or
as a task after the next frame inside the page: neither is the moment the pixels are shown (the
second ran ~100 ms early: raster and presentation come after it).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import copy_layers
from webmap import create_app

SOE = "huaiyin/central-soe-hq-city"
# The old page, measured with `measure` against commit 1c8f46d under gunicorn: KiB transferred; and the
# time to the map painted the issue reports for `/` on an idle machine (ms). With JZ_BENCH_OLD set
# the old page is measured in the same run instead.
OLD = {"/?basemap=none": 497, f"/places/{SOE}?basemap=none": 446, f"/embed?place={SOE}&basemap=none": 272}
OLD_MS = 370
OLD_SLOW_MS = 2120                       # the old page on the slow link below, measured in turn with ours
TARGET_KIB, TARGET_MS = 150, 250


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
        resp = client.get(f"/?place={SOE}")
        warm.append(time.perf_counter() - t)
        assert resp.status_code == 200
    t2 = time.perf_counter()
    client.get(f"/places/{SOE}")
    t_place = time.perf_counter() - t2
    print(f"\n/ server render: cold {_ms(t_cold)} (app + layers + page), another language {_ms(t_variant)}, "
          f"warm median {_ms(statistics.median(warm))} (p95 {_ms(sorted(warm)[47])}, from memory); "
          f"a place page cold {_ms(t_place)}")


def warm_up(url: str) -> None:
    """Render the page and what it fetches (its scripts, the layers' script among them, styles and
    layers) in every worker before timing (computed once per build and process): a few requests
    each, on new connections, so both gunicorn workers get some."""
    import html
    import json
    import re
    from urllib.parse import urljoin

    for _ in range(6):
        page = urllib.request.urlopen(url).read().decode()
        cfg = json.loads(re.search(r'id="[^"]+_config">(.*?)</script>', page, re.S).group(1))
        assets = [html.unescape(a) for a in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/[^"]+)"', page)]
        for ref in assets + [layer["url"] for layer in cfg["layers"] if "url" in layer]:
            urllib.request.urlopen(urljoin(url, ref)).read()


# Map painted, as presented: a text element timed by the Element Timing API, added with the map.
IN_PAGE = """(() => {
    const mark = performance.mark.bind(performance);
    performance.mark = function (name, options) {
        const entry = mark(name, options);
        if (name === 'jz-map-ready' && !document.getElementById('jz-bench-painted')) {
            const probe = document.createElement('span');
            probe.id = 'jz-bench-painted';
            probe.setAttribute('elementtiming', 'jz-map-painted');
            probe.textContent = '·';
            probe.style.cssText = 'position:fixed;left:2px;bottom:2px;z-index:9999;font-size:9px;color:#999';
            document.body.appendChild(probe);
        }
        return entry;
    };
    new PerformanceObserver(list => list.getEntries().forEach(e => {
        if (e.identifier === 'jz-map-painted') { window.__jzPainted = e.renderTime; console.log('jz-map-painted'); }
    })).observe({type: 'element', buffered: true});
})();"""


# A slow mobile link as Lighthouse simulates one ("slow 4G"): 150 ms round trip, 1.6 Mbit/s down.
SLOW_LINK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _load(browser, url: str, link: dict | None = None) -> dict:
    """One cold load of `url` in a fresh browser context: its timings, bytes as transferred (bodies as
    sent, gzip where served so, plus headers) and requests. With `link`, on a phone whose network
    Chromium slows to that (DevTools' network conditions)."""
    context = browser.new_context(**(PHONE if link else {"viewport": {"width": 1280, "height": 800}}))
    context.add_init_script(IN_PAGE)
    page = context.new_page()
    if link:
        page.goto("about:blank")                # the page's renderer exists: the document is slowed too
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", link)
    responses = []
    page.on("requestfinished", lambda r: responses.append(r))
    # Told by a console message, not by polling: Playwright's waits run its own scripts in the page,
    # on the main thread the measured frame needs (they added ~10-15 ms to both pages).
    with page.expect_console_message(lambda m: m.text == "jz-map-painted", timeout=30_000):
        page.goto(url, wait_until="commit")
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return {ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd,
                ready: performance.getEntriesByName('jz-map-ready')[0].startTime, painted: window.__jzPainted};
    }""")
    page.wait_for_load_state("networkidle")
    fetched = [r for r in responses if not r.url.startswith("data:")]
    total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in fetched)
    context.close()
    return {**timing, "bytes": total, "requests": len(fetched)}


RUNS = 7


def measure(browser, *urls: str, runs: int = RUNS, link: dict | None = None) -> list[dict]:
    """`runs` cold loads of each of `urls`, taken in turn (so a busy moment hits them alike): the median
    timings, the most bytes and requests of a load, and the raw times to the map painted."""
    loads = [[] for _ in urls]
    for _ in range(runs):
        for mine, url in zip(loads, urls):
            mine.append(_load(browser, url, link))
    out = []
    for mine in loads:
        med = {k: statistics.median(t[k] for t in mine) for k in ("ttfb", "dcl", "ready", "painted")}
        out.append({"kib": max(t["bytes"] for t in mine) / 1024, "requests": max(t["requests"] for t in mine),
                    "raw": [round(t["painted"]) for t in mine], **med})
    return out


@pytest.fixture(scope="module")
def old_server():
    """The page before the shell (commit 1c8f46d) served beside ours, when `JZ_BENCH_OLD` names a
    checkout of it with its own `.venv` (`git worktree add /tmp/old 1c8f46d`, then
    `python -m venv /tmp/old/.venv && /tmp/old/.venv/bin/pip install /tmp/old`); else None and the
    recorded numbers are printed."""
    folder = os.environ.get("JZ_BENCH_OLD")
    if not folder:
        yield None
        return
    from pathlib import Path

    from conftest import free_port, wait_for
    port = free_port()
    proc = subprocess.Popen([str(Path(folder) / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--bind",
                             f"127.0.0.1:{port}", "--log-level", "warning", "webmap:create_app()"], cwd=folder)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _line(m: dict, first_byte: bool = True) -> str:
    """The median timings (first byte left out on a slowed link: Chromium delays the body, not the
    timestamp of the response's start)."""
    return ((f"first byte {m['ttfb']:.0f} ms, " if first_byte else "") + f"DOM ready {m['dcl']:.0f} ms, "
            f"map built {m['ready']:.0f} ms, map painted {m['painted']:.0f} ms {m['raw']}")


@pytest.mark.browser
@pytest.mark.parametrize("path", list(OLD))
def test_bytes_and_time_to_map_painted(browser, live_server, old_server, path):
    url = live_server + path
    warm_up(url)
    if old_server and path == "/?basemap=none":
        for _ in range(3):
            urllib.request.urlopen(old_server + path).read()              # rendered once per worker
        m, old = measure(browser, url, old_server + path)
        before = f"; OLD, loaded in turn with it: {old['kib']:.0f} KiB in {old['requests']} requests, {_line(old)}"
    else:
        (m,) = measure(browser, url)
        before = f"; OLD ~{OLD_MS} ms idle" if path == "/?basemap=none" else ""
    old_kib = OLD[path]
    target = ""
    if path == "/?basemap=none":
        verdict = {True: "met", False: "NOT met"}
        target = (f"; target ≤ {TARGET_KIB} KiB: {verdict[m['kib'] <= TARGET_KIB]}, ≤ {TARGET_MS} ms: "
                  f"{verdict[m['painted'] <= TARGET_MS]}")
    print(f"\n{path}: {m['kib']:.0f} KiB transferred in {m['requests']} requests (OLD {old_kib} KiB); "
          f"in Chromium, median of {RUNS} cold loads: {_line(m)}{target}{before} "
          f"(load average {open('/proc/loadavg').read().split()[0]} on {os.cpu_count()} cores)")
    assert m["painted"] >= m["ready"] > 0
    assert m["kib"] <= old_kib                                        # never heavier than the old page
    if path == "/?basemap=none":
        assert m["kib"] <= TARGET_KIB


@pytest.mark.browser
def test_time_to_map_painted_on_a_slow_mobile_link(browser, live_server, old_server):
    """What the shell is for: on a phone over a slow link the old page's 497 KiB took seconds. Timed
    by the same probe, 3 cold loads (the link, not this machine, sets the pace: they agree within
    ~20 ms); the old page loaded in turn when `JZ_BENCH_OLD` is set, and then ours must be faster."""
    path = "/?basemap=none"
    warm_up(live_server + path)
    urls = [live_server + path] + ([old_server + path] if old_server else [])
    for url in urls[1:]:
        for _ in range(3):
            urllib.request.urlopen(url).read()
    m, *old = measure(browser, *urls, runs=3, link=SLOW_LINK)
    before = (f"; OLD, loaded in turn with it: {old[0]['kib']:.0f} KiB, {_line(old[0], False)}" if old
              else f"; OLD ~{OLD_SLOW_MS} ms")
    print(f"\n{path} on a phone over a slow link (150 ms round trip, 1.6 Mbit/s): {m['kib']:.0f} KiB, "
          f"{_line(m, False)}{before}")
    assert m["painted"] >= m["ready"] > 0
    if old:
        assert m["painted"] < old[0]["painted"]


def _latencies(base: str, paths: list[str], seconds: float) -> list[float]:
    """Request `paths` in turn on one keep-alive connection for `seconds`; the latency of each."""
    import http.client
    from urllib.parse import urlsplit

    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    out, end, i = [], time.monotonic() + seconds, 0
    while time.monotonic() < end:
        t = time.perf_counter()
        conn.request("GET", paths[i % len(paths)], headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        resp.read()
        out.append(time.perf_counter() - t)
        assert resp.status < 500
        i += 1
    conn.close()
    return out


def test_other_routes_p99_during_an_image_width_flood(live_server):
    """Four connections asking /images/parks.png for ever-different widths (issue 15: widths are
    rounded to a few sizes and renders bounded) while one client measures the other routes."""
    import random
    import threading

    paths = ["/", "/sources/", "/layers/parks.geojson", f"/places/{SOE}", "/ogc/collections/parks/items?f=json"]
    for p in paths:
        urllib.request.urlopen(live_server + p).read()
    quiet = _latencies(live_server, paths, 3)
    stop, statuses = threading.Event(), []

    def flood():
        rnd = random.Random()
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"{live_server}/images/parks.png?width={rnd.randint(200, 2000)}",
                                            timeout=60) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
    threads = [threading.Thread(target=flood) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        busy = _latencies(live_server, paths, 8)
    finally:
        stop.set()
        for t in threads:
            t.join()

    def p(values, q):
        return sorted(values)[min(len(values) - 1, int(len(values) * q))] * 1000
    print(f"\nother routes, quiet: p50 {p(quiet, .5):.1f} ms, p99 {p(quiet, .99):.1f} ms ({len(quiet)} requests); "
          f"during a flood of image widths (4 connections, {len(statuses)} images, statuses "
          f"{sorted(set(statuses))}): p50 {p(busy, .5):.1f} ms, p99 {p(busy, .99):.1f} ms ({len(busy)} requests)")
    assert all(s < 500 or s == 503 for s in statuses)
