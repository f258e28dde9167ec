"""Who may do what with the CIQ's groups.

- CIQ staff: the coordination of the group's owner (the CIQ;
  ``accounts.rules.coordinates``), or a superuser: everything.
- a member: a signed-in person linked (``Membership.user``) to a current
  membership of the group: its meetings, agenda documents, attendance,
  minutes and decisions (read-only), and marking their own action items done.
  A past member no longer sees the group's private pages.
- everyone else: the public pages only (the groups, their mandate, their
  members' orders and roles, the published opinions they prepared). The
  private pages answer 404, so that a meeting's existence is not revealed.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from concerto.accounts.rules import coordinated_owner_ids, coordinates, is_signed_in
from concerto.ciq.rules import ciq_coordinated

from .models import ActionItem, Group, Membership, current_q


def is_staff_of(user, group: Group) -> bool:
    return coordinates(user, group.owner_id)


def can_create_groups(user) -> bool:
    return bool(ciq_coordinated(user))


def staff_groups(user) -> QuerySet[Group]:
    if not is_signed_in(user):
        return Group.objects.none()
    if user.is_superuser:
        return Group.objects.all()
    return Group.objects.filter(owner__in=coordinated_owner_ids(user))


def current_memberships(user, *, today: datetime.date | None = None) -> QuerySet[Membership]:
    if not is_signed_in(user):
        return Membership.objects.none()
    return Membership.objects.filter(current_q(today or timezone.localdate()), user=user)


def member_group_ids(user, *, today: datetime.date | None = None) -> set[int]:
    return set(current_memberships(user, today=today).values_list("group_id", flat=True))


def readable_groups(user, *, today: datetime.date | None = None) -> QuerySet[Group]:
    """Groups whose private pages ``user`` may read: as CIQ staff or as a current member."""
    if not is_signed_in(user):
        return Group.objects.none()
    ids = member_group_ids(user, today=today) | set(staff_groups(user).values_list("pk", flat=True))
    return Group.objects.filter(pk__in=ids)


def can_read(user, group: Group) -> bool:
    return is_staff_of(user, group) or group.pk in member_group_ids(user)


def owns_action(user, item: ActionItem) -> bool:
    return is_signed_in(user) and item.owner_user_id_effective() == user.pk


def can_mark_done(user, item: ActionItem) -> bool:
    """The owner while a current member of the group, or the CIQ's staff."""
    group = item.meeting.group
    if is_staff_of(user, group):
        return True
    return owns_action(user, item) and group.pk in member_group_ids(user)
