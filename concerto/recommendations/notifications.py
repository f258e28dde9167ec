"""E-mails about recommendations, each sent at most once.

Same discipline as ``concerto.campaigns.notifications.send_once``: the
message's key (e.g. ``recommendation:7:reminder:15``) is written to
``campaigns.SentNotification`` (unique key, ``campaign=None``) in the same
transaction as the send; a second attempt with the same key sends nothing,
a failed send rolls the row back so that a later run tries again. Templates:
``recommendations/email/<kind>.txt`` and ``.html``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation

from concerto.accounts.models import Membership
from concerto.campaigns.models import SentNotification

from .models import Recommendation
from .rules import ADDRESSEE_ROLES

logger = logging.getLogger(__name__)

SUBJECTS = {
    "reminder": "Concerto — Rappel : réponse à la recommandation {number} attendue d’ici le {due}",
    "due": "Concerto — Réponse à la recommandation {number} attendue aujourd’hui",
    "very_late": "Concerto — Recommandation {number} : réponse très en retard",
}


def absolute(path: str) -> str:
    return settings.CONCERTO_BASE_URL.rstrip("/") + path


def fr_date(day) -> str:
    with translation.override("fr"):
        return formats.date_format(day, "j F Y")


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
        "received_on": fr_date(recommendation.received_on) if recommendation.received_on else "",
        "due": fr_date(recommendation.due_on) if recommendation.due_on else "",
        "url": absolute(reverse("recommendation-detail", args=[recommendation.number])),
        "subject": {
            "number": recommendation.number,
            "due": fr_date(recommendation.due_on) if recommendation.due_on else "",
        },
        **extra,
    }


def send_once(*, key: str, kind: str, recipients: list[str], context: dict, organization=None) -> bool:
    """Send the ``kind`` e-mail unless one with ``key`` was already sent; True if sent.

    The key is claimed (committed) before the message leaves, so that it is
    never sent twice, even after a crash; a failed send removes the claim.
    """
    if not recipients:
        return False
    try:
        with transaction.atomic():
            SentNotification.objects.create(
                key=key,
                kind=f"recommendation_{kind}"[:40],
                campaign=None,
                organization=organization,
                recipients=", ".join(recipients),
            )
    except IntegrityError:
        return False
    try:
        with translation.override("fr"):
            subject = SUBJECTS[kind].format(**context.get("subject", {}))
            text = render_to_string(f"recommendations/email/{kind}.txt", context)
            html = render_to_string(f"recommendations/email/{kind}.html", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        SentNotification.objects.filter(key=key).delete()
        raise
    logger.info("Courriel %s envoyé (%s) à %s", kind, key, ", ".join(recipients))
    return True
