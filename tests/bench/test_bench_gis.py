"""Requests/s for a layer download and an OGC API items page under gunicorn, as ratios to nginx
serving the same GeoJSON file statically in the same run. Targets: ≥ 0.5 for the download, ≥ 0.25
for items.

Run with `make bench`. Loopback only, bounded in time (ROUNDS × 5 targets × SECONDS). A bare WSGI
function serving the same bytes under the same gunicorn shows the ceiling for any Python app
served this way (gevent workers, keep-alive connections, see gunicorn.conf.py). The load
comes from `wrk` when it is installed (C, keep-alive connections), else from a small Python
client (threads, keep-alive http.client) which tops out well below nginx, so its ratios are
flattering — the report says which one ran. No timed assertion: a shared machine's timings vary;
the ratios are the report. "items, uncached" varies the query string per request so every request
goes through pygeoapi and the provider instead of the response cache.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import sys
from pathlib import Path

import pytest

from conftest import ROOT, free_port, require_tool, wait_for

LAYER = "projects"
ROUNDS = 3
SECONDS = 2
CONNECTIONS = 8
UNCACHED_LUA = """counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "%s?limit=10&bench=" .. counter)
end
"""


@pytest.fixture(scope="module")
def layer_file(tmp_path_factory, live_server) -> Path:
    """The bytes the app serves for the layer, as a static file."""
    root = tmp_path_factory.mktemp("static")
    path = root / f"{LAYER}.geojson"
    path.write_bytes(urllib.request.urlopen(f"{live_server}/layers/{LAYER}.geojson", timeout=30).read())
    return path


@pytest.fixture(scope="module")
def nginx_url(tmp_path_factory, layer_file):
    """nginx on a free loopback port, serving the layer file."""
    nginx = require_tool("nginx", "the static-file baseline of the GIS benchmark")
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "logs").mkdir()
    port = free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  types {{ application/geo+json geojson; }}
  client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy; fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi; scgi_temp_path {prefix}/scgi;
  server {{ listen 127.0.0.1:{port}; root {layer_file.parent}; }}
}}
""")
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/{LAYER}.geojson"
    try:
        wait_for(url, timeout=15)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


CEILING_APP = """BODY = open({path!r}, "rb").read()


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/geo+json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
"""


@pytest.fixture(scope="module")
def ceiling_url(tmp_path_factory, layer_file):
    """The same bytes from a bare WSGI function under gunicorn (same gunicorn.conf.py as the app): the most
    any Python app served this way can do, which puts the download ratio in proportion."""
    folder = tmp_path_factory.mktemp("ceiling")
    (folder / "ceiling.py").write_text(CEILING_APP.format(path=str(layer_file)))
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen([str(gunicorn), "--config", str(ROOT / "gunicorn.conf.py"), "--workers", "2",
                             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(folder),
                             "ceiling:app"])
    url = f"http://127.0.0.1:{port}/{LAYER}.geojson"
    try:
        wait_for(url, timeout=30)
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


def test_download_and_items_throughput_against_nginx(live_server, nginx_url, ceiling_url, tmp_path):
    download = f"{live_server}/layers/{LAYER}.geojson"
    items = f"{live_server}/ogc/collections/{LAYER}/items"
    same = urllib.request.urlopen(download, timeout=30).read()
    assert same == urllib.request.urlopen(nginx_url, timeout=30).read() == \
        urllib.request.urlopen(ceiling_url, timeout=30).read()
    for _ in range(4):                     # both workers render and cache once
        urllib.request.urlopen(download, timeout=30).read()
        urllib.request.urlopen(items, timeout=30).read()
    wrk = shutil.which("wrk")

    def rate(url: str, vary: bool = False) -> float:
        if wrk:
            return wrk_rate(wrk, url.split("?")[0] if vary else url,
                            UNCACHED_LUA % urlsplit(url).path if vary else None, tmp_path)
        return python_rate(url, vary)

    rounds = []
    for _ in range(ROUNDS):                # interleaved, so drift in machine load hits all alike
        rounds.append({"nginx": rate(nginx_url), "bare WSGI": rate(ceiling_url), "download": rate(download),
                       "items": rate(items), "items, uncached": rate(items, vary=True)})
    ratio = {k: statistics.median(r[k] / r["nginx"] for r in rounds) for k in rounds[0] if k != "nginx"}
    client = "wrk" if wrk else "Python threads (install wrk for a fair nginx figure)"
    print(f"\nGIS throughput, {LAYER} ({len(same) / 1024:.0f} KB GeoJSON), {CONNECTIONS} connections, "
          f"{ROUNDS}×{SECONDS}s, load from {client}; gunicorn 2 gevent workers (gunicorn.conf.py)")
    for k in rounds[0]:
        print(f"  {k:<16} " + "  ".join(f"{r[k]:8.0f}" for r in rounds) + " req/s"
              + (f"   median ratio to nginx {ratio[k]:.2f}" if k in ratio else ""))
    print(f"  targets: download ≥ 0.5 → {ratio['download']:.2f}; items ≥ 0.25 → {ratio['items']:.2f} "
          f"(uncached {ratio['items, uncached']:.2f})")
    assert all(v > 0 for r in rounds for v in r.values())
