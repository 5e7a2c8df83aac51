"""The layers for analysts: GeoDataFrames with their CRS set, citations as a DataFrame.

    >>> import geo
    >>> parks = geo.read_layer("parks")            # EPSG:4326, indexed by place id
    >>> geo.read_citations().groupby("doc").size()

Reads the built layers (package data, or `JINAN_ZONES_LAYERS`), never the articles.
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import paths
from geo.build.io import frame_from_collection, read_collection, shift_to_gcj02
from geo.build.places import CITATION_COLUMNS
from geo.build.pipeline import read_catalog


def _catalog(layers_dir: Path | None) -> tuple[Path, dict]:
    folder = Path(layers_dir or paths.LAYERS)
    catalog = read_catalog(folder)
    if catalog is None:
        raise FileNotFoundError(f"{folder}: no built layers (catalog.json); run `python -m geo build` "
                                "or set JINAN_ZONES_LAYERS")
    return folder, catalog


def list_layers(layers_dir: Path | None = None) -> pd.DataFrame:
    """One row per layer, in map order: titles, role, feature count, description."""
    _, catalog = _catalog(layers_dir)
    rows = [{k: meta.get(k) for k in ("name", "title_zh", "title_en", "role", "feature_count", "description_en")}
            for meta in catalog["layers"].values()]
    return pd.DataFrame(rows).set_index("name")


def read_layer(name: str, crs: str | None = None, layers_dir: Path | None = None) -> gpd.GeoDataFrame:
    """One layer as a GeoDataFrame in WGS-84 (EPSG:4326), indexed by place id.

    `crs="gcj02"` gives a copy shifted to GCJ-02 for Amap/Tencent basemaps (its CRS is named
    GCJ-02, never EPSG:4326); any other CRS pyproj knows (e.g. "EPSG:32650") is projected to."""
    folder, catalog = _catalog(layers_dir)
    if name not in catalog["layers"]:
        raise KeyError(f"no layer {name!r}; the layers are: {', '.join(catalog['layers'])}")
    frame = frame_from_collection(read_collection(folder / catalog["layers"][name]["file"]))
    if crs is None:
        return frame
    if str(crs).lower() == "gcj02":
        return shift_to_gcj02(frame)
    return frame.to_crs(crs)


def read_places(layers_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Every place once (a place may sit in several layers), with the layers that show it."""
    _, catalog = _catalog(layers_dir)
    frames = []
    for name, meta in catalog["layers"].items():
        if meta.get("role") == "places":
            frame = read_layer(name, layers_dir=layers_dir).drop(columns="role", errors="ignore")
            frames.append(frame.assign(layer=name))
    both = pd.concat(frames)
    layers = both.groupby(level=0)["layer"].agg(list)
    places = both[~both.index.duplicated()].drop(columns="layer").sort_index()
    places["layers"] = layers.loc[places.index]
    return gpd.GeoDataFrame(places, geometry="geometry", crs=frames[0].crs)


def read_citations(layers_dir: Path | None = None) -> pd.DataFrame:
    """One row per quote: place id, article, offsets into the original text, quote, name spans."""
    places = read_places(layers_dir)
    rows = [{"place_id": pid, **c} for pid, cites in zip(places.index, places["citations"]) for c in cites]
    return pd.DataFrame(rows, columns=CITATION_COLUMNS)
