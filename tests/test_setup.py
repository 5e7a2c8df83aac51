"""The project sets itself up from what is committed: seeds, catalog, dependency lists, CLI."""
import hashlib
import json
import re
import tomllib

import yaml

from conftest import ROOT, run_geo

SEED_SHA256 = {
    "000_d54c22738cddc5a0": "9e434e4fc1fddc4dad287717821fe849d1f4f32051624f30c425118d05aca2c7",
    "001_40008728301dc07a": "4729fbd3b730773584386d9b3ddaa00bbed87b2d830a93531baa943abc692890",
    "002_ab62ca587b7de40b": "2cbb25f779df5513f6064e9b98b4cdb7a41b2593f7b1dd1de4f1fb61abc65387",
    "003_6a09d21cf5d458f4": "e9740aa01b8510ee93bfa389b0ae3f90db03f1d5bd9fbf37503859524c21283a",
    "004_82a2d61d833f1e94": "5fee977eb7c5071a57cecd240f1c61d9bb8dd0e1537524411b67c1d787d3a92b",
}
ADCODES = {"历下区": "370102", "市中区": "370103", "槐荫区": "370104"}


def test_seeds_are_the_shared_articles_byte_for_byte():
    for stem, digest in SEED_SHA256.items():
        assert hashlib.sha256((ROOT / "seeds" / f"{stem}.txt").read_bytes()).hexdigest() == digest


def test_catalog_describes_every_article_completely():
    catalog = yaml.safe_load((ROOT / "seeds" / "catalog.yml").read_text(encoding="utf-8"))["articles"]
    assert sorted(a["id"] for a in catalog) == sorted(SEED_SHA256)
    for a in catalog:
        text = (ROOT / "seeds" / f"{a['id']}.txt").read_text(encoding="utf-8")
        assert a["title"] and a["title"].split(" ")[0] in text, a["id"]
        assert a["language"] == "zh-Hans"
        assert "outlet" in a and (a["outlet"] is None or a["outlet"] in text or a["outlet"] in "齐鲁晚报·齐鲁壹点")
        assert a["byline"]["reporters"] and all(r in text for r in a["byline"]["reporters"])
        assert all(c in text for c in a["byline"]["correspondents"])
        for d in a["districts"]:
            assert ADCODES[d["name"]] == d["adcode"] and d["name"] in text
        assert re.fullmatch(r"20\d\d-\d\d(-\d\d)?", str(a["date"])), a["date"]
        assert a["date_certainty"] == "estimate" and a["date_basis"]
        # The date rests on words that are really in the article.
        assert a["date_evidence"] and all(e in text for e in a["date_evidence"]), a["id"]


def _names(reqs):
    return {re.split(r"[<>=\[ ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {d for d in env["dependencies"] if isinstance(d, str)}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
    pip_only = _names(p for p in pip if p != "-e .")       # packages conda-forge does not carry
    assert (_names(conda) - {"python", "pip"}) | pip_only == wanted
    assert any(d.startswith("python>=3.11") for d in conda)


def test_cli_help_lists_the_subcommands():
    out = run_geo("--help")
    assert out.returncode == 0
    for sub in ("extract", "candidates", "build", "validate", "preview"):
        assert sub in out.stdout.decode()


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def test_a_normal_install_reads_the_layers_from_any_folder(tmp_path):
    """`pip install .` (not editable), then `import geo` elsewhere: the layers come as package data."""
    import shutil
    import subprocess
    import sys

    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "build", "*.egg-info",
                                                             "__pycache__", ".pytest_cache"), symlinks=True)
    target = tmp_path / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                          str(src)], capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr
    shutil.rmtree(src)                                    # nothing may point back into a checkout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import geo; p = geo.read_layer('parks'); print(geo.__file__); print(p.crs); print(len(p)); "
            "print(len(geo.read_citations()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    where, crs, count, cites = out.stdout.split()
    assert where.startswith(str(target)) and crs == "EPSG:4326"
    catalog = json.loads((ROOT / "layers" / "catalog.json").read_text(encoding="utf-8"))
    assert int(count) == catalog["layers"]["parks"]["feature_count"] and int(cites) > 100
