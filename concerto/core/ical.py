"""The one way Concerto writes iCalendar (RFC 5545): feeds and invitations.

Meetings of the CIQ's groups, sessions of its activities: each app turns its
objects into :class:`Event` and calls :func:`calendar` (a feed, or the file
attached to an invitation e-mail with ``method="REQUEST"``, or
``"CANCEL"`` when the event is withdrawn). The ``icalendar`` library writes
the text (folding, escaping, time zones); this module only fixes what every
Concerto calendar shares: the product id, the calendar's French name, times
written in UTC (exact whatever the reader's zone, with no time-zone table to
go stale; calendar programs show them in local time), stable UIDs and sequences so that a
calendar program updates an event instead of adding a second one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

PRODUCT_ID = "-//Concerto//Coordination du système professionnel//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"
UID_DOMAIN = "concerto.quebec"


@dataclass(frozen=True)
class Event:
    """One event. ``uid`` is stable for the object (``meeting-12``); ``sequence``
    grows each time the event changes (its time, its place), so that invited
    people's calendars replace the old version."""

    uid: str
    start: datetime.datetime
    end: datetime.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    organizer_email: str = ""
    attendees: tuple[str, ...] = ()
    stamp: datetime.datetime | None = None


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        raise ValueError("An iCalendar event needs an aware date and time.")
    return moment.astimezone(datetime.UTC)


def _vevent(event: Event) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.uid}@{UID_DOMAIN}")
    vevent.add("dtstamp", (event.stamp or timezone.now()).astimezone(datetime.UTC))
    vevent.add("dtstart", _utc(event.start))
    vevent.add("dtend", _utc(event.end))
    vevent.add("summary", event.summary)
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.location:
        vevent.add("location", event.location)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    if event.organizer_email:
        organizer = icalendar.vCalAddress(f"mailto:{event.organizer_email}")
        vevent.add("organizer", organizer)
    for email in event.attendees:
        attendee = icalendar.vCalAddress(f"mailto:{email}")
        attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
        vevent.add("attendee", attendee, encode=0)
    return vevent


def calendar(events: Iterable[Event], *, name: str, method: str | None = None) -> bytes:
    """The iCalendar text (UTF-8 bytes) of ``events``, named ``name`` in calendar programs.

    ``method`` is ``"REQUEST"`` for an invitation attached to an e-mail,
    ``"CANCEL"`` for its withdrawal, None for a feed.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(_vevent(event))
    return cal.to_ical()


def attachment(events: Iterable[Event], *, name: str, method: str = "REQUEST") -> tuple[str, bytes, str]:
    """An invitation file for :func:`concerto.notifications.outbox.send_once`'s ``attachments``."""
    content = calendar(events, name=name, method=method)
    return ("invitation.ics", content, f"text/calendar; charset=utf-8; method={method}")


def response(content: bytes, *, filename: str) -> HttpResponse:
    """A feed or file download; private feeds are not to be cached by shared caches."""
    reply = HttpResponse(content, content_type=CONTENT_TYPE)
    reply["Content-Disposition"] = f'inline; filename="{filename}"'
    return reply
