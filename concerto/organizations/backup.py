"""Backup of the organizations a document names (see ``concerto.core.backup``).

Written by ``code``; on restore, an organization that exists already (same
code) is used as it is, the others are created.
"""

import datetime

from concerto.core import backup
from concerto.core.backup import require

from .models import Organization

FIELDS = ("name", "acronym", "short_name", "kind", "practice")


def export(ctx: backup.ExportContext) -> dict:
    # Written last: every other section has named its organizations by now.
    codes = ctx.organization_codes - set(ctx.organizations)
    for organization in Organization.objects.filter(code__in=codes):
        ctx.org(organization)
    return {
        "organizations": [
            {
                "code": o.code,
                "name": o.name,
                "acronym": o.acronym,
                "short_name": o.short_name,
                "kind": o.kind,
                "order_number": o.order_number,
                "practice": o.practice,
                "archived_at": backup.dt(o.archived_at),
            }
            for o in (ctx.organizations[code] for code in sorted(ctx.organizations))
        ]
    }


def restore(ctx: backup.RestoreContext, data: dict) -> None:
    for position, entry in enumerate(require(data, "organizations", list, "document"), 1):
        where = ctx.where = f"organisation n° {position} de « organizations »"
        code = require(entry, "code", str, where, blank=False)
        where = ctx.where = f"organisation « {code} »"
        existing = Organization.objects.filter(code=code).first()
        if existing is None:
            existing = backup.save_valid(
                Organization(
                    code=code,
                    order_number=require(entry, "order_number", int, where, null=True),
                    archived_at=require(entry, "archived_at", datetime.datetime, where, null=True),
                    **backup.read_all(entry, FIELDS, str, where),
                ),
                where,
            )
        ctx.organizations[code] = existing


def _org_key_ref(ctx: backup.ExportContext, pk: int) -> str | None:
    return ctx.org(Organization.objects.filter(pk=pk).first())


backup.register(backup.Section(name="organizations", keys=("organizations",), export=export, restore=restore))
backup.register_key_part("org", out=_org_key_ref, into=lambda ctx, ref, where: ctx.org_code(ref, where))
