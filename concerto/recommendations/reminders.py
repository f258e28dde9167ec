"""Reminders about recommendations awaiting an answer (registered in ``apps.py``, run by ``send_reminders``).

For each recommendation received and not answered, on ``today``:

- **before the due date**: the reminder of the most recent threshold reached
  among ``REMINDER_DAYS`` (15 and 3 days before), once per threshold
  (key ``recommendation:<id>:reminder:<N>``). As in the campaigns, a missed
  reminder is caught up as long as the next one is not due, and never sent
  after a later one;
- **from the due date until it is « très en retard »**: the due-date notice,
  once (key ``recommendation:<id>:due``) — sent on the due date, or on the
  next run if the command did not run that day;
- **once « très en retard »** (more than 30 days after the due date): one
  notice (key ``recommendation:<id>:very_late``).

Recipients: the addressee's editors and coordinators with an e-mail address.
Idempotent and safe on several nodes: each recommendation is handled in its
own transaction holding a row lock taken with ``skip_locked``, and
``send_once`` never sends a key twice. ``dry_run`` sends and writes nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from django.db import transaction
from django.utils import timezone, translation

from concerto.notifications.outbox import sent_keys
from concerto.notifications.reminders import ReminderLine

from .models import VERY_LATE_DAYS, Recommendation, State
from .notifications import addressee_recipients, recommendation_context, send_recommendation_email

logger = logging.getLogger(__name__)

REMINDER_DAYS = (15, 3)


def due_notice(recommendation: Recommendation, today: datetime.date) -> tuple[str, str, str] | None:
    """(kind, key suffix, French label) of the notice due on ``today``, or None."""
    if recommendation.state != State.RECEIVED or recommendation.due_on is None:
        return None
    days_left = (recommendation.due_on - today).days
    if days_left < -VERY_LATE_DAYS:
        return "very_late", "very_late", "Avis « très en retard »"
    if days_left <= 0:
        return "due", "due", "Avis d’échéance"
    reached = [n for n in REMINDER_DAYS if n >= days_left]
    if not reached:
        return None
    threshold = min(reached)
    return "reminder", f"reminder:{threshold}", f"Rappel J-{threshold}"


def send_due_recommendation_reminders(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> list[str]:
    """Send the reminders and notices due on ``today`` (default: the local date).

    Returns one French line per recommendation concerned (see
    ``notifications.reminders.ReminderLine`` for the ``status`` of each line).
    """
    today = today or timezone.localdate()
    lines: list[str] = []
    with translation.override("fr"):
        candidates = list(
            Recommendation.objects.filter(state=State.RECEIVED, due_on__isnull=False)
            .select_related("addressee")
            .order_by("due_on", "pk")
        )
        for candidate in candidates:
            if dry_run:
                lines += _process(candidate, today, dry_run=True)
                continue
            jobs: list = []
            with transaction.atomic():
                # Locked while deciding; the e-mail leaves after the lock is released,
                # its key claimed first (see notifications.outbox.send_once).
                recommendation = (
                    Recommendation.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("addressee")
                    .filter(pk=candidate.pk, state=State.RECEIVED)
                    .first()
                )
                if recommendation is not None:
                    lines += _process(recommendation, today, dry_run=False, jobs=jobs)
            lines += [job() for job in jobs]
            if (
                recommendation is None
                and Recommendation.objects.filter(pk=candidate.pk, state=State.RECEIVED).exists()
            ):
                lines.append(
                    ReminderLine(
                        f"Recommandation {candidate.number} ignorée : un autre processus la traite en ce moment.",
                        "skipped",
                    )
                )
    counts = Counter(line.status for line in lines)
    logger.info(
        "Rappels des recommandations du %s%s : %s",
        today.isoformat(),
        " (simulation)" if dry_run else "",
        ", ".join(f"{status}={n}" for status, n in sorted(counts.items())) or "rien à faire",
    )
    return lines


def _process(
    recommendation: Recommendation, today: datetime.date, *, dry_run: bool, jobs: list | None = None
) -> list[ReminderLine]:
    notice = due_notice(recommendation, today)
    if notice is None:
        return []
    kind, suffix, what = notice
    key = f"recommendation:{recommendation.pk}:{suffix}"
    about = f"recommandation {recommendation.number} — {recommendation.addressee.name}"
    if sent_keys([key]):
        return [ReminderLine(f"{what} déjà envoyé : {about}.", "already_sent")]
    recipients = addressee_recipients(recommendation.addressee_id)
    if not recipients:
        logger.warning("%s non envoyé (%s) : aucun destinataire avec courriel.", what, key)
        return [
            ReminderLine(
                f"{what} non envoyé : {about} — aucun responsable avec une adresse courriel.", "no_editors"
            )
        ]
    if dry_run:
        return [
            ReminderLine(f"{what} à envoyer (simulation) : {about} → {', '.join(recipients)}.", "would_send")
        ]
    days_left = (recommendation.due_on - today).days
    context = recommendation_context(recommendation, days=days_left, days_late=max(0, -days_left))

    def send() -> ReminderLine:
        try:
            sent = send_recommendation_email(
                key=key,
                kind=kind,
                recipients=recipients,
                context=context,
                organization=recommendation.addressee,
            )
        except Exception as exc:
            logger.exception("Échec de l’envoi : %s (%s).", what, key)
            return ReminderLine(f"ÉCHEC : {what} non envoyé : {about} — {exc}", "failed")
        if sent:
            return ReminderLine(f"{what} envoyé : {about} → {', '.join(recipients)}.", "sent")
        return ReminderLine(f"{what} déjà envoyé : {about}.", "already_sent")

    jobs.append(send)
    return []
