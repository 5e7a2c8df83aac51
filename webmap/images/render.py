"""Static PNG of a place, a layer or the whole map over the district boundaries: for print and
link previews.

No tiles: the districts give the context — the one a place lies in tinted and named, the places
around it drawn in grey and named — a scale bar gives the size, and the credit line, in the page's
language, names the articles and the boundary source, wrapped between words (and between Chinese
characters), never inside a word. An approximate place says so under the title. A link-preview
card is exactly `CARD` pixels. Rendering is deterministic (no timestamps in the PNG) and cached per
build, so the same request always returns the same bytes.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field

import shapely
from shapely.geometry import box, shape

from geo.render import CONTEXT, draw, draw_districts, frame, pyplot
from webmap.core.text import credit_sources
from webmap.i18n import t

MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 200, 2000, 800
CARD = (1200, 630)                # px: the link-preview picture (OpenGraph's recommended size)
SITE_IMAGE = "all"                # the image of the whole map (every layer of places)
DPI = 100
MIN_SPAN = 0.06                   # degrees (~6 km): a place's picture shows the streets and zones around it
_PAD = 8                          # px around the title and the credit line
_LEADING = 1.3                    # line height, in font sizes
KEEP, NEIGHBOUR = "jz-keep", "jz-neighbour"      # the gids of labels `declutter` ranks
# A token the credit line may not be broken inside: a run of non-CJK, non-space characters, or one
# CJK character with the punctuation that must follow it on the same line.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CLOSE = "，。；：、）》」』"
_JOINERS = ("·", "—", "–")         # separators that end a line rather than start one
_TOKEN = re.compile(rf"[{_CJK}][{_CLOSE},.;:)]*|[^\s{_CJK}]+[{_CLOSE}]*|\s+")


@dataclass
class Picture:
    """What one image shows: the features in `colour`, a title, an optional note under it
    (an approximate place), grey neighbours for context, in `lang`."""
    features: list[dict]
    title: str
    colour: str
    lang: str = "zh"
    note: str | None = None
    neighbours: list[dict] = field(default_factory=list)
    focus: bool = False           # one place: frame wide enough for its surroundings, its district tinted


def credit(features: list[dict], lang: str) -> str:
    """The credit line in `lang`: the articles (outlet and date), the data and boundary credit."""
    sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
    seen = list(dict.fromkeys(f"{s['outlet'] or t(lang, 'outlet_unknown')} {s['date'] or ''}".strip()
                              for s in credit_sources(features)))
    sources = sep.join(seen[:4]) + (" …" if len(seen) > 4 else "")
    return f"{t(lang, 'credit_sources')}{colon}{sources} · {t(lang, 'data_credit')} · WGS-84"


def wrap(text: str, fits) -> list[str]:
    """`text` in lines for which `fits(line)` holds, broken only between words or CJK characters
    (a word longer than a line gets a line of its own)."""
    lines, line = [], ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            line += token if line else ""
        elif not line.strip() or fits(line + token) or token in _JOINERS:     # "a ·" rather than "· b"
            line += token
        else:
            lines.append(line.rstrip())
            line = token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _scale_bar(ax, x0, x1, y0, y1) -> None:
    """A bar of a round length near a fifth of the width, measured at the map's latitude."""
    lat = (y0 + y1) / 2
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    width_km = (x1 - x0) * km_per_deg
    target = width_km / 5
    length = max(v for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if v <= max(target, 0.1))
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + length / km_per_deg], [by, by], color="black", linewidth=3, solid_capstyle="butt")
    ax.text(bx + length / km_per_deg / 2, by + (y1 - y0) * 0.015, f"{length:g} km", ha="center", fontsize=8,
            gid=KEEP)


def _bounds(shapes, focus: bool) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = shapes.total_bounds
    pad = max(x1 - x0, y1 - y0, 0.01) * 0.25
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    if focus:                                # at least MIN_SPAN across, centred on the place
        cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, MIN_SPAN / 2
        x0, x1, y0, y1 = min(x0, cx - half), max(x1, cx + half), min(y0, cy - half), max(y1, cy + half)
    return x0, y0, x1, y1


def _fill(bounds, aspect: float, px_w: float, px_h: float):
    """`bounds` widened in one direction so that they fill a px_w × px_h box at `aspect`."""
    x0, y0, x1, y1 = bounds
    want = px_w / px_h                       # ground width / (ground height × aspect)
    have = (x1 - x0) / ((y1 - y0) * aspect)
    if have < want:
        grow = ((y1 - y0) * aspect * want - (x1 - x0)) / 2
        return x0 - grow, y0, x1 + grow, y1
    grow = ((x1 - x0) / (aspect * want) - (y1 - y0)) / 2
    return x0, y0 - grow, x1, y1 + grow


def _context(ax, pic: Picture, districts, bounds, fontsize: float, labels: int) -> None:
    """Districts outlined (the place's own tinted and named), neighbouring places in grey, the
    largest `labels` of them named."""
    x0, y0, x1, y1 = bounds
    view = box(x0, y0, x1, y1)
    draw_districts(ax, districts, bounds, fontsize)
    if pic.focus and pic.features:
        here = shapely.union_all([shape(f["geometry"]) for f in pic.features]).representative_point()
        home = districts[districts.intersects(here)]
        if not home.empty:
            home.plot(ax=ax, color=CONTEXT, alpha=0.12, linewidth=0)
            spot = home.geometry.iloc[0].intersection(view)
            if not spot.is_empty and not home.representative_point().iloc[0].within(view):
                p = spot.representative_point()     # its usual label is off the picture: name it here
                ax.text(p.x, p.y, home["name"].iloc[0], color=CONTEXT, fontsize=fontsize, ha="center")
    near = [f for f in pic.neighbours if shape(f["geometry"]).intersects(view)]
    if near:
        draw(ax, frame(near).assign(precision="neighbour"), CONTEXT, fill=False)
    placed: list = []                        # the largest first; a name too close to one placed is left out
    for f in sorted(near, key=lambda f: -shape(f["geometry"]).intersection(view).area):
        p = shape(f["geometry"]).intersection(view).representative_point()
        if len(placed) >= labels or any(abs(p.x - q.x) < (x1 - x0) * 0.2 and abs(p.y - q.y) < (y1 - y0) * 0.06
                                         for q in placed):
            continue
        placed.append(p)
        props = f["properties"]
        name = (props.get("name_en") if pic.lang == "en" else None) or props.get("name")
        ax.text(p.x, p.y, name, color="#616161", fontsize=fontsize * 0.8, ha="center", va="center", gid=NEIGHBOUR)


def declutter(ax) -> None:
    """Hide the map's labels that would run off its edge ("ercial Port…") or lie on a label kept
    before them. Kept first: the scale bar's length (`KEEP`), then the district names, then the
    neighbouring places' (`NEIGHBOUR`), each in the order drawn (the largest first)."""
    renderer = ax.figure.canvas.get_renderer()
    edge = ax.get_window_extent(renderer)
    kept = []
    for t in sorted(ax.texts, key=lambda t: {KEEP: 0, NEIGHBOUR: 2}.get(t.get_gid(), 1)):   # stable: drawing order
        box = t.get_window_extent(renderer)
        inside = edge.x0 <= box.x0 and box.x1 <= edge.x1 and edge.y0 <= box.y0 and box.y1 <= edge.y1
        if t.get_gid() != KEEP and (not inside or any(box.overlaps(k) for k in kept)):
            t.set_visible(False)
        else:
            kept.append(box)


class _Text:
    """Lines of text laid out in pixels: wrapped to the picture's width, measured with the real font."""
    def __init__(self, fig, width: int):
        self.fig, self.width, self.renderer = fig, width, fig.canvas.get_renderer()
        self.probe = fig.text(0, 0, "")

    def lines(self, text: str | None, size: float, weight: str = "normal") -> list[str]:
        if not text:
            return []
        self.probe.set_fontsize(size)
        self.probe.set_fontweight(weight)

        def fits(line: str) -> bool:
            self.probe.set_text(line)
            return self.probe.get_window_extent(self.renderer).width <= self.width - 2 * _PAD
        return wrap(text, fits)

    @staticmethod
    def height(lines: list[str], size: float) -> float:
        return len(lines) * size * DPI / 72 * _LEADING


def render_png(pic: Picture, districts: list[dict], width: int, height: int | None = None) -> bytes:
    """Draw the picture `width` pixels wide: `height` tall if given, else as tall as its frame needs.
    Title, note and credit are wrapped first; the map takes the height they leave."""
    plt = pyplot()
    scale = max(0.7, min(1.6, width / 800))
    sizes = (13 * scale, 9 * scale, 7 * scale)                     # pt: title, note, credit
    fig = plt.figure(figsize=(width / DPI, 1), dpi=DPI)
    text = _Text(fig, width)
    title, note = text.lines(pic.title, sizes[0], "bold"), text.lines(pic.note, sizes[1])
    credit_lines = text.lines(credit(pic.features, pic.lang), sizes[2])
    text.probe.remove()
    top = 2 * _PAD + text.height(title, sizes[0]) + text.height(note, sizes[1])
    bottom = 2 * _PAD + text.height(credit_lines, sizes[2])
    shapes = frame(pic.features)
    x0, y0, x1, y1 = _bounds(shapes, pic.focus)
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))
    if height is None:
        map_h = max(100, min(width * (y1 - y0) * aspect / (x1 - x0), width * 1.5))
        height = math.ceil(top + map_h + bottom)
    map_h = height - top - bottom
    x0, y0, x1, y1 = _fill((x0, y0, x1, y1), aspect, width, map_h)
    fig.set_size_inches(width / DPI, height / DPI)
    ax = fig.add_axes((0, bottom / height, 1, map_h / height))
    around = frame(districts)
    if pic.lang == "en":
        around["name"] = around["name_en"].fillna(around["name"])
    _context(ax, pic, around, (x0, y0, x1, y1), 10 * scale, labels=max(1, min(8, width // 120)))
    draw(ax, shapes, pic.colour)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)
    ax.set_axis_off()
    _scale_bar(ax, x0, x1, y0, y1)
    declutter(ax)
    x, y = _PAD / width, 1 - _PAD / height
    fig.text(x, y, "\n".join(title), fontsize=sizes[0], va="top", weight="bold", linespacing=_LEADING)
    if note:
        fig.text(x, y - text.height(title, sizes[0]) / height, "\n".join(note), fontsize=sizes[1], va="top",
                 color="#8a5a00", linespacing=_LEADING)
    fig.text(x, _PAD / height, "\n".join(credit_lines), fontsize=sizes[2], va="bottom", color="#444444",
             linespacing=_LEADING)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
