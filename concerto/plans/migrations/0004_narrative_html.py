from django.db import migrations, models


def render_existing_narratives(apps, schema_editor):
    """Fill the stored HTML of every narrative already in the database, in batches."""
    from concerto.core.markdown import render_markdown

    for name in ("ProgressReport", "ComponentProgress"):
        model = apps.get_model("plans", name)
        batch = []
        for row in model.objects.exclude(narrative="").only("pk", "narrative").order_by("pk").iterator(chunk_size=500):
            row.narrative_html = str(render_markdown(row.narrative))
            batch.append(row)
            if len(batch) == 500:
                model.objects.bulk_update(batch, ["narrative_html"])
                batch = []
        model.objects.bulk_update(batch, ["narrative_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_measure_archived_at_plan_archived_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="componentprogress",
            name="narrative_html",
            field=models.TextField(blank=True, editable=False, verbose_name="état d’avancement (HTML)"),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="narrative_html",
            field=models.TextField(blank=True, editable=False, verbose_name="état d’avancement (HTML)"),
        ),
        # Reversing only drops the columns: the narratives themselves are untouched.
        migrations.RunPython(render_existing_narratives, migrations.RunPython.noop),
    ]
