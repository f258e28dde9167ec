"""The measure page's chart: its percentage at each reporting date, as server-side SVG.

Inline SVG needs no script and prints; it carries a title and a description
for screen readers, and the page shows the same figures in a table beside it.
Presentation attributes only (no ``style``), so the strict CSP holds.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 36
BLUE, GREY, TEXT = "#095797", "#c5cad2", "#223654"


def progress_chart_svg(reports) -> SafeString:
    """``reports``: the measure's states, any order; those without a percentage are left out.

    Empty when no date has a percentage; a single date is one point in the middle.
    """
    points = sorted(((r.as_of, r.percent) for r in reports if r.percent is not None), key=lambda p: p[0])
    if not points:
        return mark_safe("")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    # Dates evenly spaced (reporting dates are yearly), with a margin for their labels.
    inner = plot_w - 2 * 30
    step = inner / (len(points) - 1) if len(points) > 1 else 0
    start = LEFT + 30 if len(points) > 1 else LEFT + plot_w / 2

    def xy(index, percent):
        return start + index * step, TOP + plot_h * (100 - percent) / 100

    def n(value) -> str:
        return f"{value:.1f}"

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="11">{}\u00a0%</text>',
        (
            (LEFT, n(y), WIDTH - RIGHT, n(y), GREY, LEFT - 6, n(y + 4), TEXT, tick)
            for tick, y in ((tick, TOP + plot_h * (100 - tick) / 100) for tick in (0, 50, 100))
        ),
    )
    coordinates = [xy(i, percent) for i, (_day, percent) in enumerate(points)]
    line = " ".join(f"{n(x)},{n(y)}" for x, y in coordinates)
    marks = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="{}"/>'
        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11" font-weight="bold">{}\u00a0%</text>'
        '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
        (
            (
                n(x),
                n(y),
                BLUE,
                n(x),
                n(max(y - 8, 10)),
                TEXT,
                percent,
                n(x),
                HEIGHT - BOTTOM + 18,
                TEXT,
                date_format(day, "M Y"),
            )
            for (x, y), (day, percent) in zip(coordinates, points, strict=True)
        ),
    )
    first, last = points[0], points[-1]
    figures = {
        "first_percent": first[1],
        "first_date": date_format(first[0], "j F Y"),
        "last_percent": last[1],
        "last_date": date_format(last[0], "j F Y"),
        "count": len(points),
    }
    if len(points) > 1:
        description = _(
            "De %(first_percent)s %% au %(first_date)s à %(last_percent)s %% au %(last_date)s, "
            "sur %(count)s dates de suivi ; le tableau qui suit donne chaque valeur."
        )
    else:
        description = _(
            "%(last_percent)s %% au %(last_date)s, seule date de suivi chiffrée ; "
            "le tableau qui suit donne l’état à chaque date."
        )
    description %= figures
    return format_html(
        '<svg class="progress-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-labelledby="progress-chart-title progress-chart-desc" '
        'font-family="Open Sans, Helvetica, Arial, sans-serif">'
        '<title id="progress-chart-title">{}</title><desc id="progress-chart-desc">{}</desc>'
        '{}<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        _("Avancement de la mesure selon la date de suivi"),
        description,
        grid,
        line,
        BLUE,
        marks,
    )
