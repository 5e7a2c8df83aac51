"""The base gazetteer of Jinan: divisions, outside names and landmarks, as data with provenance.

Kept apart from the curated places (this folder's *.yml): the base lists what Jinan has — every
街道/镇 and 村/社区 from the national codes, roads, springs, stations — so that a name is
recognised even when no curated place exists, and it lists names outside Jinan so that they are
recognised as outside and never mapped. The data lives in `base/` (package data); `SOURCES.md`
there records where each file comes from and how names were normalised.
"""
from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml
from shapely.geometry import Point, shape

DEFAULT_FOLDER = Path(__file__).with_name("base")
JINAN_CITY = "3701"
JINAN_BBOX = (116.2, 36.0, 117.9, 37.6)            # lon min, lat min, lon max, lat max
LEVELS = {"district": 6, "township": 9, "village": 12}    # level → code length
LANDMARK_KINDS = ("road", "street", "lake", "spring", "mountain", "river", "scenic-area", "park",
                  "historic-street", "station", "airport", "university", "hospital", "commercial",
                  "landmark", "other")
OUTSIDE_KINDS = ("province", "prefecture", "county", "station", "airport", "region", "new-area",
                 "economic-zone", "country", "mountain", "lake", "scenic-area", "landmark", "commercial")
PRECISIONS = ("site", "street", "zone", "district")
VERTEX_BASES = ("official", "geocoded", "recalled")
PUBLISHED_BASES = ("official", "geocoded")        # a page publishes the point: a source is required
MIN_RECALLED_UNCERTAINTY_M = 1000


def _forms(value: str) -> list[str]:
    return [f for f in value.split("|") if f]


def load_divisions(folder: str | Path = DEFAULT_FOLDER) -> pd.DataFrame:
    """Jinan's divisions (district, township, village) with codes as strings and forms as lists."""
    df = pd.read_csv(Path(folder) / "divisions.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    df["forms"] = df["forms"].map(_forms)
    return df


def load_outside(folder: str | Path = DEFAULT_FOLDER) -> pd.DataFrame:
    """Names outside Jinan; `also_in_jinan` marks a name a Jinan place also bears (市中区)."""
    df = pd.read_csv(Path(folder) / "outside.csv", dtype=str, keep_default_na=False, encoding="utf-8")
    df["forms"] = df["forms"].map(_forms)
    for flag in ("also_in_jinan", "contains_jinan"):
        df[flag] = df[flag] == "1"
    return df


def _read_landmarks(folder: Path) -> list[dict]:
    records = yaml.safe_load((folder / "landmarks.yml").read_text(encoding="utf-8")) or []
    if not isinstance(records, list):
        raise ValueError(f"{folder / 'landmarks.yml'}: must be a list of records")
    return records


def load_landmarks(folder: str | Path = DEFAULT_FOLDER) -> gpd.GeoDataFrame:
    """Named places of Jinan as a GeoDataFrame in EPSG:4326; places with no known point have none."""
    rows = []
    for r in _read_landmarks(Path(folder)):
        geom = r.get("geometry")
        rows.append({
            "id": r["id"], "name": r["name"], "forms": list(r.get("forms") or []), "kind": r["kind"],
            "districts": list(r.get("districts") or []), "precision": r.get("precision"),
            "uncertainty_m": r.get("uncertainty_m"), "vertex_basis": r.get("vertex_basis"),
            "sources": list(r.get("sources") or []), "note": r.get("note"), "same_as": r.get("same_as"),
            "geometry": shape(geom) if geom else None,
        })
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf["uncertainty_m"] = pd.to_numeric(gdf["uncertainty_m"], errors="coerce")
    return gdf


def _check_divisions(df: pd.DataFrame) -> list[str]:
    problems = []
    codes = set(df["code"])
    districts = set(df.loc[df["level"] == "district", "code"])
    for code in df.loc[df["code"].duplicated(), "code"]:
        problems.append(f"divisions.csv {code}: code listed twice")
    for r in df.itertuples(index=False):
        where = f"divisions.csv {r.code}"
        if r.level not in LEVELS:
            problems.append(f"{where}: level {r.level!r} is not one of {', '.join(LEVELS)}")
            continue
        if not re.fullmatch(rf"{JINAN_CITY}\d{{{LEVELS[r.level] - 4}}}", r.code):
            problems.append(f"{where}: bad code for a {r.level} of Jinan (3701 and {LEVELS[r.level]} digits)")
        if r.level != "district" and (r.parent_code not in codes or not r.code.startswith(r.parent_code)):
            problems.append(f"{where}: parent {r.parent_code!r} is not a division above it")
        if r.district_adcode not in districts or not r.code.startswith(r.district_adcode):
            problems.append(f"{where}: district adcode {r.district_adcode!r} is not one of Jinan's districts")
        if not r.forms and not r.note:
            problems.append(f"{where}: no forms and no note saying why")
    return problems


def _check_outside(df: pd.DataFrame, jinan_forms: set[str]) -> list[str]:
    problems = []
    for r in df.itertuples(index=False):
        where = f"outside.csv {r.name or '(no name)'}"
        if not r.name or not r.forms:
            problems.append(f"{where}: a name and at least one form are needed")
        if r.kind not in OUTSIDE_KINDS:
            problems.append(f"{where}: kind {r.kind!r} is not one of {', '.join(OUTSIDE_KINDS)}")
        if not r.source:
            problems.append(f"{where}: no source")
        if set(r.forms) & jinan_forms and not r.also_in_jinan:
            problems.append(f"{where}: also names a place in Jinan but also_in_jinan is not set")
    return problems


def _check_landmark(r: dict, district_names: set[str]) -> list[str]:
    rid = r.get("id") or "(no id)"
    where = f"landmarks.yml {rid}"
    problems = []
    kind = r.get("kind")
    if kind not in LANDMARK_KINDS:
        problems.append(f"{where}: kind {kind!r} is not one of {', '.join(LANDMARK_KINDS)}")
    if not re.fullmatch(rf"base/{re.escape(str(kind))}/[a-z0-9-]+", str(rid)):
        problems.append(f"{where}: id must be base/<kind>/<slug>")
    if not r.get("name"):
        problems.append(f"{where}: no name")
    unknown = [d for d in r.get("districts") or [] if d not in district_names]
    if not r.get("districts") or unknown:
        problems.append(f"{where}: districts {unknown or '(none)'} are not Jinan's")
    if r.get("precision") not in PRECISIONS:
        problems.append(f"{where}: precision {r.get('precision')!r} is not one of {', '.join(PRECISIONS)}")
    geom = r.get("geometry")
    if not geom:
        if r.get("precision") != "district" or r.get("vertex_basis") or r.get("uncertainty_m"):
            problems.append(f"{where}: no geometry, so precision must be district, with no basis or uncertainty")
        return problems
    try:
        point = shape(geom)
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        return problems + [f"{where}: geometry is not valid GeoJSON ({e})"]
    if not isinstance(point, Point):
        problems.append(f"{where}: geometry must be a Point")
    else:
        lon_min, lat_min, lon_max, lat_max = JINAN_BBOX
        if not (lon_min <= point.x <= lon_max and lat_min <= point.y <= lat_max):
            problems.append(f"{where}: coordinate ({point.x}, {point.y}) is outside Jinan's bounding box")
    basis, unc = r.get("vertex_basis"), r.get("uncertainty_m")
    if basis not in VERTEX_BASES:
        problems.append(f"{where}: vertex_basis {basis!r} is not one of {', '.join(VERTEX_BASES)}")
    if not isinstance(unc, (int, float)) or unc <= 0:
        problems.append(f"{where}: a coordinate needs a positive uncertainty_m")
    elif basis == "recalled" and unc < MIN_RECALLED_UNCERTAINTY_M:
        problems.append(f"{where}: a recalled coordinate needs uncertainty_m ≥ {MIN_RECALLED_UNCERTAINTY_M}")
    if basis in PUBLISHED_BASES and not any(isinstance(s, dict) and s.get("url") for s in r.get("sources") or []):
        problems.append(f"{where}: coordinate has no source with a url")
    return problems


def check_base(folder: str | Path = DEFAULT_FOLDER) -> list[str]:
    """Every problem in the base gazetteer, each naming its file and record (empty when clean)."""
    folder = Path(folder)
    divisions = load_divisions(folder)
    problems = _check_divisions(divisions)
    district_names = set(divisions.loc[divisions["level"] == "district", "name"])
    records = _read_landmarks(folder)
    jinan_forms = {f for forms in divisions["forms"] for f in forms} | set(divisions["name"])
    jinan_forms |= {f for r in records for f in [r.get("name"), *(r.get("forms") or [])] if f}
    problems += _check_outside(load_outside(folder), jinan_forms)
    ids = [r.get("id") for r in records]
    problems += [f"landmarks.yml {i}: id used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for r in records:
        problems += _check_landmark(r, district_names)
    return problems
