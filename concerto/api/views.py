"""The public API: JSON twins of Concerto's public lists, their OpenAPI
description and its documentation page.

Every JSON view goes through ``responses.api_view`` (methods, rate limit,
error format) and is described in the registry (``endpoints.py``). They serve
what the public sees, whoever asks: the same rules as the public pages, read
with an anonymous user.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.cases import rules as case_rules
from concerto.core.dates import InvalidDate, parse_reporting_date
from concerto.core.pagecache import serve_cached
from concerto.organizations.models import Organization
from concerto.plans.cache import plan_data_fingerprint
from concerto.plans.export import status_document
from concerto.plans.models import Measure, Plan
from concerto.plans.publication import public_dates
from concerto.plans.state import load_plan_state
from concerto.recommendations import rules as recommendation_rules
from concerto.recommendations.models import Answer, State

from . import registry
from .openapi import openapi_document
from .responses import ApiError, Code, api_response, api_view

PUBLIC = AnonymousUser()


# --- parameters ---------------------------------------------------------------------


def date_parameter(request, name: str) -> datetime.date | None:
    value = request.GET.get(name)
    if not value:
        return None
    try:
        return parse_reporting_date(value)
    except InvalidDate as exc:
        raise ApiError.invalid(exc.message, Code.INVALID_DATE) from exc


def choice_parameter(request, name: str, choices) -> str | None:
    value = request.GET.get(name)
    if not value:
        return None
    if value not in choices:
        raise ApiError.invalid(
            _("Valeur invalide « %(value)s » pour le paramètre « %(name)s » : valeurs acceptées %(choices)s.")
            % {"value": value, "name": name, "choices": ", ".join(choices)}
        )
    return value


def year_parameter(request, name: str) -> int | None:
    value = request.GET.get(name)
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ApiError.invalid(
            _(
                "Valeur invalide « %(value)s » pour le paramètre « %(name)s » : une année sur quatre chiffres est attendue (par exemple 2024)."
            )
            % {"value": value, "name": name}
        )
    return int(value)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _organization(org) -> dict:
    return {"code": org.code, "acronym": org.acronym or None, "name": org.name}


# --- plan status --------------------------------------------------------------------


def status_date(plan: Plan, requested: datetime.date | None) -> datetime.date | None:
    """The reporting date of ``plan`` the API shows: the one asked for, else the
    latest published one. Open data shows published dates only, whoever asks
    (the coordination previews the others on the pages). The one place the
    API chooses a plan's date."""
    dates = public_dates(plan)
    if requested is None:
        return dates.default
    if requested not in dates.dates:
        raise ApiError.not_found(
            _("Aucun état d’avancement publié au %(date)s.") % {"date": requested.isoformat()}
        )
    return requested


@api_view
def plan_status(request, slug):
    requested = date_parameter(request, "as_of")

    def render_status():
        plan = Plan.objects.select_related("owner").filter(slug=slug).first()
        if plan is None:
            raise ApiError.not_found(
                _("Aucun plan d’action ne porte l’identifiant « %(slug)s ».") % {"slug": slug}
            )
        state = load_plan_state(plan, status_date(plan, requested), keep_empty_themes=True)
        return api_response(status_document(state))

    return serve_cached(request, ("status", request.path, requested), plan_data_fingerprint, render_status)


# --- recommendations ----------------------------------------------------------------

RECOMMENDATION_STATES = [value for value in State.values if value != State.DRAFT]


def _answer_of(recommendation):
    try:
        return recommendation.answer
    except Answer.DoesNotExist:
        return None


@api_view
def recommendations(request):
    """The public register: published recommendations, an answer only once published."""
    addressee = request.GET.get("addressee") or None
    state = choice_parameter(request, "state", RECOMMENDATION_STATES)
    year = year_parameter(request, "year")
    queryset = recommendation_rules.visible_to(PUBLIC).select_related("addressee", "answer")
    if addressee:
        queryset = queryset.filter(addressee__code=addressee)
    if state:
        queryset = queryset.filter(state=state)
    if year:
        queryset = queryset.filter(sent_on__year=year)
    queryset = queryset.prefetch_related(
        Prefetch("measures", Measure.objects.select_related("plan").order_by("plan__slug", "number")),
        Prefetch("cases", case_rules.published_summaries()),
    ).order_by("-sent_on", "-number")
    today = timezone.localdate()
    items = []
    for recommendation in queryset:
        answer = _answer_of(recommendation)
        if answer is not None and not recommendation_rules.can_read_answer(PUBLIC, recommendation, answer):
            answer = None
        items.append(
            {
                "number": recommendation.number,
                "title": recommendation.title,
                "text": recommendation.text,
                "addressee": _organization(recommendation.addressee),
                "state": recommendation.state,
                "state_label": recommendation.get_state_display(),
                "sent_on": _date(recommendation.sent_on),
                "received_on": _date(recommendation.received_on),
                "due_on": _date(recommendation.due_on),
                "late": recommendation.is_late(today),
                "answer": None
                if answer is None
                else {
                    "kind": answer.kind,
                    "kind_label": answer.get_kind_display(),
                    "answered_on": _date(answer.answered_on),
                    "on_time": answer.on_time,
                    "text": answer.text,
                },
                "measures": [
                    {"plan": m.plan.slug, "number": m.number, "title": m.title}
                    for m in recommendation.measures.all()
                ],
                "cases": [c.reference for c in recommendation.cases.all()],
                "url": request.build_absolute_uri(recommendation.get_absolute_url()),
            }
        )
    return api_response({"schema": "concerto.recommendations/1", "count": len(items), "items": items})


# --- the intervention cell's published summaries -------------------------------------


@api_view
def cases(request):
    """What the public page of each published summary shows, and nothing else."""
    summaries = case_rules.published_summaries().prefetch_related(
        Prefetch("orders", Organization.objects.order_by("name", "code"))
    )
    items = [
        {
            "reference": case.reference,
            "title": case.title,
            "orders": [_organization(o) for o in case.orders.all()],
            "state": case.state,
            "state_label": case.get_state_display(),
            "percent": case.percent,
            "published_on": _date(timezone.localdate(case.published_at) if case.published_at else None),
            "summary": case.public_summary,
            "url": request.build_absolute_uri(reverse("case-summary", kwargs={"reference": case.reference})),
        }
        for case in summaries
    ]
    return api_response({"schema": "concerto.case-summaries/1", "count": len(items), "items": items})


# --- organizations ------------------------------------------------------------------


@api_view
def organizations(request):
    """The organizations of the public list (archived ones leave it)."""
    kind = choice_parameter(request, "kind", Organization.Kind.values)
    listed = Organization.objects.filter(archived_at__isnull=True).order_by("kind", "order_number", "name")
    if kind:
        listed = listed.filter(kind=kind)
    items = [
        {
            "code": o.code,
            "name": o.name,
            "acronym": o.acronym or None,
            "short_name": o.short_name or None,
            "kind": o.kind,
            "kind_label": o.get_kind_display(),
            "order_number": o.order_number,
            "practice": o.practice or None,
            "url": request.build_absolute_uri(reverse("organization-detail", kwargs={"code": o.code})),
        }
        for o in listed
    ]
    return api_response({"schema": "concerto.organizations/1", "count": len(items), "items": items})


# --- the description --------------------------------------------------------------------


def _server_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@api_view
def openapi(request):
    return api_response(openapi_document(_server_url(request)))


@api_view
def unknown_path(request, rest):
    raise ApiError.not_found(
        _("Aucune adresse de l’API ne correspond à « %(path)s ». La liste est à /api/openapi.json.")
        % {"path": request.path}
    )


@require_safe
def documentation(request):
    """The readable description of the API, from the same registry as the document."""
    server = _server_url(request)
    entries = []
    for endpoint in registry.endpoints():
        entries.append(
            {
                "endpoint": endpoint,
                "path_parameters": [p for p in endpoint.parameters if p.location == "path"],
                "query_parameters": [p for p in endpoint.parameters if p.location == "query"],
                "example": endpoint.example_path(),
                "example_url": server + endpoint.example_path(),
            }
        )
    return render(
        request,
        "api/documentation.html",
        {
            "entries": entries,
            "openapi_url": server + reverse("api-openapi"),
            "rate_limit": settings.CONCERTO_API_RATE_LIMIT,
        },
    )
