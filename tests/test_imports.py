"""No import cycles in `geo` or `webmap`: each module's imports, read from its syntax tree (function-level
imports included, since they only hide a cycle), must form a graph without cycles."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGES = ("geo", "webmap")


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of our packages that `name` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:            # `import geo.crs.x` where x is a name: geo.crs
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m.split(".")[0] in PACKAGES}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_path(edges, set(component)))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _path(edges: dict[str, set[str]], component: set[str]) -> list[str]:
    """A concrete cycle inside a component, as [a, …, a] (breadth-first: a shortest one through a)."""
    start = min(component)
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(edges[v] & component):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if w not in parents:
                    parents[w] = v
                    nxt.append(w)
        frontier = nxt
    return sorted(component)


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles: " + "; ".join(" → ".join(c) for c in found)


def test_the_cycle_finder_finds_cycles():
    """The finder itself: a planted cycle is reported, an acyclic graph is not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_function_level_and_relative_imports_are_seen(tmp_path):
    known = {"webmap", "webmap.store", "webmap.map", "webmap.map.maps"}
    src = tmp_path / "views.py"
    src.write_text("def f():\n    from webmap import store\n    from . import maps\n    from .. import map\n")
    assert imports("webmap.map.views", src, known) == {"webmap.store", "webmap.map.maps", "webmap.map"}


def test_modules_are_short_or_say_why():
    """About 250 lines at most, unless the module (Python, or one of the map's scripts) says at its
    top why it is longer."""
    long = [str(p.relative_to(ROOT)) for package in PACKAGES for pattern in ("*.py", "*.js")
            for p in (ROOT / package).rglob(pattern)
            if len(p.read_text(encoding="utf-8").splitlines()) > 260
            and "Longer than" not in "\n".join(p.read_text(encoding="utf-8").splitlines()[:15])]
    assert not long, f"modules over ~250 lines without a reason at their top: {long}"


def test_the_flow_goes_one_way():
    """webmap reads geo's library, never its command-line modules; geo's pipeline never imports webmap."""
    edges = graph()
    web_to_cli = {(a, b) for a, bs in edges.items() if a.startswith("webmap") for b in bs
                  if b in ("geo.cli", "geo.preview", "geo.__main__")}
    geo_to_web = {(a, b) for a, bs in edges.items() if a.startswith("geo") and a != "geo.cli" for b in bs
                  if b.startswith("webmap")}
    assert not web_to_cli and not geo_to_web, web_to_cli | geo_to_web
