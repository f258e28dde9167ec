"""Who may do what with a recommendation: small predicates, shared by views,
services and templates.

- coordinator: the coordination of the body that owns the recommendation
  (``Recommendation.owner``, the Office; ``accounts.rules.coordinates``), or a
  superuser: everything on that recommendation. A coordinator of another body
  (or of a partner organization) is at most an addressee member;
- addressee member: a member of the addressee organization with the role
  **editor or coordinator** there (``ADDRESSEE_ROLES``). Readers and
  collaborators of that organization are not: answering the Office engages
  the organization, which is the editor's job (the person "responsible for
  updates"), as in the campaigns. An addressee member sees the
  recommendations addressed to their organization once sent (never drafts),
  with their unpublished parts, and files the answer;
- everyone else (anonymous, readers, members of other organizations): the
  published recommendations only, and an answer only once its own
  publication flag is set.

Memberships come from ``accounts.rules``, read once per request.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from concerto.accounts.models import Role
from concerto.accounts.rules import (
    coordinated_owner_ids,
    coordinates,
    is_signed_in,
    organizations_with_role,
    owning_organizations,
)

from .models import Recommendation, State

ADDRESSEE_ROLES = (Role.EDITOR, Role.COORDINATOR)


def owners() -> QuerySet:
    """For ``accounts.participation``: the bodies that own recommendations."""
    return Recommendation.objects.values("owner_id")


def participants(owner_ids: set[int]) -> Q:
    """For ``accounts.participation``: the addressees of the recommendations of ``owner_ids``."""
    return Q(pk__in=Recommendation.objects.filter(owner__in=owner_ids).values("addressee_id"))


def drafting_owners(user):
    """The bodies for which ``user`` may draft a new recommendation (those they coordinate)."""
    if not is_signed_in(user):
        return owning_organizations().none()
    return owning_organizations().filter(pk__in=coordinated_owner_ids(user)).order_by("name", "code")


def can_draft(user) -> bool:
    """Drafts a new recommendation: the coordination of some owning body."""
    return bool(coordinated_owner_ids(user))


def addressee_organization_ids(user) -> set[int]:
    """Organizations in which ``user`` answers recommendations."""
    return organizations_with_role(user, *ADDRESSEE_ROLES)


def is_addressee_member(user, recommendation: Recommendation) -> bool:
    return recommendation.addressee_id in addressee_organization_ids(user)


def may_coordinate(user, recommendation: Recommendation) -> bool:
    return coordinates(user, recommendation.owner_id)


def visible_to(user, queryset=None):
    """The recommendations ``user`` may see (published ones for everybody)."""
    queryset = Recommendation.objects.all() if queryset is None else queryset
    if is_signed_in(user) and user.is_superuser:
        return queryset
    visible = Q(published=True) & ~Q(state=State.DRAFT)
    coordinated = coordinated_owner_ids(user)
    if coordinated:
        visible |= Q(owner_id__in=coordinated)
    mine = addressee_organization_ids(user)
    if mine:
        visible |= Q(addressee_id__in=mine) & ~Q(state=State.DRAFT)
    return queryset.filter(visible)


def can_see_full(user, recommendation: Recommendation) -> bool:
    """Unpublished parts too: its coordination, and the addressee's members once sent."""
    if may_coordinate(user, recommendation):
        return True
    return recommendation.state != State.DRAFT and is_addressee_member(user, recommendation)


def can_read(user, recommendation: Recommendation) -> bool:
    if recommendation.published and recommendation.state != State.DRAFT:
        return True
    return can_see_full(user, recommendation)


def can_read_answer(user, recommendation: Recommendation, answer=None) -> bool:
    answer = answer if answer is not None else getattr(recommendation, "answer", None)
    if answer is None:
        return False
    if can_see_full(user, recommendation):
        return True
    return bool(answer.published and recommendation.published and recommendation.state != State.DRAFT)


def can_read_attachment(user, attachment) -> bool:
    recommendation = attachment.owner_recommendation
    if attachment.answer_id:
        return can_read_answer(user, recommendation, attachment.answer)
    return can_read(user, recommendation)


def can_edit(user, recommendation: Recommendation) -> bool:
    return recommendation.state == State.DRAFT and may_coordinate(user, recommendation)


def can_file_answer(user, recommendation: Recommendation) -> bool:
    """The addressee's members (or its coordination, recording an answer
    received on paper), once the recommendation is received and not yet answered."""
    if recommendation.state != State.RECEIVED:
        return False
    return may_coordinate(user, recommendation) or is_addressee_member(user, recommendation)


def get_abilities(user, recommendation: Recommendation) -> dict[str, bool]:
    coordinator = may_coordinate(user, recommendation)
    return {
        "coordinate": coordinator,
        "full": can_see_full(user, recommendation),
        "edit": can_edit(user, recommendation),
        "send": coordinator and recommendation.state == State.DRAFT,
        "receive": coordinator and recommendation.state == State.SENT,
        "answer": can_file_answer(user, recommendation),
        "close": coordinator and recommendation.state == State.ANSWERED,
        "publish": coordinator and recommendation.state != State.DRAFT,
    }
