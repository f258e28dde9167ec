"""Backup and restoration of a plan, with everything that hangs on it.

``export_plan`` writes a plan as one JSON document (format
``concerto.plan-export/1``); ``restore_plan`` writes it back. This module
only orchestrates: every app with data writes and restores its own part of
the document (a *section*, in the app's ``backup.py``, registered with
``concerto.core.backup.register``); it fixes the order of the sections, the
format version, the transaction and the attribution:

- the export reads everything in one snapshot (REPEATABLE READ on
  PostgreSQL), so that a validation committed meanwhile is not half in the
  file;
- the restoration is all or nothing, in one transaction; a French
  ``DataError`` names the place and the reason, and the files already
  written in the storage are removed; what it writes is attributed to the
  restoration in the audit trail (``RESTORE``), which is not itself part of
  the backup.

Nothing in the document depends on database ids (objects are named by their
natural keys) and every list has a fixed order, so two exports of the same
data are identical except ``exported_at``.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from concerto.core import backup
from concerto.core.audit import RESTORE, recorded_as
from concerto.core.dataload import DataError
from concerto.core.deadlines import DeadlineError

FORMAT_NAME = "concerto.plan-export"
FORMAT_VERSION = 1
FORMAT = f"{FORMAT_NAME}/{FORMAT_VERSION}"

RESTORE_ORDER = (
    "organizations",
    "accounts",
    "plans",
    "campaigns",
    "reports",
    "cases",
    "recommendations",
    "ciq",
    "opinions",  # names the CIQ's files, consultations and answers (restored by "ciq", when present)
    "groups",  # names the CIQ's consultations and opinions (restored above, when present)
    "information",  # the CIQ's library and content pages; shared by every plan
    "notifications",
    "pathway",  # names people and organizations; shared by every plan
)
"""The order of restoration: what a section names is restored before it."""

EXPORT_ORDER = (
    "plans",
    "campaigns",
    "reports",
    "recommendations",  # selects the cases linked through a recommendation
    "cases",
    "ciq",  # the CIQ's files linked to the measures or to a recommendation above
    "opinions",
    "groups",  # every CIQ group: they belong to no plan
    "information",  # the CIQ's library and content pages, whole (they belong to no plan)
    "notifications",  # the keys name campaigns, drafts and recommendations
    "pathway",  # the registers and releases, never the orders' records
    "accounts",  # the people and organizations every other section named
    "organizations",
)

DOCUMENT_KEYS = (
    "plan",
    "organizations",
    "users",
    "themes",
    "measures",
    "campaigns",
    "notifications",
    "publications",
    "recommendations",
    "cases",
    "ciq_order_groups",
    "ciq_files",
    "opinions",
    "ciq_groups",
    "information",
    "pathway",
)
"""The order of the keys in the file, after ``format`` and ``exported_at``."""


def sections() -> dict[str, backup.Section]:
    """The sections the project's apps register in their ``backup`` module,
    checked against the orders above."""
    for config in apps.get_app_configs():
        if config.name.startswith("concerto.") and module_has_submodule(config.module, "backup"):
            import_module(f"{config.name}.backup")
    found = backup.registered()
    if set(found) != set(RESTORE_ORDER) or set(found) != set(EXPORT_ORDER):
        raise RuntimeError(
            f"Sections de sauvegarde {sorted(found)} ≠ ordre prévu {sorted(RESTORE_ORDER)} : "
            "complétez RESTORE_ORDER et EXPORT_ORDER."
        )
    return found


def export_plan(*, plan) -> dict:
    """The whole plan as a JSON-ready dict (format ``concerto.plan-export/1``).

    Raises ``DataError`` when the data breaks an invariant the format relies
    on (a value of an indicator of another measure).
    """
    registered = sections()
    ctx = backup.ExportContext(plan)
    parts: dict = {}
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and own_transaction:
            # One snapshot for every query: a validation committed during the
            # export must not leave half of it in the file.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for name in EXPORT_ORDER:
            parts.update(registered[name].export(ctx))
    return {
        "format": FORMAT,
        "exported_at": backup.dt(timezone.now()),
        **{key: parts[key] for key in DOCUMENT_KEYS},
    }


def summary(data: dict) -> str:
    """What a document holds, in French (« 15 mesure(s), …, 2 cas »)."""
    registered = sections()
    by_key = {section.keys[0]: section for section in registered.values()}
    parts = []
    for key in DOCUMENT_KEYS:
        section = by_key.get(key)
        if section is not None and section.summary is not None:
            parts += section.summary(data)
    return ", ".join(parts)


def missing_files(data: dict) -> list[str]:
    """What a document holds incompletely (a document without its content), in French."""
    return [warning for s in sections().values() if s.warnings for warning in s.warnings(data)]


def check_format(data) -> None:
    """A French ``DataError`` unless ``data`` is a document this version reads."""
    if not isinstance(data, dict):
        raise DataError("Le document doit être un objet JSON.")
    if "format" not in data:
        raise DataError(
            f"Champ « format » manquant : ce document n’est pas une sauvegarde de plan Concerto "
            f"(format attendu « {FORMAT} »)."
        )
    value = data["format"]
    if not isinstance(value, str) or not value.startswith(f"{FORMAT_NAME}/"):
        raise DataError(
            f"Format « {value} » inconnu : une sauvegarde de plan Concerto a le format « {FORMAT} »."
        )
    if value != FORMAT:
        raise DataError(
            f"Version « {value.removeprefix(FORMAT_NAME + '/')} » du format non prise en charge : "
            f"cette version de Concerto lit le format « {FORMAT} »."
        )


def restore_plan(*, data: dict, notes: list[str] | None = None):
    """Write back a plan exported by ``export_plan``, into a database without it.

    All or nothing, in one transaction; a ``DataError`` in French names what
    is wrong (format, version, missing field, a value the model refuses, the
    plan already there…). ``notes`` receives what the restoration did not do
    as the document says (a link to a measure of a plan that is not in the
    database, a case kept as it was). Organizations and people that exist
    already are used as they are; the others are created, people inactive
    and without a usable password. Returns the restored plan.
    """
    check_format(data)
    registered = sections()
    ctx = backup.RestoreContext([] if notes is None else notes, written=[])
    try:
        with recorded_as(source=RESTORE), transaction.atomic():
            for name in RESTORE_ORDER:
                if registered[name].check is not None:
                    registered[name].check(ctx, data)
            try:
                for name in RESTORE_ORDER:
                    registered[name].restore(ctx, data)
            except DataError:
                raise
            except (DatabaseError, ValidationError, DeadlineError, ValueError) as exc:
                detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                raise DataError(
                    f"{ctx.where} : valeur refusée par la base ({detail}). Rien n’a été écrit."
                ) from exc
            return ctx.plan
    except BaseException:
        for storage, name in ctx.written:  # the rows are rolled back: the files must go too
            storage.delete(name)
        raise
