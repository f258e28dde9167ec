"""The CIQ's public information in ``load_demo``: a few documents of the
library, each titled « Démonstration — … », flagged ``is_demo`` and carrying a
one-page PDF that says it is a demonstration. No real document of the CIQ is
given by our sources: none is stored in ``data/``.

Documents are looked up by their title before being created, so a second
run changes nothing.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from concerto.ciq.models import CIQ_CODE
from concerto.core.demo import demo_title
from concerto.organizations.models import Organization

from .models import Document
from .services import create_document, publish_document

DOCUMENTS = [
    (
        Document.Kind.STUDY,
        "Étude sur les délais de reconnaissance des diplômes obtenus hors du Québec",
        datetime.date(2025, 2, 12),
        "Document fictif, créé pour montrer la bibliothèque du CIQ dans Concerto.",
        True,
    ),
    (
        Document.Kind.FACT_SHEET,
        "Fiche d’information : qu’est-ce qu’un ordre professionnel ?",
        datetime.date(2024, 11, 5),
        "Document fictif, créé pour montrer la bibliothèque du CIQ dans Concerto.",
        True,
    ),
    (
        Document.Kind.PRESS_RELEASE,
        "Communiqué : le CIQ publie son avis sur la délivrance des permis",
        datetime.date(2025, 5, 2),
        "Document fictif, créé pour montrer la bibliothèque du CIQ dans Concerto (brouillon).",
        False,
    ),
]


def demo_pdf() -> bytes:
    """A one-page PDF whose only text says it is a demonstration document."""
    text = "Document de demonstration - Concerto".encode("ascii")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def load_information_demo(*, out) -> str:
    ciq = Organization.objects.filter(code=CIQ_CODE).first()
    if ciq is None:
        return "rien chargé : importez d’abord les organisations (make load)"
    # The loader acts as the installation itself: a superuser that is never saved.
    actor = get_user_model()(username="demonstration", is_superuser=True, is_active=True)
    created = 0
    for kind, title, date, summary, published in DOCUMENTS:
        title = demo_title(title)
        if Document.objects.filter(owner=ciq, title=title).exists():
            continue
        document = create_document(
            owner=ciq,
            title=title,
            kind=kind,
            date=date,
            summary=demo_title(summary),
            upload=SimpleUploadedFile(f"demonstration-{kind}.pdf", demo_pdf(), "application/pdf"),
            user=actor,
            is_demo=True,
        )
        if published:
            publish_document(document=document, user=actor)
        created += 1
        out(f"  {title}")
    return f"{created} document(s) de démonstration" if created else "documents déjà présents, rien de changé"
