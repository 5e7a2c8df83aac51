"""The Flask app: reads layers/ only, never the articles or the gazetteer."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, render_template_string

ROOT = Path(__file__).resolve().parent.parent

_INDEX = """<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>Jinan Zones</title>
<h1>Jinan Zones · 济南片区</h1><ul>{% for name, layer in layers %}
<li>{{ layer.get('title_zh', name) }} — {{ layer.get('title_en', '') }} ({{ layer.get('feature_count', '?') }})</li>
{% endfor %}</ul></html>"""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(LAYERS_DIR=str(ROOT / "layers"))
    app.config.update(config or {})

    @app.get("/")
    def index():
        catalog_path = Path(app.config["LAYERS_DIR"]) / "catalog.json"
        layers = {}
        if catalog_path.exists():
            layers = json.loads(catalog_path.read_text(encoding="utf-8")).get("layers", {})
        return render_template_string(_INDEX, layers=sorted(layers.items()))

    return app
