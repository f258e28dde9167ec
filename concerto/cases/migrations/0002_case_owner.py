"""Every case gets its owning body (the body whose coordination manages it).

Existing rows: the owner of the plan of a linked measure, else the single
organization that owns a plan (the Office). The migration stops, naming the
case, when neither gives one answer.
"""

import django.db.models.deletion
from django.db import migrations, models


def _owner_for(case, plan_owners: list[int]) -> int:
    owners = set(case.measures.filter(plan__owner__isnull=False).values_list("plan__owner_id", flat=True))
    if len(owners) == 1:
        return owners.pop()
    if not owners and len(plan_owners) == 1:
        return plan_owners[0]
    raise RuntimeError(
        f"Cas {case.reference} : impossible de déterminer l’organisation responsable "
        f"(organisations propriétaires des plans de ses mesures : {sorted(owners) or 'aucune'} ; "
        f"organisations propriétaires d’un plan : {sorted(plan_owners) or 'aucune'}). "
        "Liez-le à une mesure d’un seul plan, ou renseignez owner_id avant de migrer."
    )


def set_owners(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Plan = apps.get_model("plans", "Plan")
    plan_owners = sorted(set(Plan.objects.filter(owner__isnull=False).values_list("owner_id", flat=True)))
    for case in Case.objects.filter(owner__isnull=True).order_by("pk"):
        Case.objects.filter(pk=case.pk).update(owner_id=_owner_for(case, plan_owners))


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_organization_archived_at"),
        ("plans", "0003_measure_archived_at_plan_archived_at"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_cases",
                to="organizations.organization",
                verbose_name="organisation responsable",
                help_text="L’organisation dont la coordination gère le cas (l’Office, pour la cellule d’intervention).",
            ),
        ),
        migrations.RunPython(set_owners, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_cases",
                to="organizations.organization",
                verbose_name="organisation responsable",
                help_text="L’organisation dont la coordination gère le cas (l’Office, pour la cellule d’intervention).",
            ),
        ),
    ]
