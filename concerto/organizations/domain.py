"""Business operations on organizations."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from concerto.core.audit import IMPORT, recorded_as
from concerto.core.dataload import DataError, at, load_yaml, require

from .models import Organization

SCHEMA = "concerto.organizations/1"
FIELDS = ("code", "name", "acronym", "short_name", "kind", "order_number", "practice")


@recorded_as(source=IMPORT)
@transaction.atomic
def import_organizations(*, path: Path) -> dict[str, int]:
    """Create or update the organizations listed in a reference data file.

    All-or-nothing: the whole file is validated before anything is written,
    and the error names the entry and the field. Running it twice changes
    nothing the second time. Returns counts of created/updated/unchanged.
    """
    document = load_yaml(path)
    if document.get("schema") != SCHEMA:
        raise DataError(f"{path}: le champ « schema » doit valoir « {SCHEMA} ».")
    entries = document.get("organizations")
    if not isinstance(entries, list):
        raise DataError(f"{path}: la liste « organizations » est absente.")

    kinds = set(Organization.Kind.values)
    practices = set(Organization.Practice.values)
    seen: set[str] = set()
    order_numbers: dict[int, str] = {}
    rows = []
    for index, entry in enumerate(entries, start=1):
        where = f"{path}, organisation n° {index}"
        code = require(entry, "code", str, where)
        try:
            validate_slug(code)
        except ValidationError as exc:
            raise DataError(
                f"{at(entry, where)}, champ « code » : « {code} » n’est pas un identifiant valide "
                "(lettres non accentuées, chiffres, traits d’union)."
            ) from exc
        where = at(entry, f"{path}, organisation « {code} »")
        if code in seen:
            raise DataError(f"{where}: code en double.")
        seen.add(code)
        row = {
            "code": code,
            "name": require(entry, "name", str, where),
            "acronym": entry.get("acronym") or "",
            "short_name": entry.get("short_name") or "",
            "kind": require(entry, "kind", str, where),
            "order_number": entry.get("order_number"),
            "practice": entry.get("practice") or "",
        }
        if row["kind"] not in kinds:
            raise DataError(f"{where}, champ « kind » : « {row['kind']} » n’est pas un type connu.")
        number = row["order_number"]
        if number is not None:
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise DataError(f"{where}, champ « order_number » : nombre entier positif attendu.")
            if number in order_numbers:
                raise DataError(
                    f"{where}, champ « order_number » : le numéro {number} est déjà celui de "
                    f"« {order_numbers[number]} »."
                )
            order_numbers[number] = code
        if row["practice"] and row["practice"] not in practices:
            raise DataError(f"{where}, champ « practice » : valeur « {row['practice']} » inconnue.")
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

    counts = {"created": 0, "updated": 0, "unchanged": 0}
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
            counts["created"] += 1
            continue
        changed = [f for f in FIELDS if getattr(organization, f) != row[f]]
        if changed:
            for field in changed:
                setattr(organization, field, row[field])
            organization.save(update_fields=changed)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts
