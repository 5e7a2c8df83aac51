"""`python -m geo validate`: the committed gazetteer, articles and layers/ checked together."""
from __future__ import annotations

from pathlib import Path

from geo.build.pipeline import damaged, is_stale, render
from geo.errors import GeoError
from geo.gazetteer import read_gazetteer


def validate_project(seeds: Path, gazetteer_dir: Path, layers_dir: Path) -> list[str]:
    """Everything: gazetteer records and shapes, a fresh build in memory, and the committed layers
    (every file as the build recorded it, and equal to what the same inputs build now)."""
    seeds, gazetteer_dir, layers_dir = Path(seeds), Path(gazetteer_dir), Path(layers_dir)
    _, problems = read_gazetteer(gazetteer_dir)
    if problems:
        return problems
    districts_path = layers_dir / "districts.geojson"
    try:
        fresh, problems = render(seeds, gazetteer_dir, districts_path)
    except GeoError as exc:
        return [str(exc)]
    if problems:
        return problems
    problems = damaged(layers_dir)
    if problems:
        return problems
    if is_stale(seeds, gazetteer_dir, layers_dir, districts_path):
        return [f"{layers_dir}: layers are stale (inputs changed); run `python -m geo build`"]
    # Same inputs must give the same bytes: anything else was edited after the build.
    return [f"{layers_dir / name}: differs from what the build writes from the same inputs "
            "(edited by hand?); run `python -m geo build`"
            for name, data in sorted(fresh.items())
            if not (layers_dir / name).exists() or (layers_dir / name).read_bytes() != data]
