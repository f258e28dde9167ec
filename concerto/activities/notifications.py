"""E-mails of the CIQ's activities, each sent at most once (``concerto.notifications.outbox``).

Keys, per registration (a registration row is one person's place at one session):

- ``activities:registration:<id>:confirmed`` — the seat is confirmed (with the session's .ics);
- ``activities:registration:<id>:waitlisted`` — on the waiting list, with the place in it;
- ``activities:registration:<id>:promoted`` — a seat freed up: confirmed (with the .ics);
- ``activities:registration:<id>:reminder`` — the day before the session (``reminders``);
- ``activities:registration:<id>:changed:v<sequence>`` — the session moved (new time or place),
  with the updated .ics for a confirmed seat;
- ``activities:registration:<id>:cancelled:v<sequence>`` — the CIQ cancelled the session (with
  the .ics withdrawing it for a confirmed seat).

Each goes to the registered person only and names nobody else.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats, timezone, translation

from concerto.core import ical
from concerto.notifications.outbox import absolute_url, send_once

from .models import Registration, Session

SUBJECTS = {
    "confirmed": "Concerto — Inscription confirmée : {title}, {when}",
    "waitlisted": "Concerto — Liste d’attente : {title}, {when}",
    "promoted": "Concerto — Une place s’est libérée : votre inscription est confirmée ({title}, {when})",
    "reminder": "Concerto — Rappel : {title}, demain {when}",
    "changed": "Concerto — Changement d’horaire ou de lieu : {title}, {when}",
    "cancelled": "Concerto — Séance annulée : {title}, {when}",
}


def french_moment(moment) -> str:
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(moment), "j F Y à H\\hi")


def location(session: Session) -> str:
    return session.online_url or session.place


def event(session: Session) -> ical.Event:
    activity = session.activity
    return ical.Event(
        uid=f"activity-session-{session.pk}",
        start=session.starts_at,
        end=session.ends_at,
        summary=activity.title,
        location=location(session),
        description=f"{activity.get_kind_display()} — Conseil interprofessionnel du Québec",
        url=absolute_url(reverse("activity-detail", args=[activity.slug])),
        sequence=session.sequence,
        cancelled=session.is_cancelled,
    )


def waitlist_rank(registration: Registration) -> int:
    """The person's place in the waiting list now (1 = next to be promoted)."""
    ahead = Registration.objects.filter(
        session_id=registration.session_id,
        status=Registration.Status.WAITLISTED,
        position__lt=registration.position,
    ).count()
    return ahead + 1


def _send(
    registration: Registration, kind: str, *, invitation: bool = False, key_suffix: str = "", **extra
) -> bool:
    session = registration.session
    activity = session.activity
    email = registration.user.email
    if not email:
        return False
    when = french_moment(session.starts_at)
    context = {
        "registration": registration,
        "session": session,
        "activity": activity,
        "organization": registration.organization,
        "when": when,
        "ends": french_moment(session.ends_at),
        "location": location(session),
        "url": absolute_url(reverse("activity-my-registrations")),
        "activity_url": absolute_url(reverse("activity-detail", args=[activity.slug])),
        "cutoff": french_moment(session.cancellation_cutoff),
        **extra,
    }
    attachments = []
    if invitation:
        method = "CANCEL" if session.is_cancelled else "REQUEST"
        attachments.append(ical.attachment([event(session)], name=activity.title, method=method))
    return send_once(
        key=f"activities:registration:{registration.pk}:{kind}{key_suffix}",
        template=f"activities/email/{kind}",
        subject=SUBJECTS[kind].format(title=activity.title, when=when),
        kind=f"activity_{kind}",
        recipients=[email],
        context=context,
        organization=registration.organization,
        attachments=attachments,
    )


def send_confirmation(registration: Registration) -> bool:
    return _send(registration, "confirmed", invitation=True)


def send_waitlisted(registration: Registration) -> bool:
    return _send(registration, "waitlisted", rank=waitlist_rank(registration))


def send_promotion(registration: Registration) -> bool:
    return _send(registration, "promoted", invitation=True)


def send_reminder(registration: Registration) -> bool:
    return _send(registration, "reminder")


def send_session_update(session: Session) -> int:
    """Tell every person still registered or waiting that the session moved or was cancelled.

    Once per version of the session (its ``sequence``); a confirmed seat gets
    the calendar file that updates (or withdraws) the event. Returns the
    e-mails sent now.
    """
    kind = "cancelled" if session.is_cancelled else "changed"
    registrations = (
        session.registrations.filter(status__in=Registration.ACTIVE)
        .select_related("user", "organization", "session__activity")
        .order_by("pk")
    )
    sent = 0
    for registration in registrations:
        confirmed = registration.status == Registration.Status.REGISTERED
        if _send(
            registration, kind, invitation=confirmed, key_suffix=f":v{session.sequence}", confirmed=confirmed
        ):
            sent += 1
    return sent
