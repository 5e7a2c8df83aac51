"""The app's only view of the data: layers/ read into memory, reloaded when the build changes it.

`webmap` never reads articles or the gazetteer at request time. Everything derived from the layers
(pages, display layers, popups, images, gzip copies) is kept in one bounded cache (cachetools'
LRU) keyed on `Snapshot.version`, which changes when catalog.json changes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app

MAX_CACHED = 512     # derived values kept per process (pages, images, ...); least recently used go first
MAX_RESPONSES = 256  # per-response values (gzip copies, CSP hashes): a bucket of their own, so that
                     # requests varying freely (query strings) cannot push the rendered pages out
T = TypeVar("T")
log = logging.getLogger(__name__)


class DamagedLayers(RuntimeError):
    """layers/ cannot be read, or a file differs from the sha256 its build recorded."""


@dataclass
class Snapshot:
    version: str                       # sha256 of catalog.json: changes with every build
    catalog: dict
    layers: dict[str, dict]            # name → FeatureCollection
    raw: dict[str, bytes]              # name → the .geojson file's bytes, as committed
    places: dict[str, dict] = field(default_factory=dict)        # place id → feature
    place_layers: dict[str, list[str]] = field(default_factory=dict)  # place id → layer names

    @property
    def build(self) -> str:
        """A short build id for URLs that must change with the data (cache busting)."""
        return self.version[:12]


class LayerStore:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._catalog = str(self.folder / "catalog.json")   # stat'ed on every request: a plain str path
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._stamp: tuple | None = None
        self._cache: LRUCache = LRUCache(maxsize=MAX_CACHED)
        self._responses: LRUCache = LRUCache(maxsize=MAX_RESPONSES)

    def _catalog_stamp(self) -> tuple:
        st = os.stat(self._catalog)
        return st.st_mtime_ns, st.st_size, st.st_ino

    def snapshot(self) -> Snapshot:
        """The current layers; re-read only when catalog.json changed on disk.

        A reload that fails (a truncated or hand-edited file, a half-copied folder) is logged and
        the last good snapshot is served on; it is tried again when catalog.json changes again."""
        try:
            stamp = self._catalog_stamp()
        except OSError:
            stamp = None
        if self._snapshot is None or stamp != self._stamp:
            with self._lock:
                if self._snapshot is None or stamp != self._stamp:
                    try:
                        fresh = self._load()
                    except (OSError, ValueError, KeyError, TypeError, DamagedLayers) as exc:
                        if self._snapshot is None:
                            raise DamagedLayers(f"{self.folder}: cannot serve these layers ({exc}); "
                                                "rebuild them with `python -m geo build`") from exc
                        log.error("layers in %s not reloaded, still serving build %s: %s",
                                  self.folder, self._snapshot.build, exc)
                    else:
                        self._snapshot = fresh
                        self._cache.clear()
                        self._responses.clear()
                    self._stamp = stamp
        return self._snapshot

    def cached(self, key: Hashable, compute: Callable[[], T], per_response: bool = False) -> T:
        """`compute()` memoised for the current build (rendered once, then served from memory).
        `per_response` values (derived from a response's bytes) are kept in their own bucket."""
        cache = self._responses if per_response else self._cache
        full = (self.snapshot().version, key)
        with self._lock:
            try:
                return cache[full]
            except KeyError:
                pass
        value = compute()
        with self._lock:
            cache[full] = value
        return value

    def _load(self) -> Snapshot:
        cat_bytes = (self.folder / "catalog.json").read_bytes()
        catalog = json.loads(cat_bytes)
        for rel, digest in catalog["files"].items():      # every file as its build wrote it, or none
            if hashlib.sha256((self.folder / rel).read_bytes()).hexdigest() != digest:
                raise DamagedLayers(f"{rel} differs from the sha256 recorded in catalog.json")
        layers, raw, places, place_layers = {}, {}, {}, {}
        for name, spec in catalog["layers"].items():
            data = (self.folder / spec["file"]).read_bytes()
            raw[name] = data
            layers[name] = json.loads(data)
            if spec.get("role") == "context":
                continue
            for f in layers[name]["features"]:
                places.setdefault(f["id"], f)
                place_layers.setdefault(f["id"], []).append(name)
        return Snapshot(hashlib.sha256(cat_bytes).hexdigest(), catalog, layers, raw, places, place_layers)


def current() -> LayerStore:
    """The layer store of the app handling this request."""
    return current_app.extensions["layers"]
