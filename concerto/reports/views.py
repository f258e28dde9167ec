import datetime
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from concerto.jobs.models import Job
from concerto.plans.models import Plan
from concerto.plans.state import reporting_dates

from . import rules
from .formats import render_one
from .forms import PublishForm, ReportForm
from .models import Format, Publication, PublishedDocument, WorkingDocument
from .services import (
    BACKGROUND_FORMATS,
    data_fingerprint,
    find_working_document,
    prepare_working_document,
    publish_report,
    working_jobs_subject,
)

# While a document is being prepared, the report page reloads itself this often
# (a <meta> refresh: no script), unless the reader turns it off.
REFRESH_SECONDS = 5
RECENT_JOBS = 10


def get_plan_for_report_staff(request, slug: str) -> Plan:
    """The plan, if the user may generate its reports; else 403 (anonymous users
    never get here: the views require a login)."""
    plan = get_object_or_404(Plan, slug=slug)
    if not rules.can_generate_reports(request.user, plan):
        raise PermissionDenied(_("Les rapports de travail sont réservés au personnel de l’Office."))
    return plan


@dataclass
class WorkingJob:
    """A working document asked for on the report page, as the page shows it."""

    job: Job
    as_of: datetime.date
    format_label: str
    download_url: str  # empty unless its document is ready for the current data
    outdated: bool  # made for data that have changed since


def _working_jobs(plan: Plan, fingerprint: str) -> list[WorkingJob]:
    """The latest working documents asked for on this plan: two queries."""
    jobs = list(
        Job.objects.filter(subject=working_jobs_subject(plan)).order_by("-enqueued_at", "-pk")[:RECENT_JOBS]
    )
    ready = set(
        WorkingDocument.objects.filter(plan=plan, data_fingerprint=fingerprint).values_list(
            "as_of", "format", "language"
        )
    )
    rows = []
    for job in jobs:
        arguments = job.arguments
        as_of = datetime.date.fromisoformat(arguments["as_of"])
        current = arguments["fingerprint"] == fingerprint
        url = ""
        if (
            job.state == Job.State.DONE
            and current
            and (as_of, arguments["fmt"], arguments["language"]) in ready
        ):
            with translation.override(arguments["language"]):
                url = _download_url(plan, as_of, arguments["fmt"])
        rows.append(
            WorkingJob(
                job=job,
                as_of=as_of,
                format_label=Format(arguments["fmt"]).label,
                download_url=url,
                outdated=not current,
            )
        )
    return rows


def _download_url(plan: Plan, as_of: datetime.date, fmt: str) -> str:
    query = urlencode({"as_of": as_of.isoformat(), "format": fmt})
    return f"{reverse('report-download', kwargs={'slug': plan.slug})}?{query}"


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
    working = _working_jobs(plan, data_fingerprint())
    preparing = any(row.job.pending and not row.outdated for row in working)
    return render(
        request,
        "reports/report_page.html",
        {
            "plan": plan,
            "form": ReportForm(dates=dates),
            "publish_form": PublishForm(dates=dates),
            "publications": publications,
            "working": working,
            "preparing": preparing,
            "refresh_seconds": REFRESH_SECONDS if preparing and request.GET.get("actualiser") != "non" else 0,
            "abilities": rules.get_abilities(request.user, plan),
        },
    )


@require_safe
@login_required
def report_download(request, slug):
    """A working (unpublished) report of the current data: CSV and JSON are
    written at once; PDF, Word and Excel are served if a job has prepared
    them for the current data, else the reader is sent to the report page."""
    plan = get_plan_for_report_staff(request, slug)
    form = ReportForm(request.GET, dates=reporting_dates(plan))
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items())
        return HttpResponse(
            _("Demande invalide — %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    as_of, fmt = form.cleaned_data["as_of"], form.cleaned_data["format"]
    filename = f"{plan.slug}_etat-{as_of:%Y-%m-%d}_travail.{fmt}"
    started = time.perf_counter()
    if fmt in BACKGROUND_FORMATS:
        document = find_working_document(
            plan=plan,
            as_of=as_of,
            fmt=fmt,
            language=translation.get_language(),
            fingerprint=data_fingerprint(),
        )
        if document is None:
            messages.info(
                request,
                _(
                    "Ce document n’est pas prêt pour les données actuelles : demandez sa préparation ci-dessous."
                ),
            )
            return redirect("report-page", slug=plan.slug)
        content, content_type = bytes(document.content), document.content_type
    else:
        rendered = render_one(plan, as_of, fmt)
        content, content_type = rendered.content, rendered.content_type
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Server-Timing"] = f"render;dur={(time.perf_counter() - started) * 1000:.0f}"
    return response


@require_POST
@login_required
def report_prepare(request, slug):
    """Ask for a working report: ready at once if already made for the current
    data (or written at once, for CSV and JSON), else prepared by a job."""
    plan = get_plan_for_report_staff(request, slug)
    form = ReportForm(request.POST, dates=reporting_dates(plan))
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label} : {' '.join(e)}" for f, e in form.errors.items())
        return HttpResponse(
            _("Demande invalide — %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    as_of, fmt = form.cleaned_data["as_of"], form.cleaned_data["format"]
    language, fingerprint = translation.get_language(), data_fingerprint()
    if fmt not in BACKGROUND_FORMATS or find_working_document(
        plan=plan, as_of=as_of, fmt=fmt, language=language, fingerprint=fingerprint
    ):
        return redirect(_download_url(plan, as_of, fmt))
    job = prepare_working_document(
        plan=plan, as_of=as_of, fmt=fmt, language=language, fingerprint=fingerprint, user=request.user
    )
    if job.state == Job.State.DONE:
        return redirect(_download_url(plan, as_of, fmt))
    if job.state == Job.State.FAILED:
        messages.error(request, _("La préparation du document a échoué : %(error)s") % {"error": job.error})
    else:
        messages.info(
            request,
            _(
                "Le document est en préparation : cette page le proposera au téléchargement dès qu’il sera prêt."
            ),
        )
    return redirect("report-page", slug=plan.slug)


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
