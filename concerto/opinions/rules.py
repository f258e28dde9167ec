"""Who may do what with an opinion: small predicates shared by views, services and « Mes tâches ».

- **CIQ staff** (the coordination of the body that owns the file,
  ``Dossier.owner``; ``accounts.rules.coordinates``): everything on the
  opinion — its text and versions, citations of the orders' answers,
  adoption, sending, publication, follow-up.
- **Everyone else** (anonymous, readers, the orders' respondents, the
  Office's staff): published opinions only, with their documents and
  follow-up, and an order's answer only once the CIQ published it with that
  order's agreement. Citations and unpublished answers are never shown to
  them.
- **The addressed body's coordination** (the Office, for an opinion
  addressed to it): the same as the public, plus the « Mes tâches » item
  telling them the opinion was received.
"""

from __future__ import annotations

from django.db.models import QuerySet

from concerto.accounts.rules import coordinated_owner_ids, coordinates, is_signed_in

from .models import Opinion


def can_manage(user, opinion: Opinion) -> bool:
    """CIQ staff: the coordination of the body that owns the opinion's file."""
    return coordinates(user, opinion.dossier.owner_id)


def can_manage_dossier(user, dossier) -> bool:
    return coordinates(user, dossier.owner_id)


def is_published(opinion: Opinion) -> bool:
    return opinion.publications.exists()


def is_addressee(user, opinion: Opinion) -> bool:
    """The coordination of the body the opinion was sent to (the Office): it reads what it received."""
    body = opinion.dossier.authority_organization_id
    return opinion.sent_on is not None and body is not None and coordinates(user, body)


def can_read(user, opinion: Opinion) -> bool:
    """The public page: published, or received by the person's body, or the CIQ's staff."""
    return is_published(opinion) or is_addressee(user, opinion) or can_manage(user, opinion)


def managed_opinions(user) -> QuerySet[Opinion]:
    """The opinions ``user`` manages (those of the files of the bodies they coordinate)."""
    if not is_signed_in(user):
        return Opinion.objects.none()
    return Opinion.objects.filter(dossier__owner__in=coordinated_owner_ids(user))


def addressed_opinions(user) -> QuerySet[Opinion]:
    """Sent opinions addressed to a body ``user`` coordinates (the Office's staff)."""
    if not is_signed_in(user):
        return Opinion.objects.none()
    return Opinion.objects.filter(
        sent_on__isnull=False, dossier__authority_organization__in=coordinated_owner_ids(user)
    )
