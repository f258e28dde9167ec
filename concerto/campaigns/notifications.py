"""E-mails of the update campaigns, each sent at most once.

Every message has a key (e.g. ``campaign:3:reminder:14:org:7``) stored in
SentNotification under a unique constraint: a second attempt with the same
key sends nothing. Messages are French first, in plain text and HTML.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from concerto.accounts.models import Membership, Role

from .models import Campaign, Draft, SentNotification

logger = logging.getLogger(__name__)

SUBJECTS = {
    "campaign_opened": "Concerto — Mise à jour de vos mesures au {as_of}",
    "reminder": "Concerto — Rappel : mise à jour attendue d’ici le {deadline}",
    "deadline_passed": "Concerto — Date limite dépassée pour la mise à jour au {as_of}",
    "draft_returned": "Concerto — Mise à jour de la mesure {number} retournée",
    "draft_validated": "Concerto — Mise à jour de la mesure {number} validée",
}


def absolute(path: str) -> str:
    return settings.CONCERTO_BASE_URL.rstrip("/") + path


def editors_of(organization_ids) -> list[str]:
    return sorted(
        set(
            Membership.objects.filter(
                organization_id__in=organization_ids, role=Role.EDITOR, user__is_active=True
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def send_once(
    *, key: str, kind: str, recipients: list[str], context: dict, campaign=None, organization=None
) -> bool:
    """Send the ``kind`` e-mail unless one with ``key`` was already sent (or claimed).

    The SentNotification row is committed *before* the message leaves: two
    processes can never both send it (unique key), and a crash after the
    claim loses that one message rather than sending it twice. A send that
    fails removes the claim, so that a later run tries again.
    """
    if not recipients:
        return False
    try:
        with transaction.atomic():
            SentNotification.objects.create(
                key=key,
                kind=kind,
                campaign=campaign,
                organization=organization,
                recipients=", ".join(recipients),
            )
    except IntegrityError:
        return False
    try:
        subject = SUBJECTS[kind].format(**context.get("subject", {}))
        text = render_to_string(f"campaigns/email/{kind}.txt", context)
        html = render_to_string(f"campaigns/email/{kind}.html", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        SentNotification.objects.filter(key=key).delete()
        raise
    logger.info("Courriel %s envoyé (%s) à %s", kind, key, ", ".join(recipients))
    return True


def _fr_date(day) -> str:
    from django.utils import formats, translation

    with translation.override("fr"):
        return formats.date_format(day, "j F Y")


def campaign_context(campaign: Campaign, organization=None, **extra) -> dict:
    return {
        "campaign": campaign,
        "plan": campaign.plan,
        "organization": organization,
        "as_of": _fr_date(campaign.as_of),
        "deadline": _fr_date(campaign.deadline),
        "url": absolute(reverse("campaign-dashboard", args=[campaign.plan.slug, campaign.as_of.isoformat()])),
        "subject": {"as_of": _fr_date(campaign.as_of), "deadline": _fr_date(campaign.deadline)},
        **extra,
    }


def lead_organizations(campaign: Campaign):
    """Each organization leading at least one measure of the campaign, with its drafts."""
    result: dict = {}
    drafts = campaign.drafts.select_related("measure").prefetch_related("measure__lead_links__organization")
    for draft in drafts:
        for link in draft.measure.lead_links.all():
            result.setdefault(link.organization, []).append(draft)
    return result


def notify_campaign_opened(campaign: Campaign) -> int:
    sent = 0
    for organization, drafts in lead_organizations(campaign).items():
        try:
            sent += send_once(
                key=f"campaign:{campaign.pk}:opened:org:{organization.pk}",
                kind="campaign_opened",
                recipients=editors_of([organization.pk]),
                context=campaign_context(campaign, organization, drafts=drafts),
                campaign=campaign,
                organization=organization,
            )
        except Exception:  # one failed send must not stop the others; no row is kept, so it can be resent
            logger.exception("Courriel d’ouverture non envoyé à %s (campagne %s)", organization, campaign)
    return sent


def notify_draft_reviewed(draft: Draft, kind: str) -> int:
    """``draft_returned`` or ``draft_validated``, to the editors of the lead organizations."""
    campaign = draft.campaign
    context = campaign_context(
        campaign,
        draft=draft,
        measure=draft.measure,
        url=absolute(
            reverse(
                "draft-detail", args=[campaign.plan.slug, campaign.as_of.isoformat(), draft.measure.number]
            )
        ),
    )
    context["subject"]["number"] = draft.measure.number
    lead_ids = [link.organization_id for link in draft.measure.lead_links.all()]
    return send_once(
        key=f"draft:{draft.pk}:{kind}:v{draft.version}",
        kind=kind,
        recipients=editors_of(lead_ids),
        context=context,
        campaign=campaign,
    )
