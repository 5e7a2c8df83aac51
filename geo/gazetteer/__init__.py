"""The gazetteer: places as data (YAML in this folder), checked on load.

Place files (`districts.yml`, `huaiyin.yml`, …) hold names; `shapes/<district>.geojson` hold each
place's geometry and provenance (`geo.gazetteer.shapes`); `frameworks.yml` names the planning
frameworks (their members come from the text); `layers.yml` says which places each layer shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from geo.corpus import normalise_text
from geo.errors import GeoError
from geo.gazetteer.shapes import PRECISIONS, Shape, read_shapes

KINDS = ("zone", "axis", "park", "industrial-park", "project", "landmark", "district")
SPECIAL_FILES = ("frameworks.yml", "layers.yml")
__all__ = ["KINDS", "PRECISIONS", "Gazetteer", "GazetteerError", "Place", "load_gazetteer", "read_gazetteer"]


class GazetteerError(GeoError):
    pass


@dataclass
class Place:
    id: str
    name: str
    name_en: str
    kind: str
    district: str
    adcode: str
    aliases: list[str] = field(default_factory=list)
    short_aliases: list[str] = field(default_factory=list)
    parent: str | None = None
    count: int | None = None
    shape: Shape | None = None
    file: str = ""

    @property
    def full_forms(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class FrameworkDef:
    id: str
    name: str
    name_en: str
    district: str
    labels: list[str]


@dataclass
class Gazetteer:
    places: dict[str, Place]
    frameworks: list[FrameworkDef]
    folder: Path | None = None

    def __iter__(self):
        return iter(self.places.values())

    def __getitem__(self, place_id: str) -> Place:
        return self.places[place_id]

    def framework_for(self, label: str, district: str | None) -> FrameworkDef | None:
        key = normalise_text(label)
        for f in self.frameworks:
            if key in (normalise_text(x) for x in f.labels) and (district is None or f.district == district):
                return f
        return None


def _load_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise GazetteerError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise GazetteerError(f"{path}: not valid YAML ({exc})") from None


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_place(rec, where: str) -> list[str]:
    if not isinstance(rec, dict):
        return [f"{where}: a record must be a mapping, got {type(rec).__name__}"]
    rid = rec.get("id", "?")
    out = []
    for key in ("id", "name", "name_en", "kind", "district", "adcode"):
        if not isinstance(rec.get(key), str) or not rec[key].strip():
            out.append(f"{where} {rid}: missing or empty '{key}'")
    if rec.get("kind") not in KINDS:
        out.append(f"{where} {rid}: kind {rec.get('kind')!r} is not one of {', '.join(KINDS)}")
    for key in ("aliases", "short_aliases"):
        if key in rec and rec[key] is not None and not _strings(rec[key]):
            out.append(f"{where} {rid}: '{key}' must be a list of non-empty strings")
    if "count" in rec and not (isinstance(rec["count"], int) and rec["count"] > 0):
        out.append(f"{where} {rid}: 'count' must be a positive integer")
    return out


def read_gazetteer(folder: str | Path) -> tuple[Gazetteer, list[str]]:
    """Read every record, collecting problems instead of stopping at the first."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GazetteerError(f"{folder}: gazetteer folder not found")
    problems: list[str] = []
    places: dict[str, Place] = {}
    for path in sorted(folder.glob("*.yml")):
        if path.name in SPECIAL_FILES:
            continue
        data = _load_yaml(path)
        if not isinstance(data, list):
            problems.append(f"{path.name}: must be a list of place records")
            continue
        for n, rec in enumerate(data):
            errs = _check_place(rec, f"{path.name}#{n + 1}")
            if errs:
                problems.extend(errs)
                continue
            if rec["id"] in places:
                problems.append(f"{path.name} {rec['id']}: duplicate id (also in {places[rec['id']].file})")
                continue
            places[rec["id"]] = Place(
                id=rec["id"], name=rec["name"], name_en=rec["name_en"], kind=rec["kind"],
                district=rec["district"], adcode=str(rec["adcode"]),
                aliases=list(rec.get("aliases") or []), short_aliases=list(rec.get("short_aliases") or []),
                parent=rec.get("parent"), count=rec.get("count"), file=path.name)
    shapes, shape_problems = read_shapes(folder)
    problems += shape_problems
    for pid, shape in shapes.items():
        if pid in places:
            places[pid].shape = shape
        else:
            problems.append(f"{shape.file} feature {pid}: no such place in the gazetteer")
    surfaces: dict[str, str] = {}
    for p in places.values():
        if p.parent and p.parent not in places:
            problems.append(f"{p.file} {p.id}: parent {p.parent!r} is not in the gazetteer")
        if p.count is not None and str(p.count) not in p.name:
            problems.append(f"{p.file} {p.id}: count {p.count} does not appear in its name {p.name!r}")
        for form in {normalise_text(f) for f in p.full_forms + p.short_aliases}:
            other = surfaces.setdefault(form, p.id)
            if other != p.id:
                problems.append(f"{p.file} {p.id}: name {form!r} also belongs to {other}")
    frameworks = []
    fpath = folder / "frameworks.yml"
    if fpath.exists():
        for rec in _load_yaml(fpath) or []:
            try:
                frameworks.append(FrameworkDef(rec["id"], rec["name"], rec["name_en"], rec["district"],
                                               list(rec["labels"])))
            except (KeyError, TypeError):
                problems.append(f"frameworks.yml: record {rec!r} needs id, name, name_en, district, labels")
    return Gazetteer(places, frameworks, folder), problems


def load_gazetteer(folder: str | Path) -> Gazetteer:
    gazetteer, problems = read_gazetteer(folder)
    if problems:
        raise GazetteerError(f"{folder}: {len(problems)} broken record(s):\n  " + "\n  ".join(problems))
    return gazetteer
