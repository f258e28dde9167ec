"""The intervention cell's items of « Mes tâches » (registered in ``apps.py``).

Only the coordination of the body that owns a case changes it, so only it
has something to do: the cases just opened, to analyse, and the resolved
cases whose public summary is not published yet. The organizations
involved read the cases but act on none. One query, whatever the number of
cases.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from concerto.accounts.rules import coordinated_owner_ids
from concerto.core.inbox import Task, french

from .models import Case, CaseState


def tasks_for_user(user, *, today: datetime.date) -> list[Task]:
    owners = coordinated_owner_ids(user)
    if not owners:
        return []
    cases = (
        Case.objects.filter(owner_id__in=owners)
        .filter(Q(state=CaseState.OPENED) | Q(state=CaseState.RESOLVED, summary_published=False))
        .only("reference", "title", "state", "summary_published")
        .order_by("reference")
    )
    return [
        Task(
            title=(
                _("Analyser le cas %(reference)s")
                if case.state == CaseState.OPENED
                else _("Publier le résumé public du cas %(reference)s")
            )
            % {"reference": case.reference},
            url=case.get_absolute_url(),
            status=CaseState(case.state).label,
            detail=french(case.title),
        )
        for case in cases
    ]
