"""The status report as a Word document: what the Office pastes into its annual report."""

import datetime
import io
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from concerto.core.typography import french_spacing
from concerto.reports.content import build_report
from concerto.reports.docx import CONTENT_TYPE, render_docx

from .factories import (
    IndicatorFactory,
    MeasureFactory,
    MeasureLeadFactory,
    PlanFactory,
    ProgressReportFactory,
    ThemeFactory,
)

AS_OF = datetime.date(2023, 3, 31)
PREVIOUS = datetime.date(2022, 3, 31)
NBSP = "\u00a0"
ANNEX_HEADER = [
    "Numéro",
    "Nom de la mesure",
    "M/O en charge et M/O collaborateurs",
    "Indicateurs, cibles et échéances",
    "État d’avancement des mesures au 31 mars 2023",
]


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def annex_tables(document):
    return [t for t in document.tables if t.rows[0].cells[0].text == "Numéro"]


def annex_rows(document) -> dict:
    """Measure number -> its row in the annex."""
    return {int(row.cells[0].text): row for t in annex_tables(document) for row in t.rows[1:]}


def progress_cell(document, number: int):
    return annex_rows(document)[number].cells[4]


def table_starting_with(document, header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == header)


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


@pytest.fixture
def real_docx(real_plan):
    return open_docx(render_docx(build_report(real_plan, AS_OF)))


def one_theme_plan(measure_count: int = 1):
    plan = PlanFactory(declared_measure_count=measure_count)
    theme = ThemeFactory(plan=plan, number=1)
    measures = []
    for number in range(1, measure_count + 1):
        measure = MeasureFactory(plan=plan, theme=theme, number=number)
        MeasureLeadFactory(measure=measure)
        IndicatorFactory(measure=measure)
        measures.append(measure)
    return plan, measures


@pytest.fixture
def two_year_plan(db):
    """Measure 1 went from 40 % to 60 %; measure 2 stayed at 50 %."""
    plan, (moved, unchanged) = one_theme_plan(2)
    ProgressReportFactory(measure=moved, as_of=PREVIOUS, percent=40)
    ProgressReportFactory(measure=moved, as_of=AS_OF, percent=60)
    ProgressReportFactory(measure=unchanged, as_of=PREVIOUS, percent=50)
    ProgressReportFactory(measure=unchanged, as_of=AS_OF, percent=50)
    return plan


def test_content_type_is_a_word_document():
    assert CONTENT_TYPE == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_render_returns_a_word_package(real_plan):
    data = render_docx(build_report(real_plan, AS_OF))
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_title_page_has_author_title_and_subtitle(real_docx):
    paragraphs = real_docx.paragraphs
    title = next(p for p in paragraphs if p.style.name == "Title")
    assert title.text == "Plan d’action 2019-2024 du Pôle de coordination pour l’accès à la formation"
    assert "Office des professions du Québec" in body_texts(real_docx)[: paragraphs.index(title)]
    assert "État d’avancement des mesures au 31 mars 2023" in body_texts(real_docx)


def test_title_page_has_no_comparison_without_a_previous_date(real_docx):
    assert not any(t.startswith("Comparaison avec") for t in body_texts(real_docx))


def test_every_measure_appears_in_the_annex_with_its_title(real_plan, real_docx):
    rows = annex_rows(real_docx)
    assert sorted(rows) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    for measure in real_plan.measures.all():
        assert rows[measure.number].cells[1].text == french_spacing(measure.title)


def test_annex_tables_have_the_five_source_columns(real_docx):
    tables = annex_tables(real_docx)
    assert len(tables) == 5  # One per theme.
    for table in tables:
        assert [c.text for c in table.rows[0].cells] == ANNEX_HEADER


def test_annex_is_split_by_theme_headings(real_docx):
    headings = [p.text for p in real_docx.paragraphs if p.style.name == "Heading 2"]
    assert "0. Mesures transversales" in headings
    assert "4. Intégration au marché du travail" in headings


def test_theme_objective_follows_its_heading(real_docx):
    texts = body_texts(real_docx)
    after = texts[texts.index("1. Information") + 1]
    assert after.startswith(f"Objectif{NBSP}: Rendre accessible l’information")


def test_measure_13_shows_93_percent(real_docx):
    progress = progress_cell(real_docx, 13)
    first = progress.paragraphs[0]
    assert first.text.startswith(f"93{NBSP}%")
    assert first.runs[0].bold


def test_measure_1_shows_each_component_with_its_percentage(real_docx):
    texts = [p.text for p in progress_cell(real_docx, 1).paragraphs]
    assert f"50{NBSP}% OPTMQ" in texts
    assert f"100{NBSP}% OIIAQ" in texts


def test_measure_7_shows_60_percent(real_docx):
    assert progress_cell(real_docx, 7).paragraphs[0].text == f"60{NBSP}% En cours"


def test_completed_measure_says_in_which_year(real_docx):
    assert progress_cell(real_docx, 9).paragraphs[0].text == "Réalisée en 2021-2022"


def test_narrative_list_items_use_the_list_bullet_style(real_docx):
    paragraphs = progress_cell(real_docx, 5).paragraphs
    item = next(p for p in paragraphs if p.text == "Coiffeur ou coiffeuse")
    assert item.style.name == "List Bullet"


def test_lead_organizations_are_bold_and_collaborators_below(real_docx):
    lead, collaborators = annex_rows(real_docx)[14].cells[2].paragraphs
    assert lead.text == "MSSS"
    assert all(run.bold for run in lead.runs)
    assert collaborators.text == "MIFI, MESS, OBNL"
    assert not any(run.bold for run in collaborators.runs)


def test_indicators_show_deadline_and_actual_value(real_docx):
    text = annex_rows(real_docx)[13].cells[3].text
    assert text.startswith("Octroyer 60 garanties de prêts")
    assert f"Échéance{NBSP}: 31 mars 2024" in text
    assert f"Atteint{NBSP}: 56" in text


def test_annex_header_rows_repeat_on_every_page(real_docx):
    for table in real_docx.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None


def test_header_row_is_bold(real_docx):
    header = annex_tables(real_docx)[0].rows[0]
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)


def test_tables_use_the_table_grid_style(real_docx):
    assert {t.style.name for t in real_docx.tables} == {"Table Grid"}


def test_short_rows_stay_on_one_page_and_long_ones_may_break(real_docx):
    rows = annex_rows(real_docx)
    short, long = rows[13]._tr, rows[1]._tr
    assert short.trPr.find(qn("w:cantSplit")) is not None
    assert long.trPr is None or long.trPr.find(qn("w:cantSplit")) is None


def test_headings_use_word_heading_styles(real_docx):
    by_text = {p.text: p.style.name for p in real_docx.paragraphs}
    assert by_text["Sommaire"] == "Heading 1"
    assert by_text["Annexe — Contrôles de cohérence"] == "Heading 1"
    assert by_text["1. Information"] == "Heading 2"


def test_annex_section_is_landscape_between_portrait_sections(real_docx):
    first, annex, checks = real_docx.sections
    for section in (first, checks):
        assert section.orientation == WD_ORIENT.PORTRAIT
        assert section.page_width < section.page_height
    assert annex.orientation == WD_ORIENT.LANDSCAPE
    assert annex.page_width > annex.page_height
    assert round(annex.page_width.mm) == 297 and round(annex.page_height.mm) == 210


def test_annex_tables_are_in_the_landscape_section(real_docx):
    body = real_docx.element.body
    children = list(body)
    # The first section ends at the paragraph holding its w:sectPr.
    breaks = [
        i for i, child in enumerate(children) if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
    ]
    first_end, annex_end = breaks
    tables = [children.index(t._tbl) for t in annex_tables(real_docx)]
    assert all(first_end < index < annex_end for index in tables)


def test_summary_counts_measures_by_status_with_a_total(real_docx):
    table = table_starting_with(real_docx, "État")
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["État", "Nombre de mesures"]
    assert ["Réalisée", "8"] in rows
    assert rows[-1] == ["Total", "15"]


def test_summary_shows_the_average_progress_by_theme(real_docx):
    heading = next(p for p in real_docx.paragraphs if p.text == "Avancement moyen par thème")
    assert heading.style.name == "Heading 2"
    rows = {row.cells[0].text: row.cells[1].text for row in table_starting_with(real_docx, "Thème").rows}
    assert rows["1. Information"] == f"100{NBSP}%"
    assert rows["0. Mesures transversales"] == "non chiffré"


def test_checks_annex_lists_the_missing_measure_6_as_an_error(real_docx):
    table = table_starting_with(real_docx, "Gravité")
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Gravité", "Mesure", "Constat"]
    assert rows[1][:2] == ["Erreur", "6"]
    assert "la mesure 6 est absente" in rows[1][2]


def test_findings_without_a_measure_show_a_dash(real_docx):
    table = table_starting_with(real_docx, "Gravité")
    severities = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    assert severities["Information"] == "—"


def test_report_without_progress_says_so_and_has_no_annex_table(real_plan):
    document = open_docx(render_docx(build_report(real_plan, datetime.date(2024, 3, 31))))
    texts = body_texts(document)
    assert (
        "Aucun état d’avancement n’a été enregistré au 31 mars 2024 pour les mesures de ce plan. "
        "Le présent document ne contient donc pas de tableau d’avancement."
    ) in texts
    assert annex_tables(document) == []
    assert not any(t.startswith("Annexe — Plan") for t in texts)


def test_report_without_progress_has_no_landscape_section(real_plan):
    document = open_docx(render_docx(build_report(real_plan, datetime.date(2024, 3, 31))))
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.PORTRAIT]


def test_year_over_year_shows_the_previous_percentage(two_year_plan):
    document = open_docx(render_docx(build_report(two_year_plan, AS_OF)))
    first = progress_cell(document, 1).paragraphs[0]
    assert first.text.startswith(f"60{NBSP}% (40{NBSP}% au 31 mars 2022)")


def test_year_over_year_lists_the_measure_as_moved(two_year_plan):
    document = open_docx(render_docx(build_report(two_year_plan, AS_OF)))
    moved = next(t for t in body_texts(document) if t.startswith("Mesures dont l’avancement a changé"))
    assert moved == f"Mesures dont l’avancement a changé{NBSP}: 1 (60{NBSP}% (40{NBSP}% au 31 mars 2022))."


def test_year_over_year_lists_the_unchanged_measure(two_year_plan):
    document = open_docx(render_docx(build_report(two_year_plan, AS_OF)))
    texts = body_texts(document)
    assert f"Mesures dont l’avancement n’a pas changé{NBSP}: 2." in texts
    assert "Comparaison avec l’état au 31 mars 2022" in texts


def test_measure_without_progress_at_the_date_says_so(db):
    plan, (reported, silent) = one_theme_plan(2)
    ProgressReportFactory(measure=reported, as_of=AS_OF)
    document = open_docx(render_docx(build_report(plan, AS_OF)))
    assert progress_cell(document, 2).text == "Aucun état d’avancement à cette date."


def test_markup_in_a_narrative_stays_plain_text(db):
    plan, (measure,) = one_theme_plan()
    ProgressReportFactory(measure=measure, as_of=AS_OF, narrative="Avant <script>alert(1)</script> après")
    data = render_docx(build_report(plan, AS_OF))
    document = open_docx(data)
    assert "Avant <script>alert(1)</script> après" in [p.text for p in progress_cell(document, 1).paragraphs]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml


def test_control_characters_in_a_narrative_are_dropped(db):
    plan, (measure,) = one_theme_plan()
    ProgressReportFactory(measure=measure, as_of=AS_OF, narrative="Texte\x01collé\x1f de Word")
    document = open_docx(render_docx(build_report(plan, AS_OF)))
    assert "Textecollé de Word" in [p.text for p in progress_cell(document, 1).paragraphs]


def test_core_properties_name_the_document_and_its_author(real_plan):
    properties = open_docx(render_docx(build_report(real_plan, AS_OF))).core_properties
    assert properties.title == "Plan d’action 2019-2024 du Pôle de coordination pour l’accès à la formation"
    assert properties.author == "Office des professions du Québec"
    assert properties.language == "fr-CA"
    assert properties.created == datetime.datetime(2023, 3, 31, 12, 0, tzinfo=datetime.UTC)


def test_normal_style_is_arial_10_in_canadian_french(real_docx):
    normal = real_docx.styles["Normal"]
    assert normal.font.name == "Arial"
    assert normal.font.size.pt == 10
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:val")) == "fr-CA"


def test_footer_numbers_the_pages(real_docx):
    footer = real_docx.sections[1].footer
    instructions = [i.text.strip() for i in footer._element.iter(qn("w:instrText"))]
    assert "PAGE \\* MERGEFORMAT" in instructions
    assert footer.paragraphs[0].text.startswith("Office des professions du Québec")


def test_header_repeats_the_title(real_docx):
    header = real_docx.sections[1].header
    assert header.paragraphs[0].text == real_docx.core_properties.title


def test_title_page_has_no_header(real_docx):
    first = real_docx.sections[0]
    assert first.different_first_page_header_footer
    assert first.first_page_header.paragraphs[0].text == ""


def test_two_renders_of_the_same_report_are_identical(real_plan):
    report = build_report(real_plan, AS_OF)
    assert render_docx(report) == render_docx(report)
