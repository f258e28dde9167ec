"""E-mails of the update campaigns, each sent at most once (see ``concerto.notifications.outbox``).

Keys: ``campaign:<id>:opened:org:<org id>``, ``campaign:<id>:reminder:<N>:org:<org id>``,
``campaign:<id>:deadline_passed:org:<org id>`` and ``draft:<id>:<kind>:v<version>``.
Templates: ``campaigns/email/<kind>.txt`` and ``.html``; subjects below.
"""

from __future__ import annotations

import logging

from django.urls import reverse

from concerto.accounts.models import Membership, Role
from concerto.notifications.outbox import absolute_url, french_date, send_once

from .models import Campaign, Draft

logger = logging.getLogger(__name__)

SUBJECTS = {
    "campaign_opened": "Concerto — Mise à jour de vos mesures au {as_of}",
    "reminder": "Concerto — Rappel : mise à jour attendue d’ici le {deadline}",
    "deadline_passed": "Concerto — Date limite dépassée pour la mise à jour au {as_of}",
    "draft_returned": "Concerto — Mise à jour de la mesure {number} retournée",
    "draft_validated": "Concerto — Mise à jour de la mesure {number} validée",
}


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


def send_campaign_email(
    *, key: str, kind: str, recipients: list[str], context: dict, organization=None
) -> bool:
    """The campaign e-mail ``kind`` through the outbox, with its subject; True if sent now."""
    return send_once(
        key=key,
        template=f"campaigns/email/{kind}",
        subject=SUBJECTS[kind].format(**context.get("subject", {})),
        kind=kind,
        recipients=recipients,
        context=context,
        organization=organization,
    )


def campaign_context(campaign: Campaign, organization=None, **extra) -> dict:
    return {
        "campaign": campaign,
        "plan": campaign.plan,
        "organization": organization,
        "as_of": french_date(campaign.as_of),
        "deadline": french_date(campaign.deadline),
        "url": absolute_url(
            reverse("campaign-dashboard", args=[campaign.plan.slug, campaign.as_of.isoformat()])
        ),
        "subject": {"as_of": french_date(campaign.as_of), "deadline": french_date(campaign.deadline)},
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
            sent += send_campaign_email(
                key=f"campaign:{campaign.pk}:opened:org:{organization.pk}",
                kind="campaign_opened",
                recipients=editors_of([organization.pk]),
                context=campaign_context(campaign, organization, drafts=drafts),
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
        url=absolute_url(
            reverse(
                "draft-detail", args=[campaign.plan.slug, campaign.as_of.isoformat(), draft.measure.number]
            )
        ),
    )
    context["subject"]["number"] = draft.measure.number
    lead_ids = [link.organization_id for link in draft.measure.lead_links.all()]
    return send_campaign_email(
        key=f"draft:{draft.pk}:{kind}:v{draft.version}",
        kind=kind,
        recipients=editors_of(lead_ids),
        context=context,
    )
