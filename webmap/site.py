"""Placeholder pages until the web map lands: the layer list and an error page."""
from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("site", __name__)

_INDEX = """<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>Jinan Zones</title>
<h1>Jinan Zones · 济南片区</h1><ul>{% for name, layer in layers %}
<li>{{ layer.title_zh }} — {{ layer.title_en }} ({{ layer.feature_count }})</li>{% endfor %}</ul></html>"""
_ERROR = """<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>{{ code }} {{ name }}</title>
<h1>{{ code }} {{ name }}</h1><p>{{ description }}</p><p><a href="/">Jinan Zones</a></p></html>"""


@bp.get("/")
def index():
    from webmap import store

    return render_template_string(_INDEX, layers=store().snapshot().catalog["layers"].items())


def error_page(exc) -> str:
    return render_template_string(_ERROR, code=exc.code, name=exc.name, description=exc.description)
