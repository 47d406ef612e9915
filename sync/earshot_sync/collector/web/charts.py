"""Charts drawn on the server as SVG: they need no script, no CDN and no network.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in words what
it shows, and a ``<title>`` on every bar or point (a tooltip, and what a screen reader reads).
Colours come from presentation attributes, not ``style=``, so the strict Content-Security-Policy
(no inline styles) does not blank them. The palette (Okabe and Ito) is told apart by people with
the common colour-vision deficiencies. Every label is escaped: tags and sites are typed by people.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 720
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 34, 44

KIND_COLOURS = {
    "praise": "#009E73",
    "complaint": "#D55E00",
    "suggestion": "#0072B2",
    "question": "#E69F00",
    "other": "#8C8C8C",
}
SENTIMENT_COLOURS = {
    "positive": "#009E73",
    "neutral": "#8C8C8C",
    "negative": "#D55E00",
    "none": "#CCCCCC",
}
BAR_COLOUR = "#0072B2"


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend and the tooltips
    colour: str
    values: Sequence[int]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def nice_step(largest: int, ticks: int = 4) -> int:
    """A step of 1, 2 or 5 times a power of ten that gives about ``ticks`` grid lines."""
    if largest <= ticks:
        return 1
    raw = largest / ticks
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _open(title: str, summary: str, height: int) -> tuple[list[str], str]:
    # Ids unique per title on a page (one page never shows one chart twice).
    key = "chart-" + hashlib.sha256(title.encode()).hexdigest()[:10]
    head = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-title">{_e(title)}</title>',
        f'<desc id="{key}-desc">{_e(summary)}</desc>',
    ]
    return head, key


def _legend(series: Sequence[Series]) -> list[str]:
    parts, x = [], LEFT
    for one in series:
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{_e(one.colour)}"/>')
        parts.append(f'<text class="legend" x="{x + 16}" y="18">{_e(one.name)}</text>')
        x += 24 + 8 * len(one.name)
    return parts


def _y_axis(largest: int, plot_height: int) -> tuple[list[str], float]:
    step = nice_step(largest)
    top = max(step, -(-largest // step) * step)
    scale = plot_height / top
    parts = []
    for value in range(0, top + 1, step):
        y = TOP + plot_height - value * scale
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    return parts, scale


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    every = max(1, -(-len(labels) * 48 // (WIDTH - LEFT - RIGHT)))
    parts = []
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = LEFT + slot * (index + 0.5)
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
            f"{_e(label)}</text>"
        )
    return parts


def stacked_bars(
    title: str, summary: str, labels: Sequence[str], series: Sequence[Series], unit: str
) -> Markup:
    """One bar per label (a day), stacked by series (kinds); ``unit`` names what is counted."""
    parts, _key = _open(title, summary, HEIGHT)
    plot_height = HEIGHT - TOP - BOTTOM
    totals = [sum(one.values[i] for one in series) for i in range(len(labels))]
    grid, scale = _y_axis(max(totals, default=0), plot_height)
    parts += grid + _legend(series)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    bar = max(1.0, slot * 0.75)
    for index, label in enumerate(labels):
        base: float = TOP + plot_height
        x = LEFT + slot * index + (slot - bar) / 2
        if totals[index]:
            # Under the bars: hovering beside a bar tells the day's total, on it the kind's.
            parts.append(
                f'<rect class="hit" x="{LEFT + slot * index:.1f}" y="{TOP}" width="{slot:.1f}" '
                f'height="{plot_height}" fill="transparent"><title>{_e(label)}: '
                f"{totals[index]} {_e(unit)}</title></rect>"
            )
        for one in series:
            value = one.values[index]
            if not value:
                continue
            height = value * scale
            base -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{_e(one.colour)}"><title>{_e(label)}: {value} {_e(one.name.lower())}'
                f"</title></rect>"
            )
    parts += _x_labels(labels, slot)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through _e


def lines(title: str, summary: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One line per series (a mood) across the labels (days or weeks)."""
    parts, _key = _open(title, summary, HEIGHT)
    plot_height = HEIGHT - TOP - BOTTOM
    largest = max((max(one.values, default=0) for one in series), default=0)
    grid, scale = _y_axis(largest, plot_height)
    parts += grid + _legend(series)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    for one in series:
        points = [
            (LEFT + slot * (index + 0.5), TOP + plot_height - value * scale)
            for index, value in enumerate(one.values)
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{_e(one.colour)}" '
                f'stroke-width="2.5" stroke-linejoin="round"/>'
            )
        for (x, y), label, value in zip(points, labels, one.values, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{_e(one.colour)}">'
                f"<title>{_e(label)}: {value} {_e(one.name.lower())}</title></circle>"
            )
    parts += _x_labels(labels, slot)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through _e


def bars(title: str, summary: str, rows: Sequence[tuple[str, int]], unit: str) -> Markup:
    """Horizontal bars, largest first as given: top tags, entries per site."""
    row_height = 26
    top = 8  # no legend above these
    height = top + row_height * max(1, len(rows)) + 8
    parts, _key = _open(title, summary, height)
    label_width = 200
    largest = max((count for _, count in rows), default=0) or 1
    room = WIDTH - LEFT - label_width - RIGHT - 48
    for index, (label, count) in enumerate(rows):
        y = top + row_height * index
        shown = label if len(label) <= 28 else label[:27] + "…"
        width = max(1.0, room * count / largest)
        parts.append(
            f'<text class="axis" x="{LEFT + label_width - 8}" y="{y + 17}" text-anchor="end">'
            f"{_e(shown)}</text>"
        )
        parts.append(
            f'<rect x="{LEFT + label_width}" y="{y + 4}" width="{width:.1f}" height="18" '
            f'fill="{BAR_COLOUR}"><title>{_e(label)}: {count} {_e(unit)}</title></rect>'
        )
        parts.append(
            f'<text class="value" x="{LEFT + label_width + width + 6:.1f}" y="{y + 17}">'
            f"{count}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above went through _e
