"""Shared helpers for the all-or-nothing imports of files in data/."""

from datetime import date
from pathlib import Path

import yaml


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


def require(entry, field: str, kind: type, where: str):
    """The value of a required field of the right type, or a DataError."""
    if not isinstance(entry, dict):
        raise DataError(f"{where}: l’entrée doit être un dictionnaire.")
    where = at(entry, where)
    value = entry.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DataError(f"{where}, champ « {field} » : valeur obligatoire manquante.")
    if kind is int and isinstance(value, bool):
        raise DataError(f"{where}, champ « {field} » : nombre entier attendu.")
    if not isinstance(value, kind):
        expected = {str: "texte", int: "nombre entier", list: "liste", dict: "dictionnaire"}
        raise DataError(f"{where}, champ « {field} » : {expected.get(kind, 'texte ou nombre')} attendu.")
    return value


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
