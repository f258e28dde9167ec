from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.accounts.rules import coordinates
from concerto.core.dates import InvalidDate, parse_reporting_date
from concerto.core.pagecache import serve_cached
from concerto.core.ratelimit import rate_limited
from concerto.organizations.models import Organization

from .cache import plan_data_fingerprint
from .checks import check_plan_state
from .export import status_document
from .forms import MeasureFilterForm
from .models import Collaborator, MeasureLead, Plan, ProgressReport
from .state import load_plan_state, reporting_dates


def get_plan_for_user(user, slug: str) -> Plan:
    """The plan, if this user may read it. Plans and validated progress are public."""
    return get_object_or_404(Plan.objects.select_related("owner"), slug=slug)


def _default_plan() -> Plan | None:
    plans = Plan.objects.select_related("owner")
    if settings.CONCERTO_HOME_PLAN:
        return plans.filter(slug=settings.CONCERTO_HOME_PLAN).first()
    # The most recent plan in use; an archived one only if every plan is archived,
    # so that the home page never claims that no plan is loaded.
    return plans.filter(archived_at__isnull=True).first() or plans.first()


@require_safe
def home(request):
    def render_home():
        plan = _default_plan()
        if plan is None:
            return render(request, "plans/empty.html")
        return _render_plan_page(request, plan)

    return _serve_plan_page(request, render_home)


@require_safe
def plan_detail(request, slug):
    return _serve_plan_page(
        request, lambda: _render_plan_page(request, get_plan_for_user(request.user, slug))
    )


FILTER_NAMES = ("theme", "lead", "status", "as_of")


def _serve_plan_page(request, render_page):
    """The plan page; kept rendered for anonymous visitors while the data is unchanged.

    A kept page is found by its path (which names the language and the plan)
    and its filters, without a query for the plan: only the data's
    fingerprint is read.
    """
    if set(request.GET) - set(FILTER_NAMES):
        return render_page()  # not a filter the page knows: not worth keeping
    filters = tuple(request.GET.get(name, "") for name in FILTER_NAMES)
    return serve_cached(request, ("plan", request.path, *filters), plan_data_fingerprint, render_page)


def _render_plan_page(request, plan):
    dates = reporting_dates(plan)
    form = MeasureFilterForm(request.GET or None, plan=plan, dates=dates)
    filters = form.filters()
    as_of = form.selected_date() or (dates[0] if dates else None)
    filtered = any(value is not None for value in filters.values())
    state = load_plan_state(plan, as_of, keep_empty_themes=not filtered, **filters)
    checks = None
    if request.user.is_staff:
        full = load_plan_state(plan, as_of, keep_empty_themes=True) if filtered else state
        checks = check_plan_state(full)
    # A date that is no reporting date of the plan is a bad request, said on the page.
    status = 400 if form.is_bound and "as_of" in form.errors else 200
    response = render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "state": state,
            "as_of": as_of,
            "form": form,
            "filtered": filtered,
            "measure_count": len(state.measures),
            "checks": checks,
        },
        status=status,
    )
    # Filters that name no theme, organization, state or date are not kept:
    # anyone could otherwise fill the cache with made-up values.
    response.cacheable = not (form.is_bound and form.errors)
    return response


@require_safe
def measure_detail(request, slug, number):
    plan = get_plan_for_user(request.user, slug)
    requested = request.GET.get("as_of")
    date_error = ""
    if requested:
        try:
            as_of = parse_reporting_date(requested)
        except InvalidDate as exc:
            # Said on the page, with no state shown: never another date than the one asked.
            as_of, date_error = None, exc.message
    else:
        dates = reporting_dates(plan)
        as_of = dates[0] if dates else None
    state = load_plan_state(plan, as_of, numbers=[number])
    if not state.measures:
        raise Http404(_("Cette mesure n’existe pas dans ce plan."))
    measure_state = state.measures[0]
    history = (
        ProgressReport.objects.filter(measure=measure_state.measure, is_current=True)
        .only("as_of", "percent", "status", "measure_id")
        .order_by("-as_of")
    )
    return render(
        request,
        "plans/measure_detail.html",
        {
            "plan": plan,
            "theme": measure_state.measure.theme,
            "m": measure_state,
            "as_of": as_of,
            "history": history,
            "can_see_history": coordinates(request.user, plan.owner_id),
            "date_error": date_error,
        },
        status=400 if date_error else 200,
    )


@require_safe
def organization_detail(request, code):
    organization = get_object_or_404(Organization, code=code)
    leads = (
        MeasureLead.objects.filter(organization=organization)
        .select_related("measure__plan", "measure__theme")
        .order_by("measure__plan__slug", "measure__number")
    )
    collaborations = (
        Collaborator.objects.filter(organization=organization)
        .select_related("measure__plan", "measure__theme")
        .order_by("measure__plan__slug", "measure__number")
    )
    components = (
        organization.progress_components.filter(report__is_current=True)
        .select_related("report__measure__plan")
        .order_by("-report__as_of", "report__measure__number")
    )
    led = [link.measure for link in leads]
    collaborations = list(collaborations)
    # Each measure shown with its state and progress (``measure.current_state``).
    states = _measure_states(led + [c.measure for c in collaborations])
    for measure in led + [c.measure for c in collaborations]:
        measure.current_state = states.get(measure.pk)
    return render(
        request,
        "plans/organization_detail.html",
        {
            "organization": organization,
            "led": led,
            "collaborations": collaborations,
            "components": components,
        },
    )


def _measure_states(measures) -> dict:
    """Measure id -> its state at its plan's latest reporting date: a fixed
    number of queries per plan, whatever the number of measures."""
    by_plan: dict[int, tuple[Plan, set[int]]] = {}
    for measure in measures:
        by_plan.setdefault(measure.plan_id, (measure.plan, set()))[1].add(measure.number)
    states = {}
    for plan, numbers in by_plan.values():
        dates = reporting_dates(plan)
        state = load_plan_state(plan, dates[0] if dates else None, numbers=sorted(numbers))
        states.update({m.measure.pk: m for m in state.measures})
    return states


def _api_refusal(request, retry_after):
    return JsonResponse(
        {"error": _("Trop de requêtes : réessayez dans %(seconds)s secondes.") % {"seconds": retry_after}},
        status=429,
    )


@require_safe
@rate_limited("api", setting="CONCERTO_API_RATE_LIMIT", refuse=_api_refusal)
def plan_status_api(request, slug):
    value = request.GET.get("as_of")
    as_of = None
    if value:
        try:
            as_of = parse_reporting_date(value)
        except InvalidDate as exc:
            return JsonResponse({"error": exc.message}, status=400)

    def render_status():
        plan = get_plan_for_user(request.user, slug)
        if as_of is None:
            dates = reporting_dates(plan)
            date = dates[0] if dates else None
        else:
            date = as_of
        document = status_document(load_plan_state(plan, date, keep_empty_themes=True))
        return JsonResponse(document, json_dumps_params={"ensure_ascii": False})

    return serve_cached(request, ("status", request.path, as_of), plan_data_fingerprint, render_status)
