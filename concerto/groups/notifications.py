"""E-mails of the CIQ's groups, each sent at most once (``concerto.notifications.outbox``).

Keys, per meeting and member (one e-mail each: members never see each other's addresses):

- ``groups:meeting:<id>:v<sequence>:request:member:<membership>``: the
  invitation, with its iCalendar file (method REQUEST); a change of time or
  place bumps the sequence, so each version is sent once;
- ``groups:meeting:<id>:cancel:member:<membership>``: the cancellation (method CANCEL);
- ``groups:action:<id>:soon`` / ``groups:action:<id>:overdue``: reminders of an
  action item to its owner (``reminders.py``).

An invitation names the group, the meeting's time and place and the link to
the meeting's page; never the agenda documents or the minutes themselves.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone, translation

from concerto.core import ical
from concerto.notifications.outbox import absolute_url, send_once

from .models import Meeting, Membership, current_q


def recipients(meeting: Meeting, *, today: datetime.date | None = None) -> list[Membership]:
    """The group's current members with an e-mail address (theirs or their account's)."""
    today = today or timezone.localdate()
    members = (
        Membership.objects.filter(current_q(today), group_id=meeting.group_id)
        .select_related("user")
        .order_by("name", "pk")
    )
    return [m for m in members if m.contact_email]


def event(meeting: Meeting, *, cancelled: bool = False) -> ical.Event:
    return ical.Event(
        uid=f"groups-meeting-{meeting.pk}",
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=f"{meeting.group.name} — {meeting.title}" if meeting.title else meeting.group.name,
        location=meeting.location,
        url=absolute_url(reverse("groups-meeting", args=[meeting.pk])),
        sequence=meeting.sequence,
        cancelled=cancelled,
    )


def _when(meeting: Meeting) -> str:
    with translation.override("fr"):
        start = timezone.localtime(meeting.starts_at)
        end = timezone.localtime(meeting.ends_at)
        from django.utils import formats

        return f"{formats.date_format(start, 'l j F Y')}, {start:%H:%M}–{end:%H:%M}"


def _send(meeting: Meeting, *, kind: str, method: str, key_part: str) -> int:
    members = recipients(meeting)
    attachment = ical.attachment(
        [event(meeting, cancelled=method == "CANCEL")], name=meeting.group.name, method=method
    )
    context = {
        "meeting": meeting,
        "group": meeting.group,
        "when": _when(meeting),
        "url": absolute_url(reverse("groups-meeting", args=[meeting.pk])),
        "updated": meeting.sequence > 0,
    }
    subjects = {
        "invitation": "Concerto — {update}{group} : réunion du {when}",
        "cancellation": "Concerto — {group} : réunion du {when} annulée",
    }
    subject = subjects[kind].format(
        group=meeting.group.name, when=context["when"], update="Mise à jour — " if context["updated"] else ""
    )
    sent = 0
    for member in members:
        if send_once(
            key=f"groups:meeting:{meeting.pk}:{key_part}:member:{member.pk}",
            template=f"groups/email/{kind}",
            subject=subject,
            kind=f"groups_{kind}",
            recipients=[member.contact_email],
            context={**context, "member": member},
            organization=member.organization,
            attachments=[attachment],
        ):
            sent += 1
    return sent


def send_invitations(meeting: Meeting) -> int:
    """Invite the current members to this version of the meeting; returns how many e-mails left now."""
    return _send(meeting, kind="invitation", method="REQUEST", key_part=f"v{meeting.sequence}:request")


def send_cancellations(meeting: Meeting) -> int:
    return _send(meeting, kind="cancellation", method="CANCEL", key_part="cancel")
