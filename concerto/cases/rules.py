"""Who may read and change the cases of the intervention cell.

Readers: the coordination of the body that owns the case (``Case.owner``, the
Office for the cell; ``accounts.rules.coordinates``), superusers, and any
member of an organization involved in the case (orders concerned,
organizations involved, working-group members, the organization the case was
transferred to). Everybody else, the public included, sees only the
published summaries. Only the owner's coordination changes a case.
"""

from django.db.models import Q, QuerySet

from concerto.accounts.rules import (
    coordinated_owner_ids,
    coordinates,
    is_signed_in,
    organizations_with_role,
)

from .models import Case


def owners() -> QuerySet:
    """For ``accounts.participation``: the bodies that own cases."""
    return Case.objects.values("owner_id")


def participants(owner_ids: set[int]) -> Q:
    """For ``accounts.participation``: the organizations involved in the cases of ``owner_ids``."""
    owned = Case.objects.filter(owner__in=owner_ids)
    return (
        Q(pk__in=owned.filter(orders__isnull=False).values("orders"))
        | Q(pk__in=owned.filter(organizations__isnull=False).values("organizations"))
        | Q(
            pk__in=owned.filter(working_group__organization__isnull=False).values(
                "working_group__organization"
            )
        )
        | Q(pk__in=owned.filter(transferred_to__isnull=False).values("transferred_to"))
        | Q(pk__in=owned.filter(raised_by__isnull=False).values("raised_by"))
    )


def readable_cases(user) -> QuerySet[Case]:
    """The cases ``user`` may read in full, filtered in the database (one query
    for the memberships, cached on the user, then this queryset)."""
    if not is_signed_in(user):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    orgs = organizations_with_role(user)
    if not orgs:
        return Case.objects.none()
    condition = (
        Q(owner__in=coordinated_owner_ids(user))
        | Q(orders__in=orgs)
        | Q(organizations__in=orgs)
        | Q(working_group__organization__in=orgs)
        | Q(transferred_to__in=orgs)
    )
    return Case.objects.filter(pk__in=Case.objects.filter(condition).values("pk"))


def can_read_case(user, case: Case) -> bool:
    if coordinates(user, case.owner_id):
        return True
    return readable_cases(user).filter(pk=case.pk).exists()


def can_edit_case(user, case: Case) -> bool:
    """The coordination of the body that owns the case."""
    return coordinates(user, case.owner_id)


def published_summaries() -> QuerySet[Case]:
    """What the public sees: the cases whose summary a coordinator published."""
    return Case.objects.filter(summary_published=True).order_by("reference")
