"""« Mes tâches » items of the admission-pathway collection (``concerto.core.inbox``).

- an order's data submitter: a refused file of a period still without an
  accepted one (« corriger »), and the last completed reporting year when
  the order has sent nothing for it while an agreement is in force;
- the privacy officer: each open confidentiality incident, the agreement's
  end approaching, submissions whose destruction is near or due.

A fixed number of queries whatever the number of items; no record-level data.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.inbox import Task, french
from concerto.organizations.models import Organization

from . import rules
from .collect import agreement_in_force, last_completed_period
from .models import Incident, Submission, Upload
from .registers import AGREEMENT_NOTICE_DAYS, DESTRUCTION_NOTICE_DAYS, retention_schedule


def submitter_tasks(user, *, today: datetime.date) -> list[Task]:
    order_ids = rules.submitter_order_ids(user)
    if not order_ids:
        return []
    tasks = []
    kept = set(
        Submission.objects.filter(order_id__in=order_ids, synthetic=False).values_list("order_id", "period")
    )
    latest: dict[tuple[int, str], Upload] = {}
    for upload in (
        Upload.objects.filter(order_id__in=order_ids).select_related("order").order_by("created_at", "pk")
    ):
        latest[(upload.order_id, upload.period)] = upload
    for (order_id, period), upload in sorted(
        latest.items(), key=lambda item: (item[1].order.name, item[0][1])
    ):
        if upload.state in (Upload.State.REFUSED, Upload.State.FAILED) and (order_id, period) not in kept:
            tasks.append(
                Task(
                    title=_("Corriger le fichier du parcours d’admission %(period)s") % {"period": period},
                    url=reverse("pathway-upload-detail", args=[upload.pk]),
                    status=_("À corriger"),
                    detail=french(upload.order.name),
                )
            )
    if agreement_in_force(today) is not None:
        expected = last_completed_period(today)
        for order in Organization.objects.filter(pk__in=order_ids).order_by("name", "code"):
            if (order.pk, expected) not in kept and (order.pk, expected) not in latest:
                tasks.append(
                    Task(
                        title=_("Déposer les données du parcours d’admission %(period)s")
                        % {"period": expected},
                        url=reverse("pathway-upload", args=[order.code]),
                        status=_("Attendu"),
                        detail=french(order.name),
                    )
                )
    return tasks


def privacy_officer_tasks(user, *, today: datetime.date) -> list[Task]:
    if not rules.is_privacy_officer(user):
        return []
    registers = reverse("pathway-registers")
    tasks = [
        Task(
            title=_("Traiter l’incident de confidentialité du %(date)s")
            % {"date": incident.occurred_on.isoformat()},
            url=reverse("pathway-incident-edit", args=[incident.pk]),
            status=_("Ouvert"),
        )
        for incident in Incident.objects.filter(closed_on__isnull=True).order_by("discovered_on", "pk")
    ]
    agreement = agreement_in_force(today)
    if agreement is None:
        tasks.append(
            Task(
                title=_("Inscrire l’entente avec la Commission d’accès à l’information"),
                url=reverse("pathway-agreement-new"),
                status=_("Aucune entente en vigueur"),
                detail=_("Sans entente en vigueur, les ordres ne peuvent rien déposer."),
            )
        )
        return tasks
    if agreement.ends_on and agreement.ends_on <= today + datetime.timedelta(days=AGREEMENT_NOTICE_DAYS):
        tasks.append(
            Task(
                title=_("Renouveler l’entente %(reference)s avec la Commission d’accès à l’information")
                % {"reference": agreement.reference},
                url=reverse("pathway-agreement-edit", args=[agreement.pk]),
                due=agreement.ends_on,
                status=_("Fin prochaine"),
            )
        )
    schedule = retention_schedule(agreement, today=today)
    due = [e for e in schedule if e.retention_end < today]
    near = [
        e
        for e in schedule
        if today <= e.retention_end <= today + datetime.timedelta(days=DESTRUCTION_NOTICE_DAYS)
    ]
    if due:
        tasks.append(
            Task(
                title=_("Détruire %(count)s dépôt(s) dont la conservation est échue (pathway_destroy)")
                % {"count": len(due)},
                url=registers,
                due=due[0].retention_end,
                status=_("Destruction due"),
            )
        )
    if near:
        tasks.append(
            Task(
                title=_("%(count)s dépôt(s) à détruire d’ici le %(date)s")
                % {"count": len(near), "date": near[-1].retention_end.isoformat()},
                url=registers,
                due=near[0].retention_end,
                status=_("Destruction prochaine"),
                kind="info",
            )
        )
    return tasks
