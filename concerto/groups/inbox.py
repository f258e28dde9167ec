"""The groups' items of « Mes tâches » (``concerto.core.inbox``).

- a member: each open action item they own (through their membership or
  their account) in a group whose pages they may read, with its due date;
- CIQ staff: each meeting already held whose minutes still await adoption.

Two queries at most per source, whatever the number of items.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from concerto.accounts.rules import is_signed_in
from concerto.core.inbox import Task, french

from . import rules
from .models import ActionItem, Minutes


def owner_tasks(user, *, today):
    if not is_signed_in(user):
        return []
    items = (
        ActionItem.objects.filter(
            done_at__isnull=True, meeting__group__in=rules.readable_groups(user, today=today)
        )
        .filter(Q(owner_user=user) | Q(owner_membership__user=user))
        .select_related("meeting__group")
        .order_by("due_on", "pk")
    )
    return [
        Task(
            title=_("Suivi du groupe « %(group)s » : %(text)s")
            % {"group": item.meeting.group.name, "text": item.text[:120]},
            url=reverse("groups-meeting", args=[item.meeting_id]),
            due=item.due_on,
            status=_("En retard") if item.due_on < today else _("À faire"),
            detail=french(item.meeting.group.name),
        )
        for item in items
    ]


def staff_tasks(user, *, today):
    groups = rules.staff_groups(user)
    minutes = (
        Minutes.objects.filter(
            state=Minutes.State.DRAFT, meeting__group__in=groups, meeting__starts_at__lt=timezone.now()
        )
        .select_related("meeting__group")
        .order_by("meeting__starts_at", "pk")
    )
    return [
        Task(
            title=_("Faire adopter le procès-verbal de la réunion du %(date)s")
            % {"date": formats.date_format(timezone.localtime(m.meeting.starts_at).date(), "j F Y")},
            url=reverse("groups-meeting", args=[m.meeting_id]),
            status=_("Procès-verbal à adopter"),
            detail=french(m.meeting.group.name),
        )
        for m in minutes
    ]
