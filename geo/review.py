"""The review queue's outcomes for a name `geo add` found: accept as a new place, merge as an alias,
reject for good (`review/rejected.yml`, which `geo add` reads). Place files are edited as text, so
their comments and layout stay byte for byte, then re-read with the gazetteer's own checks: on a
problem every file is put back. An outcome takes every queued entry of that name."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from geo.add import _write_queue, read_queue, rejected_path, review_path
from geo.districts import NAME_EN
from geo.errors import GeoError
from geo.gazetteer import KINDS, SPECIAL_FILES, read_gazetteer
from geo.gazetteer.base import load_divisions
from geo.gazetteer.shapes import SHAPES_DIR, dumps_shapes

PLACE_ID = re.compile(r"^[a-z][a-z0-9]{0,59}/(?=.{1,80}$)[a-z0-9]+(?:-[a-z0-9]+)*$")   # within the editor's ids
ADCODE = re.compile(r"^\d{6}$")
NOT_DRAWN = "accepted from the review queue; not drawn yet"


class ReviewError(GeoError):
    """The outcome was refused; nothing was changed."""


def district_files(gazetteer_dir: Path) -> dict[str, tuple[str, str]]:
    """District name (槐荫区) → the stem of the place file holding its places (huaiyin) and its adcode;
    for every district of Jinan, also one with no place file yet (历城区 → licheng, which accepting a
    name there creates)."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(Path(gazetteer_dir).glob("*.yml")):
        if path.name in SPECIAL_FILES or path.name == "districts.yml":
            continue
        for rec in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(rec, dict) and isinstance(rec.get("district"), str):
                out.setdefault(rec["district"], (path.stem, str(rec.get("adcode"))))
    divisions = load_divisions()
    names = dict(zip(divisions["code"], divisions["name"]))
    for code, name_en in NAME_EN.items():      # Licheng District → licheng, Pingyin County → pingyin
        if code in names:
            out.setdefault(names[code], (name_en.split()[0].lower(), code))
    return out


def suggest_id(gazetteer_dir: Path, district: str | None) -> str | None:
    """`<district-file>/new-<n>`, the first n unused (no transliteration library: the curator edits it)."""
    stem, _ = district_files(gazetteer_dir).get(district or "", (None, None))
    taken = read_gazetteer(gazetteer_dir)[0].places
    return next(f"{stem}/new-{n}" for n in range(1, len(taken) + 2) if f"{stem}/new-{n}" not in taken) if stem else None


def pending(gazetteer_dir: Path) -> list[dict]:
    """The queue by name, as a curator reviews it: quotes, inferred district, suggested id and adcode."""
    files = district_files(gazetteer_dir)
    names: dict[str, dict] = {}
    for e in read_queue(gazetteer_dir):
        item = names.setdefault(str(e.get("surface")), {
            "name": str(e.get("surface")), "district": e.get("district"), "quotes": [],
            "suggested_id": suggest_id(gazetteer_dir, e.get("district")),
            "adcode": files.get(e.get("district") or "", (None, None))[1]})
        item["quotes"].append({"doc": e.get("doc"), "quote": e.get("quote")})
    return list(names.values())


def _entries(gazetteer_dir: Path, entry_key: str) -> tuple[list[dict], list[dict]]:
    """The queued entries of this name and the rest of the queue."""
    queue = read_queue(gazetteer_dir)
    taken = [e for e in queue if e.get("surface") == entry_key]
    if not taken:
        raise ReviewError(f"{entry_key!r} is not in the review queue")
    return taken, [e for e in queue if e.get("surface") != entry_key]


def _flow(value: str) -> str:
    """A YAML flow scalar: plain when it reads back as itself, else double-quoted (JSON is YAML)."""
    try:
        return value if yaml.safe_load(f"[{value}]") == [value] else json.dumps(value, ensure_ascii=False)
    except yaml.YAMLError:
        return json.dumps(value, ensure_ascii=False)


def _commit(gazetteer_dir: Path, writes: dict[Path, str]) -> None:
    """Write the files, then re-read the gazetteer; on a problem put every file back and refuse."""
    saved = {p: p.read_bytes() if p.exists() else None for p in writes}
    for path, text in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _, problems = read_gazetteer(gazetteer_dir)
    if problems:
        for path, old in saved.items():
            path.unlink() if old is None else path.write_bytes(old)
        raise ReviewError("; ".join(problems))


def accept(gazetteer_dir: Path, entry_key: str, id: str, name_en: str, kind: str, district: str,
           adcode: str, parent: str | None = None) -> str:
    """Add the name as a new place at district precision; returns its id."""
    gazetteer_dir = Path(gazetteer_dir)
    _, rest = _entries(gazetteer_dir, entry_key)
    stem, _ = district_files(gazetteer_dir).get(district, (None, None))
    name_en = (name_en or "").strip()
    if stem is None:
        raise ReviewError(f"district {district!r} has no place file in the gazetteer")
    if not PLACE_ID.match(id or "") or not id.startswith(f"{stem}/"):
        raise ReviewError(f"id {id!r} must look like {stem}/lower-case-words-with-hyphens")
    if not name_en or len(name_en) > 120 or any(ord(c) < 32 for c in name_en):
        raise ReviewError("name_en: one line of 1–120 characters")
    if kind not in KINDS or kind == "district":
        raise ReviewError(f"kind must be one of {', '.join(k for k in KINDS if k != 'district')}")
    if not ADCODE.match(adcode or ""):
        raise ReviewError(f"adcode {adcode!r} must be six digits")
    rec = {"id": id, "name": entry_key, "name_en": name_en, "aliases": [], "kind": kind,
           "district": district, "adcode": adcode, **({"parent": parent} if parent else {})}
    line = "- {" + ", ".join(f"{k}: {_flow(v) if isinstance(v, str) else '[]'}" for k, v in rec.items()) + "}\n"
    place_file = gazetteer_dir / f"{stem}.yml"
    text = (place_file.read_text(encoding="utf-8") if place_file.exists()    # a district's first place: its file
            else f"# {district} (adcode {adcode}). Names exactly as the articles print them.\n")
    shapes_file = gazetteer_dir / SHAPES_DIR / f"{stem}.geojson"
    features = json.loads(shapes_file.read_text(encoding="utf-8"))["features"] if shapes_file.exists() else []
    features.append({"type": "Feature", "id": id, "geometry": None, "properties": {
        "id": id, "method": "district", "precision": "district", "uncertainty_m": None, "vertex_basis": "official",
        "sources": [], "no_source_reason": NOT_DRAWN, "note": None}})
    _commit(gazetteer_dir, {place_file: text + ("" if text.endswith("\n") else "\n") + line,
                            shapes_file: dumps_shapes(features)})
    _write_queue(review_path(gazetteer_dir), rest)
    return id


def merge(gazetteer_dir: Path, entry_key: str, place_id: str) -> str:
    """Add the name as an alias of an existing place (its record's lines only are rewritten)."""
    gazetteer_dir = Path(gazetteer_dir)
    _, rest = _entries(gazetteer_dir, entry_key)
    place = read_gazetteer(gazetteer_dir)[0].places.get(place_id)
    if place is None or not PLACE_ID.match(place_id):
        raise ReviewError(f"no place {place_id!r}")
    path = gazetteer_dir / place.file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head = re.compile(r"^- \{id: " + re.escape(place_id) + r"\s*[,}]")   # a flow record: `- {id: …,` then indented
    start = next((i for i, line in enumerate(lines) if head.match(line)), None)
    if start is None:
        raise ReviewError(f"{place_id} is not a flow-style record in {place.file}; add the alias by hand")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines))
    block = "".join(lines[start:end])
    found = re.search(r"(?<![\w])aliases: \[([^\]]*)\]", block)
    if found:
        inner = found.group(1).strip()
        new = block[:found.start(1)] + (f"{inner}, " if inner else "") + _flow(entry_key) + block[found.end(1):]
    else:
        new = block.replace("name_en: ", f"aliases: [{_flow(entry_key)}], name_en: ", 1)
    if entry_key not in (yaml.safe_load(new)[0].get("aliases") or []):
        raise ReviewError(f"could not add {entry_key!r} to {place_id}'s aliases; edit {place.file} by hand")
    _commit(gazetteer_dir, {path: "".join(lines[:start]) + new + "".join(lines[end:])})
    _write_queue(review_path(gazetteer_dir), rest)
    return place_id


def reject(gazetteer_dir: Path, entry_key: str) -> None:
    """Move the name's entries to `review/rejected.yml`; `geo add` never queues it again."""
    gazetteer_dir = Path(gazetteer_dir)
    taken, rest = _entries(gazetteer_dir, entry_key)
    path = rejected_path(gazetteer_dir)
    old = (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.exists() else []
    body = yaml.safe_dump(old + taken, allow_unicode=True, sort_keys=False, width=110)
    path.write_text("# Names curators rejected in the review queue; `geo add` does not queue them again.\n" + body,
                    encoding="utf-8")
    _write_queue(review_path(gazetteer_dir), rest)
