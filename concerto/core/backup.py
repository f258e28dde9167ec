"""What every app's backup shares: the sections, the names, the typed reader.

A backup (``concerto.backups``) is one JSON document made of sections. Each
app that has data writes and restores its own section in its ``backup.py``
module and registers it here with ``register(Section(...))``; the
orchestrator only decides the order of the sections, the transaction and
the format version. This module holds what would otherwise be copied into
every app:

- the contexts passed to the sections: the organizations and people a
  document names (by ``code`` and username, never by database id), the
  objects restored so far under their natural keys, the notes and the files
  written;
- the typed reading of a field (``require``), with a French ``DataError``
  naming the place;
- ``save_valid``: model validation (``full_clean``) before every write, its
  refusal in French;
- the base64 + SHA-256 form of a file;
- the key parts: the database ids inside the keys of sent e-mails, written
  as natural keys.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation

from concerto.core.dataload import DataError, Fields

__all__ = ["DataError", "ExportContext", "RestoreContext", "Section", "register", "require", "save_valid"]


# --- sections -------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One app's part of a backup.

    ``keys``: the top-level keys of the document it owns. ``export(ctx)``
    returns them (a dict); ``check(ctx, data)`` reads what must be refused
    before anything is written; ``restore(ctx, data)`` writes them back;
    ``summary(data)`` says in French what the section holds (« 2 cas »);
    ``warnings(data)`` what was saved incompletely.
    """

    name: str
    keys: tuple[str, ...]
    export: Callable[[ExportContext], dict]
    restore: Callable[[RestoreContext, dict], None]
    check: Callable[[RestoreContext, dict], None] | None = None
    summary: Callable[[dict], list[str]] | None = None
    warnings: Callable[[dict], list[str]] | None = None


_sections: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Declare an app's section; called when the app's ``backup`` module is imported."""
    _sections[section.name] = section
    return section


def registered() -> dict[str, Section]:
    return dict(_sections)


# --- key parts --------------------------------------------------------------


@dataclass(frozen=True)
class KeyPart:
    """A database id inside the key of a sent e-mail (``campaign:12:…``).

    ``out(ctx, pk)`` gives the natural key of the object, or None when it is
    not in the backup (the id is then kept as it is); ``into(ctx, ref,
    where)`` the restored object.
    """

    kind: str
    out: Callable[[ExportContext, int], Any]
    into: Callable[[RestoreContext, Any, str], Any]

    @property
    def placeholder(self) -> str:
        return f"<{self.kind}>"


_key_parts: dict[str, KeyPart] = {}


def register_key_part(kind: str, *, out=None, into=None) -> None:
    """By default, the natural key is the one the section recorded with
    ``ExportContext.remember`` / ``RestoreContext.remember`` under ``kind``."""
    _key_parts[kind] = KeyPart(
        kind,
        out or (lambda ctx, pk: ctx.refs.get(kind, {}).get(pk)),
        into or (lambda ctx, ref, where: ctx.restored(kind, ref, where)),
    )


def symbolic_key(ctx: ExportContext, key: str) -> tuple[str, dict]:
    """``campaign:12:opened:org:7`` → ``campaign:<campaign>:opened:org:<org>`` and the
    natural keys of campaign 12 and organization 7. Ids of objects outside the
    backup are left as they are."""
    parts = key.split(":")
    refs = {}
    for i in range(len(parts) - 1):
        kind, value = parts[i], parts[i + 1]
        if kind not in _key_parts or not value.isdigit() or kind in refs:
            continue
        ref = _key_parts[kind].out(ctx, int(value))
        if ref is not None:
            refs[kind] = ref
            parts[i + 1] = _key_parts[kind].placeholder
    return ":".join(parts), refs


def concrete_key(ctx: RestoreContext, template: str, refs: dict, where: str) -> str:
    """The key written by ``symbolic_key``, with the ids of the restored objects."""
    key = template
    for kind, part in _key_parts.items():
        if part.placeholder not in key:
            continue
        if kind not in refs:
            raise DataError(f"{where}, champ « key_refs » : « {kind} » manquant.")
        key = key.replace(
            part.placeholder, str(part.into(ctx, refs[kind], f"{where}, champ « key_refs »").pk)
        )
    return key


def _hashable(ref) -> str:
    return json.dumps(ref, sort_keys=True, ensure_ascii=False, default=str)


# --- contexts -------------------------------------------------------------


class ExportContext:
    """What the sections of one export share.

    ``plan`` is the plan backed up (read again by the plans section, inside
    the export's snapshot).
    ``org``/``user`` return the natural key of an organization or a person and
    add it to the ones the document lists (written by the organizations and
    accounts sections, after the others). ``remember(kind, pk, ref)`` records
    the natural key of an object for the key parts; ``email_prefixes`` collects
    the key prefixes (``campaign:12:``) of the sent e-mails that belong to the
    backup; ``scope`` carries what one section selects for another (the cases
    linked through a recommendation).
    """

    def __init__(self, plan):
        self.plan = plan
        self.organizations: dict[str, Any] = {}
        self.organization_codes: set[str] = set()  # named inside JSON fields, looked up at the end
        self.users: dict[str, Any] = {}
        self.refs: dict[str, dict[int, Any]] = {}
        self.email_prefixes: set[str] = set()
        self.scope: dict[str, set] = {}

    def org(self, organization) -> str | None:
        if organization is None:
            return None
        self.organizations[organization.code] = organization
        return organization.code

    def org_code(self, code) -> None:
        """A code found inside a JSON field (a draft's components)."""
        if isinstance(code, str) and code:
            self.organization_codes.add(code)

    def user(self, user) -> str | None:
        if user is None:
            return None
        username = user.get_username()
        self.users[username] = user
        return username

    def remember(self, kind: str, pk: int, ref) -> None:
        self.refs.setdefault(kind, {})[pk] = ref


class RestoreContext:
    """What the sections of one restoration share.

    ``plan`` is the restored plan (set by the plans section); ``where`` the
    place being written, for the messages; ``notes`` what was not restored as
    the document says; ``written`` the files written in the storage, removed
    if the restoration fails. ``remember(kind, ref, obj)`` / ``get(kind, ref)``
    name the restored objects by their natural keys, for the sections after.
    """

    def __init__(self, notes: list[str], written: list):
        self.notes = notes
        self.written = written
        self.where = "document"
        self.plan = None
        self.organizations: dict[str, Any] = {}
        self.users: dict[str, Any] = {}
        self._restored: dict[str, dict[str, Any]] = {}

    def org(self, entry, name: str, where: str, *, null: bool = True):
        code = require(entry, name, str, where, null=null)
        if code is None:
            return None
        if code not in self.organizations:
            raise DataError(
                f"{where}, champ « {name} » : organisation « {code} » absente de « organizations »."
            )
        return self.organizations[code]

    def owner(self, entry, where: str):
        """The owning body of a recommendation or a case; a file written before
        objects had owners gives none: the owner of the restored plan."""
        return self.org(entry, "owner", where, null=False) if "owner" in entry else self.plan.owner

    def org_code(self, code, where: str):
        if not isinstance(code, str) or code not in self.organizations:
            raise DataError(f"{where} : organisation « {code} » absente de « organizations ».")
        return self.organizations[code]

    def user(self, entry, name: str, where: str, *, null: bool = True):
        username = require(entry, name, str, where, null=null)
        if username is None:
            return None
        if username not in self.users:
            raise DataError(f"{where}, champ « {name} » : personne « {username} » absente de « users ».")
        return self.users[username]

    def remember(self, kind: str, ref, obj) -> None:
        self._restored.setdefault(kind, {})[_hashable(ref)] = obj

    def has(self, kind: str, ref) -> bool:
        return _hashable(ref) in self._restored.get(kind, {})

    def get(self, kind: str, ref):
        return self._restored.get(kind, {}).get(_hashable(ref))

    def restored(self, kind: str, ref, where: str):
        found = self.get(kind, ref)
        if found is None:
            raise DataError(f"{where} : {kind} « {ref} » absent de la sauvegarde.")
        return found


# --- values written -------------------------------------------------------


def dt(value: datetime.datetime | None) -> str | None:
    """UTC, with microseconds: restored to the same instant."""
    return None if value is None else value.astimezone(datetime.UTC).isoformat()


def d(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def file_entry(content: bytes | None) -> dict:
    """``sha256`` and ``content`` (base64) of a file; both None when it is missing."""
    if content is None:
        return {"sha256": None, "content": None}
    return {
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": base64.b64encode(content).decode("ascii"),
    }


def read_file(entry, where: str, *, size: int | None = None) -> bytes:
    """The bytes of a ``file_entry``, checked against its SHA-256 (and size, if given)."""
    content = require(entry, "content", bytes, where)
    sha256 = require(entry, "sha256", str, where)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise DataError(f"{where} : l’empreinte SHA-256 ne correspond pas au contenu (fichier altéré).")
    if size is not None and len(content) != size:
        raise DataError(f"{where} : la taille ne correspond pas au contenu (fichier altéré).")
    return content


# --- values read ----------------------------------------------------------


def require(entry, field: str, kind: type, where: str, *, null: bool = False, blank: bool = True):
    """The value of ``field`` in ``entry``, of type ``kind``, or a French ``DataError``:
    the strict read of ``concerto.core.dataload.Fields.exact`` (the field must be present)."""
    if not isinstance(entry, dict):
        raise DataError(f"{where} : objet JSON attendu.")
    return Fields(entry, where).exact(field, kind, null=null, blank=blank)


def read_all(entry, fields: Iterable[str], kind: type, where: str, **options) -> dict:
    """``{field: require(entry, field, kind, where)}`` for several fields of one type."""
    return {name: require(entry, name, kind, where, **options) for name in fields}


# --- writing --------------------------------------------------------------


def refusal(exc: ValidationError, where: str) -> DataError:
    """A model's ``ValidationError`` as a French ``DataError`` naming the place and the field."""
    with translation.override("fr"):
        if hasattr(exc, "error_dict"):
            parts = []
            for name, errors in exc.message_dict.items():
                text = " ".join(errors)
                parts.append(text if name == "__all__" else f"champ « {name} » : {text}")
            detail = " ; ".join(parts)
        else:
            detail = " ".join(exc.messages)
    separator = ", " if detail.startswith("champ ") else " : "
    return DataError(f"{where}{separator}{detail} Rien n’a été écrit.")


def save_valid(instance, where: str, *, exclude: Iterable[str] = (), **save_options):
    """Validate ``instance`` as a form would (fields, choices, validators,
    uniqueness, constraints, ``clean()``), then save it: a restoration writes
    nothing the application itself would refuse. ``exclude``: fields the
    model computes in ``save()``."""
    try:
        with translation.override("fr"):
            instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise refusal(exc, where) from exc
    instance.save(**save_options)
    return instance
