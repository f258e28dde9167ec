"""Business operations on organizations."""

from pathlib import Path

from django.db import transaction

from concerto.core.audit import IMPORT, recorded_as
from concerto.core.dataload import DataError, Fields, ImportResult, load_yaml

from .models import Organization

SCHEMA = "concerto.organizations/1"
FIELDS = ("code", "name", "acronym", "short_name", "kind", "order_number", "practice")


@recorded_as(source=IMPORT)
@transaction.atomic
def import_organizations(*, path: Path) -> ImportResult:
    """Create or update the organizations listed in a reference data file.

    All-or-nothing: the whole file is validated before anything is written,
    and the error names the entry and the field. Running it twice changes
    nothing the second time. The result counts created, updated and unchanged
    organizations.
    """
    document = load_yaml(path)
    if document.get("schema") != SCHEMA:
        raise DataError(f"{path}: le champ « schema » doit valoir « {SCHEMA} ».")
    entries = document.get("organizations")
    if not isinstance(entries, list):
        raise DataError(f"{path}: la liste « organizations » est absente.")

    seen: set[str] = set()
    order_numbers: dict[int, str] = {}
    rows = []
    for index, entry in enumerate(entries, start=1):
        code = Fields(entry, f"{path}, organisation n° {index}").slug("code")
        fields = Fields(entry, f"{path}, organisation « {code} »")
        if code in seen:
            raise DataError(f"{fields.where}: code en double.")
        seen.add(code)
        row = {
            "code": code,
            "name": fields.str("name", required=True),
            "acronym": fields.str("acronym"),
            "short_name": fields.str("short_name"),
            "kind": fields.choice("kind", Organization.Kind),
            "order_number": fields.int("order_number", minimum=1, expected="nombre entier positif"),
            "practice": fields.choice("practice", Organization.Practice, default=""),
        }
        number = row["order_number"]
        if number is not None:
            if number in order_numbers:
                raise fields.error(
                    "order_number", f"le numéro {number} est déjà celui de « {order_numbers[number]} »."
                )
            order_numbers[number] = code
        rows.append(row)

    taken = (
        Organization.objects.filter(order_number__in=order_numbers)
        .exclude(code__in=seen)
        .values_list("order_number", "code")
        .first()
    )
    if taken:
        raise DataError(
            f"{path}: le numéro d’ordre {taken[0]} appartient déjà à l’organisation « {taken[1]} », "
            "absente du fichier."
        )

    result = ImportResult()
    existing = {o.code: o for o in Organization.objects.filter(code__in=seen)}
    # Order numbers are unique: release those that move before assigning them,
    # so that two orders may swap numbers within one import.
    moving = [
        o.pk
        for row in rows
        if (o := existing.get(row["code"])) is not None and o.order_number != row["order_number"]
    ]
    Organization.objects.filter(pk__in=moving).update(order_number=None)
    for row in rows:
        organization = existing.get(row["code"])
        if organization is None:
            Organization.objects.create(**row)
            result.created += 1
            result.details.append(f"{row['code']} créée")
            continue
        changed = [f for f in FIELDS if getattr(organization, f) != row[f]]
        if changed:
            for field in changed:
                setattr(organization, field, row[field])
            organization.save(update_fields=changed)
            result.updated += 1
            result.details.append(f"{row['code']} : {', '.join(changed)}")
        else:
            result.unchanged += 1
    return result
