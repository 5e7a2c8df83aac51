"""What every template gets: the translation helper `t`, data labels, the text helpers of
`webmap.core.text`, and `render_page`, which passes the interface language once per page.

`t("key")` reads the template's own `lang`, so neither views nor macros pass a translator around.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, render_template
from jinja2 import pass_context

from webmap.core import text
from webmap.i18n import HTML_LANG, KINDS, METHOD, PRECISION, VERTEX_BASIS, label, t

_TABLES = {"KINDS": KINDS, "METHOD": METHOD, "PRECISION": PRECISION, "VERTEX_BASIS": VERTEX_BASIS}


@pass_context
def translate(ctx, key: str) -> str:
    """The interface word `key` in the page's language."""
    return t(ctx.get("lang") or "zh", key)


@pass_context
def data_label(ctx, table: str, value) -> str:
    """A data value (a kind, a precision, a method) in the page's language."""
    return label(_TABLES[table], ctx.get("lang") or "zh", value)


def install(app: Flask) -> None:
    app.jinja_env.globals.update(
        t=translate, label=data_label, quote_parts=text.quote_parts, link_parts=text.link_parts,
        url_text=text.url_text, area_text=text.area_text, precision_text=text.precision_text,
        framework_labels=text.framework_labels)
    # Source links from data: only http(s) URLs become links, never javascript: or data:.
    app.jinja_env.tests["match_http"] = lambda url: isinstance(url, str) and url.startswith(("http://", "https://"))


def render_page(template: str, lang: str, **context) -> str:
    """A page in `lang`: its html lang, the other language, and the query keeping `lang` (and the
    context's `basemap`, if not the default) on links."""
    other = "en" if lang == "zh" else "zh"
    basemap = context.get("basemap", "osm")
    return render_template(template, lang=lang, html_lang=HTML_LANG[lang], lang_args=text.nav_args(lang, basemap),
                           switch_lang="?" + urlencode({"lang": other} | text.nav_args(other, basemap)),
                           other_lang=other, **context)
