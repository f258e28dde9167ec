"""The status report as an Excel workbook: one row per measure and per component, real numbers."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from concerto.reports.content import build_report
from concerto.reports.xlsx import CONTENT_TYPE, render_xlsx

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


def open_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


def records(sheet) -> list[dict]:
    """The sheet's rows as dicts keyed by the header row."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def cells_by_header(sheet) -> list[dict]:
    """Like ``records`` but with the cells, to read their formats."""
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def measure_row(sheet, number: int) -> dict:
    return next(
        r for r in cells_by_header(sheet) if r["Numéro"].value == number and not r["Composante"].value
    )


@pytest.fixture
def workbook(real_plan):
    return open_xlsx(render_xlsx(build_report(real_plan, AS_OF)))


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


def test_content_type_is_an_excel_workbook():
    assert CONTENT_TYPE == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_workbook_has_measures_summary_and_checks_sheets(workbook):
    assert workbook.sheetnames == ["Mesures", "Sommaire", "Contrôles"]


def test_one_row_per_measure_then_one_per_component(workbook):
    rows = records(workbook["Mesures"])
    assert len(rows) == 15 + 2
    assert [(r["Numéro"], r["Composante"]) for r in rows[:3]] == [(1, None), (1, "OPTMQ"), (1, "OIIAQ")]
    assert sorted({r["Numéro"] for r in rows}) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]


def test_measure_columns_in_order_without_previous_date(workbook):
    header = [c.value for c in workbook["Mesures"][1]]
    assert header == [
        "Thème",
        "Titre du thème",
        "Numéro",
        "Mesure",
        "Composante",
        "M/O en charge",
        "M/O collaborateurs",
        "Indicateurs",
        "Pourcentage",
        "État",
        "Code d’état",
        "Réalisée en",
        "État au",
        "Récit",
    ]


def test_theme_and_measure_numbers_are_integers(workbook):
    row = measure_row(workbook["Mesures"], 13)
    assert row["Thème"].value == 4 and isinstance(row["Thème"].value, int)
    assert row["Numéro"].value == 13 and isinstance(row["Numéro"].value, int)


def test_measure_13_percentage_is_a_number_shown_as_percent(workbook):
    cell = measure_row(workbook["Mesures"], 13)["Pourcentage"]
    assert cell.value == pytest.approx(0.93)
    assert isinstance(cell.value, float)
    assert "%" in cell.number_format


def test_measure_without_percentage_has_an_empty_cell(workbook):
    assert measure_row(workbook["Mesures"], 2)["Pourcentage"].value is None


def test_component_rows_carry_their_own_percentage(workbook):
    rows = [r for r in records(workbook["Mesures"]) if r["Composante"]]
    assert [(r["Composante"], r["Pourcentage"]) for r in rows] == [("OPTMQ", 0.5), ("OIIAQ", 1.0)]


def test_status_label_and_code(workbook):
    row = measure_row(workbook["Mesures"], 9)
    assert (row["État"].value, row["Code d’état"].value, row["Réalisée en"].value) == (
        "Réalisée",
        "completed",
        "2021-2022",
    )


def test_reporting_date_is_a_real_date(workbook):
    cell = measure_row(workbook["Mesures"], 1)["État au"]
    assert isinstance(cell.value, datetime.datetime | datetime.date)
    assert (cell.value.date() if isinstance(cell.value, datetime.datetime) else cell.value) == AS_OF
    assert cell.number_format == "yyyy-mm-dd"


def test_indicators_are_label_and_deadline_one_per_line(workbook):
    text = measure_row(workbook["Mesures"], 14)["Indicateurs"].value
    assert text.split("\n") == [
        "Liste des établissements participants du réseau de la santé et des services sociaux — 31 mars 2022",
        "Nombre de candidats recrutés pour la phase I — 31 mars 2022",
    ]


def test_narrative_list_items_are_bulleted(workbook):
    lines = measure_row(workbook["Mesures"], 5)["Récit"].value.split("\n")
    assert lines[0].startswith("317 personnes admises à la RCMO")
    assert "• Coiffeur ou coiffeuse" in lines


def test_organizations_are_split_into_leads_and_collaborators(workbook):
    row = measure_row(workbook["Mesures"], 14)
    assert (row["M/O en charge"].value, row["M/O collaborateurs"].value) == ("MSSS", "MIFI, MESS, OBNL")


def test_header_row_is_bold_and_frozen(workbook):
    sheet = workbook["Mesures"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])


def test_auto_filter_covers_the_whole_table(workbook):
    sheet = workbook["Mesures"]
    assert sheet.auto_filter.ref == f"A1:N{1 + 17}"


def test_long_text_columns_wrap(workbook):
    row = measure_row(workbook["Mesures"], 7)
    assert row["Récit"].alignment.wrap_text
    assert row["Mesure"].alignment.wrap_text


def test_checks_sheet_has_the_missing_measure_6(workbook):
    rows = records(workbook["Contrôles"])
    missing = next(r for r in rows if r["Code"] == "measure_missing")
    assert missing["Mesure"] == 6
    assert missing["Gravité"] == "Erreur"
    assert "la mesure 6 est absente" in missing["Constat"]


def test_checks_without_a_measure_leave_it_empty(workbook):
    rows = records(workbook["Contrôles"])
    assert next(r for r in rows if r["Code"] == "follow_up_missing")["Mesure"] is None


def test_summary_sheet_counts_measures_by_status(workbook):
    values = [row for row in workbook["Sommaire"].iter_rows(values_only=True) if any(row)]
    assert ("Réalisée", "completed", 8) in values
    assert ("Total", None, 15) in values


def test_properties_name_the_workbook_and_its_author(workbook):
    assert (
        workbook.properties.title
        == "Plan d’action 2019-2024 du Pôle de coordination pour l’accès à la formation"
    )
    assert workbook.properties.creator == "Office des professions du Québec"


def test_report_without_progress_still_lists_the_measures(real_plan):
    workbook = open_xlsx(render_xlsx(build_report(real_plan, datetime.date(2024, 3, 31))))
    rows = records(workbook["Mesures"])
    assert len(rows) == 15
    assert all(r["Pourcentage"] is None and r["Récit"] in ("", None) for r in rows)
    assert {r["Code d’état"] for r in rows} == {"unknown"}


def test_report_without_progress_says_so_in_the_summary(real_plan):
    workbook = open_xlsx(render_xlsx(build_report(real_plan, datetime.date(2024, 3, 31))))
    texts = [c.value for row in workbook["Sommaire"].iter_rows() for c in row if c.value]
    assert "Aucun état d’avancement n’a été enregistré au 31 mars 2024 pour les mesures de ce plan." in texts


def test_previous_percentage_column_when_there_is_a_previous_date(db):
    plan, (measure,) = one_theme_plan()
    ProgressReportFactory(measure=measure, as_of=PREVIOUS, percent=40)
    ProgressReportFactory(measure=measure, as_of=AS_OF, percent=60)
    sheet = open_xlsx(render_xlsx(build_report(plan, AS_OF)))["Mesures"]
    row = measure_row(sheet, 1)
    assert row["Pourcentage"].value == pytest.approx(0.6)
    assert row["Pourcentage précédent"].value == pytest.approx(0.4)
    assert "%" in row["Pourcentage précédent"].number_format


def test_text_that_looks_like_a_formula_stays_text(db):
    plan, (measure,) = one_theme_plan()
    ProgressReportFactory(measure=measure, as_of=AS_OF, narrative='=HYPERLINK("http://example.com")')
    sheet = open_xlsx(render_xlsx(build_report(plan, AS_OF)))["Mesures"]
    cell = measure_row(sheet, 1)["Récit"]
    assert cell.value == '=HYPERLINK("http://example.com")'
    assert cell.data_type == "s"


def test_control_characters_are_dropped(db):
    plan, (measure,) = one_theme_plan()
    ProgressReportFactory(measure=measure, as_of=AS_OF, narrative="Texte\x01collé\x1f de Word")
    sheet = open_xlsx(render_xlsx(build_report(plan, AS_OF)))["Mesures"]
    assert measure_row(sheet, 1)["Récit"].value == "Textecollé de Word"


def test_two_renders_of_the_same_report_are_identical(real_plan):
    report = build_report(real_plan, AS_OF)
    assert render_xlsx(report) == render_xlsx(report)
