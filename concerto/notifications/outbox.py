"""The one way Concerto sends an e-mail: each message at most once, French first.

Every message has a key saying what it is about (``campaign:3:reminder:14:org:7``,
``recommendation:5:due``, ``invitation:9``), stored in ``SentNotification``
under a unique constraint. The key is claimed in its own committed
transaction *before* the message leaves: two processes on two nodes can never
both send it, and a crash after the claim loses that one message rather than
sending it twice. A send that fails removes the claim, so that a later run
tries again.

Templates stay in the app that sends (``campaigns/email/reminder.txt`` and
``.html``); so does the subject. Messages are rendered in French whatever the
language of the person whose action sent them; a bilingual message (the
invitation) says so with ``languages="fr, en"``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, translation

from .models import SentNotification

logger = logging.getLogger(__name__)


def send_once(
    *,
    key: str,
    template: str,
    recipients: list[str],
    context: dict,
    subject: str | None = None,
    kind: str | None = None,
    organization=None,
    languages: str = "fr",
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> bool:
    """Send ``template`` (``<template>.txt`` and ``<template>.html``) to ``recipients``
    unless an e-mail with ``key`` was already sent or is being sent; True if sent now.

    ``subject`` is the subject line, or else ``<template>_subject.txt`` rendered
    on one line. ``kind`` (default: the template's name) is recorded for the
    admin's filter, ``organization`` for whom it concerns. Nothing is sent,
    and nothing recorded, without recipients. ``attachments`` are
    ``(filename, content, mimetype)`` triples (an invitation's iCalendar file,
    :func:`concerto.core.ical.attachment`).

    Must not run inside a transaction (``RuntimeError``): the claim has to be
    committed before the message leaves. A failed send removes the claim and
    re-raises.
    """
    if not recipients:
        return False
    kind = (kind or template.rsplit("/", 1)[-1])[:40]
    try:
        with transaction.atomic(durable=True):
            SentNotification.objects.create(
                key=key,
                kind=kind,
                organization=organization,
                recipients=", ".join(recipients),
            )
    except IntegrityError:
        return False
    try:
        _message(template, subject, context, recipients, languages, attachments).send()
    except Exception:
        SentNotification.objects.filter(key=key).delete()
        raise
    # The key and the count, not the addresses: a log is read by people the e-mail was not for.
    logger.info("Courriel %s envoyé (%s) à %s destinataire(s)", kind, key, len(recipients))
    return True


def _message(template, subject, context, recipients, languages, attachments=()) -> EmailMultiAlternatives:
    with translation.override("fr"):
        if subject is None:
            subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
        headers={"Content-Language": languages},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def sent_keys(keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` already sent (or being sent)."""
    return set(SentNotification.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def absolute_url(path: str) -> str:
    """A link for an e-mail: ``path`` on ``CONCERTO_BASE_URL``."""
    return settings.CONCERTO_BASE_URL.rstrip("/") + path


def french_date(day: datetime.date) -> str:
    """« 31 mars 2025 », whatever the active language."""
    with translation.override("fr"):
        return formats.date_format(day, "j F Y")
