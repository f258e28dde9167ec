"""Who may do what with the CIQ's activities.

- **CIQ staff** (the coordination of the CIQ, ``ciq.rules.ciq_coordinated``;
  for an existing activity ``coordinates(user, activity.owner)``): create and
  edit activities and sessions, see every registration with the person's
  name and order, record attendance, export, download any certificate.
- **An order's staff**: a person with a membership in a professional order
  whose role is in the session's audience (an empty audience: any role)
  registers for themselves, for that order; sees their own registrations
  and downloads their own certificate once marked present. They see the
  public activities, and the non-public ones whose sessions they may join.
- **Everyone else** (anonymous, the Office's staff, an order's person
  outside the audience): the public activities and their sessions, with
  the seats left — never who registered.

Memberships come from ``accounts.rules``, read once per request.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from concerto.accounts.rules import coordinated_owner_ids, coordinates, is_signed_in, memberships_of
from concerto.ciq.rules import ciq_coordinated
from concerto.organizations.models import Organization

from .models import Activity, Registration, Session


def can_create(user) -> bool:
    """A new activity belongs to the CIQ: its coordination creates it."""
    return ciq_coordinated(user).exists()


def ciq_owner(user) -> Organization | None:
    return ciq_coordinated(user).first()


def can_manage(user, activity: Activity) -> bool:
    return coordinates(user, activity.owner_id)


def managed_activities(user) -> QuerySet[Activity]:
    if not is_signed_in(user):
        return Activity.objects.none()
    return Activity.objects.filter(owner__in=coordinated_owner_ids(user))


# --- the orders' staff --------------------------------------------------------------------


def order_memberships(user) -> list:
    """The person's memberships in professional orders (no query beyond ``accounts.rules``'s one)."""
    return [m for m in memberships_of(user) if m.organization.kind == Organization.Kind.PROFESSIONAL_ORDER]


def eligible_organizations(user, session: Session) -> list[Organization]:
    """The orders for which ``user`` may register for ``session`` (their role there is in its audience)."""
    audience = set(session.audience or [])
    return [m.organization for m in order_memberships(user) if not audience or m.role in audience]


def order_roles(user) -> set[str]:
    return {m.role for m in order_memberships(user)}


def audience_condition(user, prefix: str = "") -> Q:
    """Sessions ``user`` may register for (as a filter on Session, or on ``prefix``)."""
    roles = order_roles(user)
    if not roles:
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}audience": []})
    for role in sorted(roles):
        # ``contains`` on a JSON list is PostgreSQL-only; the quoted role inside the JSON text works on both.
        condition |= Q(**{f"{prefix}audience__icontains": f'"{role}"'})
    return condition


def visible_sessions(user) -> QuerySet[Session]:
    """Sessions shown to ``user``: those of public activities, those they may join, all for CIQ staff."""
    sessions = Session.objects.all()
    if is_signed_in(user) and coordinated_owner_ids(user):
        owned = Q(activity__owner__in=coordinated_owner_ids(user))
    else:
        owned = Q(pk__in=[])
    return sessions.filter(Q(activity__is_public=True) | owned | audience_condition(user))


def can_see_activity(user, activity: Activity, sessions: list[Session]) -> bool:
    if activity.is_public or can_manage(user, activity):
        return True
    return any(eligible_organizations(user, s) for s in sessions)


def can_read_certificate(user, registration: Registration) -> bool:
    """The attendee (marked present), or the CIQ's staff."""
    if can_manage(user, registration.session.activity):
        return True
    return (
        is_signed_in(user)
        and registration.user_id == user.pk
        and registration.attendance == Registration.Attendance.ATTENDED
        and registration.status == Registration.Status.REGISTERED
    )
