"""E-mails of the CIQ's consultations, each sent at most once (``concerto.notifications.outbox``).

Keys, per consultation and order:

- ``ciq:consultation:<id>:invitation:org:<org>`` when the consultation opens;
- ``ciq:consultation:<id>:reminder:<N>:org:<org>`` N days before the internal deadline;
- ``ciq:consultation:<id>:due:org:<org>`` on the internal deadline.

Recipients: the order's respondents with an e-mail address. An e-mail names
only the consultation and the recipient's own order: never another order's
answer, nor who else was consulted.
"""

from __future__ import annotations

from django.urls import reverse

from concerto.accounts.models import Membership
from concerto.notifications.outbox import absolute_url, french_date, send_once

from .models import Consultation
from .rules import RESPONDENT_ROLES

SUBJECTS = {
    "invitation": "Concerto — Le CIQ consulte votre ordre : {title} (réponse attendue d’ici le {due})",
    "reminder": "Concerto — Rappel : consultation du CIQ « {title} », réponse attendue d’ici le {due}",
    "due": "Concerto — Consultation du CIQ « {title} » : réponse attendue aujourd’hui",
}


def respondents_by_order(organization_ids) -> dict[int, list[str]]:
    """Order id -> e-mail addresses of its active respondents (one query)."""
    result: dict[int, set[str]] = {}
    rows = (
        Membership.objects.filter(organization_id__in=list(organization_ids), role__in=RESPONDENT_ROLES)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("organization_id", "user__email")
    )
    for org_id, email in rows:
        result.setdefault(org_id, set()).add(email)
    return {org_id: sorted(emails) for org_id, emails in result.items()}


def consultation_context(consultation: Consultation, organization, **extra) -> dict:
    due = french_date(consultation.internal_deadline)
    return {
        "consultation": consultation,
        "dossier": consultation.dossier,
        "organization": organization,
        "due": due,
        "url": absolute_url(reverse("ciq-answer", args=[consultation.pk])),
        "subject": {"title": consultation.title, "due": due},
        **extra,
    }


def send_consultation_email(*, key, kind, recipients, context, organization) -> bool:
    return send_once(
        key=key,
        template=f"ciq/email/{kind}",
        subject=SUBJECTS[kind].format(**context["subject"]),
        kind=f"ciq_{kind}",
        recipients=recipients,
        context=context,
        organization=organization,
    )


def send_invitations(consultation: Consultation) -> int:
    """Invite each order of the audience (its respondents) to answer; returns how many e-mails left now."""
    orders = list(consultation.audience.order_by("name", "pk"))
    recipients = respondents_by_order(o.pk for o in orders)
    sent = 0
    for order in orders:
        if send_consultation_email(
            key=f"ciq:consultation:{consultation.pk}:invitation:org:{order.pk}",
            kind="invitation",
            recipients=recipients.get(order.pk, []),
            context=consultation_context(consultation, order),
            organization=order,
        ):
            sent += 1
    return sent
