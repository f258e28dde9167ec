"""Backup of the e-mails sent about a plan's objects (see ``concerto.core.backup``).

The outbox knows no app: each section adds to ``ctx.email_prefixes`` the key
prefixes of its objects, and the e-mails whose key starts with one of them
are written here, their database ids replaced by natural keys.
"""

import datetime

from django.db.models import Q

from concerto.core import backup
from concerto.core.backup import DataError, require, save_valid

from .models import SentNotification

# --- sent e-mails ---------------------------------------------------------------
# Every section adds to ``ctx.email_prefixes`` the key prefixes of its objects
# (``campaign:12:``, ``draft:40:``, ``recommendation:3:``); the e-mails whose key
# starts with one of them are in the backup, their ids written as natural keys.


def export_notifications(ctx: backup.ExportContext) -> dict:
    rows = []
    if ctx.email_prefixes:
        selected = Q()
        for prefix in sorted(ctx.email_prefixes):
            selected |= Q(key__startswith=prefix)
        for n in SentNotification.objects.filter(selected).select_related("organization"):
            key, refs = backup.symbolic_key(ctx, n.key)
            campaign = refs.get("campaign") or (refs.get("draft") or {}).get("campaign")
            rows.append(
                {
                    "key": key,
                    "key_refs": refs,
                    "kind": n.kind,
                    "campaign": campaign,  # read by older versions; the key says it too
                    "organization": ctx.org(n.organization),
                    "recipients": n.recipients,
                    "sent_at": backup.dt(n.sent_at),
                }
            )
    rows.sort(key=lambda row: (row["key"], repr(sorted(row["key_refs"].items())), row["sent_at"] or ""))
    return {"notifications": rows}


def restore_notifications(ctx: backup.RestoreContext, data: dict) -> None:
    for entry in require(data, "notifications", list, "document"):
        template = require(entry, "key", str, "courriel envoyé", blank=False)
        where = ctx.where = f"courriel envoyé « {template} »"
        refs = require(entry, "key_refs", dict, where)
        campaign_as_of = require(entry, "campaign", str, where, null=True)
        if campaign_as_of is not None and not ctx.has("campaign", campaign_as_of):
            raise DataError(
                f"{where}, champ « campaign » : campagne {campaign_as_of} absente de la sauvegarde."
            )
        key = backup.concrete_key(ctx, template, refs, where)
        if SentNotification.objects.filter(key=key).exists():
            continue  # sent for a recommendation kept as it was
        notification = SentNotification(
            key=key,
            kind=require(entry, "kind", str, where),
            organization=ctx.org(entry, "organization", where),
            recipients=require(entry, "recipients", str, where),
            sent_at=require(entry, "sent_at", datetime.datetime, where),
        )
        save_valid(notification, where)


backup.register(
    backup.Section(
        name="notifications",
        keys=("notifications",),
        export=export_notifications,
        restore=restore_notifications,
    )
)
