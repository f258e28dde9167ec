from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerto.accounts.rules import coordinates
from concerto.core.dates import InvalidDate, parse_reporting_date
from concerto.core.pagecache import serve_cached
from concerto.core.ratelimit import rate_limited
from concerto.core.spreadsheets import XLSX_CONTENT_TYPE
from concerto.organizations.models import Organization

from .cache import plan_data_fingerprint
from .charts import progress_chart_svg
from .checks import check_plan_state
from .export import status_workbook, write_status_csv
from .forms import MeasureFilterForm
from .models import Collaborator, Measure, MeasureLead, Plan, PublishedDate
from .publication import (
    all_dates,
    can_see_unpublished,
    date_label,
    dates_for_user,
    public_dates,
    publication_preview,
    publish_reporting_date,
    takes_part_in_measure,
)
from .state import load_measure, load_measure_state, load_plan_state
from .summary import plan_glance


def organization_url_prefix() -> str:
    """The address of an organization's page without its code: pages written in
    Python (``measure_html``) add the code rather than reverse the URL for each link."""
    return reverse("organization-detail", args=["x"]).removesuffix("x/")


def get_plan_for_user(user, slug: str) -> Plan:
    """The plan, if this user may read it. Plans and validated progress are public."""
    return get_object_or_404(Plan.objects.select_related("owner"), slug=slug)


def get_measure_for_user(user, slug: str, number: int) -> Measure:
    """The measure with its plan and theme, if this user may read the plan.

    ``has_cases`` and ``has_recommendations`` say whether any case or
    recommendation is linked to it, so that the page asks for them only then.
    """
    measure = load_measure(slug, number)
    if measure is None:
        get_plan_for_user(user, slug)  # an unknown plan is said as such
        raise Http404(_("Cette mesure n’existe pas dans ce plan."))
    return measure


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


# A search (``q``) is not one of them: rendered each time, as made-up words
# would otherwise fill the cache.
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


PUBLIC_VIEW = ("vue", "public")
"""The query that shows the coordination the page as the public sees it."""


def _render_plan_page(request, plan):
    coordinator = can_see_unpublished(request.user, plan)
    public_view = coordinator and request.GET.get(PUBLIC_VIEW[0]) == PUBLIC_VIEW[1]
    dates = dates_for_user(request.user, plan, public_view=public_view)
    data = request.GET.copy()
    data.pop(PUBLIC_VIEW[0], None)
    form = MeasureFilterForm(data or None, plan=plan, dates=dates.dates, unpublished=dates.unpublished)
    filters = form.filters()
    as_of = form.selected_date() or dates.default
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
            "publication": {
                "coordinator": coordinator,
                "public_view": public_view,
                "published": dates.is_published(as_of),
                "latest_published": dates.latest_published,
            },
            **_plan_page_extras(plan, state, as_of),
        },
        status=status,
    )
    # Filters that name no theme, organization, state or date are not kept:
    # anyone could otherwise fill the cache with made-up values.
    response.cacheable = not (form.is_bound and form.errors)
    return response


@require_safe
def measure_detail(request, slug, number):
    measure = get_measure_for_user(request.user, slug, number)
    plan = measure.plan
    # The coordination sees every date; the partners, the new states of their own measures.
    if can_see_unpublished(request.user, plan) or takes_part_in_measure(request.user, measure.pk):
        dates = all_dates(plan)
    else:
        dates = public_dates(plan)
    requested = request.GET.get("as_of")
    date_error = ""
    if requested:
        try:
            as_of = parse_reporting_date(requested)
        except InvalidDate as exc:
            # Said on the page, with no state shown: never another date than the one asked.
            as_of, date_error = None, exc.message
        else:
            if as_of not in dates.dates:
                as_of, date_error = (
                    None,
                    _("Aucun état d’avancement publié au %(date)s.") % {"date": date_label(as_of)},
                )
    else:
        as_of = dates.default
    # Only this measure's rows: its state at the date and its states at the dates this reader sees.
    measure_state, history = load_measure_state(measure, as_of)
    history = [report for report in history if report.as_of in dates.dates]
    return render(
        request,
        "plans/measure_detail.html",
        {
            "plan": plan,
            "theme": measure.theme,
            "m": measure_state,
            "as_of": as_of,
            "history": history,
            "chart": progress_chart_svg(history),
            "can_see_history": coordinates(request.user, plan.owner_id),
            "date_error": date_error,
            "unpublished": as_of is not None and not dates.is_published(as_of),
            "organization_url": organization_url_prefix(),
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
    # The public page: the components' states at published dates only.
    published = PublishedDate.objects.filter(
        plan=OuterRef("report__measure__plan"), as_of=OuterRef("report__as_of")
    )
    components = (
        organization.progress_components.filter(Exists(published), report__is_current=True)
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
    """Measure id -> its state at its plan's latest published reporting date (the
    organization page is public): a fixed number of queries per plan, whatever
    the number of measures."""
    by_plan: dict[int, tuple[Plan, set[int]]] = {}
    for measure in measures:
        by_plan.setdefault(measure.plan_id, (measure.plan, set()))[1].add(measure.number)
    states = {}
    for plan, numbers in by_plan.values():
        state = load_plan_state(plan, public_dates(plan).default, numbers=sorted(numbers))
        states.update({m.measure.pk: m for m in state.measures})
    return states


def get_plan_for_publisher(user, slug: str) -> Plan:
    """The plan, if ``user`` coordinates it (only its coordination publishes its states)."""
    plan = get_object_or_404(Plan.objects.select_related("owner"), slug=slug)
    if not can_see_unpublished(user, plan):
        raise PermissionDenied(_("Seule la coordination du plan peut publier un état d’avancement."))
    return plan


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def publish_date(request, slug, as_of):
    """« Publier l’état au … »: a confirmation page (GET), then the publication (POST).

    Publishing a date already published changes nothing and says so."""
    plan = get_plan_for_publisher(request.user, slug)
    try:
        date = parse_reporting_date(as_of)
    except InvalidDate as exc:
        raise Http404(exc.message) from exc
    plan_url = f"{reverse('plan-detail', kwargs={'slug': plan.slug})}?as_of={date.isoformat()}"
    if request.method == "POST":
        try:
            record, created = publish_reporting_date(plan=plan, as_of=date, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("plan-publish-date", slug=plan.slug, as_of=date.isoformat())
        label = date_label(date)
        if created:
            messages.success(request, _("L’état au %(date)s est maintenant public.") % {"date": label})
        else:
            messages.info(
                request, _("L’état au %(date)s était déjà public : rien n’a changé.") % {"date": label}
            )
        return redirect("plan-publish-date", slug=plan.slug, as_of=date.isoformat())
    preview = publication_preview(plan, date)
    if not preview.validated and preview.record is None:
        raise Http404(_("Aucun état d’avancement validé à cette date."))
    return render(
        request,
        "plans/publish_date.html",
        {"plan": plan, "preview": preview, "plan_url": plan_url},
    )


def _plan_page_extras(plan, state, as_of) -> dict:
    """What the plan page shows beside the measures: the glance and the download links."""
    date = f"?as_of={as_of:%Y-%m-%d}" if as_of else ""
    return {
        "glance": plan_glance(state),
        "downloads": [
            ("CSV", reverse("plan-status-csv", args=[plan.slug]) + date),
            ("Excel", reverse("plan-status-xlsx", args=[plan.slug]) + date),
            ("JSON", reverse("api-plan-status", args=[plan.slug]) + date),
        ],
        # Built once per page rather than once per link (hundreds on a large plan).
        "measure_url": reverse("measure-detail", args=[plan.slug, 0]).removesuffix("0/"),
        "organization_url": organization_url_prefix(),
        "as_of_query": date,
    }


def _download_refusal(request, retry_after):
    return HttpResponse(
        _("Trop de requêtes : réessayez dans %(seconds)s secondes.") % {"seconds": retry_after},
        content_type="text/plain; charset=utf-8",
        status=429,
    )


def _status_download(request, slug, fmt: str):
    """The plan's state at a reporting date as a file: one row per measure and component.

    The dates this reader may see, as on the plan page: the published ones for
    the public, every date for the plan's coordination."""
    plan = get_plan_for_user(request.user, slug)
    dates = dates_for_user(request.user, plan)
    value = request.GET.get("as_of")
    if value:
        try:
            as_of = parse_reporting_date(value)
        except InvalidDate as exc:
            return HttpResponse(exc.message, content_type="text/plain; charset=utf-8", status=400)
        if as_of not in dates.dates:
            message = _("Aucun état d’avancement publié au %(date)s.") % {"date": date_label(as_of)}
            return HttpResponse(message, content_type="text/plain; charset=utf-8", status=404)
    else:
        as_of = dates.default
    state = load_plan_state(plan, as_of, keep_empty_themes=True)
    name = f"{plan.slug}-etat-{as_of:%Y-%m-%d}" if as_of else f"{plan.slug}-etat"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_status_csv(state, response)  # the same file as the report's CSV
    else:
        response = HttpResponse(status_workbook(state), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_safe
@rate_limited("api", setting="CONCERTO_API_RATE_LIMIT", refuse=_download_refusal)
def plan_status_csv(request, slug):
    return _status_download(request, slug, "csv")


@require_safe
@rate_limited("api", setting="CONCERTO_API_RATE_LIMIT", refuse=_download_refusal)
def plan_status_xlsx(request, slug):
    return _status_download(request, slug, "xlsx")
