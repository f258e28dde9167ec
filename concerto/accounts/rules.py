"""Who may do what with accounts. Small predicates, used by views and templates alike."""

from django.db.models import QuerySet

from .models import Membership, Role


def is_signed_in(user) -> bool:
    """A real, active account (not the anonymous user, not a deactivated one)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def memberships_of(user) -> QuerySet[Membership]:
    """The organizations a person belongs to, with their role there, by organization name."""
    if not is_signed_in(user):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization__code")
    )


def has_role(user, role: Role) -> bool:
    """The person holds ``role`` in at least one organization."""
    return memberships_of(user).filter(role=role).exists()


def is_coordinator(user) -> bool:
    """Coordination (the Office): a coordinator of an organization that owns a plan, or a superuser.

    A partner's coordinator membership does not make one the coordination: it
    would otherwise open every recommendation and every unlinked case."""
    if not is_signed_in(user):
        return False
    return bool(user.is_superuser) or coordinated_organizations(user).exists()


def coordinated_organizations(user):
    """Organizations that own a plan and where the user is a coordinator."""
    from concerto.organizations.models import Organization

    if not is_signed_in(user):
        return Organization.objects.none()
    owners = Organization.objects.filter(owned_plans__isnull=False).distinct()
    if user.is_superuser:
        return owners
    return owners.filter(memberships__user=user, memberships__role=Role.COORDINATOR)


def can_invite(user) -> bool:
    """Only the coordination of a plan (the Office) brings new people into Concerto."""
    return is_coordinator(user)


def can_grant_role(user, organization, role) -> bool:
    """The coordinator role is granted only in an organization the inviter coordinates."""
    if role != Role.COORDINATOR:
        return can_invite(user)
    return coordinated_organizations(user).filter(pk=organization.pk).exists()


def get_abilities(user) -> dict[str, bool]:
    return {"invite": can_invite(user)}


def coordinates(user, plan) -> bool:
    """Coordinates ``plan``: a coordinator of the organization that owns it, or a superuser."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    owner_id = getattr(plan, "owner_id", None)
    return (
        owner_id is not None
        and Membership.objects.filter(user=user, organization_id=owner_id, role=Role.COORDINATOR).exists()
    )
