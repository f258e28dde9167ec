"""Who may do what with a recommendation: small predicates, shared by views,
services and templates.

- coordinator: ``accounts.rules.is_coordinator`` (a coordinator of an
  organization that owns a plan — the Office — or a superuser): everything
  (a partner organization's coordinator is at most an addressee member);
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
"""

from __future__ import annotations

from django.db.models import Q

from concerto.accounts import rules as account_rules
from concerto.accounts.models import Membership, Role

from .models import Recommendation, State

ADDRESSEE_ROLES = (Role.EDITOR, Role.COORDINATOR)


def is_coordinator(user) -> bool:
    """Cached on the user object for the request."""
    cached = getattr(user, "_concerto_rec_coordinator", None)
    if cached is None:
        cached = account_rules.is_coordinator(user)
        if account_rules.is_signed_in(user):
            user._concerto_rec_coordinator = cached
    return cached


def addressee_organization_ids(user) -> set[int]:
    """Organizations in which ``user`` answers recommendations (cached on the user)."""
    if not account_rules.is_signed_in(user):
        return set()
    cached = getattr(user, "_concerto_rec_orgs", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, role__in=ADDRESSEE_ROLES).values_list(
                "organization_id", flat=True
            )
        )
        user._concerto_rec_orgs = cached
    return cached


def is_addressee_member(user, recommendation: Recommendation) -> bool:
    return recommendation.addressee_id in addressee_organization_ids(user)


def visible_to(user, queryset=None):
    """The recommendations ``user`` may see (published ones for everybody)."""
    queryset = Recommendation.objects.all() if queryset is None else queryset
    if is_coordinator(user):
        return queryset
    published = Q(published=True) & ~Q(state=State.DRAFT)
    mine = addressee_organization_ids(user)
    if mine:
        return queryset.filter(published | (Q(addressee_id__in=mine) & ~Q(state=State.DRAFT)))
    return queryset.filter(published)


def can_see_full(user, recommendation: Recommendation) -> bool:
    """Unpublished parts too: coordinators, and the addressee's members once sent."""
    if is_coordinator(user):
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
    return recommendation.state == State.DRAFT and is_coordinator(user)


def can_file_answer(user, recommendation: Recommendation) -> bool:
    """The addressee's members (or the Office, recording an answer received
    on paper), once the recommendation is received and not yet answered."""
    if recommendation.state != State.RECEIVED:
        return False
    return is_coordinator(user) or is_addressee_member(user, recommendation)


def get_abilities(user, recommendation: Recommendation) -> dict[str, bool]:
    coordinator = is_coordinator(user)
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
