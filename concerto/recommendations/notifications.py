"""E-mails about recommendations, each sent at most once (see ``concerto.notifications.outbox``).

Keys: ``recommendation:<id>:reminder:<N>``, ``recommendation:<id>:due`` and
``recommendation:<id>:very_late``. Templates:
``recommendations/email/<kind>.txt`` and ``.html``; subjects below.
"""

from __future__ import annotations

from django.urls import reverse

from concerto.accounts.models import Membership
from concerto.notifications.outbox import absolute_url, french_date, send_once

from .models import Recommendation
from .rules import ADDRESSEE_ROLES

SUBJECTS = {
    "reminder": "Concerto — Rappel : réponse à la recommandation {number} attendue d’ici le {due}",
    "due": "Concerto — Réponse à la recommandation {number} attendue aujourd’hui",
    "very_late": "Concerto — Recommandation {number} : réponse très en retard",
}


def addressee_recipients(organization_id: int) -> list[str]:
    """E-mail addresses of the addressee's members who answer (editors and coordinators)."""
    return sorted(
        set(
            Membership.objects.filter(
                organization_id=organization_id, role__in=ADDRESSEE_ROLES, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def recommendation_context(recommendation: Recommendation, **extra) -> dict:
    return {
        "recommendation": recommendation,
        "organization": recommendation.addressee,
        "received_on": french_date(recommendation.received_on) if recommendation.received_on else "",
        "due": french_date(recommendation.due_on) if recommendation.due_on else "",
        "url": absolute_url(reverse("recommendation-detail", args=[recommendation.number])),
        "subject": {
            "number": recommendation.number,
            "due": french_date(recommendation.due_on) if recommendation.due_on else "",
        },
        **extra,
    }


def send_recommendation_email(
    *, key: str, kind: str, recipients: list[str], context: dict, organization=None
) -> bool:
    """The recommendation e-mail ``kind`` through the outbox, with its subject; True if sent now."""
    return send_once(
        key=key,
        template=f"recommendations/email/{kind}",
        subject=SUBJECTS[kind].format(**context.get("subject", {})),
        kind=f"recommendation_{kind}",
        recipients=recipients,
        context=context,
        organization=organization,
    )
