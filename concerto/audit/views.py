from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.accounts.rules import coordinates
from concerto.plans.models import Measure, Plan

from .history import measure_history


@require_safe
def measure_history_page(request, slug, number):
    """The changes of one measure, newest first: for the plan's coordination only."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = get_object_or_404(Plan.objects.select_related("owner"), slug=slug)
    if not coordinates(request.user, plan.owner_id):
        raise PermissionDenied(_("L’historique des modifications est réservé à la coordination du plan."))
    measure = get_object_or_404(Measure.objects.select_related("theme"), plan=plan, number=number)
    return render(
        request,
        "audit/measure_history.html",
        {"plan": plan, "measure": measure, "entries": measure_history(measure)},
    )
