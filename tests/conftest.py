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
