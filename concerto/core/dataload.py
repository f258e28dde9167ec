"""Shared helpers for the all-or-nothing imports of files in data/: the YAML
loader that remembers lines, the one typed field reader (:class:`Fields`) and
the one :class:`ImportResult`."""

from __future__ import annotations

import base64
import datetime
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .dates import InvalidDate, parse_reporting_date

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class DataError(ValueError):
    """A data file is invalid. The message, in French, names where and why."""


class LineDict(dict):
    """A YAML mapping that remembers the line it starts on (1-based)."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def at(entry, where: str) -> str:
    """``where`` completed with the entry's line in the file, when known."""
    line = getattr(entry, "line", None)
    if not line or where.endswith(f"(ligne {line})"):
        return where
    return f"{where} (ligne {line})"


def load_yaml(path: Path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataError(f"{path}: fichier introuvable.") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: le fichier n’est pas en UTF-8 ({exc.reason}).") from exc
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else "position inconnue"
        raise DataError(f"{path}, {line} : YAML invalide ({exc.problem}).") from exc
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: YAML invalide ({exc}).") from exc
    except ValueError as exc:  # PyYAML builds unquoted dates itself: 2024-02-30 fails here
        raise DataError(f"{path}{impossible_date(Path(path))} : date impossible ({exc}).") from exc
    if not isinstance(document, dict):
        raise DataError(f"{path}: le document doit être un dictionnaire YAML.")
    return document


_MISSING = object()
_LABELS = {
    str: "texte",
    int: "nombre entier",
    bool: "booléen (true ou false)",
    list: "liste",
    dict: "objet",
}


class Fields:
    """Typed reads of the fields of one entry of a data file.

    The one reader of every importer: ``where`` names the file and the entry
    (« data/plans/x.yaml, mesure 13 »), the entry's line is added when YAML
    gave it, and every refusal is a :class:`DataError` naming the field::

        f = Fields(entry, f"{path}, cas {reference}")
        title = f.str("title", required=True)
        percent = f.percent("percent")

    Optional fields read as ``""`` (text), ``[]`` (list) or ``None``. Text is
    stripped; a blank text counts as missing.
    """

    def __init__(self, entry, where: str):
        if not isinstance(entry, dict):
            raise DataError(f"{where}: l’entrée doit être un dictionnaire.")
        self.entry = entry
        self.where = at(entry, where)

    def error(self, name: str, reason: str) -> DataError:
        return DataError(f"{self.where}, champ « {name} » : {reason}")

    def _value(self, name: str, required: bool):
        value = self.entry.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(name, "valeur obligatoire manquante.")
            return None
        return value

    def str(self, name: str, *, required: bool = False, numbers: bool = False) -> str:
        """Text; with ``numbers``, a YAML number (« deadline: 2024 ») is read as its text."""
        value = self._value(name, required)
        if value is None:
            return ""
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.error(name, "texte attendu.")
        return value.strip()

    def slug(self, name: str, *, required: bool = True) -> str:
        value = self.str(name, required=required)
        if value and not _SLUG.fullmatch(value):
            raise self.error(
                name,
                f"« {value} » n’est pas un identifiant valide (lettres non accentuées, chiffres, traits d’union).",
            )
        return value

    def int(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
        expected: str = "nombre entier",
    ) -> int | None:
        value = self._value(name, required)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
        ):
            raise self.error(name, f"{expected} attendu, pas « {value} ».")
        return value

    def percent(self, name: str) -> int | None:
        return self.int(name, minimum=0, maximum=100, expected="pourcentage entier de 0 à 100")

    def decimal(self, name: str, *, places: int = 2) -> Decimal | None:
        """A positive number, rounded to ``places`` decimals."""
        value = self._value(name, False)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.error(name, "nombre attendu.")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise self.error(name, f"nombre attendu, pas « {value} ».") from exc
        if not number.is_finite() or number < 0:
            raise self.error(name, "nombre positif attendu.")
        return number.quantize(Decimal(1).scaleb(-places))

    def date(self, name: str, *, required: bool = False) -> date | None:
        """A day, unquoted in YAML (2023-03-31) or as the text « 2023-03-31 »."""
        value = self._value(name, required)
        if value is None:
            return None
        try:
            return parse_reporting_date(value)
        except InvalidDate as exc:
            raise self.error(name, f"« {value} » n’est pas une date AAAA-MM-JJ valide.") from exc

    def bool(self, name: str, *, default: bool = False) -> bool:
        value = self.entry.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(name, f"vrai ou faux (true, false) attendu, pas « {value} ».")
        return value

    def list(self, name: str, *, required: bool = False) -> list:
        value = self._value(name, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(name, "liste attendue.")
        return value

    def dict(self, name: str, *, required: bool = False) -> dict | None:
        value = self._value(name, required)
        if value is not None and not isinstance(value, dict):
            raise self.error(name, "dictionnaire attendu.")
        return value

    def choice(self, name: str, choices, *, default: str | None = None) -> str:
        """One of ``choices`` (a Django ``TextChoices`` or an iterable of values);
        without ``default``, required."""
        value = self._value(name, default is None)
        if value is None:
            return default
        known = list(getattr(choices, "values", choices))
        if value not in known:
            raise self.error(name, f"valeur « {value} » inconnue ({', '.join(map(str, known))}).")
        return value

    def exact(self, field: str, kind: type, *, null: bool = False, blank: bool = True):
        """The value of ``field`` in ``entry``, of type ``kind``, or a French ``DataError``.

        ``kind`` is ``str``, ``int``, ``bool``, ``list``, ``dict`` (the JSON
        types), or ``datetime.date`` (``AAAA-MM-JJ``), ``datetime.datetime`` (ISO
        8601 with a time zone), ``Decimal`` (written as text) or ``bytes``
        (base64). The field must be present; ``null`` allows null, ``blank=False``
        refuses an empty text.
        """
        entry, where = self.entry, self.where
        value = entry.get(field, _MISSING)
        if value is _MISSING:
            raise DataError(f"{where} : champ « {field} » manquant.")
        if value is None and null:
            return None
        if kind in _LABELS:
            if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
                raise DataError(f"{where}, champ « {field} » : {_LABELS[kind]} attendu, pas « {value} ».")
            if kind is str and not blank and not value:
                raise DataError(f"{where}, champ « {field} » : valeur obligatoire vide.")
            return value
        text = self.exact(field, str)
        if kind is datetime.datetime:
            try:
                parsed = datetime.datetime.fromisoformat(text)
            except ValueError:
                parsed = None
            if parsed is None or parsed.tzinfo is None:
                raise DataError(
                    f"{where}, champ « {field} » : date et heure ISO 8601 avec fuseau attendues, pas « {text} »."
                )
            return parsed
        if kind is datetime.date:
            try:
                return datetime.date.fromisoformat(text)
            except ValueError as exc:
                raise DataError(
                    f"{where}, champ « {field} » : date AAAA-MM-JJ attendue, pas « {text} »."
                ) from exc
        if kind is Decimal:
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                raise DataError(f"{where}, champ « {field} » : nombre attendu, pas « {text} ».")
            return number
        if kind is bytes:
            try:
                return base64.b64decode(text, validate=True)
            except ValueError as exc:
                raise DataError(f"{where}, champ « {field} » : contenu base64 illisible.") from exc
        raise TypeError(f"Fields.exact: type {kind!r} non pris en charge")


@dataclass
class ImportResult:
    """What an import did: counts, and one line per change (shown with ``-v 2``).

    ``subject`` is the main object imported, when there is one (the plan).
    """

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)
    subject: Any = None

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def impossible_date(path: Path) -> str:
    """« , ligne N » for the first unquoted YAML date that is no real day, if any."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, ValueError, yaml.YAMLError):
        return ""
    nodes = [root]
    while nodes:
        node = nodes.pop(0)
        if isinstance(node, yaml.MappingNode):
            nodes.extend(item for pair in node.value for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":timestamp"):
            match = yaml.SafeLoader.timestamp_regexp.match(node.value)
            try:
                date(int(match["year"]), int(match["month"]), int(match["day"]))
            except (TypeError, ValueError):
                return f", ligne {node.start_mark.line + 1}, « {node.value} »"
    return ""
