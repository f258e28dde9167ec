"""Server-side SVG bar chart of progress by theme: it prints and needs no script."""

from xml.sax.saxutils import escape

from .content import Report

WIDTH = 640
BAR_HEIGHT = 22
GAP = 12
LABEL_WIDTH = 300
BAR_AREA = WIDTH - LABEL_WIDTH - 70


def theme_chart_svg(report: Report) -> str:
    rows = [(f"{t.number}. {t.title}", t.average_percent) for t in report.themes]
    height = GAP + len(rows) * (BAR_HEIGHT + GAP) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="Open Sans, DejaVu Sans, sans-serif" font-size="12">',
        f"<title>{escape(chart_description(report))}</title>",
    ]
    x0 = LABEL_WIDTH
    for tick in (0, 25, 50, 75, 100):
        x = x0 + BAR_AREA * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 18}" stroke="#c5cad2" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="#4e5662">{tick}\u00a0%</text>'
        )
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        short = label if len(label) <= 50 else label[:49] + "…"
        parts.append(
            f'<text x="{x0 - 8}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end" fill="#223654">{escape(short)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{x0 + 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" fill="#4e5662" font-style="italic">non chiffré</text>'
            )
            continue
        width = BAR_AREA * value / 100
        parts.append(f'<rect x="{x0}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" fill="#095797"/>')
        parts.append(
            f'<text x="{x0 + width + 6:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}" fill="#223654" font-weight="bold">{value}\u00a0%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def chart_description(report: Report) -> str:
    """The chart's text alternative: every value it shows."""
    values = "; ".join(
        f"thème {t.number}, {t.title} : "
        + (f"{t.average_percent}\u00a0%" if t.average_percent is not None else "non chiffré")
        for t in report.themes
    )
    return f"Avancement moyen des mesures chiffrées, par thème — {values}."
