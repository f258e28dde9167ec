"""Reminders of the groups' open action items (registered in ``apps.py``, run by ``send_reminders``).

For each open action item of a group, to its owner (the member's address, or
the account's): one reminder ``SOON_DAYS`` days before its due date (or on a
later run before it), one notice once it is overdue. Never twice: the keys
``groups:action:<id>:soon`` and ``groups:action:<id>:overdue`` are claimed by
``send_once``. ``dry_run`` sends and writes nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.urls import reverse
from django.utils import timezone, translation

from concerto.notifications.outbox import absolute_url, french_date, send_once, sent_keys
from concerto.notifications.reminders import ReminderLine

from .models import ActionItem

logger = logging.getLogger(__name__)

SOON_DAYS = 3
"""Days before an action item's due date when its owner is reminded."""

SUBJECTS = {
    "soon": "Concerto — Rappel : suivi du groupe « {group} » attendu d’ici le {due}",
    "overdue": "Concerto — Suivi du groupe « {group} » en retard (attendu le {due})",
}


def _address(item: ActionItem) -> str:
    if item.owner_membership_id:
        return item.owner_membership.contact_email
    return item.owner_user.email if item.owner_user_id else ""


def send_due_action_reminders(
    *, today: datetime.date | None = None, dry_run: bool = False
) -> list[ReminderLine]:
    today = today or timezone.localdate()
    items = list(
        ActionItem.objects.filter(
            done_at__isnull=True, due_on__lte=today + datetime.timedelta(days=SOON_DAYS)
        )
        .select_related("meeting__group", "owner_membership__user", "owner_user")
        .order_by("due_on", "pk")
    )
    kinds = {item.pk: ("overdue" if item.due_on < today else "soon") for item in items}
    keys = {item.pk: f"groups:action:{item.pk}:{kinds[item.pk]}" for item in items}
    already = sent_keys(keys.values())
    lines = []
    with translation.override("fr"):
        for item in items:
            kind, key = kinds[item.pk], keys[item.pk]
            about = f"suivi {item.pk} du groupe « {item.meeting.group.name} »"
            if key in already:
                lines.append(ReminderLine(f"Rappel déjà envoyé : {about}.", "already_sent"))
                continue
            to = _address(item)
            if not to:
                lines.append(
                    ReminderLine(f"Rappel non envoyé : {about} — aucune adresse courriel.", "no_editors")
                )
                continue
            if dry_run:
                lines.append(ReminderLine(f"Rappel à envoyer (simulation) : {about}.", "would_send"))
                continue
            due = french_date(item.due_on)
            try:
                sent = send_once(
                    key=key,
                    template=f"groups/email/action_{kind}",
                    subject=SUBJECTS[kind].format(group=item.meeting.group.name, due=due),
                    kind=f"groups_action_{kind}",
                    recipients=[to],
                    context={
                        "item": item,
                        "group": item.meeting.group,
                        "due": due,
                        "url": absolute_url(reverse("groups-mine")),
                    },
                )
            except Exception as exc:
                logger.exception("Échec de l’envoi du rappel %s.", key)
                lines.append(
                    ReminderLine(f"ÉCHEC : rappel non envoyé : {about} — {type(exc).__name__}", "failed")
                )
                continue
            status = "sent" if sent else "already_sent"
            lines.append(ReminderLine(f"Rappel {'envoyé' if sent else 'déjà envoyé'} : {about}.", status))
    logger.info("Rappels des suivis des groupes du %s : %s ligne(s)", today.isoformat(), len(lines))
    return lines
