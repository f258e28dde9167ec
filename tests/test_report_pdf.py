"""The official status report as a tagged PDF, read back as a reader would."""

import datetime
import io

import pytest
from pypdf import PdfReader

from concerto.core.typography import french_spacing, markdown_blocks
from concerto.reports.chart import chart_description, theme_chart_svg
from concerto.reports.content import build_report
from concerto.reports.pdf import render_html, render_pdf

from .factories import (
    MeasureFactory,
    MeasureLeadFactory,
    PlanFactory,
    ProgressReportFactory,
    ThemeFactory,
)

AS_OF = datetime.date(2023, 3, 31)
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def real_pdf(django_db_setup, django_db_blocker):
    """The real plan's PDF, rendered once for the module (rendering takes ~2 s)."""
    from django.db import transaction

    from concerto.organizations.domain import import_organizations
    from concerto.plans.importer import import_plan

    from .conftest import ORGANIZATIONS_FILE, REAL_PLAN_FILE

    with django_db_blocker.unblock(), transaction.atomic():
        import_organizations(path=ORGANIZATIONS_FILE)
        plan = import_plan(path=REAL_PLAN_FILE).subject
        content = render_pdf(build_report(plan, AS_OF))
        transaction.set_rollback(True)
    return content


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").split())


def test_pdf_contains_every_measure_of_the_real_plan(real_pdf):
    text = _flat(_text(real_pdf))
    for number, start in [
        (1, "Mettre sur pied une cellule"),
        (2, "Actualiser le diagnostic"),
        (3, "Informer les PFÉ des conditions"),
        (4, "Fournir aux PFÉ des informations"),
        (5, "Reconnaissance des compétences de la main-d’œuvre"),
        (7, "Mise en place de projets"),
        (8, "Optimiser les arrangements"),
        (9, "Soutenir les centres de formation"),
        (10, "Soutenir la réalisation de projets"),
        (11, "Programme d’aide à l’intégration"),
        (12, "Intégration en emploi de personnes"),
        (13, "Octroyer des prêts"),
        (14, "Mettre en place un projet pilote"),
        (15, "Développer une boîte à outils"),
        (16, "Mettre en place de nouveaux projets"),
    ]:
        assert start in text, f"measure {number} missing"


def test_pdf_shows_the_percentages_of_the_source(real_pdf):
    text = _flat(_text(real_pdf))
    for expected in ["50 % OPTMQ", "100 % OIIAQ", "93 %", "60 %"]:
        assert expected in text


def test_pdf_uses_non_breaking_spaces_before_percent_signs(real_pdf):
    text = _text(real_pdf)
    assert f"93{NBSP}%" in text
    assert "93 %" not in text


def test_pdf_has_the_cover_summary_and_checks_appendix(real_pdf):
    text = _flat(_text(real_pdf))
    assert "État d’avancement des mesures au 31 mars 2023" in text
    assert "Office des professions du Québec" in text
    assert "Sommaire" in text
    assert "Contrôles de cohérence" in text
    assert "la mesure 6 est absente" in text


def test_pdf_repeats_the_annex_header_on_every_annex_page(real_pdf):
    reader = PdfReader(io.BytesIO(real_pdf))
    annex_pages = [p for p in reader.pages if p.mediabox.width > p.mediabox.height]
    assert len(annex_pages) >= 3
    for page in annex_pages:
        assert "Indicateurs, cibles et échéances" in page.extract_text()


def test_pdf_numbers_its_pages(real_pdf):
    reader = PdfReader(io.BytesIO(real_pdf))
    total = len(reader.pages)
    assert f"Page 2 de {total}" in reader.pages[1].extract_text()


def test_pdf_is_tagged_for_accessibility_in_french(real_pdf):
    reader = PdfReader(io.BytesIO(real_pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "fr"
    assert reader.metadata.title.startswith("Plan d’action 2019-2024")
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_pdf_embeds_its_fonts(real_pdf):
    reader = PdfReader(io.BytesIO(real_pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            fonts[font["/BaseFont"]] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts


def test_report_at_a_date_without_progress_says_so(real_plan):
    report = build_report(real_plan, datetime.date(2024, 3, 31))
    assert report.is_empty
    text = _flat(_text(render_pdf(report)))
    assert "Aucun état d’avancement n’a été enregistré au 31 mars 2024" in text
    assert "Nom de la mesure" not in text


def _two_year_plan():
    plan = PlanFactory(declared_measure_count=2)
    theme = ThemeFactory(plan=plan, number=1)
    moving = MeasureFactory(plan=plan, theme=theme, number=1)
    still = MeasureFactory(plan=plan, theme=theme, number=2)
    for measure in (moving, still):
        MeasureLeadFactory(measure=measure)
    ProgressReportFactory(measure=moving, as_of=datetime.date(2022, 3, 31), percent=40)
    ProgressReportFactory(measure=moving, as_of=AS_OF, percent=60)
    ProgressReportFactory(measure=still, as_of=datetime.date(2022, 3, 31), percent=20)
    ProgressReportFactory(measure=still, as_of=AS_OF, percent=20)
    return plan


def test_report_shows_the_change_since_the_previous_reporting_date(db):
    report = build_report(_two_year_plan(), AS_OF)
    assert report.previous_as_of == datetime.date(2022, 3, 31)
    assert [m.number for m in report.moved] == [1]
    assert [m.number for m in report.unchanged] == [2]
    assert report.measures[0].percent_display == f"60{NBSP}% (40{NBSP}% au 31 mars 2022)"
    assert report.measures[1].percent_display == f"20{NBSP}%"
    text = _text(render_pdf(report))
    assert "60 % (40 % au 31 mars 2022)" in _flat(text)
    assert "Mesures dont l’avancement a changé : 1 (60 % (40 % au 31 mars 2022))" in _flat(text)


def test_report_without_an_earlier_date_lists_no_change(real_plan):
    report = build_report(real_plan, AS_OF)
    assert report.previous_as_of is None
    assert report.moved == [] and report.unchanged == []


def test_narrative_html_is_never_interpreted_in_the_pdf(db):
    plan = PlanFactory(declared_measure_count=1)
    measure = MeasureFactory(plan=plan, theme=ThemeFactory(plan=plan))
    MeasureLeadFactory(measure=measure)
    ProgressReportFactory(measure=measure, narrative="Avant <script>alert(1)</script> après")
    html = render_html(build_report(plan, AS_OF))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chart_is_svg_with_a_text_alternative_giving_every_value(real_plan):
    report = build_report(real_plan, AS_OF)
    svg = theme_chart_svg(report)
    description = chart_description(report)
    assert svg.startswith("<svg") and "<title>" in svg
    for theme in report.themes:
        expected = f"{theme.average_percent}{NBSP}%" if theme.average_percent is not None else "non chiffré"
        assert f"thème {theme.number}, {theme.title} : {expected}" in description


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("95 %", f"95{NBSP}%"),
        ("95%", f"95{NBSP}%"),
        ("entrevues : 16", f"entrevues{NBSP}: 16"),
        ("« RCMO »", f"«{NBSP}RCMO{NBSP}»"),
        ("2023 ; en attente", f"2023{NBSP}; en attente"),
        ("https://example.org", "https://example.org"),
    ],
)
def test_french_spacing(raw, expected):
    assert french_spacing(raw) == expected


def test_markdown_blocks_split_paragraphs_and_lists():
    blocks = markdown_blocks("Intro :\n\n- un\n- **deux**\n\nFin [lien](https://q.ca).")
    assert [b.kind for b in blocks] == ["p", "ul", "p"]
    assert blocks[1].items == ["un", "deux"]
    assert blocks[2].text == "Fin lien (https://q.ca)."


def _page_texts(pdf: bytes) -> list[str]:
    return [_flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_pages_are_letter_size(real_pdf):
    sizes = {
        tuple(round(float(x)) for x in page.mediabox[2:]) for page in PdfReader(io.BytesIO(real_pdf)).pages
    }
    # 8½ × 11 in = 612 × 792 pt, the annex in landscape.
    assert sizes == {(612, 792), (792, 612)}


def test_pdf_never_leaves_a_theme_heading_alone_at_the_bottom_of_a_page(real_pdf):
    pages = _page_texts(real_pdf)
    annex = next(i for i, text in enumerate(pages) if "Annexe — " in text)
    for theme, first_measure in [
        ("0. Mesures transversales", "Mettre sur pied une cellule"),
        ("1. Information", "Informer les PFÉ des conditions"),
        ("2. Reconnaissance des compétences", "Reconnaissance des compétences de la main"),
        ("3. Conditions d’obtention d’un permis", "Soutenir les centres de formation"),
        ("4. Intégration au marché du travail", "Programme d’aide à l’intégration"),
    ]:
        heading_page = max(i for i, text in enumerate(pages) if i >= annex and theme in text)
        assert first_measure[:20] in pages[heading_page], (
            f"« {theme} » alone at the bottom of page {heading_page + 1}"
        )


def test_pdf_keeps_theme_headings_with_their_tables_by_css():
    from django.template.loader import render_to_string

    css = render_to_string(
        "reports/status_report.css",
        {"fonts": "", "running_title": "", "running_date": "", "running_author": ""},
    )
    assert "size: letter;" in css and "size: letter landscape;" in css
    assert ".theme-head { break-inside: avoid; break-after: avoid; }" in css
