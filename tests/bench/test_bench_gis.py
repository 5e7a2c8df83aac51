"""Requests/s for layer downloads and OGC API items pages under gunicorn, as ratios to a baseline
serving the same bytes with the same number of worker processes, measured in the same run.

Targets (issue 10): a download at ≥ 0.9× nginx serving the same file; an uncached items page (a
different query string on every request, so every request runs the query and writes the page) at
≥ 0.5× a bare WSGI function returning the same bytes under the same gunicorn.

- nginx runs as many worker processes as gunicorn (`WORKERS`), so neither side has more CPUs.
- "bare WSGI" is a function that looks the path up in a dict of bytes, under the same gunicorn
  and gunicorn.conf.py (gevent, keep-alive): the most any Python app served this way can do.
- The downloads measured are `/layers/<LAYER>.geojson` and `.gpkg`, as the app serves them.

Run with `make bench`. Loopback only, bounded in time (ROUNDS × targets × SECONDS). Load comes
from `wrk` when installed (C, keep-alive), else from Python threads, which top out well below
nginx, so their ratios flatter the app — the report says which ran. No timed assertion: a shared
machine's timings vary; the ratios within one run are the report.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, free_port, require_tool, wait_for

LAYER = "projects"
WORKERS = 2                       # gunicorn workers of live_server (conftest.start_gunicorn) and nginx's
ROUNDS = 3
SECONDS = 2
CONNECTIONS = 8
ITEMS = f"/ogc/collections/{LAYER}/items"
DOWNLOADS = {f"{LAYER}.geojson": f"/layers/{LAYER}.geojson", f"{LAYER}.gpkg": f"/layers/{LAYER}.gpkg"}
UNCACHED_LUA = """counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "%s?limit=10&bench=" .. counter)
end
"""


@pytest.fixture(scope="module")
def static_dir(tmp_path_factory, live_server) -> Path:
    """The bytes the app serves: each download as a file, and a page of ten items."""
    root = tmp_path_factory.mktemp("static")
    for name, path in DOWNLOADS.items():
        (root / name).write_bytes(urllib.request.urlopen(live_server + path, timeout=30).read())
    (root / "items.json").write_bytes(urllib.request.urlopen(f"{live_server}{ITEMS}?limit=10&bench=0",
                                                             timeout=30).read())
    return root


@pytest.fixture(scope="module")
def nginx_url(tmp_path_factory, static_dir):
    """nginx on a free loopback port with WORKERS worker processes, serving the files."""
    nginx = require_tool("nginx", "the static-file baseline of the GIS benchmark")
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "logs").mkdir()
    port = free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(f"""{user}worker_processes {WORKERS};
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  types {{ application/geo+json geojson; application/geopackage+sqlite3 gpkg; }}
  client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
  server {{ listen 127.0.0.1:{port}; root {static_dir}; }}
}}
""")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/{LAYER}.geojson", timeout=15)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


BARE_APP = """import pathlib

FILES = {{"/" + p.name: p.read_bytes() for p in pathlib.Path({folder!r}).iterdir()}}


def app(environ, start_response):
    body = FILES[environ["PATH_INFO"]]
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))])
    return [body]
"""


@pytest.fixture(scope="module")
def bare_url(tmp_path_factory, static_dir):
    """The same bytes from a bare WSGI function under the same gunicorn, config and worker count."""
    folder = tmp_path_factory.mktemp("bare")
    (folder / "bare.py").write_text(BARE_APP.format(folder=str(static_dir)))
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen([str(gunicorn), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", str(WORKERS),
                             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(folder),
                             "bare:app"])
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/items.json", timeout=30)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wrk_rate(wrk: str, url: str, script: str | None, tmp_path) -> float:
    args = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "5s"]
    if script:
        path = tmp_path / "uncached.lua"
        path.write_text(script)
        args += ["-s", str(path)]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=SECONDS + 30)
    assert out.returncode == 0, out.stderr
    assert "Non-2xx" not in out.stdout and "Socket errors" not in out.stdout, out.stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))


def python_rate(url: str, vary: bool) -> float:
    """CONNECTIONS threads, each a keep-alive connection (re-opened when the server closes it)."""
    parts = urlsplit(url)
    deadline = time.monotonic() + SECONDS
    counts, errors = [0] * CONNECTIONS, []

    def run(i: int) -> None:
        conn, n = None, 0
        while time.monotonic() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            path = parts.path + (f"?limit=10&bench={i}-{n}" if vary else "")
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
            except OSError as exc:
                errors.append(repr(exc))
                return
            if r.status != 200:
                errors.append(r.status)
                return
            n += 1
            if r.will_close:
                conn.close()
                conn = None
        counts[i] = n

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CONNECTIONS)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 30)
    assert not errors, errors[:5]
    return sum(counts) / (time.monotonic() - t0)


def test_downloads_against_nginx_and_items_against_bare_wsgi(live_server, nginx_url, bare_url, static_dir,
                                                            tmp_path):
    for name, path in DOWNLOADS.items():
        same = (static_dir / name).read_bytes()
        assert urllib.request.urlopen(live_server + path, timeout=30).read() == same
        assert urllib.request.urlopen(f"{nginx_url}/{name}", timeout=30).read() == same
        assert urllib.request.urlopen(f"{bare_url}/{name}", timeout=30).read() == same
    cached_items = f"{live_server}{ITEMS}?limit=10&bench=0"
    page = json.loads(urllib.request.urlopen(cached_items, timeout=30).read())     # each worker stamps its own
    assert {**page, "timeStamp": ""} == {**json.loads((static_dir / "items.json").read_bytes()), "timeStamp": ""}
    for _ in range(4):                     # every worker has loaded the layers and filled its cache
        for path in DOWNLOADS.values():
            urllib.request.urlopen(live_server + path, timeout=30).read()
        urllib.request.urlopen(cached_items, timeout=30).read()
    wrk = shutil.which("wrk")

    def rate(url: str, vary: bool = False) -> float:
        if wrk:
            return wrk_rate(wrk, url, UNCACHED_LUA % urlsplit(url).path if vary else None, tmp_path)
        return python_rate(url, vary)

    geojson, gpkg = DOWNLOADS
    targets = {
        "nginx .geojson": f"{nginx_url}/{geojson}", "app .geojson": live_server + DOWNLOADS[geojson],
        "nginx .gpkg": f"{nginx_url}/{gpkg}", "app .gpkg": live_server + DOWNLOADS[gpkg],
        "bare WSGI items": f"{bare_url}/items.json", "app items, cached": cached_items,
        "app items, uncached": live_server + ITEMS,
    }
    rounds = []
    for _ in range(ROUNDS):                # interleaved, so drift in machine load hits all alike
        rounds.append({k: rate(url, vary=k.endswith("uncached")) for k, url in targets.items()})
    pairs = {".geojson download / nginx": ("app .geojson", "nginx .geojson", 0.9),
             ".gpkg download / nginx": ("app .gpkg", "nginx .gpkg", 0.9),
             "items, cached / bare WSGI": ("app items, cached", "bare WSGI items", None),
             "items, uncached / bare WSGI": ("app items, uncached", "bare WSGI items", 0.5)}
    ratio = {k: statistics.median(r[a] / r[b] for r in rounds) for k, (a, b, _) in pairs.items()}
    client = "wrk" if wrk else "Python threads (install wrk for a fair nginx figure)"
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} KB" for p in sorted(static_dir.iterdir()))
    print(f"\nGIS throughput ({sizes}), {CONNECTIONS} connections, {ROUNDS}×{SECONDS}s, load from {client}; "
          f"gunicorn and nginx with {WORKERS} workers each")
    print(f"  load average at the end: {os.getloadavg()[0]:.2f} (the machine is shared; ratios move with it)")
    for k in targets:
        print(f"  {k:<20} " + "  ".join(f"{r[k]:8.0f}" for r in rounds) + " req/s")
    for k, (_, _, target) in pairs.items():
        verdict = f"   (target ≥ {target}: {'met' if ratio[k] >= target else 'NOT met'})" if target else ""
        print(f"  {k:<28} median {ratio[k]:.2f}{verdict}")
    assert all(v > 0 for r in rounds for v in r.values())
