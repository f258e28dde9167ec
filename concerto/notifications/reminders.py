"""The reminder scheduling hook: each app declares its reminders, ``send_reminders`` runs them all.

An app registers, from its ``AppConfig.ready()``, a function sending what is
due on a day::

    register_reminder("campaigns", send_due_reminders)

    def send_due_reminders(*, today: datetime.date, dry_run: bool) -> list[ReminderLine]: ...

The function is idempotent and safe on several nodes at once (a row lock
taken with ``skip_locked`` while it decides, ``outbox.send_once`` for each
e-mail); with ``dry_run`` it sends, writes and locks nothing. It returns one
French ``ReminderLine`` per thing it looked at, which the command prints and
counts.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.utils import timezone

logger = logging.getLogger(__name__)


class ReminderLine(str):
    """A French line of the report; ``status`` says what happened, for counting:
    sent, would_send, already_sent, no_editors (nobody with an e-mail address),
    failed or skipped (another process was handling it)."""

    status: str

    def __new__(cls, text: str, status: str):
        line = super().__new__(cls, text)
        line.status = status
        return line


Reminder = Callable[..., list[ReminderLine]]

# In registration order, i.e. the order of INSTALLED_APPS: the report lists
# each app's lines together, in the same order every run.
_reminders: dict[str, Reminder] = {}


def register_reminder(name: str, send_due: Reminder) -> None:
    """Have ``send_reminders`` call ``send_due(today=…, dry_run=…)``; registering a name again replaces it."""
    _reminders[name] = send_due


def registered_reminders() -> dict[str, Reminder]:
    return dict(_reminders)


def run_reminders(*, today: datetime.date | None = None, dry_run: bool = False) -> list[ReminderLine]:
    """Run every registered reminder for ``today`` (default: the local date), one after the other.

    One app's error does not stop the others: it becomes a ``failed`` line
    (nothing it left unsent was recorded, so the next run tries again).
    """
    today = today or timezone.localdate()
    lines: list[ReminderLine] = []
    for name, send_due in _reminders.items():
        try:
            lines += send_due(today=today, dry_run=dry_run)
        except Exception as exc:
            logger.exception("Rappels « %s » interrompus le %s.", name, today.isoformat())
            lines.append(ReminderLine(f"ÉCHEC : rappels « {name} » interrompus — {exc}", "failed"))
    return lines
