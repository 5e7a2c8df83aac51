"""geo's Python API for analysts: GeoDataFrames with their CRS, citations as a DataFrame."""
import json

import numpy as np
import pytest
import yaml

import geo
from conftest import ROOT
from geo import paths
from geo.crs import gcj02_to_wgs84

CATALOG = json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))


def test_list_layers_gives_every_layer_in_map_order():
    layers = geo.list_layers()
    assert list(layers.index) == list(CATALOG["layers"])
    assert (layers["feature_count"] == [m["feature_count"] for m in CATALOG["layers"].values()]).all()


def test_read_layer_is_the_built_layer_indexed_by_place_id_in_wgs84():
    parks = geo.read_layer("parks")
    fc = json.loads((ROOT / "layers" / "parks.geojson").read_text(encoding="utf-8"))
    assert parks.crs.to_epsg() == 4326
    assert list(parks.index) == [f["id"] for f in fc["features"]]
    assert parks.loc["huaiyin/new-city-parks", "borrowed_from"] == "370104"


def test_gcj02_copy_is_shifted_and_labelled_never_wgs84():
    wgs, gcj = geo.read_layer("huaiyin-five-battlefields"), geo.read_layer("huaiyin-five-battlefields", crs="gcj02")
    assert gcj.crs.to_epsg() is None and "GCJ-02" in gcj.crs.name and gcj.attrs["coordinate_system"] == "GCJ-02"
    a = wgs.geometry.get_coordinates().to_numpy()
    b = gcj.geometry.get_coordinates().to_numpy()
    shift = np.hypot(*(b - a).T) * 111_000
    assert shift.min() > 200 and shift.max() < 1000
    assert np.abs(np.column_stack(gcj02_to_wgs84(b[:, 0], b[:, 1])) - a).max() < 2e-6
    assert geo.read_layer("parks", crs="EPSG:32650").crs.to_epsg() == 32650


def test_unknown_layer_names_the_known_ones():
    with pytest.raises(KeyError, match="no layer 'park'; the layers are: districts, .*parks"):
        geo.read_layer("park")


def test_places_once_each_and_citations_one_row_per_quote(docs_by_id):
    places = geo.read_places()
    assert places.index.is_unique and places.crs.to_epsg() == 4326
    assert set(places.loc["huaiyin/medical-science-center", "layers"]) >= {"huaiyin-five-battlefields",
                                                                          "huaiyin-three-platforms"}
    cites = geo.read_citations()
    assert list(cites.columns) == ["place_id", "doc", "title", "outlet", "date", "start", "end", "quote", "marks"]
    assert set(cites["place_id"]) == set(places.index)
    for row in cites.itertuples():
        assert docs_by_id[row.doc].original[row.start:row.end] == row.quote


def test_no_place_record_keeps_coordinates_in_yaml_and_every_shape_has_provenance(gazetteer):
    for path in paths.GAZETTEER.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert "coordinates" not in text and "geometry_source" not in text, path.name
        yaml.safe_load(text)
    for place in gazetteer:
        if place.kind == "district":
            continue
        s = place.shape
        assert s.method and s.vertex_basis, place.id
        assert s.sources or s.no_source_reason, place.id
