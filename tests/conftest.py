"""Shared fixtures: the real corpus and gazetteer, loaded once; helpers to find system tools."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import paths  # noqa: E402
from geo.corpus import load_corpus  # noqa: E402
from geo.gazetteer import load_gazetteer  # noqa: E402

IN_CI = bool(os.environ.get("CI"))


def require_tool(name: str, what: str) -> str:
    """Path of a system tool; outside CI a missing tool skips the test, in CI it fails it."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is required in CI ({what}); .ci/run should have installed it")
    pytest.skip(f"{name} not installed and CI is unset: skipping {what}")


def require_module(name: str, what: str):
    """Import a build-time extra; outside CI its absence skips the test, in CI it fails it."""
    import importlib.util

    if importlib.util.find_spec(name) is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI ({what}); .ci/run installs the extra")
        pytest.skip(f"{name} not installed and CI is unset: skipping {what}")
    return __import__(name)


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(paths.SEEDS)


@pytest.fixture(scope="session")
def docs_by_id(corpus):
    return {d.id: d for d in corpus}


@pytest.fixture(scope="session")
def gazetteer():
    return load_gazetteer(paths.GAZETTEER)


def run_geo(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], input=stdin, capture_output=True, cwd=cwd)


# ------------------------------------------------------------------ live server and browser

def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_gunicorn(port: int, workers: int = 2, env: dict | None = None):
    """The app under gunicorn, as `make run` serves it; the caller terminates it."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "webmap:create_app()"], cwd=ROOT, env={**os.environ, **(env or {})})
    try:
        wait_for(f"http://127.0.0.1:{port}/")
    except OSError:
        proc.terminate()
        raise
    return proc


@pytest.fixture(scope="session")
def live_server():
    """Base URL of the app running under gunicorn on a free loopback port."""
    port = free_port()
    proc = start_gunicorn(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    chromium = require_tool("chromium", "end-to-end map tests in a real browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


ARTIFACTS = ROOT / "tests" / "artifacts"


# ------------------------------------------------------------------ the app on a private copy of layers/

@pytest.fixture
def page(browser, request):
    """A desktop page that collects the page's script errors in `page.errors`: 1366×800 in Chinese,
    or the test module's `VIEWPORT` (width, height) and `LOCALE`; test files with other needs (a
    phone, recording requests) define their own."""
    width, height = getattr(request.module, "VIEWPORT", (1366, 800))
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale=getattr(request.module, "LOCALE", "zh-CN"))
    p = context.new_page()
    p.errors = []
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    yield p
    context.close()


def copy_layers(dest: Path) -> Path:
    """A private copy of the built layers, so a build running meanwhile cannot change them."""
    shutil.copytree(ROOT / "layers", dest)
    return dest


def reseal(folder: Path) -> None:
    """Record the current bytes of a copied build's files in its catalog, as a build writing them
    would: for tests that plant hostile or altered data (the server refuses unrecorded changes)."""
    import hashlib
    import json

    path = folder / "catalog.json"
    catalog = json.loads(path.read_text(encoding="utf-8"))
    catalog["files"] = {rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest() for rel in catalog["files"]}
    path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory) -> Path:
    return copy_layers(tmp_path_factory.mktemp("app") / "layers")


@pytest.fixture(scope="module")
def client(layers_dir):
    from webmap import create_app

    return create_app({"LAYERS_DIR": str(layers_dir), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def catalog(layers_dir):
    import json

    return json.loads((layers_dir / "catalog.json").read_text(encoding="utf-8"))


def collection(layers_dir: Path, name: str) -> dict:
    import json

    return json.loads((layers_dir / f"{name}.geojson").read_text(encoding="utf-8"))
