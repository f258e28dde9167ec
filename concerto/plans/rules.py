"""What a plan's coordination manages, for ``accounts.rules``.

A plan is coordinated by a coordinator of its owner; the organizations that
lead or collaborate on its measures take part in it (and may be invited).
"""

from django.db.models import Q, QuerySet

from .models import Collaborator, MeasureLead, Plan


def owners() -> QuerySet:
    return Plan.objects.filter(owner__isnull=False).values("owner_id")


def participants(owner_ids: set[int]) -> Q:
    leads = MeasureLead.objects.filter(measure__plan__owner__in=owner_ids).values("organization_id")
    collaborators = Collaborator.objects.filter(measure__plan__owner__in=owner_ids).values("organization_id")
    return Q(pk__in=leads) | Q(pk__in=collaborators)
