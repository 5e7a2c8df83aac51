"""Layers are selections of the places GeoDataFrame, described by data (gazetteer/layers.yml).

A rule picks rows; nothing here names a layer. `role: context` layers (the districts) come from
their own source; `role: places` layers from the places frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import yaml

from geo.errors import GeoError

ROLES = ("context", "places")
RULE_KEYS = {"source", "framework", "kinds", "except_in_frameworks"}


class LayerSpecError(GeoError):
    pass


@dataclass(frozen=True)
class LayerSpec:
    name: str
    title_zh: str
    title_en: str
    description_en: str
    colour: str
    role: str
    select: dict


def read_specs(gazetteer_dir: Path) -> list[LayerSpec]:
    """The layers in map order, checked: unique names, known roles and rule keys."""
    path = Path(gazetteer_dir) / "layers.yml"
    try:
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LayerSpecError(f"{path}: cannot read the layer list ({exc})") from None
    specs, seen = [], set()
    for n, rec in enumerate(records or []):
        try:
            spec = LayerSpec(**rec)
        except TypeError as exc:
            raise LayerSpecError(f"{path.name} #{n + 1}: {exc}") from None
        if spec.name in seen:
            raise LayerSpecError(f"{path.name}: layer {spec.name} listed twice")
        if spec.role not in ROLES or not isinstance(spec.select, dict) or not set(spec.select) <= RULE_KEYS:
            raise LayerSpecError(f"{path.name} {spec.name}: role must be one of {ROLES} and select use {sorted(RULE_KEYS)}")
        seen.add(spec.name)
        specs.append(spec)
    return specs


def select(specs: list[LayerSpec], places: gpd.GeoDataFrame, members: dict[str, dict[str, str]],
           context: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """layer name → its rows, in the order of `specs`. Framework layers add a `role` column."""
    out: dict[str, gpd.GeoDataFrame] = {}
    in_frameworks: set[str] = set()
    for spec in specs:
        rule = spec.select
        if "source" in rule:
            out[spec.name] = context[rule["source"]]
            continue
        if "framework" in rule:
            chosen = dict(members.get(rule["framework"], {}))
            # Areas the text places on a member (茂岭山片区 on the 一轴) belong to the same picture.
            parts = places[places["parent"].isin(list(chosen)) & places["kind"].isin(["zone", "axis"])]
            for pid, parent in zip(parts.index, parts["parent"]):
                chosen.setdefault(pid, f"part of {parent}")
            in_frameworks |= set(chosen)
            rows = places.loc[sorted(set(chosen) & set(places.index))].copy()
            rows["role"] = [chosen[pid] or None for pid in rows.index]
        else:
            rows = places[places["kind"].isin(rule.get("kinds", []))]
            if rule.get("except_in_frameworks"):
                rows = rows[~rows.index.isin(list(in_frameworks))]
            rows = rows.sort_index()
        out[spec.name] = rows
    return out
