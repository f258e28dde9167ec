"""The certificate of attendance (attestation de participation): a tagged PDF (PDF/UA-1, WeasyPrint).

In French, whatever the language of the person who asks (it is the CIQ's
official document), with the look of the opinions' and reports' PDFs: the
Québec logo, the CIQ's name, the activity, the date, the hours, the
person's name. Demonstration data says so on the page.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from concerto.core.demo import DEMO_MARK
from concerto.reports.pdf import _css_string, _static_path

from .models import Registration

AUTHOR = "Conseil interprofessionnel du Québec"


def _hours(value) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def render_html(registration: Registration) -> str:
    session = registration.session
    activity = session.activity
    user = registration.user
    fonts = _static_path("sdg/fonts/open-sans-v43-latin-regular.woff2").parent.as_uri()
    css = render_to_string(
        "activities/certificate.css",
        {"fonts": fonts, "running_author": _css_string(AUTHOR)},
    )
    logo = _static_path("sdg/img/QUEBEC_couleur.svg").read_bytes()
    with translation.override("fr"):
        start = timezone.localtime(session.starts_at)
        context = {
            "css": css,
            "author": AUTHOR,
            "demo": activity.is_demo,
            "demo_mark": DEMO_MARK,
            "logo": "data:image/svg+xml;base64," + base64.b64encode(logo).decode(),
            "name": user.get_full_name() or user.username,
            "organization": registration.organization.name,
            "activity": activity,
            "kind": str(activity.get_kind_display()).lower(),
            "date": formats.date_format(start, "j F Y"),
            "hours": _hours(activity.hours),
            "place": session.place or "en ligne",
            "issued": formats.date_format(timezone.localdate(), "j F Y"),
            "number": f"ATT-{session.pk:05d}-{registration.pk:06d}",
        }
        return render_to_string("activities/certificate.html", context)


def render_certificate(registration: Registration) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(registration), base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=f"attestation-{registration.pk}".encode(),
        uncompressed_pdf=False,
    )
