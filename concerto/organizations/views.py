from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Organization


@require_safe
def organization_list(request):
    groups = {}
    for organization in Organization.objects.order_by("kind", "order_number", "name"):
        groups.setdefault(organization.get_kind_display(), []).append(organization)
    return render(request, "organizations/organization_list.html", {"groups": groups.items()})
