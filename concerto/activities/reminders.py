"""The reminder the day before a session (registered in ``apps.py``, run by ``send_reminders``).

On ``today``, every confirmed registration of a scheduled session starting
tomorrow (local date) gets one e-mail, key
``activities:registration:<id>:reminder``. Each session is handled holding
its row lock taken with ``skip_locked``, so several nodes may run the
command at once; ``send_once`` makes a second run send nothing. ``dry_run``
sends and writes nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from concerto.notifications.outbox import sent_keys
from concerto.notifications.reminders import ReminderLine

from .models import Registration, Session
from .notifications import send_reminder

logger = logging.getLogger(__name__)


def _day_bounds(day: datetime.date):
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return start, start + datetime.timedelta(days=1)


def send_due_session_reminders(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> list[ReminderLine]:
    today = today or timezone.localdate()
    start, end = _day_bounds(today + datetime.timedelta(days=1))
    lines: list[ReminderLine] = []
    candidates = list(
        Session.objects.filter(status=Session.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end)
        .select_related("activity")
        .order_by("starts_at", "pk")
    )
    for candidate in candidates:
        with transaction.atomic():
            if dry_run:
                session = candidate
            else:
                session = (
                    Session.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("activity")
                    .filter(pk=candidate.pk)
                    .first()
                )
            registrations = (
                []
                if session is None
                else list(
                    session.registrations.filter(status=Registration.Status.REGISTERED)
                    .select_related("user", "organization")
                    .order_by("pk")
                )
            )
        if session is None:
            lines.append(
                ReminderLine(f"Séance {candidate.pk} ignorée : un autre processus la traite.", "skipped")
            )
            continue
        keys = {r.pk: f"activities:registration:{r.pk}:reminder" for r in registrations}
        already = sent_keys(keys.values())
        about = f"« {session.activity.title} » du {timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}"
        for registration in registrations:
            if keys[registration.pk] in already:
                lines.append(
                    ReminderLine(
                        f"Rappel déjà envoyé : {about}, inscription {registration.pk}.", "already_sent"
                    )
                )
                continue
            if not registration.user.email:
                lines.append(
                    ReminderLine(
                        f"Rappel non envoyé : {about}, inscription {registration.pk} — aucune adresse courriel.",
                        "no_editors",
                    )
                )
                continue
            if dry_run:
                lines.append(
                    ReminderLine(
                        f"Rappel à envoyer (simulation) : {about}, inscription {registration.pk}.",
                        "would_send",
                    )
                )
                continue
            registration.session = session
            try:
                sent = send_reminder(registration)
            except Exception as exc:
                logger.exception("Échec de l’envoi du rappel de l’inscription %s.", registration.pk)
                lines.append(
                    ReminderLine(f"ÉCHEC : rappel non envoyé : {about} — {type(exc).__name__}", "failed")
                )
                continue
            status = "sent" if sent else "already_sent"
            verb = "envoyé" if sent else "déjà envoyé"
            lines.append(ReminderLine(f"Rappel {verb} : {about}, inscription {registration.pk}.", status))
    logger.info("Rappels des activités du CIQ du %s : %s ligne(s)", today.isoformat(), len(lines))
    return lines
