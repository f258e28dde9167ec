"""Exports of a consultation's synthesis for offline work: JSON, Excel, Word.

All three are built from ``synthesis.load_synthesis`` (what each order
submitted last), for CIQ staff only: they hold every order's answer. The
Excel file goes through ``concerto.core.spreadsheets`` (no cell is ever a
formula); the Word file through python-docx. Demonstration data says so.
"""

from __future__ import annotations

import datetime
import io
import json

from django.utils import timezone, translation

from concerto.core.demo import DEMO_MARK
from concerto.core.spreadsheets import XLSX_CONTENT_TYPE, append_row, workbook_bytes

from .synthesis import Synthesis

FORMATS = {
    "json": "application/json",
    "xlsx": XLSX_CONTENT_TYPE,
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def as_data(synthesis: Synthesis) -> dict:
    consultation = synthesis.consultation
    dossier = consultation.dossier
    return {
        "schema": "concerto.ciq.consultation/1",
        "demonstration": dossier.is_demo,
        "dossier": {
            "reference": dossier.reference,
            "title": dossier.title,
            "subject": dossier.get_subject_display(),
            "authority": dossier.authority_label,
            "authority_deadline": dossier.authority_deadline.isoformat()
            if dossier.authority_deadline
            else None,
        },
        "consultation": {
            "id": consultation.pk,
            "title": consultation.title,
            "kind": consultation.kind,
            "internal_deadline": consultation.internal_deadline.isoformat(),
            "state": consultation.state,
        },
        "participation": {
            "invited": synthesis.invited,
            "answered": len(synthesis.answered),
            "on_time": synthesis.on_time,
            "late": synthesis.late,
            "not_answered": [o.organization.name for o in synthesis.not_answered],
        },
        "positions": {value: count for value, _label, count in synthesis.positions},
        "answers": [
            {
                "order": o.organization.name,
                "order_code": o.organization.code,
                "position": o.position,
                "late": o.late,
                "version": o.version.number,
                "submitted_at": timezone.localtime(o.version.submitted_at).isoformat(),
                "comments": o.version.comments,
                "article_comments": [
                    {"article": item["heading"], "position": item["position"], "text": item["text"]}
                    for item in o.version.article_comments
                ],
            }
            for o in synthesis.answered
        ],
        "articles": [
            {
                "position": view.article.position,
                "heading": view.article.heading,
                "comment_count": view.count,
            }
            for view in synthesis.articles
        ],
    }


def as_json(synthesis: Synthesis) -> bytes:
    return json.dumps(as_data(synthesis), ensure_ascii=False, indent=2).encode("utf-8")


def as_xlsx(synthesis: Synthesis, *, day: datetime.date | None = None) -> bytes:
    from openpyxl import Workbook

    consultation = synthesis.consultation
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Synthèse"
    if consultation.dossier.is_demo:
        append_row(summary, [f"{DEMO_MARK} — données fictives"])
    append_row(summary, ["Dossier", consultation.dossier.reference, consultation.dossier.title])
    append_row(summary, ["Consultation", consultation.title])
    append_row(summary, ["Date limite des ordres", consultation.internal_deadline])
    append_row(summary, ["Ordres consultés", synthesis.invited])
    append_row(summary, ["Réponses transmises", len(synthesis.answered)])
    append_row(summary, ["Dans les délais", synthesis.on_time])
    append_row(summary, ["En retard", synthesis.late])
    for _value, label, count in synthesis.positions:
        append_row(summary, [f"Position : {label}", count])
    append_row(summary, ["Sans réponse", ", ".join(o.organization.name for o in synthesis.not_answered)])

    answers = workbook.create_sheet("Réponses")
    append_row(answers, ["Ordre", "Position", "En retard", "Version", "Transmise le", "Commentaires"])
    for o in synthesis.answered:
        append_row(
            answers,
            [
                o.organization.name,
                o.position_label,
                "oui" if o.late else "non",
                o.version.number,
                _when(o.version.submitted_at),
                o.version.comments,
            ],
        )
    comments = workbook.create_sheet("Commentaires par article")
    append_row(comments, ["Rang", "Article", "Ordre", "Commentaire"])
    for view in synthesis.articles:
        for organization, text in view.comments:
            append_row(comments, [view.article.position, view.article.heading, organization.name, text])
    return workbook_bytes(workbook, day=day or timezone.localdate())


def as_docx(synthesis: Synthesis) -> bytes:
    import docx

    consultation = synthesis.consultation
    dossier = consultation.dossier
    document = docx.Document()
    document.core_properties.language = "fr-CA"
    document.core_properties.title = f"{dossier.reference} — {consultation.title}"
    document.add_heading(f"Synthèse de la consultation — {consultation.title}", level=0)
    if dossier.is_demo:
        document.add_paragraph(f"{DEMO_MARK} : données fictives, pour découvrir Concerto.")
    document.add_paragraph(f"Dossier {dossier.reference} : {dossier.title}")
    document.add_paragraph(f"Date limite des ordres : {consultation.internal_deadline:%Y-%m-%d}")
    document.add_heading("Participation", level=1)
    document.add_paragraph(
        f"{len(synthesis.answered)} réponse(s) sur {synthesis.invited} ordre(s) consulté(s) ; "
        f"{synthesis.on_time} dans les délais, {synthesis.late} en retard."
    )
    if synthesis.not_answered:
        document.add_paragraph(
            "Sans réponse : " + ", ".join(o.organization.name for o in synthesis.not_answered)
        )
    document.add_heading("Positions", level=1)
    for _value, label, count in synthesis.positions:
        document.add_paragraph(f"{label} : {count}", style="List Bullet")
    document.add_heading("Réponses des ordres", level=1)
    for o in synthesis.answered:
        document.add_heading(o.organization.name, level=2)
        late = " (en retard)" if o.late else ""
        document.add_paragraph(f"Position : {o.position_label}{late} — version {o.version.number}")
        if o.version.comments:
            document.add_paragraph(o.version.comments)
    document.add_heading("Commentaires article par article", level=1)
    for view in synthesis.articles:
        document.add_heading(f"{view.article.heading} ({view.count} ordre(s))", level=2)
        for organization, text in view.comments:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{organization.name} : ").bold = True
            paragraph.add_run(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(synthesis: Synthesis, fmt: str) -> bytes:
    """The export in ``fmt``; always in French (the data's language), whatever the page's."""
    builders = {"json": as_json, "xlsx": as_xlsx, "docx": as_docx}
    if fmt not in builders:
        raise ValueError(fmt)
    with translation.override("fr"):
        return builders[fmt](synthesis)


def filename(synthesis: Synthesis, fmt: str) -> str:
    consultation = synthesis.consultation
    return f"synthese-{consultation.dossier.reference}-{consultation.pk}.{fmt}"
