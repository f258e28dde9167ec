"""Server-side SVG charts of the diagnosis: they print, need no script, and are accessible.

Each chart is an ``img`` role with a ``<title>`` and a ``<desc>`` that gives
the values it draws in words; the page shows the same figures in a table
beside it (the table equivalent). Suppressed values (« x ») are not drawn.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import numpy as np
from django.utils.translation import gettext as _

WIDTH = 640
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
COLOURS = ("#095797", "#ad781c", "#4f813d", "#cb381f", "#6b4fa1", "#1a8bbd", "#8a5a44", "#4e5662")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4", "3 6")
MARK = "Données synthétiques"  # translated when drawn


def _svg_open(width: int, height: int, title: str, desc: str, ident: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" class="pathway-chart" '
        'font-family="Open Sans, DejaVu Sans, sans-serif" font-size="12">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]


MARK_SPACE = 20  # room above the drawing for the « Données synthétiques » mark


def _mark(parts: list[str], synthetic: bool, width: int) -> None:
    if synthetic:
        parts.append(
            f'<text x="{width - RIGHT}" y="14" text-anchor="end" fill="#cb381f" font-weight="bold">{_(MARK)}</text>'
        )


def _short(label: str, size: int = 34) -> str:
    """A label that fits left of the bars; the table beside the chart gives it whole."""
    return label if len(label) <= size else label[: size - 1] + "…"


def step_chart(
    series: list[tuple[str, np.ndarray, np.ndarray]],
    *,
    title: str,
    ident: str,
    y_label: str,
    synthetic: bool = False,
    max_days: float | None = None,
) -> str:
    """Step curves (x: days since the application, y: a share from 0 to 1)."""
    drawn = [(label, np.asarray(x, float), np.asarray(y, float)) for label, x, y in series if len(x)]
    end = max_days or max([float(x[-1]) for _label, x, _y in drawn] + [365.0])
    end = max(30.0, math.ceil(end / 90) * 90)
    legend_height = 18 * len(drawn)
    shift = MARK_SPACE if synthetic else 0
    height = HEIGHT + legend_height + shift
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = TOP + shift

    def px(t: float) -> float:
        return LEFT + plot_w * min(t, end) / end

    def py(v: float) -> float:
        return top + plot_h * (1 - v)

    summary = "; ".join(
        _("%(label)s : %(value)s %% à un an")
        % {
            "label": label,
            "value": round(100 * float(y[np.searchsorted(x, 365, side="right") - 1])) if x[0] <= 365 else 0,
        }
        for label, x, y in drawn
    )
    desc = _("%(what)s selon le nombre de jours depuis la demande. %(values)s.") % {
        "what": y_label,
        "values": summary,
    }
    if synthetic:
        desc = f"{_(MARK)}. {desc}"
    parts = _svg_open(WIDTH, height, title, desc, ident)
    for tick in range(0, 101, 25):
        y = py(tick / 100)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#dfe3e9"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4e5662">{tick}\u00a0%</text>'
        )
    step = 90 if end <= 720 else 180 if end <= 1440 else 365
    for day in range(0, int(end) + 1, step):
        x = px(day)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#4e5662"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="#4e5662">{day}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2:.1f}" y="{top + plot_h + 36}" text-anchor="middle" fill="#223654">'
        f"{escape(_('Jours depuis la demande'))}</text>"
    )
    for index, (label, x, y) in enumerate(drawn):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        points = []
        previous = None
        for t, v in zip(x, y, strict=True):
            if np.isnan(v) or t > end:
                continue
            if previous is not None:
                points.append(f"{px(t):.1f},{py(previous):.1f}")
            points.append(f"{px(t):.1f},{py(v):.1f}")
            previous = v
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} points="{" ".join(points)}"/>'
        )
        ly = HEIGHT + shift + 18 * index + 4
        parts.append(
            f'<line x1="{LEFT}" y1="{ly:.1f}" x2="{LEFT + 28}" y2="{ly:.1f}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        parts.append(f'<text x="{LEFT + 34}" y="{ly + 4:.1f}" fill="#223654">{escape(label)}</text>')
    _mark(parts, synthetic, WIDTH)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: list[tuple[str, object]], *, title: str, ident: str, synthetic: bool = False) -> str:
    """Horizontal bars of counts; a suppressed count (« x ») is written, not drawn."""
    bar, gap, label_width = 20, 10, 260
    height = gap + len(rows) * (bar + gap) + 10
    numbers = [v for _label, v in rows if isinstance(v, int | float)]
    top = max(numbers + [1])
    area = WIDTH - label_width - 80
    desc = "; ".join(f"{label} : {value}" for label, value in rows)
    if synthetic:
        desc = f"{_(MARK)}. {desc}"
    parts = _svg_open(WIDTH, height + (16 if synthetic else 0), title, desc, ident)
    for index, (label, value) in enumerate(rows):
        y = gap + index * (bar + gap) + (16 if synthetic else 0)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="#223654">{escape(_short(label))}</text>'
        )
        if isinstance(value, int | float):
            width = area * value / top
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{width:.1f}" height="{bar}" fill="#095797"/>'
            )
            parts.append(
                f'<text x="{label_width + width + 6:.1f}" y="{y + bar * 0.7:.1f}" fill="#223654">{value}</text>'
            )
        else:
            parts.append(
                f'<text x="{label_width + 6}" y="{y + bar * 0.7:.1f}" fill="#4e5662" font-style="italic">'
                f"{escape(str(value))}</text>"
            )
    if synthetic:
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="12" text-anchor="end" fill="#cb381f" font-weight="bold">{_(MARK)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_steps_chart(rows, steps, *, title: str, ident: str, synthetic: bool = False) -> str:
    """One bar per group: the mean duration of each step, stacked (days)."""
    bar, gap, label_width = 18, 10, 260
    legend = 18 * len(steps)
    shift = MARK_SPACE if synthetic else 0
    height = gap + len(rows) * (bar + gap) + legend + 24 + shift
    totals = [sum(v for v in r.means.values() if v is not None) for r in rows]
    top = max(totals + [1.0])
    area = WIDTH - label_width - 60
    desc = "; ".join(
        f"{r.label} : "
        + ", ".join(
            f"{label} {round(r.means[name])} j" for name, label in steps if r.means.get(name) is not None
        )
        for r in rows
    )
    if synthetic:
        desc = f"{_(MARK)}. {desc}"
    parts = _svg_open(WIDTH, height, title, desc, ident)
    for index, row in enumerate(rows):
        y = shift + gap + index * (bar + gap)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" fill="#223654">{escape(_short(row.label))}</text>'
        )
        x = float(label_width)
        for k, (name, _label) in enumerate(steps):
            value = row.means.get(name)
            if value is None:
                continue
            width = area * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar}" fill="{COLOURS[k]}" stroke="#fff"/>'
            )
            x += width
    base = shift + gap + len(rows) * (bar + gap) + 8
    for k, (_name, label) in enumerate(steps):
        y = base + 18 * k
        parts.append(f'<rect x="{label_width}" y="{y}" width="14" height="12" fill="{COLOURS[k]}"/>')
        parts.append(f'<text x="{label_width + 20}" y="{y + 10}" fill="#223654">{escape(_(label))}</text>')
    _mark(parts, synthetic, WIDTH)
    parts.append("</svg>")
    return "".join(parts)
