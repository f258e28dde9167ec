"""The one way Concerto writes CSV and Excel files: no cell is ever a formula.

Spreadsheets read a text that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some of them, a tab or a carriage return) as a formula when the file is
opened: a partner's narrative ``=HYPERLINK("http://…")`` would become a live
link, and worse (OWASP, « CSV injection »). Text written by people reaches
every export, so every export goes through this module:

- CSV (``csv_writer``): such a text is written with a leading apostrophe,
  which spreadsheets show as text and never evaluate;
- Excel (``put``): such a text is stored as a text cell with the « quote
  prefix » style, so it is shown as typed and stays text when edited; the
  value itself is unchanged.

Numbers, dates and booleans keep their type: only text is neutralized.
``workbook_bytes`` saves a workbook so that two renders of the same data give
identical files.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.writer.excel import ExcelWriter

from .zipfiles import stable_zip

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralize(value):
    """A CSV cell's value: formula-like text behind an apostrophe, anything else as is."""
    if is_formula_like(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every text cell is neutralized (see the module docstring)."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralize(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **options)


def clean_text(value):
    """Text without the control characters that Excel files cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def put(ws, row: int, column: int, value, *, alignment=None, number_format: str | None = None, font=None):
    """Write ``value`` in a worksheet cell, never as a formula; return the cell.

    An empty string leaves the cell empty (a blank text cell would be counted
    by COUNTA)."""
    value = clean_text(value)
    cell = ws.cell(row=row, column=column, value=None if value == "" else value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    if alignment is not None:
        cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def append_row(ws, values, **style) -> None:
    """``ws.append(values)`` through ``put``: the next row, never a formula."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(row=1, column=1).value is not None else 1
    for column, value in enumerate(values, start=1):
        put(ws, row, column, value, **style)


def workbook_bytes(workbook: Workbook, *, day: datetime.date) -> bytes:
    """The workbook as an .xlsx file whose entries all carry ``day`` as their date.

    ``ExcelWriter`` rather than ``Workbook.save``, which stamps the current
    time as « modified »; the zip entries get a fixed timestamp too (``stable_zip``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return stable_zip(buffer.getvalue(), day)
