"""What the curation editor does with the data, without Flask: find places, show them in the view's
datum, measure drawings, and save a traced shape as a reviewable change to the gazetteer.

A save is a data change like any other: the place's Feature in `shapes/<district>.geojson` is
replaced and the file rewritten by `dumps_shapes` (its one stable form), but only after the
build's own checks (`read_gazetteer`, `geo.build.pipeline.assemble`) passed on a temporary copy
of the gazetteer carrying the change; then the layers are rebuilt with `geo.build.build`.
Stored coordinates are WGS-84: a shape traced over a GCJ-02 basemap (Amap) is converted back
with `geo.crs.gcj02_to_wgs84`, the exact iterative inverse. Longer than 250 lines because every
write to a checkout (a save, a review-queue outcome) goes through this one class and its locks.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geo.api import read_places
from geo.build import BuildError, build
from geo.build.io import frame_from_collection, plain, read_collection
from geo.build.layers import read_specs
from geo.build.pipeline import assemble
from geo.corpus import load_corpus
from geo.errors import GeoError
from geo.gazetteer import read_gazetteer
from geo.gazetteer.shapes import PRECISIONS, SHAPES_DIR, dumps_shapes
from webmap.curate.changes import sha256_of, summary, traced_source, write_atomically
from webmap.curate.geometry import AREAS, CRSES, EditError, from_view, parse_geometry, same_shape, to_view

PLACE_ID = re.compile(r"^[a-z0-9-]{1,60}/[a-z0-9-]{1,80}$")
MAX_NOTE = 500
TRACE_BASEMAPS = ("osm", "positron", "amap", "tianditu")      # "none" has nothing to trace on
OWN_PRECISION = {"Point": "site", "LineString": "street", "Polygon": "zone", "MultiLineString": "street",
                 "MultiPolygon": "zone"}
UNCHANGED = "Nothing changed: the shape is the one stored; nothing was written."


class Conflict(RuntimeError):
    """The shapes file changed since the editor loaded it: a 409, never a silent overwrite."""


class Refused(RuntimeError):
    """A check failed on the changed data (the build's, or a stated area kept): nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Folders:
    """The data the editor reads and writes; tests pass temporary copies."""
    gazetteer: Path
    seeds: Path
    layers: Path

    @property
    def districts(self) -> Path:
        return self.layers / "districts.geojson"


def _copy_gazetteer(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__", ".*"))


class Editor:
    """The editor's view of one checkout (or a copy): places from the built layers, shapes from
    the gazetteer. Saves are serialised (threads and processes), so two saves of one file cannot
    interleave: the second sees the first's hash and gets a Conflict."""

    def __init__(self, folders: Folders):
        self.folders = folders
        self._lock = threading.Lock()
        self._places: tuple[float, gpd.GeoDataFrame] | None = None
        self._districts: tuple[float, gpd.GeoDataFrame] | None = None

    # ------------------------------------------------------------------ reading

    def places(self) -> gpd.GeoDataFrame:
        """Every place once, from the built layers; re-read when a build changed the catalog."""
        stamp = (self.folders.layers / "catalog.json").stat().st_mtime_ns
        if self._places is None or self._places[0] != stamp:
            self._places = (stamp, read_places(self.folders.layers))
        return self._places[1]

    def district_frame(self) -> gpd.GeoDataFrame:
        stamp = self.folders.districts.stat().st_mtime_ns
        if self._districts is None or self._districts[0] != stamp:
            self._districts = (stamp, frame_from_collection(read_collection(self.folders.districts)))
        return self._districts[1]

    def search(self, query: str, limit: int = 20) -> list[dict]:
        """Places whose id, Chinese or English name contains the query (case-insensitive)."""
        q = query.strip().lower()
        if not q:
            return []
        frame = self.places()
        hits = [pid for pid, name, name_en in zip(frame.index, frame["name"], frame["name_en"])
                if q in pid.lower() or q in name.lower() or q in (name_en or "").lower()]
        hits.sort(key=lambda pid: (frame.at[pid, "name"].lower() != q, pid.lower() != q, len(frame.at[pid, "name"])))
        return [{"id": pid, "name": frame.at[pid, "name"], "name_en": frame.at[pid, "name_en"],
                 "kind": frame.at[pid, "kind"], "district": frame.at[pid, "district"]} for pid in hits[:limit]]

    def shapes_file(self, place_id: str) -> Path:
        """The shapes file that holds the place's Feature (found by reading, never built from input)."""
        folder = (self.folders.gazetteer / SHAPES_DIR).resolve()
        for path in sorted(folder.glob("*.geojson")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if any(f.get("id") == place_id for f in data.get("features", [])):
                if path.resolve().parent != folder:
                    break
                return path
        raise LookupError(f"{place_id}: no Feature in {SHAPES_DIR}/*.geojson")

    def feature(self, place_id: str) -> tuple[Path, dict]:
        path = self.shapes_file(place_id)
        data = json.loads(path.read_text(encoding="utf-8"))
        return path, next(f for f in data["features"] if f["id"] == place_id)

    def check_id(self, place_id: str) -> None:
        if not PLACE_ID.match(place_id) or place_id not in self.places().index:
            raise LookupError(f"no place {place_id!r}")

    def place(self, place_id: str, crs: str = "wgs84") -> dict:
        """A place as the editor shows it: facts, its shape in the view's datum, its provenance as the
        shapes file states it, its quotes, and the file's sha256 for the save. The shape is the one
        stored in the gazetteer, as drawn, not the built one: the build clips it to the district
        (often into several parts), and a save stores what the curator edits, so editing the clipped
        copy would store the clip and make an untouched save look like a change. A place that
        borrows a shape has none stored: it gets the built one, shown for reference."""
        self.check_id(place_id)
        row = self.places().loc[place_id]
        path, feat = self.feature(place_id)
        geom = shape(feat["geometry"]) if feat.get("geometry") else row.geometry
        facts = {k: plain(row[k]) for k in ("name", "name_en", "kind", "district", "adcode", "parent", "area_km2",
                                            "borrowed_from")}
        return {
            "id": place_id, **facts,
            "geometry": mapping(to_view(geom, crs)) if geom is not None else None,
            "provenance": feat["properties"], "file": f"{SHAPES_DIR}/{path.name}", "sha256": sha256_of(path),
            "citations": [{k: c.get(k) for k in ("doc", "title", "outlet", "date", "start", "end", "quote", "marks")}
                          for c in row["citations"]],
        }

    def districts(self, crs: str = "wgs84") -> dict:
        """The district polygons in the view's datum (a snappable layer for tracing)."""
        frame = self.district_frame()
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": str(code), "properties": {"name": name, "adcode": str(code)},
             "geometry": mapping(to_view(geom, crs))}
            for code, name, geom in zip(frame["adcode"], frame["name"], frame.geometry)]}

    # ------------------------------------------------------------------ writing

    @contextmanager
    def _folder_lock(self):
        """An exclusive lock on the shapes folder, so two editor processes on one checkout take turns
        (the thread lock covers one process; flock on the folder covers the others)."""
        fd = os.open(self.folders.gazetteer / SHAPES_DIR, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)                               # closing releases the lock

    def new_feature(self, old: dict, geom: BaseGeometry, basemap: str, curator: str, note: str | None,
                    source: dict | None, today: date) -> dict:
        """The traced Feature: the old properties kept (sources, stated area, clip), provenance
        replaced, the page traced from added to the sources. A place that only borrowed a shape
        gets the precision its new geometry has."""
        props = dict(old["properties"])
        if source and all(s["url"] != source["url"] for s in props["sources"]):
            props["sources"] = [*props["sources"], source]
        if props.get("method") in ("parent", "district") or props.get("precision") == "district":
            props["precision"] = OWN_PRECISION[geom.geom_type]
            props["uncertainty_m"] = PRECISIONS[props["precision"]]
        props.update(method="traced", vertex_basis="traced",
                     traced={"basemap": basemap, "date": today.isoformat(), "curator": curator})
        if note:
            props["note"] = note
        return {"type": "Feature", "id": old["id"], "geometry": mapping(geom), "properties": props}

    def check(self, path: Path, text: str) -> list[str]:
        """The build's own checks on a temporary copy of the gazetteer carrying the new file."""
        with tempfile.TemporaryDirectory(prefix="jz-curate-") as tmp:
            gaz = Path(tmp) / "gazetteer"
            _copy_gazetteer(self.folders.gazetteer, gaz)
            (gaz / SHAPES_DIR / path.name).write_text(text, encoding="utf-8")
            gazetteer, problems = read_gazetteer(gaz)
            if problems:
                return problems
            try:
                _, _, problems = assemble(load_corpus(self.folders.seeds), gazetteer, self.district_frame(),
                                          read_specs(gaz))
            except GeoError as exc:
                return [str(exc)]
            return problems

    def save(self, place_id: str, geometry: dict, crs: str, basemap: str, sha256: str, curator: str,
             note: str | None = None, source: object = None, today: date | None = None) -> dict:
        """Validate, write the shapes file, rebuild the layers; the before/after area and a one-line
        summary of the change. Raises Conflict when the file changed since `sha256` was read and
        Refused (nothing written) when the build's checks fail or a place with a stated area would
        lose it (a Point or line for it). A drawing equal to the stored shape writes nothing."""
        self.check_id(place_id)
        if crs not in CRSES:
            raise EditError(f"crs must be one of {', '.join(CRSES)}")
        if basemap not in TRACE_BASEMAPS:
            raise EditError(f"basemap must be one of {', '.join(TRACE_BASEMAPS)} (trace over a basemap)")
        if (crs == "gcj02") != (basemap == "amap"):
            raise EditError("only the Amap view is in GCJ-02")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            raise EditError(f"note must be text of at most {MAX_NOTE} characters")
        today = today or date.today()
        source = traced_source(source, today)
        geom = from_view(parse_geometry(geometry), crs)
        with self._lock, self._folder_lock():
            path, old = self.feature(place_id)
            before_text = path.read_text(encoding="utf-8")
            if hashlib.sha256(before_text.encode("utf-8")).hexdigest() != sha256:
                raise Conflict(f"{SHAPES_DIR}/{path.name} was changed by someone else since you opened "
                               f"{place_id}; reload the place to see their change, then trace again")
            stated = old["properties"].get("stated_area_km2")
            if stated is not None and geom.geom_type not in AREAS:
                raise Refused([f"{place_id}: its article states an area ({stated} km², stated_area_km2), so it "
                               f"must stay an area: draw a Polygon, not a {geom.geom_type}"])
            if old.get("geometry") and same_shape(geom, shape(old["geometry"])):
                area = plain(self.places().at[place_id, "area_km2"])
                return {"id": place_id, "file": f"{SHAPES_DIR}/{path.name}", "sha256": sha256_of(path),
                        "unchanged": True, "before_area_km2": area, "after_area_km2": area, "summary": UNCHANGED}
            features = json.loads(before_text)["features"]
            new = self.new_feature(old, geom, basemap, curator, (note or "").strip() or None, source, today)
            after_text = dumps_shapes([new if f["id"] == place_id else f for f in features])
            problems = self.check(path, after_text)
            if problems:
                raise Refused(problems)
            before_area = self.places().at[place_id, "area_km2"]
            write_atomically(path, after_text)
            try:
                build(self.folders.seeds, self.folders.gazetteer, self.folders.layers,
                      districts_path=self.folders.districts)
            except (BuildError, GeoError) as exc:
                write_atomically(path, before_text)          # the layers were left as they were
                raise Refused([str(exc)]) from None
            after_area = self.places().at[place_id, "area_km2"]
        return {"id": place_id, "file": f"{SHAPES_DIR}/{path.name}", "sha256": sha256_of(path), "unchanged": False,
                "before_area_km2": plain(before_area), "after_area_km2": plain(after_area),
                "summary": summary(path.name, before_text, after_text, place_id, old, new,
                                   plain(before_area), plain(after_area))}


    def review(self, action: Callable[..., object], *args: object) -> object:
        """Run one review-queue outcome (`geo.review.accept`, `merge`, `reject`) on the gazetteer and
        rebuild the layers; if the build fails every gazetteer file is put back (Refused)."""
        folder = self.folders.gazetteer
        with self._lock, self._folder_lock():
            files = [*folder.glob("*.yml"), *(folder / SHAPES_DIR).glob("*.geojson"), *(folder / "review").glob("*.yml")]
            saved = {p: p.read_bytes() for p in files}
            result = action(folder, *args)
            try:
                build(self.folders.seeds, folder, self.folders.layers, districts_path=self.folders.districts)
            except (BuildError, GeoError) as exc:
                for p in {*folder.glob("*.yml"), *(folder / SHAPES_DIR).glob("*.geojson"),
                          *(folder / "review").glob("*.yml")} - set(saved):
                    p.unlink()
                for p, data in saved.items():
                    p.write_bytes(data)
                raise Refused([str(exc)]) from None
        return result
