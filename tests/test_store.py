"""webmap.store: layers held in memory, reloaded on rebuild, with a bounded page cache."""
import os

from conftest import copy_layers
from webmap.store import MAX_CACHED, LayerStore


def test_cache_is_bounded_and_cleared_by_a_rebuild(tmp_path):
    folder = copy_layers(tmp_path / "layers")
    store = LayerStore(folder)
    calls = []
    for k in range(MAX_CACHED + 100):
        store.cached(("image", k), lambda k=k: calls.append(k) or k)
    assert len(store._cache) == MAX_CACHED
    assert store.cached(("image", MAX_CACHED + 99), lambda: "recomputed") == MAX_CACHED + 99   # recent: kept
    assert store.cached(("image", 0), lambda: "recomputed") == "recomputed"                    # oldest: evicted
    catalog = folder / "catalog.json"
    catalog.write_bytes(catalog.read_bytes() + b"\n")                  # what a rebuild looks like
    os.utime(catalog, ns=(catalog.stat().st_atime_ns, catalog.stat().st_mtime_ns + 10**9))
    assert store.cached(("image", MAX_CACHED + 99), lambda: "after rebuild") == "after rebuild"


def test_per_response_values_cannot_push_rendered_pages_out(tmp_path):
    """A flood of distinct responses (query strings vary freely) fills only its own bucket."""
    from webmap.store import MAX_RESPONSES

    store = LayerStore(copy_layers(tmp_path / "layers"))
    store.cached("page", lambda: "rendered")
    for k in range(MAX_RESPONSES * 3):
        store.cached(("gzip", k), lambda k=k: k, per_response=True)
    assert store.cached("page", lambda: "rendered again") == "rendered"
    assert len(store._responses) == MAX_RESPONSES
