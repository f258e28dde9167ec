"""The status report as an Excel workbook (openpyxl), for sorting, filtering and counting.

Sheet « Mesures » has one row per measure, then one row per component of that
measure; percentages are numbers (0.93 shown as « 93 % ») and the reporting
date a real date, so that the Office can compute with them. « Sommaire »
counts the measures by status and « Contrôles » lists the consistency checks.

Two renders of the same data give byte-identical files.
"""

from __future__ import annotations

import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from concerto.core.spreadsheets import XLSX_CONTENT_TYPE, clean_text, put, workbook_bytes
from concerto.core.typography import Block

from .content import Report

CONTENT_TYPE = XLSX_CONTENT_TYPE

PERCENT_FORMAT = "0 %"
DATE_FORMAT = "yyyy-mm-dd"
SEVERITY = {"error": "Erreur", "warning": "Avertissement", "info": "Information"}

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="095797")
BOLD = Font(bold=True)
TOP = Alignment(vertical="top")
WRAP = Alignment(vertical="top", wrap_text=True)


def _put(ws, row: int, column: int, value, *, wrap: bool = False, number_format: str | None = None):
    return put(ws, row, column, value, alignment=WRAP if wrap else TOP, number_format=number_format)


def _ratio(percent: int | None) -> float | None:
    return None if percent is None else percent / 100


def plain_text(blocks: list[Block]) -> str:
    """Paragraphs on their own line, list items prefixed with a bullet."""
    lines: list[str] = []
    for block in blocks:
        if block.kind == "ul":
            lines.extend(f"• {item}" for item in block.items)
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _header(ws, columns: list[tuple[str, float, bool]]) -> None:
    for index, (title, width, _wrap) in enumerate(columns, start=1):
        cell = put(ws, 1, index, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    # Printed on A4 landscape, as wide as the page, the header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _filter(ws, column_count: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(column_count)}{max(ws.max_row, 1)}"


def _measures_sheet(ws, report: Report) -> None:
    previous = report.previous_as_of is not None
    columns: list[tuple[str, float, bool]] = [
        ("Thème", 8, False),
        ("Titre du thème", 28, True),
        ("Numéro", 9, False),
        ("Mesure", 50, True),
        ("Composante", 14, True),
        ("M/O en charge", 22, True),
        ("M/O collaborateurs", 30, True),
        ("Indicateurs", 50, True),
        ("Pourcentage", 13, False),
    ]
    if previous:
        columns.append(("Pourcentage précédent", 13, False))
    columns += [
        ("État", 14, False),
        ("Code d’état", 13, False),
        ("Réalisée en", 12, False),
        ("État au", 12, False),
        ("Récit", 90, True),
    ]
    _header(ws, columns)
    position = {title: index for index, (title, _w, _wrap) in enumerate(columns, start=1)}
    wraps = {index for index, (_t, _w, wrap) in enumerate(columns, start=1) if wrap}

    def put(row, title, value, number_format=None):
        column = position[title]
        _put(ws, row, column, value, wrap=column in wraps, number_format=number_format)

    row = 1
    for theme in report.themes:
        for m in theme.measures:
            rows = [(m, None)] + [(m, c) for c in m.components]
            for measure, component in rows:
                row += 1
                put(row, "Thème", theme.number)
                put(row, "Titre du thème", theme.title)
                put(row, "Numéro", measure.number)
                put(row, "Mesure", measure.title)
                item = component or measure
                put(row, "Pourcentage", _ratio(item.percent), PERCENT_FORMAT)
                if previous:
                    put(row, "Pourcentage précédent", _ratio(item.previous_percent), PERCENT_FORMAT)
                put(row, "État au", report.as_of, DATE_FORMAT)
                put(row, "Récit", plain_text(item.blocks))
                if component is not None:
                    put(row, "Composante", component.label)
                    continue
                put(row, "M/O en charge", measure.leads)
                put(row, "M/O collaborateurs", measure.collaborators)
                put(
                    row,
                    "Indicateurs",
                    "\n".join(f"{i.label} — {i.deadline}" for i in measure.indicators),
                )
                put(row, "État", measure.status_label)
                put(row, "Code d’état", measure.status)
                put(row, "Réalisée en", measure.completed_in)
    _filter(ws, len(columns))


def _summary_sheet(ws, report: Report) -> None:
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 20
    put(ws, 1, 1, report.title, font=Font(bold=True, size=14))
    put(ws, 2, 1, report.subtitle)
    put(ws, 3, 1, report.author)
    row = 4
    if report.previous_as_of:
        put(ws, row, 1, f"Comparaison avec l’état au {report.previous_as_of_text}")
        row += 1
    row += 1
    if report.is_empty:
        _put(
            ws,
            row,
            1,
            f"Aucun état d’avancement n’a été enregistré au {report.as_of_text} pour les mesures de ce plan.",
            wrap=True,
        )
        return
    for column, title in enumerate(("État", "Code d’état", "Nombre de mesures"), start=1):
        cell = put(ws, row, column, title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for _code, label, count in report.status_counts:
        row += 1
        put(ws, row, 1, label)
        put(ws, row, 2, _code)
        put(ws, row, 3, count)
    row += 1
    put(ws, row, 1, "Total", font=BOLD)
    put(ws, row, 3, len(report.measures), font=BOLD)
    if report.previous_as_of:
        row += 2
        put(ws, row, 1, f"Évolution depuis le {report.previous_as_of_text}", font=BOLD)
        row += 1
        put(ws, row, 1, "Mesures dont l’avancement a changé")
        moved = "\u00a0; ".join(f"{m.number} ({m.percent_display})" for m in report.moved)
        _put(ws, row, 2, moved or "aucune")
        row += 1
        put(ws, row, 1, "Mesures dont l’avancement n’a pas changé")
        _put(ws, row, 2, ", ".join(str(m.number) for m in report.unchanged) or "aucune")


def _checks_sheet(ws, report: Report) -> None:
    columns = [("Code", 26, False), ("Gravité", 15, False), ("Mesure", 9, False), ("Constat", 100, True)]
    _header(ws, columns)
    for row, finding in enumerate(report.checks, start=2):
        _put(ws, row, 1, finding.code)
        _put(ws, row, 2, SEVERITY.get(finding.severity, finding.severity))
        _put(ws, row, 3, finding.measure)
        _put(ws, row, 4, finding.message, wrap=True)
    _filter(ws, len(columns))


def render_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    measures = workbook.active
    measures.title = "Mesures"
    _measures_sheet(measures, report)
    _summary_sheet(workbook.create_sheet("Sommaire"), report)
    _checks_sheet(workbook.create_sheet("Contrôles"), report)

    when = datetime.datetime.combine(report.as_of, datetime.time(12, 0))
    props = workbook.properties
    props.title = clean_text(report.title)
    props.subject = clean_text(report.subtitle)
    props.creator = clean_text(report.author)
    props.lastModifiedBy = clean_text(report.author)
    props.language = "fr-CA"
    props.created = when
    props.modified = when

    return workbook_bytes(workbook, day=report.as_of)
