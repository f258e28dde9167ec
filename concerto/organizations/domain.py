"""Business operations on organizations."""

from pathlib import Path

from django.db import transaction

from concerto.core.dataload import DataError, at, load_yaml, require

from .models import Organization

SCHEMA = "concerto.organizations/1"
FIELDS = ("code", "name", "acronym", "short_name", "kind", "order_number", "practice")


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
    rows = []
    for index, entry in enumerate(entries, start=1):
        where = f"{path}, organisation n° {index}"
        code = require(entry, "code", str, where)
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
        if row["practice"] and row["practice"] not in practices:
            raise DataError(f"{where}, champ « practice » : valeur « {row['practice']} » inconnue.")
        rows.append(row)

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {o.code: o for o in Organization.objects.filter(code__in=seen)}
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
