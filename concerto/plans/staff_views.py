"""The coordination's own pages about a plan (the consistency checks)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.accounts.rules import coordinates

from .checks import check_plan_state
from .models import Plan
from .state import load_plan_state, reporting_dates


def get_coordinated_plan(user, slug: str) -> Plan:
    """The plan, if the person coordinates the body that owns it."""
    plan = get_object_or_404(Plan.objects.select_related("owner"), slug=slug)
    if not coordinates(user, plan.owner_id):
        raise PermissionDenied(_("Les contrôles de cohérence sont réservés à la coordination du plan."))
    return plan


@require_safe
@login_required
def plan_checks(request, slug):
    plan = get_coordinated_plan(request.user, slug)
    dates = reporting_dates(plan)
    as_of = dates[0] if dates else None
    state = load_plan_state(plan, as_of, keep_empty_themes=True)
    return render(
        request,
        "plans/plan_checks.html",
        {
            "plan": plan,
            "as_of": as_of,
            "checks": check_plan_state(state),
        },
    )
