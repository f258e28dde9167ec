from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Organization


@require_safe
def organization_list(request):
    groups = {}
    # Archived organizations leave the list; their pages stay reachable.
    listed = Organization.objects.filter(archived_at__isnull=True).order_by("kind", "order_number", "name")
    for organization in listed:
        groups.setdefault(organization.get_kind_display(), []).append(organization)
    return render(request, "organizations/organization_list.html", {"groups": groups.items()})
