"""Who may do what with the CIQ's files, consultations and answers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from concerto.organizations.models import Organization

from .models import CIQ_CODE, Consultation


def owners() -> QuerySet:
    """For ``accounts.participation``: the CIQ owns its files, even before the first one."""
    return Organization.objects.filter(code=CIQ_CODE).values("pk")


def participants(owner_ids: set[int]) -> Q:
    """For ``accounts.participation``: the orders in the audience of the owners' consultations."""
    return Q(
        pk__in=Consultation.audience.through.objects.filter(
            consultation__dossier__owner__in=owner_ids
        ).values("organization_id")
    )
