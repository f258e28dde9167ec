"""The Excel template the orders fill in, written from the data dictionary.

Three sheets: « Demandes » (the header row, then one row per application,
with drop-down lists and date checks), « Dictionnaire » (each field: title,
type, required, description, question it serves, allowed values) and
« Valeurs » (the code lists the drop-downs point to; a list written inline
in a validation is limited to 255 characters, too short for the countries).
The template holds no data, so it is written directly with openpyxl.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from concerto.core.spreadsheets import append_row, put

from . import dictionary as d

DATA_SHEET = "Demandes"
DICTIONARY_SHEET = "Dictionnaire"
VALUES_SHEET = "Valeurs"
TEMPLATE_ROWS = 100_000  # how far down the validations reach
TYPE_LABELS = {d.STRING: "texte (code)", d.DATE: "date AAAA-MM-JJ", d.BOOLEAN: "oui / non"}


def _allowed(f: d.Field) -> list[tuple[str, str]]:
    if f.categories:
        return list(f.categories)
    if f.allowed:
        return [(code, "") for code in sorted(f.allowed)]
    if f.type == d.BOOLEAN:
        return [("oui", ""), ("non", "")]
    return []


def build_template() -> Workbook:
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    documentation = workbook.create_sheet(DICTIONARY_SHEET)
    values = workbook.create_sheet(VALUES_SHEET)
    bold = Font(bold=True)

    append_row(data, d.COLUMNS)
    for cell in data[1]:
        cell.font = bold
    data.freeze_panes = "A2"

    append_row(
        documentation,
        ["Champ", "Titre", "Type", "Obligatoire", "Description", "Question servie", "Valeurs permises"],
    )
    for cell in documentation[1]:
        cell.font = bold
    values_column = 0
    for index, f in enumerate(d.FIELDS, start=1):
        allowed = _allowed(f)
        shown = "; ".join(f"{code} : {label}" if label else code for code, label in allowed)
        if f.allowed:
            shown = "code ISO 3166-1 alpha-2 (feuille « Valeurs »)"
        if f.pattern and not allowed:
            shown = (
                "64 caractères hexadécimaux minuscules"
                if f.name == "pseudonyme"
                else "code : minuscules, chiffres, traits d’union"
            )
        append_row(
            documentation,
            [
                f.name,
                f.title,
                TYPE_LABELS[f.type],
                "oui" if f.required else "non",
                f.description,
                f.question,
                shown,
            ],
        )
        letter = get_column_letter(index)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS}"
        if allowed:
            values_column += 1
            values_letter = get_column_letter(values_column)
            put(values, 1, values_column, f.name, font=bold)
            for row, (code, _label) in enumerate(allowed, start=2):
                put(values, row, values_column, code)
            source = f"{quote_sheetname(VALUES_SHEET)}!${values_letter}$2:${values_letter}${len(allowed) + 1}"
            validation = DataValidation(type="list", formula1=source, allow_blank=not f.required)
        elif f.type == d.DATE:
            validation = DataValidation(
                type="date", operator="greaterThan", formula1="DATE(1950,1,1)", allow_blank=True
            )
        elif f.name == "pseudonyme":
            validation = DataValidation(type="textLength", operator="equal", formula1="64", allow_blank=False)
        else:
            validation = None
        if validation is not None:
            validation.error = (
                f"Valeur non permise pour « {f.title} » : voir la feuille « {DICTIONARY_SHEET} »."
            )
            validation.errorTitle = "Valeur non permise"
            validation.showErrorMessage = True
            data.add_data_validation(validation)
            validation.add(cells)
    for sheet, widths in ((data, [18] * len(d.COLUMNS)), (documentation, [28, 40, 16, 12, 70, 70, 60])):
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    return workbook


def write_template(destination) -> None:
    """Write the template to a path or a binary file object."""
    build_template().save(destination)
