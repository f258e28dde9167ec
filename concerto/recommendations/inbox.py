"""The recommendations' items of « Mes tâches » (registered in ``apps.py``).

- the addressee's members (``rules.ADDRESSEE_ROLES``): the recommendations
  received by their organization and not yet answered, with the legal due
  date (60 days after receipt, on a working day: ``Recommendation.due_on``);
- the owner's coordination: the answers received, to review and close, and
  the late answers, to chase.

One query per role, whatever the number of items.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from concerto.accounts.rules import coordinated_owner_ids
from concerto.core.inbox import Task, compose, french

from . import rules
from .models import Recommendation, State


def addressee_tasks(user, *, today: datetime.date) -> list[Task]:
    organizations = rules.addressee_organization_ids(user)
    if not organizations:
        return []
    waiting = (
        Recommendation.objects.filter(addressee_id__in=organizations, state=State.RECEIVED)
        .select_related("addressee")
        .order_by("due_on", "number")
    )
    return [
        Task(
            title=_("Répondre à la recommandation %(number)s") % {"number": r.number},
            url=r.get_absolute_url(),
            due=r.due_on,
            status=_("Réponse attendue"),
            detail=compose(
                _("%(title)s — %(addressee)s"), title=french(r.title), addressee=french(r.addressee.label)
            ),
        )
        for r in waiting
    ]


def coordinator_tasks(user, *, today: datetime.date) -> list[Task]:
    owners = coordinated_owner_ids(user)
    if not owners:
        return []
    rows = (
        Recommendation.objects.filter(owner_id__in=owners)
        .filter(Q(state=State.ANSWERED) | Q(state=State.RECEIVED, due_on__lt=today))
        .select_related("addressee")
        .order_by("due_on", "number")
    )
    tasks = []
    for r in rows:
        if r.state == State.ANSWERED:
            tasks.append(
                Task(
                    title=_("Examiner la réponse à la recommandation %(number)s") % {"number": r.number},
                    url=r.get_absolute_url(),
                    status=_("Réponse reçue"),
                    detail=compose(
                        _("%(title)s — %(addressee)s"),
                        title=french(r.title),
                        addressee=french(r.addressee.label),
                    ),
                )
            )
        else:
            tasks.append(
                Task(
                    title=compose(
                        _("Relancer %(addressee)s : réponse à la recommandation %(number)s"),
                        addressee=french(r.addressee.label),
                        number=r.number,
                    ),
                    url=r.get_absolute_url(),
                    due=r.due_on,
                    status=_("Très en retard") if r.is_very_late(today) else _("En retard"),
                    detail=_("Reçue le %(date)s") % {"date": formats.date_format(r.received_on, "j F Y")},
                )
            )
    return tasks


def tasks_for_user(user, *, today: datetime.date) -> list[Task]:
    return addressee_tasks(user, today=today) + coordinator_tasks(user, today=today)
