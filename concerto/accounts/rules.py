"""Who coordinates what, and who may do what with accounts.

Every object a coordination manages has an owning body (``Plan.owner``,
``Recommendation.owner``, ``Case.owner``...). One predicate answers "does
this person coordinate for this owner?": ``coordinates(user, owner)``. It and
the helpers below (for queryset filters and navigation) all read the person's
memberships once per user object, which the request keeps: every app's
``rules.py`` builds on them instead of querying memberships again.

A coordinator of one body has no coordinating right over what another body
owns; a coordinator membership in an organization that owns nothing (a
partner) coordinates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from concerto.organizations.models import Organization

from .models import Membership, Role
from .participation import owning_condition, participants_of, participating_condition, role_scope

_CACHE = "_concerto_roles"


def is_signed_in(user) -> bool:
    """A real, active account (not the anonymous user, not a deactivated one)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


@dataclass(frozen=True)
class _Roles:
    by_org: dict[int, Membership]  # organization id -> membership, by organization name
    owner_ids: frozenset[int]  # the owning bodies the person coordinates


_NOBODY = _Roles({}, frozenset())


def _roles(user) -> _Roles:
    """The person's memberships, read once per user object (one query; two for a superuser)."""
    if not is_signed_in(user):
        return _NOBODY
    cached = getattr(user, _CACHE, None)
    if cached is None:
        rows = list(
            Membership.objects.filter(user=user)
            .select_related("organization")
            .annotate(owns=ExpressionWrapper(owning_condition("organization"), output_field=BooleanField()))
            .order_by("organization__name", "organization__code")
        )
        if user.is_superuser:
            owners = Organization.objects.filter(owning_condition()).values_list("pk", flat=True)
            owner_ids = frozenset(owners)
        else:
            owner_ids = frozenset(m.organization_id for m in rows if m.role == Role.COORDINATOR and m.owns)
        cached = _Roles({m.organization_id: m for m in rows}, owner_ids)
        setattr(user, _CACHE, cached)
    return cached


def memberships_by_org(user) -> dict[int, Membership]:
    """Organization id -> the person's membership there (with ``organization`` loaded)."""
    return _roles(user).by_org


def memberships_of(user) -> list[Membership]:
    """The organizations a person belongs to, with their role there, by organization name."""
    return list(memberships_by_org(user).values())


def organizations_with_role(user, *roles: str) -> set[int]:
    """Ids of the organizations where the person holds one of ``roles`` (any role if none given)."""
    return {org_id for org_id, m in memberships_by_org(user).items() if not roles or m.role in roles}


def coordinated_owner_ids(user) -> set[int]:
    """Ids of the owning bodies the person coordinates (every owning body for a superuser):
    filter owned objects with ``owner__in=coordinated_owner_ids(user)``."""
    return set(_roles(user).owner_ids)


def _owner_id(owner) -> int | None:
    return owner.pk if isinstance(owner, Organization) else owner


def coordinates(user, owner) -> bool:
    """The person coordinates for ``owner`` (an Organization or its id): a
    coordinator of that body, or a superuser."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    owner_id = _owner_id(owner)
    membership = memberships_by_org(user).get(owner_id) if owner_id is not None else None
    return membership is not None and membership.role == Role.COORDINATOR


def is_any_coordinator(user) -> bool:
    """Coordinates some owning body (for navigation: each page checks ``coordinates`` again)."""
    if not is_signed_in(user):
        return False
    return bool(user.is_superuser or _roles(user).owner_ids)


def owning_organizations() -> QuerySet[Organization]:
    """The bodies that own something a coordination manages."""
    return Organization.objects.filter(owning_condition())


def invitable_organizations(user) -> QuerySet[Organization]:
    """Where the person may invite people: the bodies they coordinate and the
    organizations taking part in what those bodies own, except another owning
    body (which invites its own people: an editor of the Office invited by
    another body would edit the Office's drafts). Every organization for a
    superuser."""
    if not is_any_coordinator(user):
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    coordinated = coordinated_owner_ids(user)
    other_bodies = owning_organizations().exclude(pk__in=coordinated).values("pk")
    return Organization.objects.filter(participating_condition(coordinated)).exclude(pk__in=other_bodies)


def can_invite(user) -> bool:
    """Only a coordination brings new people into Concerto."""
    return is_any_coordinator(user)


def can_grant_role(user, organization, role) -> bool:
    """The coordinator role only in the inviter's own body; any other role
    only in an organization taking part in what the inviter coordinates."""
    if not can_invite(user):
        return False
    if role == Role.COORDINATOR:
        return organization.pk in coordinated_owner_ids(user)
    if role == Role.RESPONDENT and not user.is_superuser:
        # A respondent reads and writes the order's answers to the CIQ: only a coordination
        # consulting that order (the CIQ's) brings one in, never the Office's.
        condition = participants_of("ciq", coordinated_owner_ids(user))
        return condition is not None and Organization.objects.filter(condition, pk=organization.pk).exists()
    allowed = invitable_organizations(user)
    scope = role_scope(role)
    if scope is not None:  # a role an app keeps to some organizations (``participation.register_role``)
        allowed = allowed.filter(scope.where(coordinated_owner_ids(user)))
    return allowed.filter(pk=organization.pk).exists()


def get_abilities(user) -> dict[str, bool]:
    return {"invite": can_invite(user)}
