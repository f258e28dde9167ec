import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concerto.plans.models import Plan
from concerto.plans.state import reporting_dates

from . import rules
from .formats import render_one
from .forms import PublishForm, ReportForm
from .models import Publication, PublishedDocument
from .services import publish_report


def get_plan_for_report_staff(request, slug: str) -> Plan:
    """The plan, if the user may generate its reports; else 403 (anonymous users
    never get here: the views require a login)."""
    plan = get_object_or_404(Plan, slug=slug)
    if not rules.can_generate_reports(request.user, plan):
        raise PermissionDenied(_("Les rapports de travail sont réservés au personnel de l’Office."))
    return plan


@require_safe
@login_required
def report_page(request, slug):
    plan = get_plan_for_report_staff(request, slug)
    dates = reporting_dates(plan)
    publications = (
        Publication.objects.filter(plan=plan)
        .select_related("plan", "published_by", "superseded_by")
        .prefetch_related(Prefetch("documents", queryset=PublishedDocument.objects.defer("content")))
        .order_by("-as_of", "-version")
    )
    return render(
        request,
        "reports/report_page.html",
        {
            "plan": plan,
            "form": ReportForm(dates=dates),
            "publish_form": PublishForm(dates=dates),
            "publications": publications,
            "abilities": rules.get_abilities(request.user, plan),
        },
    )


@require_safe
@login_required
def report_download(request, slug):
    """A working (unpublished) report, generated from the current data."""
    plan = get_plan_for_report_staff(request, slug)
    form = ReportForm(request.GET, dates=reporting_dates(plan))
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items())
        return HttpResponse(
            _("Demande invalide — %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    started = time.perf_counter()
    document = render_one(plan, form.cleaned_data["as_of"], form.cleaned_data["format"])
    response = HttpResponse(document.content, content_type=document.content_type)
    filename = f"{plan.slug}_etat-{form.cleaned_data['as_of']:%Y-%m-%d}_travail.{document.format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Server-Timing"] = f"render;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response


@require_POST
@login_required
def report_publish(request, slug):
    plan = get_plan_for_report_staff(request, slug)
    if not rules.can_publish_reports(request.user, plan):
        raise PermissionDenied(_("Seule la coordination peut publier un rapport."))
    form = PublishForm(request.POST, dates=reporting_dates(plan))
    if not form.is_valid():
        for error in form.errors.get("as_of", []):
            messages.error(request, error)
        return redirect("report-page", slug=plan.slug)
    publication = publish_report(plan=plan, as_of=form.cleaned_data["as_of"], user=request.user)
    messages.success(
        request,
        _("Rapport au %(date)s publié (version %(version)s).")
        % {"date": publication.as_of.strftime("%Y-%m-%d"), "version": publication.version},
    )
    return redirect("report-page", slug=plan.slug)


@require_safe
def published_document(request, pk, fmt):
    """A published document: public, frozen, served as stored."""
    document = get_object_or_404(
        PublishedDocument.objects.select_related("publication__plan"), publication_id=pk, format=fmt
    )
    etag = f'"{document.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response
