"""Where the project's data lives; every command takes overrides so tests can point elsewhere.

The built layers are package data (`geo/_layers`, a link to the checkout's `layers/` that a
normal `pip install .` copies into the package), so `geo.read_layer()` works from any install;
`JINAN_ZONES_LAYERS` points it at another build.
"""
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
SEEDS = ROOT / "seeds"
GAZETTEER = PACKAGE / "gazetteer"
LAYERS = Path(os.environ.get("JINAN_ZONES_LAYERS") or (PACKAGE / "_layers")).resolve()
