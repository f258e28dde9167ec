"""Scheduled reminders of the update campaigns (registered in ``apps.py``, run every hour by ``send_reminders``).

Which e-mail an open campaign's lead organization gets on ``today``, as long as
it still has measures not submitted (not started, draft or returned):

- **before or on the deadline**: the reminder of the *most recent threshold
  reached*, i.e. the smallest N of ``campaign.reminder_days`` with
  ``deadline - N <= today``, once per threshold
  (key ``campaign:<id>:reminder:<N>:org:<org id>``). Catch-up: if the command
  did not run on day deadline − 14, the 14-day reminder goes out on a later day
  as long as the 3-day one is not due yet; once the 3-day one is due, only it
  is sent (a missed earlier reminder is never sent after a later one, so
  nobody gets two reminders in a row). A threshold falling on or before the
  day the campaign was opened is never sent: the opening e-mail told them.
  The ``days`` of the e-mail are the days actually left, not N.
- **after the deadline**: ``deadline_passed``, once
  (key ``campaign:<id>:deadline_passed:org:<org id>``).

Idempotent and safe on several nodes at once: each campaign is handled in its
own transaction holding a row lock taken with ``skip_locked`` (another process
skips it meanwhile), and ``send_once`` never sends a key twice. A failed send
writes nothing, so the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from functools import partial

from django.db import transaction
from django.utils import timezone, translation

from concerto.notifications.outbox import sent_keys
from concerto.notifications.reminders import ReminderLine

from .models import Campaign, Draft
from .notifications import campaign_context, editors_of, lead_organizations, send_campaign_email

logger = logging.getLogger(__name__)

PENDING_STATES = frozenset({Draft.State.NOT_STARTED, Draft.State.DRAFT, Draft.State.RETURNED})


def reminder_thresholds(campaign: Campaign) -> list[int]:
    """The campaign's valid reminder days (whole numbers ≥ 0), distinct, largest first."""
    raw = campaign.reminder_days if isinstance(campaign.reminder_days, list) else [campaign.reminder_days]
    days = set()
    for value in raw:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            days.add(value)
        else:
            logger.warning("Campagne %s : délai de rappel invalide ignoré : %r", campaign.pk, value)
    return sorted(days, reverse=True)


def due_threshold(campaign: Campaign, today: datetime.date) -> int | None:
    """N of the reminder due on ``today`` (see the module's rule), or None."""
    days_left = (campaign.deadline - today).days
    if days_left < 0:
        return None
    opened_on = timezone.localdate(campaign.opened_at) if campaign.opened_at else None
    reached = [
        n
        for n in reminder_thresholds(campaign)
        if n >= days_left
        and (opened_on is None or campaign.deadline - datetime.timedelta(days=n) > opened_on)
    ]
    return min(reached) if reached else None


def send_due_reminders(*, today: datetime.date | None = None, dry_run: bool = False) -> list[str]:
    """Send the reminders and deadline notices due on ``today`` (default: the local date).

    Returns one French line per organization concerned, saying what was sent
    (or, with ``dry_run``, what would be), what had already been sent, what
    could not be sent (no editor with an e-mail address, failed send) and which
    campaigns another process was handling. ``dry_run`` sends nothing, writes
    nothing and takes no lock.
    """
    today = today or timezone.localdate()
    lines: list[str] = []
    with translation.override("fr"):
        open_campaigns = list(
            Campaign.objects.filter(closed_at__isnull=True).select_related("plan").order_by("deadline", "pk")
        )
        for candidate in open_campaigns:
            if dry_run:
                lines += _process(candidate, today, dry_run=True)
                continue
            jobs: list = []
            with transaction.atomic():
                # Locked while deciding what is due; a second process skips it
                # instead of waiting. The e-mails leave after the lock is released,
                # each claimed by its unique key first (see notifications.outbox.send_once).
                campaign = (
                    Campaign.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("plan")
                    .filter(pk=candidate.pk, closed_at__isnull=True)
                    .first()
                )
                if campaign is not None:
                    lines += _process(campaign, today, dry_run=False, jobs=jobs)
            for job in jobs:
                lines.append(job())
            if campaign is not None:
                continue
            if Campaign.objects.filter(pk=candidate.pk, closed_at__isnull=True).exists():
                logger.info("Campagne %s ignorée : un autre processus la traite en ce moment.", candidate)
                lines.append(
                    ReminderLine(
                        f"Campagne {candidate} ignorée : un autre processus la traite en ce moment.",
                        "skipped",
                    )
                )
            else:
                logger.info("Campagne %s fermée entre-temps : rien à envoyer.", candidate)
    counts = Counter(line.status for line in lines)
    logger.info(
        "Rappels du %s%s : %s",
        today.isoformat(),
        " (simulation)" if dry_run else "",
        ", ".join(f"{status}={n}" for status, n in sorted(counts.items())) or "rien à faire",
    )
    return lines


def _process(
    campaign: Campaign, today: datetime.date, *, dry_run: bool, jobs: list | None = None
) -> list[ReminderLine]:
    """The lines of what is not to be sent; what is to be sent goes to ``jobs``
    (callables returning their line), run once the campaign lock is released."""
    days_left = (campaign.deadline - today).days
    if days_left < 0:
        kind, key_part, what = "deadline_passed", "deadline_passed", "Avis de date limite dépassée"
    else:
        threshold = due_threshold(campaign, today)
        if threshold is None:
            logger.debug("Campagne %s : aucun rappel dû le %s.", campaign, today)
            return []
        kind, key_part, what = "reminder", f"reminder:{threshold}", f"Rappel J-{threshold}"

    pending = {}
    for organization, drafts in lead_organizations(campaign).items():
        todo = sorted((d for d in drafts if d.state in PENDING_STATES), key=lambda d: d.measure.number)
        if todo:
            pending[organization] = todo
    keys = {org.pk: f"campaign:{campaign.pk}:{key_part}:org:{org.pk}" for org in pending}
    already = sent_keys(keys.values())

    lines = []
    for organization in sorted(pending, key=lambda o: (o.name, o.pk)):
        drafts, key = pending[organization], keys[organization.pk]
        about = f"{campaign} — {organization.name} ({len(drafts)} mesure(s) non soumise(s))"
        if key in already:
            logger.info("%s déjà envoyé (%s).", what, key)
            lines.append(ReminderLine(f"{what} déjà envoyé : {about}.", "already_sent"))
            continue
        recipients = editors_of([organization.pk])
        if not recipients:
            logger.warning(
                "%s non envoyé (%s) : %s n’a aucun responsable avec courriel.", what, key, organization
            )
            lines.append(
                ReminderLine(
                    f"{what} non envoyé : {about} — aucun responsable de la mise à jour avec une adresse courriel.",
                    "no_editors",
                )
            )
            continue
        if dry_run:
            logger.info("Simulation : %s serait envoyé (%s) à %s.", what, key, ", ".join(recipients))
            lines.append(
                ReminderLine(
                    f"{what} à envoyer (simulation) : {about} → {', '.join(recipients)}.", "would_send"
                )
            )
            continue
        jobs.append(
            partial(
                _send,
                what=what,
                about=about,
                key=key,
                kind=kind,
                recipients=recipients,
                context=campaign_context(campaign, organization, days=days_left, drafts=drafts),
                organization=organization,
            )
        )
    return lines


def _send(*, what: str, about: str, key: str, **message) -> ReminderLine:
    try:
        sent = send_campaign_email(key=key, **message)
    except Exception as exc:
        # The outbox removed its claim: the next run retries.
        logger.exception("Échec de l’envoi : %s (%s).", what, key)
        return ReminderLine(f"ÉCHEC : {what} non envoyé : {about} — {exc}", "failed")
    if sent:
        return ReminderLine(f"{what} envoyé : {about} → {', '.join(message['recipients'])}.", "sent")
    logger.info("%s déjà envoyé par un autre processus (%s).", what, key)
    return ReminderLine(f"{what} déjà envoyé : {about}.", "already_sent")
