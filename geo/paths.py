"""Where the project's data lives; every command takes overrides so tests can point elsewhere."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LAYERS = ROOT / "layers"
GAZETTEER = Path(__file__).resolve().parent / "gazetteer"
