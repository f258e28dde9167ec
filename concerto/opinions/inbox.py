"""« Mes tâches » items of the opinions.

- CIQ staff: opinions to adopt (a text and no adoption), to send (adopted,
  not sent; due the file's authority deadline), to publish (sent, never
  published);
- the coordination of the body an opinion is addressed to (the Office):
  the opinion, once sent, as received (``info``) for ``RECEIVED_DAYS`` — never
  the orders' answers.

Two queries whatever the number of opinions.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.inbox import Task

from . import rules
from .models import OpinionVersion

RECEIVED_DAYS = 60
"""How long a received opinion stays on the addressee's list (then it is in the library)."""


def tasks_for_user(user, *, today) -> list[Task]:
    tasks = []
    managed = (
        rules.managed_opinions(user)
        .select_related("dossier")
        .annotate(
            has_text=Exists(OpinionVersion.objects.filter(opinion=OuterRef("pk"))),
            published_count=Count("publications"),
        )
        .filter(published_count=0)
        .order_by("created_at", "pk")
    )
    for opinion in managed:
        url = reverse("opinion-workspace", args=[opinion.reference])
        deadline = opinion.dossier.authority_deadline
        detail = f"{opinion.dossier.reference} — {opinion.dossier.title}"
        if not opinion.adopted:
            if opinion.has_text:
                tasks.append(
                    Task(
                        title=_("Faire adopter l’avis %(reference)s") % {"reference": opinion.reference},
                        url=url,
                        due=deadline,
                        status=_("En rédaction"),
                        detail=detail,
                    )
                )
        elif not opinion.sent:
            tasks.append(
                Task(
                    title=_("Transmettre l’avis %(reference)s à l’autorité")
                    % {"reference": opinion.reference},
                    url=url,
                    due=deadline,
                    status=_("Adopté"),
                    detail=detail,
                )
            )
        else:
            tasks.append(
                Task(
                    title=_("Publier l’avis %(reference)s") % {"reference": opinion.reference},
                    url=url,
                    status=_("Transmis"),
                    detail=detail,
                )
            )
    received = (
        rules.addressed_opinions(user)
        .filter(sent_on__gte=today - datetime.timedelta(days=RECEIVED_DAYS))
        .select_related("dossier")
        .order_by("-sent_on", "-pk")
    )
    for opinion in received:
        tasks.append(
            Task(
                title=_("Avis du CIQ reçu : %(title)s") % {"title": opinion.title},
                url=reverse("opinion-public", args=[opinion.reference]),
                status=_("Reçu le %(date)s") % {"date": opinion.sent_on.isoformat()},
                detail=opinion.reference,
                kind="info",
            )
        )
    return tasks
