"""A reporting date whose annual report was already published is a published date.

Publishing a report now also publishes its date (``publish_report``); the
reports published before that record their dates here, with who published
them and when.
"""

from django.db import migrations


def publish_reported_dates(apps, schema_editor):
    Publication = apps.get_model("reports", "Publication")
    PublishedDate = apps.get_model("plans", "PublishedDate")
    for publication in Publication.objects.order_by("published_at", "pk"):
        PublishedDate.objects.get_or_create(
            plan_id=publication.plan_id,
            as_of=publication.as_of,
            defaults={
                "via": "report",
                "published_at": publication.published_at,
                "published_by_id": publication.published_by_id,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_publish_existing_states"),
        ("reports", "0002_working_document"),
    ]

    # Nothing to undo: the plans migration removes the published dates with the table.
    operations = [migrations.RunPython(publish_reported_dates, migrations.RunPython.noop)]
