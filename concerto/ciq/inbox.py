"""The CIQ's items of « Mes tâches » (``concerto.core.inbox``).

- an order's respondent: each open consultation of the order not yet
  answered (or answered and still amendable is not a task), with its
  deadline; late ones stay until submitted or closed;
- CIQ staff: each open consultation — « à clôturer » once its deadline has
  passed or every order has answered, otherwise how many answers were
  received so far (for information).

Three queries at most for a respondent, three for staff, whatever the
number of consultations and orders; nothing names another order's answer.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.inbox import Task, french

from . import rules
from .models import Answer, Consultation


def respondent_tasks(user, *, today):
    orgs = rules.respondent_organization_ids(user)
    if not orgs:
        return []
    pairs = list(
        Consultation.audience.through.objects.filter(
            organization__in=orgs, consultation__state=Consultation.State.OPEN
        )
        .select_related("consultation", "organization")
        .order_by("consultation__internal_deadline", "consultation_id", "organization__name")
    )
    submitted = set(
        Answer.objects.filter(
            consultation__in={p.consultation_id for p in pairs},
            organization__in=orgs,
            state=Answer.State.SUBMITTED,
        ).values_list("consultation_id", "organization_id")
    )
    several = len(orgs) > 1
    tasks = []
    for pair in pairs:
        if (pair.consultation_id, pair.organization_id) in submitted:
            continue
        consultation = pair.consultation
        url = reverse("ciq-answer", args=[consultation.pk])
        if several:
            url += f"?ordre={pair.organization.code}"
        late = today > consultation.internal_deadline
        tasks.append(
            Task(
                title=_("Répondre à la consultation du CIQ « %(title)s »") % {"title": consultation.title},
                url=url,
                due=consultation.internal_deadline,
                status=_("En retard : la réponse sera marquée en retard") if late else _("À transmettre"),
                detail=french(pair.organization.name),
            )
        )
    return tasks


def staff_tasks(user, *, today):
    consultations = list(
        Consultation.objects.filter(dossier__in=rules.staff_dossiers(user), state=Consultation.State.OPEN)
        .select_related("dossier")
        .annotate(
            invited=Count("audience", distinct=True),
            answered=Count("answers", filter=Q(answers__state=Answer.State.SUBMITTED), distinct=True),
        )
        .order_by("internal_deadline", "pk")
    )
    tasks = []
    for c in consultations:
        url = reverse("ciq-consultation", args=[c.pk])
        received = _("%(answered)d réponse(s) reçue(s) sur %(invited)d") % {
            "answered": c.answered,
            "invited": c.invited,
        }
        if today > c.internal_deadline or c.answered >= c.invited:
            tasks.append(
                Task(
                    title=_("Clôturer la consultation « %(title)s » et préparer la synthèse")
                    % {"title": c.title},
                    url=url,
                    due=c.internal_deadline,
                    status=_("À clôturer"),
                    detail=f"{c.dossier.reference} — {received}",
                )
            )
        else:
            tasks.append(
                Task(
                    title=_("Consultation « %(title)s » en cours") % {"title": c.title},
                    url=url,
                    due=c.internal_deadline,
                    status=received,
                    detail=c.dossier.reference,
                    kind="info",
                )
            )
    return tasks
