"""The states the public saw before dates were published one by one stay public.

Until now every validated state was public at once. The real plan's only
reporting date is 31 March 2023 (data/plans/pole-2019-2024.yaml, transcribed
from the sixth annual report, 2022-2023): it is recorded as published for
every plan that has states at that date. Later dates, such as those of a
campaign opened since, wait for the coordination to publish them (the
annual reports already published for a date are taken into account by the
reports app's migration).
"""

import datetime

from django.db import migrations

PUBLISHED_AS_OF = datetime.date(2023, 3, 31)


def publish_existing_states(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    ProgressReport = apps.get_model("plans", "ProgressReport")
    PublishedDate = apps.get_model("plans", "PublishedDate")
    with_states = ProgressReport.objects.filter(as_of=PUBLISHED_AS_OF, is_current=True).values("measure__plan")
    for plan in Plan.objects.filter(pk__in=with_states).order_by("pk"):
        PublishedDate.objects.get_or_create(plan=plan, as_of=PUBLISHED_AS_OF, defaults={"via": "migration"})


def forget_migrated_publications(apps, schema_editor):
    apps.get_model("plans", "PublishedDate").objects.filter(via="migration").delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0004_published_date")]

    operations = [migrations.RunPython(publish_existing_states, forget_migrated_publications)]
