"""Move the record of sent e-mails to the shared outbox (``notifications.SentNotification``).

Every row is copied with its key unchanged, so that nothing already sent is
sent again; the next migration drops ``campaigns_sentnotification``. Going
back moves the rows back, the campaign found again from the key
(``campaign:<id>:…``, or ``draft:<id>:…`` for the draft's campaign).
"""

from django.db import migrations

BATCH = 1000


def move_to_outbox(apps, schema_editor):
    Old = apps.get_model("campaigns", "SentNotification")
    New = apps.get_model("notifications", "SentNotification")
    taken = set(New.objects.values_list("key", flat=True))
    rows = [
        New(
            key=old.key,
            kind=old.kind,
            organization_id=old.organization_id,
            recipients=old.recipients,
            sent_at=old.sent_at,
        )
        for old in Old.objects.order_by("pk").iterator(chunk_size=BATCH)
        if old.key not in taken
    ]
    New.objects.bulk_create(rows, batch_size=BATCH)


def move_back(apps, schema_editor):
    Old = apps.get_model("campaigns", "SentNotification")
    New = apps.get_model("notifications", "SentNotification")
    Campaign = apps.get_model("campaigns", "Campaign")
    Draft = apps.get_model("campaigns", "Draft")
    campaigns = set(Campaign.objects.values_list("pk", flat=True))
    draft_campaigns = dict(Draft.objects.values_list("pk", "campaign_id"))

    def campaign_of(key):
        about, _, rest = key.partition(":")
        pk = rest.partition(":")[0]
        if not pk.isdigit():
            return None
        if about == "campaign":
            return int(pk) if int(pk) in campaigns else None
        if about == "draft":
            return draft_campaigns.get(int(pk))
        return None

    taken = set(Old.objects.values_list("key", flat=True))
    rows = [
        Old(
            key=new.key,
            kind=new.kind,
            campaign_id=campaign_of(new.key),
            organization_id=new.organization_id,
            recipients=new.recipients,
            sent_at=new.sent_at,
        )
        for new in New.objects.order_by("pk").iterator(chunk_size=BATCH)
        if new.key not in taken
    ]
    Old.objects.bulk_create(rows, batch_size=BATCH)
    New.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_to_outbox, move_back, elidable=False),
    ]
