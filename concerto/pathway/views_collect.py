"""Pages of the collection (issue 14): the published dictionary and its downloads, the
order's upload, its submissions and quality reports, and the privacy officer's registers.

Each view fetches its object through one helper that also checks access:
anonymous people are sent to the login page; an upload or submission of an
order the person does not submit for is « not found » (404: its existence is
not confirmed); the registers refuse (403) anyone but the privacy officer.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerto.core.spreadsheets import csv_writer
from concerto.organizations.models import Organization

from . import dictionary as d
from . import rules
from .collect import agreement_in_force, give_up_if_lost, period_choices, start_upload
from .forms_collect import AgreementForm, IncidentForm, UploadForm
from .models import Agreement, Destruction, Incident, Submission, Upload
from .registers import retention_schedule

REFRESH_SECONDS = 3
PSEUDONYMISER = d.SCHEMA_PATH.parent.parent / "static_scripts" / "pseudonymiser.py"
RECENT_UPLOADS = 20


# --- the published dictionary (public) ---------------------------------------------------------


def _allowed_text(f: d.Field) -> str:
    if f.name == "pseudonyme":
        return _("64 caractères hexadécimaux minuscules (HMAC-SHA256)")
    if f.allowed:
        return _("code de pays ISO 3166-1 alpha-2 (%(count)s codes ; CA : Canada hors Québec)") % {
            "count": len(f.allowed)
        }
    if f.type == d.BOOLEAN:
        return _("oui ou non (vide : inconnu)")
    if f.type == d.DATE:
        return _("date AAAA-MM-JJ (JJ/MM/AAAA accepté)")
    if f.pattern:
        return _("code : minuscules, chiffres, traits d’union")
    return ""


@require_safe
def dictionary_page(request):
    fields = [
        {
            "field": f,
            "type": {d.STRING: _("texte (code)"), d.DATE: _("date"), d.BOOLEAN: _("oui / non")}[f.type],
            "allowed": _allowed_text(f),
        }
        for f in d.FIELDS
    ]
    return render(
        request,
        "pathway/collect/dictionary.html",
        {"fields": fields, "schema_version": d.SCHEMA_VERSION},
    )


@require_safe
def schema_download(request):
    response = HttpResponse(d.SCHEMA_PATH.read_bytes(), content_type="application/schema+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{d.SCHEMA_PATH.name}"'
    return response


@require_safe
def template_download(request):
    from .template import write_template

    buffer = io.BytesIO()
    write_template(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="modele-parcours-admission-v{d.SCHEMA_VERSION}.xlsx"'
    )
    return response


@require_safe
def pseudonymiser_download(request):
    response = HttpResponse(PSEUDONYMISER.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pseudonymiser.py"'
    return response


# --- the order's side ----------------------------------------------------------------------------


def get_order_for_submitter(request, code: str) -> Organization:
    order = get_object_or_404(Organization, code=code, kind=Organization.Kind.PROFESSIONAL_ORDER)
    if not rules.may_submit_for(request.user, order):
        raise PermissionDenied(
            _("Le dépôt est réservé aux personnes qui transmettent les données de cet ordre.")
        )
    return order


def get_upload_for_submitter(request, pk: int) -> Upload:
    upload = get_object_or_404(Upload.objects.select_related("order", "submission"), pk=pk)
    if not rules.may_submit_for(request.user, upload.order_id):
        raise Http404
    return upload


def get_submission_for_submitter(request, pk: int) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("order"), pk=pk, synthetic=False)
    if not rules.may_submit_for(request.user, submission.order_id):
        raise Http404
    return submission


@require_safe
@login_required
def my_submissions(request):
    order_ids = rules.submitter_order_ids(request.user)
    if not order_ids:
        raise PermissionDenied(
            _("Cette page est réservée aux personnes qui transmettent les données d’un ordre.")
        )
    orders = list(Organization.objects.filter(pk__in=order_ids).order_by("name", "code"))
    submissions = list(
        Submission.objects.filter(order_id__in=order_ids, synthetic=False).order_by(
            "order__name", "-period", "pk"
        )
    )
    uploads = list(
        Upload.objects.filter(order_id__in=order_ids)
        .select_related("order")
        .order_by("-created_at", "-pk")[:RECENT_UPLOADS]
    )
    by_order = {o.pk: {"order": o, "submissions": [], "uploads": []} for o in orders}
    for s in submissions:
        by_order[s.order_id]["submissions"].append(s)
    for u in uploads:
        by_order[u.order_id]["uploads"].append(u)
    return render(
        request,
        "pathway/collect/my_submissions.html",
        {"groups": list(by_order.values()), "collection_open": agreement_in_force() is not None},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def upload_page(request, code: str):
    order = get_order_for_submitter(request, code)
    today = timezone.localdate()
    agreement = agreement_in_force(today)
    form = UploadForm(request.POST or None, request.FILES or None, periods=period_choices(today))
    if request.method == "POST":
        if agreement is None:
            raise PermissionDenied(
                _("Aucune entente avec la Commission d’accès à l’information n’est en vigueur.")
            )
        if form.is_valid():
            upload = start_upload(
                order=order,
                period=form.cleaned_data["period"],
                file=form.cleaned_data["file"],
                user=request.user,
            )
            return redirect("pathway-upload-detail", upload.pk)
    kept = Submission.objects.filter(order=order, synthetic=False).order_by("-period")
    return render(
        request,
        "pathway/collect/upload.html",
        {"order": order, "form": form, "agreement": agreement, "kept": list(kept)},
    )


@require_safe
@login_required
def upload_detail(request, pk: int):
    upload = give_up_if_lost(get_upload_for_submitter(request, pk))
    refresh = not upload.finished and request.GET.get("actualiser") != "non"
    errors = [
        {"line": line, "column": column, "value": value, "reason": reason}
        for line, column, value, reason in upload.errors
    ]
    return render(
        request,
        "pathway/collect/upload_detail.html",
        {
            "upload": upload,
            "errors": errors,
            "more_errors": max(upload.error_total - len(errors), 0),
            "refresh_seconds": REFRESH_SECONDS if refresh else 0,
        },
    )


@require_safe
@login_required
def upload_errors_csv(request, pk: int):
    upload = get_upload_for_submitter(request, pk)
    if upload.state != Upload.State.REFUSED:
        raise Http404
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["ligne", "colonne", "valeur", "motif"])
    for line, column, value, reason in upload.errors:
        writer.writerow(["" if line is None else line, column, value or "", reason])
    if upload.error_total > len(upload.errors):
        writer.writerow(
            [
                "",
                "",
                "",
                f"… et {upload.error_total - len(upload.errors)} autre(s) erreur(s), {upload.error_total} au total",
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="erreurs-{upload.order.code}-{upload.period}-{upload.pk}.csv"'
    )
    return response


@require_safe
@login_required
def submission_detail(request, pk: int):
    submission = get_submission_for_submitter(request, pk)
    quality = submission.quality or {}
    completeness = [
        {"field": d.FIELDS_BY_NAME[c], "share": share, "percent": round(share * 100, 1)}
        for c, share in (quality.get("completeness") or {}).items()
        if c in d.FIELDS_BY_NAME
    ]
    return render(
        request,
        "pathway/collect/submission_detail.html",
        {
            "submission": submission,
            "completeness": completeness,
            "sequences": list((quality.get("sequences") or {}).values()),
            "duplicates": quality.get("duplicates", 0),
            "duplicate_lines": quality.get("duplicate_lines", []),
        },
    )


# --- the privacy officer's registers ---------------------------------------------------------------


def require_privacy_officer(request) -> None:
    if not rules.may_keep_registers(request.user):
        raise PermissionDenied(
            _(
                "Les registres sont tenus par la personne responsable de la protection des renseignements personnels."
            )
        )


@require_safe
@login_required
def registers_page(request):
    require_privacy_officer(request)
    today = timezone.localdate()
    agreement = agreement_in_force(today)
    return render(
        request,
        "pathway/collect/registers.html",
        {
            "agreement": agreement,
            "agreements": list(Agreement.objects.order_by("-signed_on", "-pk")),
            "incidents": list(Incident.objects.order_by("-discovered_on", "-pk")),
            "destructions": list(
                Destruction.objects.select_related("order", "agreement").order_by("-destroyed_at", "-pk")
            ),
            "schedule": retention_schedule(agreement, today=today),
            "today": today,
        },
    )


def _register_form(request, form_class, instance, template, title):
    require_privacy_officer(request)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if obj.pk is None:
            obj.recorded_by = request.user
        obj.save()
        messages.success(request, _("Inscription enregistrée au registre."))
        return redirect(reverse("pathway-registers"))
    return render(request, template, {"form": form, "title": title, "instance": instance})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def agreement_new(request):
    return _register_form(
        request, AgreementForm, None, "pathway/collect/register_form.html", _("Inscrire une entente")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def agreement_edit(request, pk: int):
    require_privacy_officer(request)
    agreement = get_object_or_404(Agreement, pk=pk)
    return _register_form(
        request, AgreementForm, agreement, "pathway/collect/register_form.html", _("Modifier l’entente")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def incident_new(request):
    return _register_form(
        request,
        IncidentForm,
        None,
        "pathway/collect/register_form.html",
        _("Inscrire un incident de confidentialité"),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def incident_edit(request, pk: int):
    require_privacy_officer(request)
    incident = get_object_or_404(Incident, pk=pk)
    return _register_form(
        request, IncidentForm, incident, "pathway/collect/register_form.html", _("Modifier l’incident")
    )


@require_safe
@login_required
def register_history(request, kind: str, pk: int):
    require_privacy_officer(request)
    model = {"entente": Agreement, "incident": Incident}.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=pk)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    changes = []
    for record in records:
        previous = record.prev_record
        changed = []
        if previous is not None:
            changed = [
                model._meta.get_field(c.field).verbose_name for c in record.diff_against(previous).changes
            ]
        changes.append({"record": record, "changed": changed})
    return render(request, "pathway/collect/register_history.html", {"object": obj, "changes": changes})
