"""The published opinion as documents: a tagged PDF (PDF/UA-1, WeasyPrint) and Word (python-docx).

Both are made from one ``OpinionDocument`` (the adopted text, split into
its sections, and the facts of the file and the adoption), so that the two
say the same thing. The documents are in French, whatever the language of
the person who asked: they are the CIQ's official text.
"""

from __future__ import annotations

import base64
import datetime
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from concerto.core.demo import DEMO_MARK
from concerto.core.markdown import plain_text, render_markdown
from concerto.core.zipfiles import stable_zip
from concerto.reports.pdf import _css_string, _static_path

from .models import Opinion, OpinionVersion
from .text import HEADING, blocks

AUTHOR = "Conseil interprofessionnel du Québec"


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)  # Markdown


@dataclass
class OpinionDocument:
    reference: str
    title: str
    dossier_reference: str
    dossier_title: str
    subject: str
    authority: str
    adopted_on: datetime.date | None
    deciding_body: str
    resolution_number: str
    votes: str
    version: int
    is_demo: bool
    sections: list[Section]

    @property
    def filename_stem(self) -> str:
        return self.reference.lower()

    @property
    def adopted_text(self) -> str:
        return _long_date(self.adopted_on) if self.adopted_on else ""


def _long_date(day: datetime.date) -> str:
    with translation.override("fr"):
        return formats.date_format(day, "j F Y")


def build_document(opinion: Opinion, version: OpinionVersion) -> OpinionDocument:
    """The content of the documents: the version's text in its sections, and the file's facts."""
    sections: list[Section] = []
    current = Section(title="")
    for block in blocks(version.text):
        heading = HEADING.match(block) if "\n" not in block else None
        if heading:
            if current.title or current.paragraphs:
                sections.append(current)
            current = Section(title=heading.group(2).strip())
        else:
            current.paragraphs.append(block)
    if current.title or current.paragraphs:
        sections.append(current)
    dossier = opinion.dossier
    votes = ""
    if opinion.votes_recorded:
        votes = f"pour : {opinion.votes_for or 0} ; contre : {opinion.votes_against or 0} ; abstentions : {opinion.votes_abstaining or 0}"
    with translation.override("fr"):
        subject = str(dossier.get_subject_display())
        authority = str(dossier.authority_label)
    return OpinionDocument(
        reference=opinion.reference,
        title=opinion.title,
        dossier_reference=dossier.reference,
        dossier_title=dossier.title,
        subject=subject,
        authority=authority,
        adopted_on=opinion.adopted_on,
        deciding_body=opinion.deciding_body,
        resolution_number=opinion.resolution_number,
        votes=votes,
        version=version.number,
        is_demo=opinion.is_demo,
        sections=sections,
    )


# --- PDF ------------------------------------------------------------------------


def render_html(document: OpinionDocument) -> str:
    fonts = _static_path("sdg/fonts/open-sans-v43-latin-regular.woff2").parent.as_uri()
    css = render_to_string(
        "opinions/opinion_pdf.css",
        {
            "fonts": fonts,
            "running_title": _css_string(f"{document.reference} — {document.title}"[:90]),
            "running_author": _css_string(AUTHOR),
        },
    )
    logo = _static_path("sdg/img/QUEBEC_couleur.svg").read_bytes()
    sections = [
        {"title": s.title, "paragraphs": [render_markdown(p) for p in s.paragraphs]}
        for s in document.sections
    ]
    with translation.override("fr"):
        return render_to_string(
            "opinions/opinion_pdf.html",
            {
                "document": document,
                "sections": sections,
                "css": css,
                "author": AUTHOR,
                "demo_mark": DEMO_MARK,
                "logo": "data:image/svg+xml;base64," + base64.b64encode(logo).decode(),
            },
        )


def render_pdf(document: OpinionDocument) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(document), base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=document.filename_stem.encode(),
        uncompressed_pdf=False,
    )


# --- Word -----------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def render_docx(document: OpinionDocument) -> bytes:
    """The opinion in Word, with Word's own heading styles (a table of contents works)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    word = Document()
    for style in word.styles:
        rpr = getattr(style.element, "rPr", None)
        if rpr is not None:
            lang = rpr.find(qn("w:lang"))
            if lang is not None:
                lang.set(qn("w:val"), "fr-CA")
    normal = word.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-CA")
    rpr.append(lang)

    props = word.core_properties
    props.title = f"{document.reference} — {document.title}"
    props.author = AUTHOR
    props.language = "fr-CA"
    day = document.adopted_on or datetime.date(2000, 1, 1)
    when = datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC)
    props.created = props.modified = when
    props.last_modified_by = AUTHOR
    props.revision = document.version

    if document.is_demo:
        word.add_paragraph(f"{DEMO_MARK} — document fictif, sans valeur officielle.").runs[0].bold = True
    word.add_paragraph(AUTHOR)
    word.add_heading(_clean(document.title), level=0)
    word.add_paragraph(
        f"Avis {document.reference} — dossier {document.dossier_reference} : {_clean(document.dossier_title)}"
    )
    facts = [("Objet", document.subject), ("Destinataire", document.authority)]
    if document.adopted_on:
        facts.append(("Adopté le", document.adopted_text))
    if document.deciding_body:
        facts.append(("Instance", document.deciding_body))
    if document.resolution_number:
        facts.append(("Résolution", document.resolution_number))
    if document.votes:
        facts.append(("Vote", document.votes))
    for label, value in facts:
        paragraph = word.add_paragraph()
        paragraph.add_run(f"{label}\u00a0: ").bold = True
        paragraph.add_run(_clean(value))
    for section in document.sections:
        if section.title:
            word.add_heading(_clean(section.title), level=1)
        for block in section.paragraphs:
            lines = block.split("\n")
            if all(_LIST_ITEM.match(line) for line in lines):
                for line in lines:
                    word.add_paragraph(_clean(plain_text(_LIST_ITEM.sub("", line))), style="List Bullet")
            else:
                word.add_paragraph(_clean(plain_text(block)))
    output = io.BytesIO()
    word.save(output)
    return stable_zip(output.getvalue(), day)
