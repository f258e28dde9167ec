"""Pages of the CIQ's consultations.

Public: the CIQ's home ``/ciq/``. CIQ staff (the CIQ's coordination): files,
documents, consultations (audience, articles), the live synthesis and its
exports, each order's answer with its versions and the record of its
agreement to publication. An order's respondents: their consultations and
their own order's answer (draft, save, submit, amend, attachments).

Every view fetches its object through one helper that also checks access.
Someone signed in who may not see a file or a consultation gets a 404, so
that its existence is not revealed; anonymous people are sent to sign in.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.accounts.signin import login_redirect, require_signed_in
from concerto.core.uploads import validate_upload
from concerto.organizations.models import Organization

from . import exports, rules, services
from .deadlines import internal_deadline_warning
from .forms import ConsentForm, ConsultationForm, DocumentForm, DossierForm
from .models import CIQ_CODE, Answer, AnswerAttachment, Consultation, Dossier, Position, SourceDocument
from .sections import home_sections, nav_links
from .synthesis import load_synthesis, positions_svg

_signed_in = require_signed_in
_login_redirect = login_redirect


def get_dossier_for_staff(request, reference: str) -> Dossier:
    """The file, for the coordination of its owner; 404 for anyone else signed in."""
    _signed_in(request)
    dossier = get_object_or_404(
        Dossier.objects.select_related("owner", "authority_organization"), reference=reference
    )
    if not rules.is_staff_of(request.user, dossier):
        raise Http404(_("Aucun dossier ne porte cette référence."))
    return dossier


def get_consultation_for_staff(request, pk: int) -> Consultation:
    _signed_in(request)
    consultation = get_object_or_404(Consultation.objects.select_related("dossier", "dossier__owner"), pk=pk)
    if not rules.is_staff_of(request.user, consultation.dossier):
        raise Http404(_("Consultation introuvable."))
    return consultation


def _staff_home_required(request):
    _signed_in(request)
    if not rules.can_open_files(request.user):
        raise PermissionDenied(_("Cette page est réservée à la coordination du CIQ."))


# --- public ------------------------------------------------------------------------------


@require_safe
def ciq_home(request):
    """The CIQ's public home: its mission (from its own presentation), then the
    sections other apps register in :mod:`concerto.ciq.sections` (latest
    opinions, upcoming activities, groups)."""
    context = {
        "ciq": Organization.objects.filter(code=CIQ_CODE).first(),
        "sections": home_sections(request),
        "destinations": [(link.label, reverse(link.url_name)) for link in nav_links()],
        "staff": rules.can_open_files(request.user),
        "respondent": bool(rules.respondent_organization_ids(request.user)),
    }
    return render(request, "ciq/home.html", context)


# --- files ------------------------------------------------------------------------------


@require_safe
@_login_redirect
def dossier_list(request):
    _staff_home_required(request)
    dossiers = list(
        rules.staff_dossiers(request.user)
        .select_related("owner")
        .prefetch_related("consultations")
        .order_by("-created_at", "-pk")
    )
    return render(request, "ciq/dossier_list.html", {"dossiers": dossiers})


@require_http_methods(["GET", "POST"])
@_login_redirect
def dossier_create(request):
    _staff_home_required(request)
    owner = rules.ciq_coordinated(request.user).first()
    form = DossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dossier = form.save(commit=False)
        dossier.owner = owner
        if dossier.authority == Dossier.Authority.OFFICE:
            dossier.authority_organization = Organization.objects.filter(
                code="office-des-professions-du-quebec"
            ).first()
        try:
            services.save_dossier(
                user=request.user,
                dossier=dossier,
                measures=form.cleaned_data["measures"],
                recommendations=form.cleaned_data["recommendations"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Dossier créé."))
            return redirect(dossier)
    return render(request, "ciq/dossier_form.html", {"form": form, "dossier": None})


@require_http_methods(["GET", "POST"])
@_login_redirect
def dossier_edit(request, reference):
    dossier = get_dossier_for_staff(request, reference)
    form = DossierForm(request.POST or None, instance=dossier)
    if request.method == "POST" and form.is_valid():
        dossier = form.save(commit=False)
        if dossier.authority == Dossier.Authority.OFFICE and dossier.authority_organization_id is None:
            dossier.authority_organization = Organization.objects.filter(
                code="office-des-professions-du-quebec"
            ).first()
        try:
            services.save_dossier(
                user=request.user,
                dossier=dossier,
                measures=form.cleaned_data["measures"],
                recommendations=form.cleaned_data["recommendations"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Dossier enregistré."))
            return redirect(dossier)
    return render(request, "ciq/dossier_form.html", {"form": form, "dossier": dossier})


@require_safe
@_login_redirect
def dossier_detail(request, reference):
    dossier = get_dossier_for_staff(request, reference)
    consultations = list(dossier.consultations.order_by("created_at", "pk"))
    for consultation in consultations:
        consultation.warning = internal_deadline_warning(
            consultation.internal_deadline, dossier.authority_deadline
        )
    return render(
        request,
        "ciq/dossier_detail.html",
        {
            "dossier": dossier,
            "consultations": consultations,
            "documents": list(dossier.documents.select_related("uploaded_by").order_by("uploaded_at", "pk")),
            "measures": list(dossier.measures.select_related("plan").order_by("plan__slug", "number")),
            "recommendations": list(dossier.recommendations.order_by("number")),
            "document_form": DocumentForm(),
        },
    )


@require_POST
@_login_redirect
def document_add(request, reference):
    dossier = get_dossier_for_staff(request, reference)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(dossier)
    upload = form.cleaned_data["file"]
    SourceDocument.objects.create(
        dossier=dossier,
        kind=form.cleaned_data["kind"],
        title=form.cleaned_data["title"],
        file=upload,
        original_name=upload.name[:255],
        content_type=form.content_type,
        size=upload.size,
        uploaded_by=request.user,
    )
    messages.success(request, _("Document ajouté."))
    return redirect(dossier)


def _file_response(document):
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Document introuvable.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@_login_redirect
def document_download(request, pk):
    _signed_in(request)
    document = get_object_or_404(SourceDocument.objects.select_related("dossier"), pk=pk)
    allowed = (
        rules.is_staff_of(request.user, document.dossier)
        or rules.answerable_consultations(request.user).filter(dossier=document.dossier).exists()
    )
    if not allowed:
        raise Http404(_("Document introuvable."))
    return _file_response(document)


# --- consultations ------------------------------------------------------------------------


def _save_consultation_form(request, form, consultation) -> bool:
    if not form.is_valid():
        return False
    consultation = form.save(commit=False)
    try:
        with transaction.atomic():
            services.save_consultation(user=request.user, consultation=consultation, audience=form.audience())
            if form.parsed_articles is not None:
                services.replace_articles(
                    user=request.user, consultation=consultation, articles=form.parsed_articles
                )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@require_http_methods(["GET", "POST"])
@_login_redirect
def consultation_create(request, reference):
    dossier = get_dossier_for_staff(request, reference)
    consultation = Consultation(dossier=dossier)
    form = ConsultationForm(
        request.POST or None, request.FILES or None, instance=consultation, owner=dossier.owner
    )
    if request.method == "POST" and _save_consultation_form(request, form, consultation):
        messages.success(request, _("Consultation créée. Vérifiez-la, puis ouvrez-la aux ordres."))
        return redirect(form.instance)
    return _consultation_form_page(request, form, dossier, None)


@require_http_methods(["GET", "POST"])
@_login_redirect
def consultation_edit(request, pk):
    consultation = get_consultation_for_staff(request, pk)
    form = ConsultationForm(
        request.POST or None, request.FILES or None, instance=consultation, owner=consultation.dossier.owner
    )
    if request.method == "POST" and _save_consultation_form(request, form, consultation):
        messages.success(request, _("Consultation enregistrée."))
        invited = services.invite_added_orders(user=request.user, consultation=consultation)
        if invited:
            messages.info(
                request,
                ngettext(
                    "L’ordre ajouté à la consultation ouverte a reçu son invitation.",
                    "Les %(count)d ordres ajoutés à la consultation ouverte ont reçu leur invitation.",
                    invited,
                )
                % {"count": invited},
            )
        return redirect(consultation)
    return _consultation_form_page(request, form, consultation.dossier, consultation)


def _consultation_form_page(request, form, dossier, consultation):
    deadline = (
        form["internal_deadline"].value()
        if form.is_bound
        else getattr(consultation, "internal_deadline", None)
    )
    warning = None
    if form.is_bound and form.is_valid():
        warning = internal_deadline_warning(
            form.cleaned_data["internal_deadline"], dossier.authority_deadline
        )
    elif consultation is not None and deadline:
        warning = internal_deadline_warning(consultation.internal_deadline, dossier.authority_deadline)
    return render(
        request,
        "ciq/consultation_form.html",
        {
            "form": form,
            "dossier": dossier,
            "consultation": consultation,
            "warning": warning,
            "articles": list(consultation.articles.order_by("position")) if consultation else [],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _synthesis_for(request, consultation):
    return load_synthesis(
        consultation, position=request.GET.get("position", ""), group_id=_int(request.GET.get("groupe"))
    )


@require_safe
@_login_redirect
def consultation_detail(request, pk):
    """The consultation and its live synthesis, for CIQ staff."""
    consultation = get_consultation_for_staff(request, pk)
    synthesis = _synthesis_for(request, consultation)
    return render(
        request,
        "ciq/consultation_detail.html",
        {
            "consultation": consultation,
            "dossier": consultation.dossier,
            "synthesis": synthesis,
            "chart": positions_svg(synthesis, title=_("Positions des ordres")),
            "positions": Position.choices,
            "warning": internal_deadline_warning(
                consultation.internal_deadline, consultation.dossier.authority_deadline
            ),
            "query": request.GET.urlencode(),
        },
    )


@require_safe
@_login_redirect
def synthesis_article(request, pk, article):
    """Every comment on one article, with its order."""
    consultation = get_consultation_for_staff(request, pk)
    synthesis = _synthesis_for(request, consultation)
    view = synthesis.article(article)
    if view is None:
        raise Http404(_("Article introuvable."))
    return render(
        request,
        "ciq/synthesis_article.html",
        {"consultation": consultation, "dossier": consultation.dossier, "synthesis": synthesis, "view": view},
    )


@require_safe
@_login_redirect
def synthesis_export(request, pk, fmt):
    consultation = get_consultation_for_staff(request, pk)
    if fmt not in exports.FORMATS:
        raise Http404(_("Format inconnu."))
    synthesis = _synthesis_for(request, consultation)
    response = HttpResponse(exports.render(synthesis, fmt), content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(synthesis, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@_login_redirect
def consultation_open(request, pk):
    consultation = get_consultation_for_staff(request, pk)
    try:
        sent = services.open_consultation(user=request.user, consultation=consultation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Consultation ouverte ; %(n)d ordre(s) invité(s) par courriel.") % {"n": sent}
        )
    return redirect(consultation)


@require_POST
@_login_redirect
def consultation_close(request, pk):
    consultation = get_consultation_for_staff(request, pk)
    try:
        services.close_consultation(user=request.user, consultation=consultation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Consultation fermée."))
    return redirect(consultation)


@require_safe
@_login_redirect
def staff_answer(request, pk, code):
    """One order's answer with all its submitted versions, for CIQ staff."""
    consultation = get_consultation_for_staff(request, pk)
    organization = get_object_or_404(consultation.audience, code=code)
    answer = Answer.objects.filter(consultation=consultation, organization=organization).first()
    versions = list(answer.versions.order_by("-number")) if answer else []
    consent = getattr(answer, "publication_consent", None) if answer else None
    return render(
        request,
        "ciq/staff_answer.html",
        {
            "consultation": consultation,
            "dossier": consultation.dossier,
            "organization": organization,
            "answer": answer,
            "versions": versions,
            "consent": consent,
            "attachments": list(answer.attachments.order_by("uploaded_at", "pk")) if answer else [],
            "consent_form": ConsentForm(initial={"agreed_on": timezone.localdate()}),
        },
    )


@require_POST
@_login_redirect
def staff_answer_consent(request, pk, code):
    consultation = get_consultation_for_staff(request, pk)
    organization = get_object_or_404(consultation.audience, code=code)
    answer = get_object_or_404(Answer, consultation=consultation, organization=organization)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_publication_consent(user=request.user, answer=answer, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Accord de publication consigné."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("ciq-staff-answer", pk=consultation.pk, code=organization.code)


# --- respondents ------------------------------------------------------------------------


@require_safe
@_login_redirect
def my_consultations(request):
    """The consultations an order's respondent answers, with the state of the order's answer."""
    _signed_in(request)
    orgs = rules.respondent_organization_ids(request.user)
    if not orgs:
        raise PermissionDenied(
            _("Cette page est réservée aux personnes qui répondent aux consultations du CIQ.")
        )
    consultations = list(
        rules.answerable_consultations(request.user)
        .select_related("dossier")
        .order_by("-internal_deadline", "-pk")
    )
    answers = {
        (a.consultation_id, a.organization_id): a
        for a in Answer.objects.filter(consultation__in=consultations, organization__in=orgs)
    }
    audiences = {}
    for row in Consultation.audience.through.objects.filter(
        consultation__in=consultations, organization__in=orgs
    ).select_related("organization"):
        audiences.setdefault(row.consultation_id, []).append(row.organization)
    rows = []
    for consultation in consultations:
        for organization in sorted(audiences.get(consultation.pk, []), key=lambda o: o.name):
            rows.append(
                {
                    "consultation": consultation,
                    "organization": organization,
                    "answer": answers.get((consultation.pk, organization.pk)),
                }
            )
    return render(request, "ciq/my_consultations.html", {"rows": rows})


def _answer_for_respondent(request, pk) -> tuple[Consultation, Organization, Answer]:
    """The consultation and the order the person answers for (``?ordre=code`` when several); 404 otherwise."""
    _signed_in(request)
    consultation = get_object_or_404(
        rules.answerable_consultations(request.user).select_related("dossier"), pk=pk
    )
    orgs = rules.respondent_organization_ids(request.user)
    candidates = list(consultation.audience.filter(pk__in=orgs).order_by("name", "pk"))
    code = request.GET.get("ordre") or request.POST.get("ordre")
    organization = (
        next((o for o in candidates if o.code == code), None)
        if code
        else (candidates[0] if candidates else None)
    )
    if organization is None:
        raise Http404(_("Consultation introuvable."))
    answer = services.answer_for(consultation=consultation, organization=organization)
    answer.consultation, answer.organization = consultation, organization
    return consultation, organization, answer


def _differences(current: Answer, typed: dict, comments: dict[int, str], articles) -> list[dict]:
    result = []
    if (typed.get("position") or "") != current.position:
        result.append(
            {
                "label": _("Position de l’ordre"),
                "saved": current.get_position_display(),
                "mine": dict(Position.choices).get(typed.get("position"), ""),
            }
        )
    if (typed.get("comments") or "").strip() != current.comments:
        result.append({"label": _("Commentaires"), "saved": current.comments, "mine": typed.get("comments")})
    for article in articles:
        mine = (typed.get(f"article-{article.pk}") or "").strip()
        if mine != comments.get(article.pk, ""):
            result.append({"label": article.heading, "saved": comments.get(article.pk, ""), "mine": mine})
    return result


def _render_answer(
    request,
    consultation,
    organization,
    answer,
    *,
    typed=None,
    errors=None,
    conflict=None,
    version=None,
    status=200,
):
    articles = list(consultation.articles.order_by("position"))
    saved = {c.article_id: c.text for c in answer.article_comments.all()}
    source = typed if typed is not None else None
    rows = []
    for article in articles:
        value = (
            (source.get(f"article-{article.pk}") or "") if source is not None else saved.get(article.pk, "")
        )
        rows.append(
            {"article": article, "value": value, "error": (errors or {}).get(f"article-{article.pk}")}
        )
    today = timezone.localdate()
    editable = rules.can_edit_answer(request.user, answer, today=today)
    return render(
        request,
        "ciq/answer_form.html",
        {
            "consultation": consultation,
            "dossier": consultation.dossier,
            "organization": organization,
            "answer": answer,
            "rows": rows,
            "position": (source.get("position") if source is not None else answer.position) or "",
            "comments": (source.get("comments") if source is not None else answer.comments) or "",
            "positions": Position.choices,
            "errors": errors or {},
            "conflict": conflict,
            "form_version": answer.version if version is None else version,
            "editable": editable,
            "past_deadline": today > consultation.internal_deadline,
            "versions": list(answer.versions.defer("article_comments", "comments").order_by("-number")),
            "attachments": list(answer.attachments.order_by("uploaded_at", "pk")),
            "documents": list(consultation.dossier.documents.order_by("uploaded_at", "pk")),
            "several_orders": request.GET.get("ordre") or request.POST.get("ordre") or "",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@_login_redirect
def answer_page(request, pk):
    consultation, organization, answer = _answer_for_respondent(request, pk)
    if request.method == "GET":
        return _render_answer(request, consultation, organization, answer)
    typed = request.POST
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    submit = "submit" in request.POST
    try:
        services.save_answer(
            answer=answer, user=request.user, data=typed, expected_version=version, submit=submit
        )
    except ValidationError as exc:
        return _render_answer(
            request,
            consultation,
            organization,
            answer,
            typed=typed,
            errors=exc.message_dict,
            version=version,
            status=400,
        )
    except services.ConflictError as conflict:
        current = conflict.current
        saved = {c.article_id: c.text for c in current.article_comments.all()}
        articles = list(consultation.articles.order_by("position"))
        return _render_answer(
            request,
            consultation,
            organization,
            current,
            typed=typed,
            conflict={
                "by": current.updated_by,
                "at": current.updated_at,
                "differences": _differences(current, typed, saved, articles),
            },
            status=409,
        )
    except services.AnswerLocked:
        messages.error(
            request,
            _(
                "Cette réponse ne peut plus être modifiée (consultation fermée ou date limite passée). Votre saisie est reproduite ci-dessous."
            ),
        )
        return _render_answer(request, consultation, organization, answer, typed=typed, status=409)
    answer.refresh_from_db()
    if submit:
        messages.success(
            request,
            _("Réponse transmise au CIQ (version %(n)d).") % {"n": answer.versions.count()}
            + (" " + _("Elle est marquée en retard.") if answer.late else ""),
        )
    else:
        messages.success(request, _("Brouillon enregistré."))
    url = reverse("ciq-answer", args=[consultation.pk])
    if request.POST.get("ordre"):
        url += f"?ordre={organization.code}"
    return redirect(url)


@require_POST
@_login_redirect
def answer_attach(request, pk):
    consultation, organization, answer = _answer_for_respondent(request, pk)
    if not rules.can_edit_answer(request.user, answer, today=timezone.localdate()):
        raise PermissionDenied(_("Cette réponse ne peut plus être modifiée."))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Pièce jointe : choisissez un fichier."))
    else:
        try:
            content_type = validate_upload(upload)
        except ValidationError as exc:
            messages.error(request, _("Pièce jointe : %(reason)s") % {"reason": " ".join(exc.messages)})
        else:
            AnswerAttachment.objects.create(
                answer=answer,
                file=upload,
                original_name=upload.name[:255],
                content_type=content_type,
                size=upload.size,
                uploaded_by=request.user,
            )
            messages.success(request, _("Pièce jointe ajoutée."))
    url = reverse("ciq-answer", args=[consultation.pk])
    if request.POST.get("ordre"):
        url += f"?ordre={organization.code}"
    return redirect(url)


@require_safe
@_login_redirect
def answer_attachment_download(request, pk):
    """An answer's attachment: to its order's respondents and the CIQ's staff; 404 to anyone else."""
    _signed_in(request)
    attachment = get_object_or_404(
        AnswerAttachment.objects.select_related("answer__consultation__dossier"), pk=pk
    )
    answer = attachment.answer
    allowed = answer.organization_id in rules.respondent_organization_ids(request.user) or rules.is_staff_of(
        request.user, answer.consultation.dossier
    )
    if not allowed:
        raise Http404(_("Document introuvable."))
    return _file_response(attachment)
