"""Reminders of the CIQ's consultations (registered in ``apps.py``, run by ``send_reminders``).

For each open consultation and each order of its audience that has not
submitted its answer, on ``today``:

- ``REMINDER_DAYS`` days before the internal deadline (or on a later run
  before the deadline, if the command did not run that day): one reminder
  (key ``ciq:consultation:<id>:reminder:<N>:org:<org>``);
- on the internal deadline (or the next run after it, while the consultation
  is open): one notice (key ``ciq:consultation:<id>:due:org:<org>``).

Never twice: ``send_once`` claims each key before sending. Each consultation
is handled holding a row lock taken with ``skip_locked``, so several nodes
may run the command at once. ``dry_run`` sends and writes nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone, translation

from concerto.notifications.outbox import sent_keys
from concerto.notifications.reminders import ReminderLine

from .models import Answer, Consultation
from .notifications import consultation_context, respondents_by_order, send_consultation_email

logger = logging.getLogger(__name__)

REMINDER_DAYS = 5
"""Days before the internal deadline when orders that have not answered are reminded."""


def notice_due(consultation: Consultation, today: datetime.date) -> tuple[str, str, str] | None:
    """(kind, key suffix, French label) of what is due on ``today``, or None."""
    days_left = (consultation.internal_deadline - today).days
    if days_left <= 0:
        return "due", "due", "Avis d’échéance"
    if days_left <= REMINDER_DAYS:
        return "reminder", f"reminder:{REMINDER_DAYS}", f"Rappel J-{REMINDER_DAYS}"
    return None


def send_due_consultation_reminders(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> list[str]:
    today = today or timezone.localdate()
    lines: list[ReminderLine] = []
    with translation.override("fr"):
        candidates = list(
            Consultation.objects.filter(
                state=Consultation.State.OPEN,
                internal_deadline__lte=today + datetime.timedelta(days=REMINDER_DAYS),
            )
            .select_related("dossier")
            .order_by("internal_deadline", "pk")
        )
        for candidate in candidates:
            if notice_due(candidate, today) is None:
                continue
            if dry_run:
                lines += _process(candidate, today, dry_run=True)
                continue
            with transaction.atomic():
                consultation = (
                    Consultation.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("dossier")
                    .filter(pk=candidate.pk, state=Consultation.State.OPEN)
                    .first()
                )
                jobs = [] if consultation is None else _plan(consultation, today)
            if consultation is None:
                lines.append(
                    ReminderLine(
                        f"Consultation {candidate.pk} ignorée : un autre processus la traite.", "skipped"
                    )
                )
                continue
            lines += [job() for job in jobs]
    logger.info("Rappels des consultations du CIQ du %s : %s ligne(s)", today.isoformat(), len(lines))
    return lines


def _pending_orders(consultation: Consultation):
    submitted = Answer.objects.filter(consultation=consultation, state=Answer.State.SUBMITTED).values(
        "organization_id"
    )
    return list(consultation.audience.exclude(pk__in=submitted).order_by("name", "pk"))


def _process(consultation, today, *, dry_run: bool) -> list[ReminderLine]:
    return [job() for job in _plan(consultation, today, dry_run=dry_run)]


def _plan(consultation: Consultation, today: datetime.date, *, dry_run: bool = False) -> list:
    kind, suffix, what = notice_due(consultation, today)
    orders = _pending_orders(consultation)
    recipients = respondents_by_order(o.pk for o in orders)
    keys = {o.pk: f"ciq:consultation:{consultation.pk}:{suffix}:org:{o.pk}" for o in orders}
    already = sent_keys(keys.values())
    days_left = (consultation.internal_deadline - today).days
    jobs = []
    for order in orders:
        key = keys[order.pk]
        about = f"consultation « {consultation.title} » — {order.name}"
        if key in already:
            jobs.append(lambda about=about: ReminderLine(f"{what} déjà envoyé : {about}.", "already_sent"))
            continue
        to = recipients.get(order.pk, [])
        if not to:
            jobs.append(
                lambda about=about: ReminderLine(
                    f"{what} non envoyé : {about} — aucune personne répondante avec une adresse courriel.",
                    "no_editors",
                )
            )
            continue
        if dry_run:
            jobs.append(
                lambda about=about, to=to: ReminderLine(
                    f"{what} à envoyer (simulation) : {about} → {len(to)} destinataire(s).", "would_send"
                )
            )
            continue
        context = consultation_context(consultation, order, days=max(days_left, 0))

        def send(key=key, to=to, context=context, order=order, about=about) -> ReminderLine:
            try:
                sent = send_consultation_email(
                    key=key, kind=kind, recipients=to, context=context, organization=order
                )
            except Exception as exc:
                logger.exception("Échec de l’envoi : %s (%s).", what, key)
                return ReminderLine(f"ÉCHEC : {what} non envoyé : {about} — {type(exc).__name__}", "failed")
            if sent:
                return ReminderLine(f"{what} envoyé : {about} → {len(to)} destinataire(s).", "sent")
            return ReminderLine(f"{what} déjà envoyé : {about}.", "already_sent")

        jobs.append(send)
    return jobs
