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


def test_a_failed_reload_keeps_serving_the_last_good_build_and_logs_why(tmp_path, caplog):
    from webmap import create_app

    folder = copy_layers(tmp_path / "layers")
    client = create_app({"LAYERS_DIR": str(folder)}).test_client()
    good = client.get("/ogc/collections/parks/items?f=json").get_json()["numberMatched"]
    parks = folder / "parks.geojson"
    parks.write_bytes(parks.read_bytes()[:1000])                         # truncated by a failed copy
    catalog = folder / "catalog.json"
    os.utime(catalog, ns=(catalog.stat().st_atime_ns, catalog.stat().st_mtime_ns + 10**9))
    with caplog.at_level("ERROR", logger="webmap.store"):
        for url in ("/?basemap=none", "/places/huaiyin/new-city-parks", "/layers/?f=json"):
            assert client.get(url).status_code == 200, url
        assert client.get("/ogc/collections/parks/items?f=json").get_json()["numberMatched"] == good
    assert "parks.geojson differs from the sha256 recorded" in caplog.text and "still serving build" in caplog.text


def test_damaged_layers_at_start_are_refused_with_a_message(tmp_path):
    import pytest

    from webmap.store import DamagedLayers

    folder = copy_layers(tmp_path / "layers")
    (folder / "projects.geojson").write_bytes(b"{")
    with pytest.raises(DamagedLayers, match=r"projects.geojson differs .*`python -m geo build`"):
        LayerStore(folder).snapshot()
