"""Who may read and change the cases of the intervention cell.

Readers: superusers; coordinators of the organization that owns the plan of
a linked measure (when the case has no measure: the coordination, a
coordinator of an organization that owns a plan, never a partner's
coordinator); and any member of an organization involved in the case (orders
concerned, organizations involved, working-group members, the organization
the case was transferred to). Everybody else, the public included, sees only
the published summaries.
"""

from django.db.models import Exists, Q, QuerySet

from concerto.accounts.models import Membership, Role
from concerto.accounts.rules import is_coordinator, is_signed_in
from concerto.plans.models import Plan

from .models import Case


def _membership_ids(user) -> tuple[set[int], set[int]]:
    """(ids of all the user's organizations, ids of those where they coordinate), one query."""
    rows = list(Membership.objects.filter(user=user).order_by("pk").values_list("organization_id", "role"))
    return {org for org, _role in rows}, {org for org, role in rows if role == Role.COORDINATOR}


def readable_cases(user) -> QuerySet[Case]:
    """The cases ``user`` may read in full, filtered in the database (at most two queries)."""
    if not is_signed_in(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    orgs, coordinated = _membership_ids(user)
    if not orgs:
        return Case.objects.none()
    condition = (
        Q(orders__in=orgs)
        | Q(organizations__in=orgs)
        | Q(working_group__organization__in=orgs)
        | Q(transferred_to__in=orgs)
    )
    if coordinated:
        condition |= Q(measures__plan__owner__in=coordinated)
        # A case linked to no measure is for the coordination of a plan, not for any coordinator.
        condition |= Q(measures__isnull=True) & Exists(Plan.objects.filter(owner__in=coordinated))
    return Case.objects.filter(pk__in=Case.objects.filter(condition).values("pk"))


def can_read_case(user, case: Case) -> bool:
    return readable_cases(user).filter(pk=case.pk).exists()


def can_edit_case(user, case: Case) -> bool:
    """Coordinators: of the owner of a linked measure's plan (the coordination if no measure)."""
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    if not case.measures.exists():
        return is_coordinator(user)
    coordinated = Membership.objects.filter(user=user, role=Role.COORDINATOR).values("organization")
    return case.measures.filter(plan__owner__in=coordinated).exists()


def published_summaries() -> QuerySet[Case]:
    """What the public sees: the cases whose summary a coordinator published."""
    return Case.objects.filter(summary_published=True).order_by("reference")
