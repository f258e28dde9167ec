"""The status report as a tagged PDF (PDF/UA-1), with WeasyPrint."""

from __future__ import annotations

import base64
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .chart import chart_description, theme_chart_svg
from .content import Report

CONTENT_TYPE = "application/pdf"


def _static_path(path: str) -> Path:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"{path} introuvable : lancez « make setup » (npm).")
    return Path(found)


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def render_html(report: Report) -> str:
    fonts = _static_path("sdg/fonts/open-sans-v43-latin-regular.woff2").parent.as_uri()
    css = render_to_string(
        "reports/status_report.css",
        {
            "fonts": fonts,
            "running_title": _css_string(report.title),
            "running_date": _css_string(report.subtitle),
            "running_author": _css_string(report.author),
        },
    )
    logo = _static_path("sdg/img/QUEBEC_couleur.svg").read_bytes()
    chart = theme_chart_svg(report).encode("utf-8")
    return render_to_string(
        "reports/status_report.html",
        {
            "report": report,
            "css": css,
            "logo": "data:image/svg+xml;base64," + base64.b64encode(logo).decode(),
            "chart": "data:image/svg+xml;base64," + base64.b64encode(chart).decode(),
            "chart_description": chart_description(report),
        },
    )


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_html(report)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=report.filename_stem.encode(),
        uncompressed_pdf=False,
    )
