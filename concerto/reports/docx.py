"""The status report as a Word document (python-docx), for the Office's annual report.

It mirrors the PDF (``templates/reports/status_report.html``): a title page,
a summary, the annex table in a landscape section, then the consistency
checks. Headings use Word's own "Heading 1" / "Heading 2" styles and tables
are real Word tables with a repeating header row, so that the Office can paste
the document into its annual report and get a table of contents.

Two renders of the same data give byte-identical files: the core properties
carry a date derived from the reporting date, and the ZIP entries a fixed
timestamp.
"""

from __future__ import annotations

import datetime
import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from concerto.core.typography import NBSP, Block, percent_text
from concerto.core.zipfiles import stable_zip

from .content import MeasureRow, Report

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FONT = "Arial"
LANGUAGE = "fr-CA"
INK = RGBColor(0x22, 0x36, 0x54)
GREY = RGBColor(0x4E, 0x56, 0x62)
HEADER_FILL = "095797"
TOTAL_FILL = "E8EDF3"
TABLE_TEXT = "Texte de tableau"
# Style ids, to set styles without python-docx's lookup by name (slow: a
# search through every style of the document at each paragraph).
TABLE_TEXT_ID = "TextedeTableau"
BULLET_ID = "ListBullet"

A4_SHORT, A4_LONG = Mm(210), Mm(297)
PORTRAIT_MARGINS = (Mm(22), Mm(18), Mm(20), Mm(18))  # top, right, bottom, left
LANDSCAPE_MARGINS = (Mm(20), Mm(14), Mm(18), Mm(14))

# Annex columns (landscape A4: 297 - 2 x 14 = 269 mm of text width).
ANNEX_COLUMNS = [
    ("Numéro", Mm(19)),
    ("Nom de la mesure", Mm(52)),
    ("M/O en charge et M/O collaborateurs", Mm(42)),
    ("Indicateurs, cibles et échéances", Mm(52)),
    (None, Mm(104)),  # "État d’avancement des mesures au …"
]
CHECK_COLUMNS = [("Gravité", Mm(30)), ("Mesure", Mm(18)), ("Constat", Mm(126))]
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
SEVERITY = {"error": "Erreur", "warning": "Avertissement", "info": "Information"}

# Characters XML 1.0 forbids (pasted text sometimes holds them): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Roughly how many characters fit on one line of the progress column, and how
# many lines fit on a landscape page: a row taller than that must be allowed
# to break across pages, or Word would cut it off at the bottom of the page.
_CHARS_PER_LINE = 60
_LINES_PER_PAGE = 32


def _clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def _colon(label: str) -> str:
    """ "Cible" -> "Cible :" with French spacing."""
    return f"{label}{NBSP}:"


# --- document-wide settings ---------------------------------------------------


def _set_fonts(rpr, name: str) -> None:
    """Explicit font on every script, without the theme fonts that would win over it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)


def _set_language(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _styles(document) -> None:
    styles = document.styles
    # Document defaults, then Normal: Arial 10 pt, Canadian French.
    defaults = styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(default_rpr, FONT)
    _set_language(default_rpr)
    for size in default_rpr.findall(qn("w:sz")) + default_rpr.findall(qn("w:szCs")):
        size.set(qn("w:val"), "20")

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.font.color.rgb = INK
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr, FONT)
    _set_language(rpr)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1

    for name, size, before, after in (
        ("Title", 24, 0, 12),
        ("Subtitle", 15, 6, 6),
        ("Heading 1", 16, 0, 8),
        ("Heading 2", 12, 12, 4),
    ):
        style = styles[name]
        _set_fonts(style.element.get_or_add_rPr(), FONT)
        style.font.size = Pt(size)
        style.font.color.rgb = INK
        style.font.italic = False
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        # The template's colours are theme colours, which would win over ours.
        color = style.element.rPr.find(qn("w:color"))
        for attribute in list(color.attrib) if color is not None else []:
            if "theme" in attribute:
                del color.attrib[attribute]
    styles["Title"].font.bold = True
    # The title's rule under it, in the PDF's blue rather than the template's theme colour.
    rule = styles["Title"].element.pPr.find(qn("w:pBdr"))
    if rule is not None:
        for border in rule:
            border.set(qn("w:color"), HEADER_FILL)
            border.attrib.pop(qn("w:themeColor"), None)
    # No letter spacing on the subtitle.
    spacing = styles["Subtitle"].element.rPr.find(qn("w:spacing"))
    if spacing is not None:
        styles["Subtitle"].element.rPr.remove(spacing)
    styles["Subtitle"].font.bold = False
    # The template's Subtitle is numbered (numPr with no list): drop that.
    numbering = styles["Subtitle"].element.pPr.find(qn("w:numPr"))
    if numbering is not None:
        styles["Subtitle"].element.pPr.remove(numbering)

    table_text = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.style_id = TABLE_TEXT_ID
    table_text.base_style = normal
    table_text.quick_style = True
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_before = Pt(0)
    table_text.paragraph_format.space_after = Pt(3)
    table_text.paragraph_format.line_spacing = 1.0
    table_text.paragraph_format.widow_control = True

    bullet = styles.get_by_id(BULLET_ID, WD_STYLE_TYPE.PARAGRAPH)
    bullet.font.size = Pt(9)
    bullet.paragraph_format.space_after = Pt(2)
    bullet.paragraph_format.line_spacing = 1.0

    # Header and footer lines get their own right tab at each section's text width.
    for name in ("Header", "Footer"):
        tabs = styles[name].element.pPr.find(qn("w:tabs"))
        if tabs is not None:
            styles[name].element.pPr.remove(tabs)

    caption = styles["Caption"]
    caption.font.color.rgb = INK
    caption.font.size = Pt(9)
    caption.paragraph_format.keep_with_next = True


def _settings(document) -> None:
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)


def _properties(document, report: Report) -> None:
    when = datetime.datetime.combine(report.as_of, datetime.time(12, 0), tzinfo=datetime.UTC)
    props = document.core_properties
    props.title = _clean(report.title)
    props.subject = _clean(report.subtitle)
    props.author = _clean(report.author)
    props.last_modified_by = _clean(report.author)
    props.comments = "Produit par Concerto"
    props.keywords = "état d’avancement; plan d’action; annexe"
    props.category = "Rapport annuel — annexe"
    props.language = LANGUAGE
    props.created = when
    props.modified = when
    props.revision = 1
    # The default template carries a thumbnail of an unrelated page, and Word
    # 2010's copy of the template's styles (without our changes): drop both.
    for rels, reltype in (
        (document.part.package.rels, RT.THUMBNAIL),
        (document.part.rels, STYLES_WITH_EFFECTS),
    ):
        for r_id, rel in list(rels.items()):
            if rel.reltype == reltype:
                del rels[r_id]


# --- sections, headers and footers -------------------------------------------


def _page(section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    top, right, bottom, left = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    section.top_margin, section.right_margin = top, right
    section.bottom_margin, section.left_margin = bottom, left
    section.header_distance = section.footer_distance = Mm(10)


def _text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def _field(paragraph, instruction: str, placeholder: str):
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice compute."""

    def fld_char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} \\* MERGEFORMAT "
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _running_line(paragraph, left: str, width: int) -> None:
    """``left`` at the left margin, then a tab to the right margin."""
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    paragraph.add_run(_clean(left))
    paragraph.add_run("\t")


def _small(paragraph) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = GREY


def _header_footer(section, report: Report, *, first_section: bool = False) -> None:
    """Running title; author, date and page number below, laid out for this section's width."""
    width = _text_width(section)
    section.different_first_page_header_footer = first_section
    if first_section:  # The title page has neither header nor footer.
        section.first_page_header.is_linked_to_previous = False
        section.first_page_footer.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    line = header.paragraphs[0]
    line.add_run(_clean(report.title))
    _small(line)

    footer = section.footer
    footer.is_linked_to_previous = False
    line = footer.paragraphs[0]
    _running_line(line, f"{report.author} · {report.subtitle}", width)
    line.add_run("Page ")
    _field(line, "PAGE", "1")
    line.add_run(" de ")
    _field(line, "NUMPAGES", "1")
    _small(line)


def _new_section(document, report: Report, *, landscape: bool):
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=landscape)
    _header_footer(section, report)
    return section


# --- tables ------------------------------------------------------------------


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _row_flags(row, *, header: bool = False, keep_whole: bool = True) -> None:
    """``w:cantSplit`` keeps a row on one page; ``w:tblHeader`` repeats it on each page."""
    tr_pr = row._tr.get_or_add_trPr()
    if keep_whole:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _table(document, columns: list[tuple[str, int]]):
    """A "Table Grid" table with a styled header row that repeats on every page."""
    table = document.add_table(rows=1, cols=len(columns))
    table._tbl.tblPr.style = "TableGrid"  # "Table Grid", set by id
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(w for _, w in columns) // 635))  # EMU -> twips
    width.set(qn("w:type"), "dxa")
    existing = tbl_pr.find(qn("w:tblW"))
    if existing is not None:
        tbl_pr.replace(existing, width)
    else:
        tbl_pr.append(width)
    # A little air above and below the text of each cell.
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 40), ("left", 100), ("bottom", 40), ("right", 100)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
        look.set(qn("w:firstRow"), "1")  # The first row is a header row.
    else:
        tbl_pr.append(margins)
    for column, (_title, col_width) in zip(table.columns, columns, strict=True):
        column.width = col_width
    header = table.rows[0]
    _row_flags(header, header=True)
    for cell, (title, col_width) in zip(header.cells, columns, strict=True):
        cell.width = col_width
        _shade(cell, HEADER_FILL)
        run = _paragraph(cell).add_run(_clean(title))
        run.bold = True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    return table


def _add_row(table, columns, *, keep_whole: bool = True):
    row = table.add_row()
    _row_flags(row, keep_whole=keep_whole)
    for cell, (_, col_width) in zip(row.cells, columns, strict=True):
        cell.width = col_width
    return row


def _add(document, text: str = "", style_id: str | None = None):
    """A body paragraph, its style set by id (see ``_paragraph``)."""
    paragraph = document.add_paragraph(_clean(text))
    if style_id:
        paragraph._p.get_or_add_pPr().style = style_id
    return paragraph


def _paragraph(cell, style_id: str = TABLE_TEXT_ID):
    """The cell's first, still empty paragraph, or a new one, in that style.

    The style is set by its id: python-docx looks a name up through every
    style of the document, each time.
    """
    paragraphs = cell._tc.findall(qn("w:p"))
    if len(paragraphs) == 1 and paragraphs[0].find(qn("w:r")) is None:
        paragraph = Paragraph(paragraphs[0], cell)
    else:
        paragraph = cell.add_paragraph()
    paragraph._p.get_or_add_pPr().style = style_id
    return paragraph


def _text_cell(cell, text: str, *, bold: bool = False, align=None) -> None:
    paragraph = _paragraph(cell)
    paragraph.add_run(_clean(text)).bold = bold
    if align is not None:
        paragraph.alignment = align


# --- content -----------------------------------------------------------------


def _title_page(document, report: Report) -> None:
    author = _add(document)
    author.paragraph_format.space_before = Mm(40)
    run = author.add_run(_clean(report.author))
    run.bold = True
    run.font.size = Pt(12)
    title = _add(document, report.title, "Title")
    title.paragraph_format.space_before = Mm(45)
    _add(document, report.subtitle, "Subtitle")
    if report.previous_as_of:
        previous = _add(document, f"Comparaison avec l’état au {report.previous_as_of_text}")
        previous.paragraph_format.space_before = Pt(6)


def _summary(document, report: Report) -> None:
    heading = _add(document, "Sommaire", "Heading1")
    heading.paragraph_format.page_break_before = True
    if report.is_empty:
        _add(
            document,
            f"Aucun état d’avancement n’a été enregistré au {report.as_of_text} pour les mesures "
            "de ce plan. Le présent document ne contient donc pas de tableau d’avancement.",
        )
        return

    _add(document, f"Mesures selon leur état au {report.as_of_text}", "Caption")
    columns = [("État", Mm(80)), ("Nombre de mesures", Mm(40))]
    counts = _table(document, columns)
    for _code, label, count in report.status_counts:
        row = _add_row(counts, columns)
        _text_cell(row.cells[0], label)
        _text_cell(row.cells[1], str(count), align=WD_ALIGN_PARAGRAPH.RIGHT)
    total = _add_row(counts, columns)
    _text_cell(total.cells[0], "Total", bold=True)
    _text_cell(total.cells[1], str(len(report.measures)), bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for cell in total.cells:
        _shade(cell, TOTAL_FILL)

    _add(document, "Avancement moyen par thème", "Heading2")
    columns = [("Thème", Mm(120)), ("Avancement moyen", Mm(40))]
    averages = _table(document, columns)
    for theme in report.themes:
        row = _add_row(averages, columns)
        _text_cell(row.cells[0], f"{theme.number}. {theme.title}")
        average = theme.average_percent
        _text_cell(
            row.cells[1],
            percent_text(average) if average is not None else "non chiffré",
            align=WD_ALIGN_PARAGRAPH.RIGHT,
        )
    note = _add(
        document,
        f"Moyenne des pourcentages des mesures chiffrées de chaque thème{NBSP}; "
        "les mesures sans pourcentage n’y sont pas comptées.",
    )
    note.paragraph_format.space_before = Pt(4)
    for run in note.runs:
        run.italic = True
        run.font.size = Pt(8)
        run.font.color.rgb = GREY

    if report.previous_as_of:
        _add(document, f"Évolution depuis le {report.previous_as_of_text}", "Heading2")
        moved = _add(document)
        moved.add_run(_colon("Mesures dont l’avancement a changé")).bold = True
        moved.add_run(
            " "
            + (f"{NBSP}; ".join(f"{m.number} ({m.percent_display})" for m in report.moved) or "aucune")
            + "."
        )
        unchanged = _add(document)
        unchanged.add_run(_colon("Mesures dont l’avancement n’a pas changé")).bold = True
        unchanged.add_run(" " + (", ".join(str(m.number) for m in report.unchanged) or "aucune") + ".")


def _blocks(cell, blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind == "ul":
            for item in block.items:
                _paragraph(cell, BULLET_ID).add_run(_clean(item))
        else:
            _paragraph(cell).add_run(_clean(block.text))


def _organizations_cell(cell, measure: MeasureRow) -> None:
    _text_cell(cell, measure.leads, bold=True)
    if measure.collaborators:
        _text_cell(cell, measure.collaborators)


def _indicators_cell(cell, measure: MeasureRow) -> None:
    for indicator in measure.indicators:
        paragraph = _paragraph(cell)
        paragraph.paragraph_format.space_after = Pt(6)
        paragraph.add_run(_clean(indicator.label))
        if indicator.target:
            paragraph.add_run().add_break()
            paragraph.add_run(f"{_colon('Cible')} {_clean(indicator.target)}")
        paragraph.add_run().add_break()
        paragraph.add_run(f"{_colon('Échéance')} {_clean(indicator.deadline)}").italic = True
        if indicator.actual:
            paragraph.add_run().add_break()
            paragraph.add_run(f"{_colon('Atteint')} {_clean(indicator.actual)}")


def _progress_cell(cell, measure: MeasureRow) -> None:
    if not measure.has_progress:
        _paragraph(cell).add_run("Aucun état d’avancement à cette date.").italic = True
        return
    state = _paragraph(cell)
    state.paragraph_format.space_after = Pt(4)
    if measure.percent_display:
        percent = state.add_run(_clean(measure.percent_display))
        percent.bold = True
        percent.font.size = Pt(10)
        state.add_run(" ")
    status = measure.status_label + (f" en {measure.completed_in}" if measure.completed_in else "")
    state.add_run(_clean(status)).italic = True
    _blocks(cell, measure.blocks)
    for component in measure.components:
        line = _paragraph(cell)
        line.paragraph_format.space_before = Pt(4)
        line.paragraph_format.keep_with_next = True
        if component.percent_display:
            line.add_run(_clean(component.percent_display)).bold = True
            line.add_run(" ")
        line.add_run(_clean(component.label)).bold = True
        _blocks(cell, component.blocks)


def _estimated_lines(measure: MeasureRow) -> int:
    blocks = measure.blocks + [b for c in measure.components for b in c.blocks]
    texts = [b.text for b in blocks if b.kind == "p"] + [i for b in blocks for i in b.items]
    return sum(len(t) // _CHARS_PER_LINE + 2 for t in texts) + 3 * len(measure.components) + 2


def _annex(document, report: Report) -> None:
    _add(document, f"Annexe — {report.title}", "Heading1")
    columns = list(ANNEX_COLUMNS)
    columns[-1] = (f"État d’avancement des mesures au {report.as_of_text}", columns[-1][1])
    for theme in report.themes:
        _add(document, f"{theme.number}. {theme.title}", "Heading2")
        if theme.objective:
            objective = _add(document)
            objective.paragraph_format.keep_with_next = True
            objective.add_run(_colon("Objectif")).bold = True
            objective.add_run(" " + _clean(theme.objective))
        if not theme.measures:
            _add(document, "Aucune mesure dans ce thème.")
            continue
        table = _table(document, columns)
        for measure in theme.measures:
            long = measure.is_long or _estimated_lines(measure) > _LINES_PER_PAGE
            row = _add_row(table, columns, keep_whole=not long)
            number, title, organizations, indicators, progress = row.cells
            _text_cell(number, str(measure.number), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _text_cell(title, measure.title)
            _organizations_cell(organizations, measure)
            _indicators_cell(indicators, measure)
            _progress_cell(progress, measure)


def _checks(document, report: Report) -> None:
    _add(document, "Annexe — Contrôles de cohérence", "Heading1")
    _add(document, "Constats relevés automatiquement par Concerto sur les données de ce document.")
    if not report.checks:
        _add(document, "Aucun constat.")
        return
    table = _table(document, CHECK_COLUMNS)
    for finding in report.checks:
        row = _add_row(table, CHECK_COLUMNS)
        _text_cell(row.cells[0], SEVERITY.get(finding.severity, finding.severity))
        _text_cell(
            row.cells[1],
            str(finding.measure) if finding.measure is not None else "—",
            align=WD_ALIGN_PARAGRAPH.CENTER,
        )
        _text_cell(row.cells[2], finding.message)


def render_docx(report: Report) -> bytes:
    document = Document()
    _styles(document)
    _settings(document)
    _properties(document, report)

    first = document.sections[0]
    _page(first, landscape=False)
    _header_footer(first, report, first_section=True)
    _title_page(document, report)
    _summary(document, report)
    if not report.is_empty:
        _new_section(document, report, landscape=True)
        _annex(document, report)
    _new_section(document, report, landscape=False)
    _checks(document, report)

    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue(), report.as_of)
