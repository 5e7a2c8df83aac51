"""A save as a change a reviewer reads: written atomically, summed up in one line."""
from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import shapely
from shapely.geometry import shape

from geo.gazetteer.shapes import SHAPES_DIR
from webmap.curate.geometry import EditError

MAX_URL, MAX_TITLE = 500, 200


def traced_source(data: object, today: date) -> dict | None:
    """The page a curator traced from, as a source record (`{url, title, publisher, accessed}`),
    or None when none was given. Only http(s) URLs: they become links on the public map."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise EditError("source must be an object {url, title}")
    url, title = str(data.get("url") or "").strip(), str(data.get("title") or "").strip()
    if not url and not title:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https") or len(url) > MAX_URL or any(c.isspace() for c in url):
        raise EditError(f"source url must be an http(s) URL of at most {MAX_URL} characters")
    if not title or len(title) > MAX_TITLE or any(ord(c) < 32 for c in title):
        raise EditError(f"source title: one line of 1–{MAX_TITLE} characters")
    return {"url": url, "title": title, "publisher": host, "accessed": today.isoformat()}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary(file: str, before: str, after: str, place_id: str, old: dict, new: dict,
            before_area: float | None, after_area: float | None) -> str:
    """One line a reviewer can read: the file, lines changed, geometry and provenance before → after."""
    diff = [ln for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    added = sum(ln.startswith("+") for ln in diff)
    removed = len(diff) - added

    def geom_text(f: dict) -> str:
        g = f.get("geometry")
        if g is None or g["type"] == "Point":
            return "no shape" if g is None else "Point"
        return f"{g['type']} of {len(shapely.get_coordinates(shape(g)))} vertices"

    area = ""
    if after_area is not None:
        area = f", area {'—' if before_area is None else f'{before_area:.3f}'} → {after_area:.3f} km²"
    return (f"{SHAPES_DIR}/{file}: -{removed} +{added} line(s); {place_id}: {geom_text(old)} → {geom_text(new)}"
            f"{area}; method {old['properties'].get('method')} → traced, "
            f"vertex_basis {old['properties'].get('vertex_basis')} → traced")
