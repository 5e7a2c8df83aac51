"""The query parameters of the map (`/`, `/places/<id>`) and of the embed (`/embed`, its builder, oEmbed).

Both take the same lang, basemap, layers, place and popup, so they are checked here, once: a bad value
is a 400 that names it, an unknown place a 404 (on the map a value that is not a place id at all is
a 400). The embed words some messages its own way and, having nothing to show without it, answers
any unknown place with a 404; `embed=True` asks for that and for its own parameters.
`integer` is the app's one parser of integer parameters (image width, builder size, oEmbed bounds).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import abort

from webmap.core.basemaps import available_basemaps
from webmap.i18n import LANGS, t

# What a place id looks like (`huaiyin/medical-science-center`): on the map a value of another shape
# is a 400 (malformed), a well-formed id no place has a 404 (unknown); an embed answers 404 to both.
PLACE_ID = re.compile(r"(?=.{3,200}$)[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)+")
CONTROLS = ("zoom", "layers", "fullscreen", "scale")      # the controls an embed may show, in this order
MAX_TITLE = 200                                           # characters of an embed's title
_SHOWN = 60                                               # characters of a bad value echoed in a 400


def shown(value: str) -> str:
    """`value` as an error message quotes it: cut short."""
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "…"


@dataclass(frozen=True)
class View:
    """What a map shows; `query()` is its canonical embed URL query (defaults left out)."""
    place: str | None = None
    layers: tuple[str, ...] | None = None
    basemap: str = "osm"
    lang: str = "zh"
    controls: tuple[str, ...] = ("zoom",)
    popup: bool = False               # an embed's popup is closed unless asked for (the map's opens)
    scroll: bool = False
    title: str = ""
    legend: bool = False

    def query(self) -> dict[str, str]:
        q = {}
        if self.place:
            q["place"] = self.place
        if self.layers:
            q["layers"] = ",".join(self.layers)
        if self.basemap != "osm":
            q["basemap"] = self.basemap
        if self.lang != "zh":
            q["lang"] = self.lang
        if self.controls != ("zoom",):
            q["controls"] = ",".join(self.controls)
        if self.place and self.popup:
            q["popup"] = "1"
        if self.scroll:
            q["scroll"] = "1"
        if self.legend:
            q["legend"] = "1"
        if self.title:
            q["title"] = self.title
        return q


def unknown_place(lang: str, place_id: str) -> None:
    """A 404 naming the place id no place has, in the page's language (map, place page, popup)."""
    abort(404, description=t(lang, "err_no_place").format(id=repr(shown(place_id))))


def _one(args: MultiDict, name: str, embed: bool) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        abort(400, description=f"{'' if embed else '?'}{name} is given {len(values)} times; give it once.")
    return values[0] if values else None


def lang(args: MultiDict, embed: bool = False) -> str:
    value = _one(args, "lang", embed)
    if value is None or embed and not value:              # an embed takes lang= as the default
        return "zh"
    if value not in LANGS:
        abort(400, description=f"Unknown language {shown(value)!r}: use one of {', '.join(LANGS)}.")
    return value


def basemap(args: MultiDict, config: Mapping, embed: bool = False) -> str:
    value = _one(args, "basemap", embed)
    if value is None or embed and not value:              # an embed takes basemap= as the default
        return "osm"
    allowed = available_basemaps(config.get("TIANDITU_KEY"))
    if value == "tianditu" and value not in allowed and not embed:
        abort(400, description="The Tianditu basemap needs a TIANDITU_KEY in the app's configuration.")
    if value not in allowed:
        need = " (the Tianditu basemap needs a TIANDITU_KEY in the app's configuration)" \
            if value == "tianditu" else ""
        abort(400, description=f"Unknown basemap {shown(value)!r}{need}: use one of {', '.join(allowed)}.")
    return value


def layer_names(args: MultiDict, snap, embed: bool = False) -> tuple[str, ...] | None:
    """?layers checked (None when absent): the map keeps the order given (its link preview's title
    follows it), an embed and the display routes the catalog's. On the map a bare `?layers=` is
    every layer unticked (its URL says so, a reload keeps it); an embed must show something."""
    raw = _one(args, "layers", embed)
    if raw is None:
        return None
    if raw == "" and not embed:
        return ()
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        abort(400, description=f"{'' if embed else '?'}layers is empty: name one or more layers, separated by commas.")
    unknown = [n for n in names if n not in snap.layers]
    if unknown:
        abort(400, description=f"Unknown layer {shown(unknown[0])!r}: the layers are {', '.join(snap.layers)}.")
    return tuple(n for n in snap.layers if n in names) if embed else tuple(dict.fromkeys(names))


def parse(args: MultiDict, snap, config: Mapping, embed: bool = False) -> View:
    """lang, basemap, layers, place and popup, checked; with `embed`, also controls, scroll, title and legend."""
    lang_, basemap_ = lang(args, embed), basemap(args, config, embed)
    layers = layer_names(args, snap, embed)
    place = _one(args, "place", embed)
    if place is not None:
        if place not in snap.places and not embed and not PLACE_ID.fullmatch(place):
            abort(400, description=f"?place={shown(place)!r} is not a place id (<district>/<name>, "
                                   "lower-case letters, digits and hyphens).")
        if place not in snap.places:
            unknown_place(lang_, place)
        if layers is not None and not set(snap.place_layers[place]) & set(layers):
            abort(400, description=f"The place {shown(place)!r} is in none of the layers chosen"
                                   f"{'' if embed else ' in ?layers'} (it is in {', '.join(snap.place_layers[place])}).")
    if not embed:
        popup = _one(args, "popup", False)
        if popup not in (None, "0", "1"):
            abort(400, description=f"?popup is {shown(popup)!r}: use 1 (open the place's popup, the default) or 0.")
        return View(place, layers, basemap_, lang_, popup=popup != "0")
    controls = View.controls
    raw = _one(args, "controls", True)
    if raw is not None:
        names = [c.strip() for c in raw.split(",") if c.strip()]
        wrong = [c for c in names if c not in CONTROLS]
        if wrong:
            abort(400, description=f"Unknown control {shown(wrong[0])!r}: use any of {', '.join(CONTROLS)}, "
                                   "separated by commas (controls= with nothing shows none).")
        controls = tuple(c for c in CONTROLS if c in names)
    popup, scroll, legend = _flag(args, "popup", False), _flag(args, "scroll", False), _flag(args, "legend", False)
    title = (_one(args, "title", True) or "").strip()
    if len(title) > MAX_TITLE:
        abort(400, description=f"title is {len(title)} characters long; at most {MAX_TITLE}.")
    if any(unicodedata.category(c) == "Cc" for c in title):    # NUL, line breaks, escapes: not a caption's
        abort(400, description="title contains control characters (a line break, NUL…): give it on one line.")
    return View(place, layers, basemap_, lang_, controls, popup, scroll, title, legend)


def _flag(args: MultiDict, name: str, default: bool) -> bool:
    value = _one(args, name, True)
    if value is None:
        return default
    if value not in ("0", "1"):
        abort(400, description=f"{name} must be 0 or 1, got {shown(value)!r}.")
    return value == "1"


def integer(args: MultiDict, name: str, default: int | None, lo: int, hi: int, unit: str = "pixels") -> int | None:
    """The app's one integer parameter: ASCII digits only (`str.isdigit` takes "²" and "①", which
    `int()` then refuses, and Arabic-Indic digits, which it accepts), within [lo, hi]; else a 400."""
    raw = _one(args, name, True)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not lo <= int(raw) <= hi:
        abort(400, description=f"{name} must be a whole number of {unit} from {lo} to {hi} "
                               f"(ASCII digits), got {shown(raw)!r}.")
    return int(raw)
