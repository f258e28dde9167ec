"""Reading and validating an order's submission file, all or nothing.

``read_submission(path, key=…)`` returns the validated rows as a Polars
DataFrame (typed columns, pseudonyms keyed again with Concerto's key) with a
quality report, or raises ``SubmissionRefused`` whose report names, for the
first hundred problems and their total, the line, the column and the
reason, and the value except for the pseudonym (personal information:
« valeur non conforme »). Nothing is stored here.

Accepted: CSV as the orders really send it (UTF-8 with or without BOM, or
Windows-1252; ``,`` or ``;``; dates AAAA-MM-JJ or JJ/MM/AAAA; CRLF or LF;
blank lines ignored) and the Excel template (``template.py``). The
dictionary has no decimal field (minimization), so a decimal comma can only
appear inside a quoted value, which the CSV reader keeps whole.

Why Polars rather than DuckDB: validation here is a set of column
expressions (regex, membership, two date formats, cross-field rules) whose
failures must come back as (line, column, reason) rows. Polars evaluates
them as vectorized expressions over Arrow memory, multi-threaded, with no
SQL text to build from column names, and hands the result to the next steps
(survival estimates, tables, a PostgreSQL ``COPY``) as columnar arrays
without a copy. DuckDB would do the scan as fast, but it reads non-UTF-8
files only through an extension fetched from the network (not available
here) and would add a second dataframe layer between SQL and Python. Polars
reads all columns as text (no type guessing that could silently accept a
bad value); we then type each column ourselves.

Line numbers are those a spreadsheet or text editor shows: the header is
line 1; a quoted value spanning lines is counted as the editor counts it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from . import dictionary as d
from .pseudonyms import rekey_all

MAX_REPORTED = 100
LINE = "ligne"
TYPED = "\x00typé"  # suffix of the parsed copy of a column, beside its text, during the checks
EARLIEST_DATE = datetime.date(1950, 1, 1)
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_FRENCH_DATE = r"^\d{2}/\d{2}/\d{4}$"
_ZIP_MAGIC = b"PK\x03\x04"
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_EXCEL_SHEET = "Demandes"


# --- Reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused. ``line`` is None for a problem of the whole file."""

    line: int | None
    column: str
    reason: str
    value: str | None = None

    def message(self) -> str:
        where = f"ligne {self.line}" if self.line is not None else "fichier"
        if self.column:
            where += f", colonne « {self.column} »"
        shown = f" (valeur « {self.value} »)" if self.value is not None else ""
        return f"{where} : {self.reason}{shown}."


@dataclass
class ValidationReport:
    problems: list[Problem]
    total: int

    HEADER = ("ligne", "colonne", "valeur", "motif")

    def messages(self) -> list[str]:
        lines = [p.message() for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"… et {self.total - len(self.problems)} autre(s) erreur(s), {self.total} au total.")
        return lines

    def to_rows(self) -> list[list[str]]:
        """The report as rows for the (shared, safe) CSV writer: header first."""
        rows = [list(self.HEADER)]
        for p in self.problems:
            rows.append(["" if p.line is None else str(p.line), p.column, p.value or "", p.reason])
        return rows


class SubmissionRefused(Exception):
    """The file is refused as a whole; ``report`` says why."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"Fichier refusé : {report.total} erreur(s).")


@dataclass(frozen=True)
class SequenceCheck:
    code: str
    label: str
    count: int
    lines: tuple[int, ...]


@dataclass
class QualityReport:
    """Completeness, impossible sequences and duplicates of an accepted file.

    None of this refuses the file: these are what the order is asked to look at.
    """

    rows: int
    completeness: dict[str, float]
    sequences: list[SequenceCheck]
    duplicates: int
    duplicate_lines: tuple[int, ...]

    def to_rows(self) -> list[list[str]]:
        rows = [["indicateur", "champ ou contrôle", "valeur", "lignes (premières)"]]
        for column, share in self.completeness.items():
            rows.append(["complétude", column, f"{share:.1%}".replace(".", ","), ""])
        for check in self.sequences:
            rows.append(
                ["séquence impossible", check.label, str(check.count), " ".join(map(str, check.lines))]
            )
        rows.append(
            [
                "doublons",
                "même personne, ordre, profession et date de réception",
                str(self.duplicates),
                " ".join(map(str, self.duplicate_lines)),
            ]
        )
        return rows


@dataclass
class Submission:
    """An accepted file: ``frame`` has one typed column per dictionary field and ``ligne``."""

    frame: pl.DataFrame
    quality: QualityReport
    synthetic: bool
    file_format: str
    encoding: str = ""
    separator: str = ""
    problems: list[Problem] = field(default_factory=list)


def _refuse(problems: list[Problem], total: int | None = None):
    raise SubmissionRefused(
        ValidationReport(problems[:MAX_REPORTED], total if total is not None else len(problems))
    )


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class _Raw:
    frame: pl.DataFrame  # all text, stripped, empty as null, plus LINE
    file_format: str
    encoding: str = ""
    separator: str = ""


def _decode(data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes, and the encoding it was in."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    if data.isascii():  # ASCII is UTF-8: no need to decode a copy of the whole file to know it
        return data, encoding
    try:
        data.decode("utf-8")
        return data, encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        _refuse([Problem(None, "", "encodage non reconnu (UTF-8 ou Windows-1252 attendu)")])
    raise AssertionError("unreachable")


def _text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (no list of a million strings)."""
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _record_lines(data: bytes, separator: str, width: int) -> pl.Series:
    """Start line of each non-blank record; refuses records with the wrong number of fields.

    Polars, which reads the values, reports neither. Without any quote in the
    file a record is a line, and Polars counts the separators of every line
    at once; otherwise the csv module counts fields and physical lines
    exactly (a quoted value may hold separators and span lines).
    """
    if b'"' not in data and b"\x1f" not in data:
        return _unquoted_record_lines(data, separator, width)
    reader = csv.reader(_text_lines(data.decode("utf-8")), delimiter=separator)
    starts: list[int] = []
    problems: list[Problem] = []
    count = 0
    next_start = 1
    try:
        for record in reader:
            start, next_start = next_start, reader.line_num + 1
            if start == 1:
                continue  # the header
            if not record or not any(v.strip() for v in record):
                continue
            if len(record) != width:
                count += 1
                if len(problems) < MAX_REPORTED:
                    problems.append(Problem(start, "", f"{len(record)} champ(s) au lieu de {width}"))
                continue
            starts.append(start)
    except csv.Error as exc:
        _refuse([Problem(reader.line_num, "", f"CSV mal formé ({exc})")])
    if count:
        _refuse(problems, count)
    return pl.Series(LINE, starts, dtype=pl.UInt32)


def _unquoted_record_lines(data: bytes, separator: str, width: int) -> pl.Series:
    lines = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator="\x1f",  # unit separator, absent from the file: each line is one value
        quote_char=None,
        new_columns=["text"],
        infer_schema=False,
        empty_string_is_null=False,
        raise_if_empty=False,
    ).with_row_index(LINE, offset=1)
    content = pl.col("text")
    fields = content.str.count_matches(separator, literal=True) + 1
    # Blank: nothing but separators and spaces (a final \r included). A regex that stops at
    # the first other character, rather than a stripped copy of every line.
    blank = ~content.str.contains("[^" + re.escape(separator) + r"\s]")
    lines = lines.lazy().filter((pl.col(LINE) > 1) & ~blank).select(LINE, fields.alias("fields")).collect()
    wrong = lines.filter(pl.col("fields") != width)
    if wrong.height:
        _refuse(
            [
                Problem(line, "", f"{n} champ(s) au lieu de {width}")
                for line, n in wrong.head(MAX_REPORTED).iter_rows()
            ],
            wrong.height,
        )
    return lines.get_column(LINE).cast(pl.UInt32)


def _looks_like_a_pseudonym(value: str) -> bool:
    return _HEX64.fullmatch(value.strip()) is not None


def _header(names: list[str]) -> list[str]:
    names = [(n or "").strip() for n in names]
    unknown = [n for n in names if n and n not in d.FIELDS_BY_NAME]
    if len(unknown) * 2 > len(names):
        # Most names unknown: the first line is likely data (no header), which may hold
        # personal information; nothing of it is repeated.
        _refuse([Problem(1, "", "la première ligne n’est pas l’en-tête du dictionnaire de données")])
    problems = []
    seen = set()
    for name in names:
        if not name:
            problems.append(Problem(1, "", "colonne sans nom"))
        elif name in seen:
            problems.append(Problem(1, name, "colonne en double"))
        elif name not in d.FIELDS_BY_NAME:
            shown = "(nom non affiché)" if _looks_like_a_pseudonym(name) else name
            problems.append(Problem(1, shown, "colonne hors du dictionnaire de données"))
        seen.add(name)
    for name in d.REQUIRED_COLUMNS:
        if name not in seen:
            problems.append(Problem(1, name, "colonne obligatoire absente"))
    if problems:
        _refuse(problems)
    return names


def _read_csv(path: Path) -> _Raw:
    data, encoding = _decode(path.read_bytes())
    end = data.find(b"\n")
    header_line = (data if end < 0 else data[:end]).decode("utf-8")  # not split(): a copy of the file
    if not header_line.strip():
        _refuse([Problem(1, "", "le fichier est vide ou sa première ligne n’est pas l’en-tête")])
    separator = ";" if header_line.count(";") > header_line.count(",") else ","
    header = _header(next(csv.reader([header_line], delimiter=separator)))
    starts = _record_lines(data, separator, len(header))
    frame = pl.read_csv(
        io.BytesIO(data),
        separator=separator,
        infer_schema=False,
        new_columns=header,
        empty_string_is_null=False,
        raise_if_empty=False,
    )
    del data
    # Surrounding spaces trimmed, an empty value is missing, a line of empty values is blank.
    frame = (
        frame.lazy()
        .select(pl.col(c).str.strip_chars().replace({"": None}) for c in header)
        .filter(~pl.all_horizontal(pl.col(c).is_null() for c in header))
        .collect()
    )
    if frame.height != starts.len():  # both readers follow RFC 4180; a disagreement is refused, not guessed
        _refuse([Problem(None, "", "structure CSV incohérente (guillemets mal fermés ?)")])
    return _Raw(frame.with_columns(starts), "csv", encoding, separator)


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _read_xlsx(path: Path) -> _Raw:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        _refuse([Problem(None, "", f"classeur Excel illisible ({type(exc).__name__})")])
    try:
        sheet = workbook[_EXCEL_SHEET] if _EXCEL_SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if not first:
            _refuse([Problem(1, "", "la feuille est vide ou sa première ligne n’est pas l’en-tête")])
        while first and first[-1] is None:  # trailing empty header cells
            first = first[:-1]
        header = _header([_cell_text(v) or "" for v in first])
        width = len(header)
        columns: list[list] = [[] for _ in header]
        lines: list[int] = []
        problems: list[Problem] = []
        for number, row in enumerate(rows, start=2):
            values = [_cell_text(v) for v in row]
            if not any(v is not None for v in values):
                continue
            if any(v is not None for v in values[width:]):
                problems.append(Problem(number, "", "valeur hors des colonnes de l’en-tête"))
                continue
            values += [None] * (width - len(values))
            for column, value in zip(columns, values, strict=False):
                column.append(value)
            lines.append(number)
        if problems:
            _refuse(problems)
    finally:
        workbook.close()
    frame = pl.DataFrame(
        {name: pl.Series(name, col, dtype=pl.String) for name, col in zip(header, columns, strict=True)}
    )
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.UInt32))
    return _Raw(frame, "xlsx")


def read_raw(path: Path) -> _Raw:
    path = Path(path)
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == _ZIP_MAGIC:
        return _read_xlsx(path)
    if path.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"}:
        _refuse([Problem(None, "", "classeur non reconnu (seul le modèle Excel .xlsx est accepté)")])
    return _read_csv(path)


# --- Validation ---------------------------------------------------------------------------------


def _dates(column: str) -> pl.Expr:
    text = pl.col(column)
    iso = text.str.to_date("%Y-%m-%d", strict=False)
    french = text.str.to_date("%d/%m/%Y", strict=False)
    return (
        pl.when(text.str.contains(_ISO_DATE))
        .then(iso)
        .when(text.str.contains(_FRENCH_DATE))
        .then(french)
        .otherwise(None)
    )


def _booleans(column: str) -> pl.Expr:
    lowered = pl.col(column).str.to_lowercase()
    return pl.when(lowered.is_in(d.TRUE_VALUES)).then(True).when(lowered.is_in(d.FALSE_VALUES)).then(False)


def _typed(raw: pl.DataFrame) -> pl.DataFrame:
    """Every dictionary column typed; a value that does not parse becomes null (checked apart)."""
    exprs = [pl.col(LINE)]
    for f in d.FIELDS:
        if f.name not in raw.columns:
            dtype = pl.Date if f.type == d.DATE else pl.Boolean if f.type == d.BOOLEAN else pl.String
            exprs.append(pl.lit(None, dtype=dtype).alias(f.name))
        elif f.type == d.DATE:
            exprs.append(_dates(f.name).alias(f.name))
        elif f.type == d.BOOLEAN:
            exprs.append(_booleans(f.name).alias(f.name))
        else:
            exprs.append(pl.col(f.name))
    return raw.select(exprs)


def _column_checks(
    raw: pl.DataFrame, *, order: str | None, known_orders, today
) -> list[tuple[str, pl.Expr, str | pl.Expr, bool]]:
    """(column, failing condition, reason, show the value) for each single-column rule,
    evaluated over ``_checked(raw, typed)``."""
    checks = []
    for f in d.FIELDS:
        if f.name not in raw.columns:
            continue
        value = pl.col(f.name)
        present = value.is_not_null()
        show = f.name != "pseudonyme"
        if f.required:
            checks.append((f.name, value.is_null(), "valeur obligatoire manquante", False))
        if f.name == "pseudonyme":
            checks.append(
                (
                    f.name,
                    present & ~value.str.contains(d.PSEUDONYM_PATTERN),
                    "valeur non conforme (64 caractères hexadécimaux minuscules attendus)",
                    False,
                )
            )
        elif f.pattern:
            checks.append(
                (
                    f.name,
                    present & ~value.str.contains(f.pattern),
                    "code mal formé (minuscules, chiffres et traits d’union attendus)",
                    show,
                )
            )
        if f.allowed:
            checks.append(
                (
                    f.name,
                    present & ~value.is_in(sorted(f.allowed)),
                    "code de pays inconnu (ISO 3166-1 alpha-2 en majuscules attendu, p. ex. FR)",
                    show,
                )
            )
        if f.categories:
            checks.append(
                (
                    f.name,
                    present & ~value.is_in(f.codes),
                    "code inconnu (attendu : " + ", ".join(f.codes) + ")",
                    show,
                )
            )
        typed = pl.col(f.name + TYPED)  # the value as ``_typed`` parsed it, null if it did not parse
        if f.type == d.BOOLEAN:
            checks.append((f.name, present & typed.is_null(), "oui ou non attendu", show))
        if f.type == d.DATE:
            # The reason is computed only for the failing rows: a date of the right shape that
            # does not parse is impossible (30 February), anything else is malformed.
            shaped = value.str.contains(_ISO_DATE) | value.str.contains(_FRENCH_DATE)
            reason = pl.when(shaped).then(pl.lit("date impossible"))
            reason = reason.otherwise(pl.lit("date mal formée (AAAA-MM-JJ ou JJ/MM/AAAA attendu)"))
            checks.append((f.name, present & typed.is_null(), reason, show))
            checks.append((f.name, typed < EARLIEST_DATE, "date invraisemblable (avant 1950)", show))
            checks.append((f.name, typed > today, "date future", show))
    if "ordre" in raw.columns:
        if order is not None:
            checks.append(
                (
                    "ordre",
                    pl.col("ordre").is_not_null() & (pl.col("ordre") != order),
                    f"demande d’un autre ordre que « {order} »",
                    True,
                )
            )
        if known_orders is not None:
            checks.append(
                (
                    "ordre",
                    pl.col("ordre").is_not_null() & ~pl.col("ordre").is_in(sorted(known_orders)),
                    "ordre inconnu",
                    True,
                )
            )
    return checks


def _pair_checks() -> list[tuple[str, pl.Expr, str]]:
    """Rules across columns, on typed values (so a value already refused is not reported twice)."""
    c = pl.col
    return [
        (
            "decision",
            c("date_decision").is_not_null() & c("decision").is_null(),
            "décision manquante alors que la date de la décision est remplie",
        ),
        (
            "date_decision",
            c("decision").is_not_null() & c("date_decision").is_null(),
            "date manquante alors que la décision est remplie",
        ),
        (
            "type_permis",
            c("date_permis").is_not_null() & c("type_permis").is_null(),
            "type de permis manquant alors que la date du permis est remplie",
        ),
        (
            "date_permis",
            c("type_permis").is_not_null() & c("date_permis").is_null(),
            "date manquante alors que le type de permis est rempli",
        ),
        (
            "motif_fermeture",
            c("date_fermeture").is_not_null() & c("motif_fermeture").is_null(),
            "motif manquant alors que la date de fermeture est remplie",
        ),
        (
            "date_fermeture",
            c("motif_fermeture").is_not_null() & c("date_fermeture").is_null(),
            "date manquante alors que le motif de fermeture est rempli",
        ),
        (
            "resultat_revision",
            c("resultat_revision").is_not_null() & ~c("revision_demandee").fill_null(False),
            "résultat d’une révision qui n’a pas été demandée",
        ),
    ]


def _checked(raw: pl.DataFrame, typed: pl.DataFrame) -> pl.DataFrame:
    """The text columns beside the parsed dates and booleans (no copy: Arrow buffers are shared)."""
    parsed = [f.name for f in d.FIELDS if f.type in (d.DATE, d.BOOLEAN) and f.name in raw.columns]
    return raw.hstack(typed.select(pl.col(c).alias(c + TYPED) for c in parsed))


def _problems(raw: pl.DataFrame, typed: pl.DataFrame, checks, pairs) -> tuple[list[Problem], int]:
    order = {name: i for i, name in enumerate(d.COLUMNS)}
    parts = []
    for column, failing, reason, show in checks:
        parts.append(
            raw.lazy()
            .filter(failing.fill_null(False))
            .select(
                pl.col(LINE),
                pl.lit(column).alias("column"),
                (reason if isinstance(reason, pl.Expr) else pl.lit(reason)).alias("reason"),
                (pl.col(column) if show else pl.lit(None, dtype=pl.String)).alias("value"),
                pl.lit(order[column]).alias("position"),
            )
        )
    for column, failing, reason in pairs:
        parts.append(
            typed.lazy()
            .filter(failing.fill_null(False))
            .select(
                pl.col(LINE),
                pl.lit(column).alias("column"),
                pl.lit(reason).alias("reason"),
                pl.lit(None, dtype=pl.String).alias("value"),
                pl.lit(order[column]).alias("position"),
            )
        )
    if not parts:
        return [], 0
    found = pl.concat(pl.collect_all(parts))
    total = found.height
    first = found.sort(LINE, "position").head(MAX_REPORTED)
    problems = []
    for r in first.iter_rows(named=True):
        value = r["value"]
        if value is not None and _looks_like_a_pseudonym(value):
            value = None  # a pseudonym shifted into another column is not repeated either
        problems.append(Problem(r[LINE], r["column"], r["reason"], value))
    return problems, total


def _cast_categories(typed: pl.DataFrame) -> pl.DataFrame:
    return typed.with_columns(pl.col(f.name).cast(pl.Enum(list(f.codes))) for f in d.FIELDS if f.categories)


REKEY_CHUNK = 100_000


def _rekeyed(pseudonyms: pl.Series, key: bytes) -> pl.Series:
    """The column keyed again, by chunks: never a million Python strings alive at once."""
    chunks = [
        pl.Series(
            "pseudonyme", rekey_all(pseudonyms.slice(start, REKEY_CHUNK).to_list(), key), dtype=pl.String
        )
        for start in range(0, pseudonyms.len(), REKEY_CHUNK)
    ]
    return pl.concat(chunks) if chunks else pseudonyms


def read_submission(
    path: str | Path,
    *,
    key: bytes,
    order: str | None = None,
    known_orders: Collection[str] | None = None,
    today: datetime.date | None = None,
    allow_synthetic: bool = True,
) -> Submission:
    """Validate ``path`` and return its rows with pseudonyms keyed again with ``key``.

    ``order``: the order the file is submitted for (every row must be its).
    ``known_orders``: the order codes Concerto knows (None: not checked).
    ``allow_synthetic=False`` refuses a synthetic file (for real submissions).
    Raises ``SubmissionRefused`` on any problem; nothing is half-accepted.
    """
    today = today or datetime.date.today()
    raw = read_raw(Path(path))
    if raw.frame.height == 0:
        _refuse([Problem(None, "", "aucune demande dans le fichier")])
    checks = _column_checks(raw.frame, order=order, known_orders=known_orders, today=today)
    typed = _typed(raw.frame)
    problems, total = _problems(_checked(raw.frame, typed), typed, checks, _pair_checks())
    if total:
        _refuse(problems, total)
    synthetic_values = typed.get_column(d.SYNTHETIC_COLUMN).fill_null(False)
    synthetic = bool(synthetic_values.all())
    if synthetic_values.any() and not synthetic:
        _refuse(
            [Problem(None, d.SYNTHETIC_COLUMN, "un fichier ne peut mêler données synthétiques et réelles")]
        )
    if synthetic and not allow_synthetic:
        _refuse([Problem(None, d.SYNTHETIC_COLUMN, "données synthétiques refusées pour un dépôt réel")])
    typed = _cast_categories(typed.with_columns(_rekeyed(typed.get_column("pseudonyme"), key)))
    return Submission(
        frame=typed,
        quality=quality_report(typed),
        synthetic=synthetic,
        file_format=raw.file_format,
        encoding=raw.encoding,
        separator=raw.separator,
    )


# --- Quality ------------------------------------------------------------------------------------

SEQUENCES = (
    (
        "complete_before_received",
        "dossier complet avant la réception",
        "date_dossier_complet",
        "date_reception",
    ),
    (
        "decision_before_received",
        "décision avant la réception de la demande",
        "date_decision",
        "date_reception",
    ),
    (
        "decision_before_complete",
        "décision avant le dossier complet",
        "date_decision",
        "date_dossier_complet",
    ),
    (
        "prescriptions_before_decision",
        "prescriptions complétées avant la décision",
        "date_prescriptions_completees",
        "date_decision",
    ),
    ("permit_before_decision", "permis avant la décision", "date_permis", "date_decision"),
    ("permit_before_received", "permis avant la réception de la demande", "date_permis", "date_reception"),
    (
        "closure_before_received",
        "fermeture avant la réception de la demande",
        "date_fermeture",
        "date_reception",
    ),
)
DUPLICATE_KEY = ("pseudonyme", "ordre", "profession", "date_reception")
QUALITY_LINES = 20


def quality_report(frame: pl.DataFrame) -> QualityReport:
    """Completeness of each field, impossible sequences and duplicates of a typed frame."""
    rows = frame.height
    nulls = frame.select(pl.col(c).null_count() for c in d.COLUMNS).row(0)
    completeness = {c: (1 - n / rows) if rows else 0.0 for c, n in zip(d.COLUMNS, nulls, strict=True)}
    sequences = []
    for code, label, later, earlier in SEQUENCES:
        bad = frame.filter((pl.col(later) < pl.col(earlier)).fill_null(False)).get_column(LINE)
        sequences.append(SequenceCheck(code, label, bad.len(), tuple(bad.head(QUALITY_LINES).to_list())))
    duplicated = frame.filter(pl.struct(DUPLICATE_KEY).is_duplicated()).sort(LINE)
    # The first row of each group is the original: the others are counted as duplicates.
    extra = duplicated.filter(pl.col(LINE) != pl.col(LINE).min().over(DUPLICATE_KEY)).get_column(LINE)
    return QualityReport(
        rows=rows,
        completeness=completeness,
        sequences=sequences,
        duplicates=extra.len(),
        duplicate_lines=tuple(extra.head(QUALITY_LINES).to_list()),
    )
