"""Pages of the Office's recommendations (C-26, a. 16.27).

Public: the register (published recommendations, filters, statistics), the
detail of a published recommendation (its answer only once published), the
search, and the download of published documents. Addressee members: « Mes
recommandations », the full detail and the answer form. Coordinators:
everything, plus drafting, sending, receipt, publication and closing.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.organizations.models import Organization

from . import rules, services
from .forms import AnswerForm, AttachmentForm, DateForm, RecommendationForm
from .models import Answer, Attachment, Recommendation, State
from .search import search_cases, search_recommendations
from .stats import answer_statistics


def _coordination_only(request, recommendation):
    """Only the coordination of the body that owns ``recommendation``."""
    if not rules.may_coordinate(request.user, recommendation):
        raise PermissionDenied(_("Cette action est réservée à la coordination de l’Office."))


def get_recommendation_for_user(user, number: str) -> Recommendation:
    """The recommendation if ``user`` may read it; 404 otherwise, so that an
    unpublished recommendation's existence is not revealed to the public."""
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("addressee", "answer", "created_by"), number=number
    )
    if not rules.can_read(user, recommendation):
        raise Http404(_("Aucune recommandation publiée ne porte ce numéro."))
    return recommendation


def _answer_of(recommendation):
    try:
        return recommendation.answer
    except Answer.DoesNotExist:
        return None


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_safe
def recommendation_list(request):
    """The public register, filterable by addressee, state and year (of sending)."""
    visible = rules.visible_to(request.user)
    filters = {
        "addressee": request.GET.get("destinataire", ""),
        "state": request.GET.get("etat", ""),
        "year": request.GET.get("annee", ""),
    }
    recommendations = visible.select_related("addressee", "answer")
    if filters["addressee"]:
        recommendations = recommendations.filter(addressee__code=filters["addressee"])
    if filters["state"] in State.values:
        recommendations = recommendations.filter(state=filters["state"])
    year = _int(filters["year"])
    if year:
        recommendations = recommendations.filter(sent_on__year=year)
    addressees = Organization.objects.filter(pk__in=visible.values("addressee")).order_by("name", "code")
    years = sorted(
        {d.year for d in visible.exclude(sent_on__isnull=True).values_list("sent_on", flat=True).order_by()},
        reverse=True,
    )
    rows = []
    for recommendation in recommendations.order_by("-sent_on", "-number"):
        answer = _answer_of(recommendation)
        rows.append(
            {
                "recommendation": recommendation,
                "answer": answer
                if answer and rules.can_read_answer(request.user, recommendation, answer)
                else None,
            }
        )
    return render(
        request,
        "recommendations/recommendation_list.html",
        {
            "rows": rows,
            "filters": filters,
            "addressees": addressees,
            "states": [(v, label) for v, label in State.choices if v != State.DRAFT],
            "years": years,
            "stats": answer_statistics(Recommendation.objects.published()),
            "coordinator": rules.can_draft(request.user),
        },
    )


@require_safe
@login_required
def my_recommendations(request):
    """The recommendations addressed to the user's organizations (editors and coordinators there)."""
    organization_ids = rules.addressee_organization_ids(request.user)
    if not organization_ids:
        raise PermissionDenied(
            _("Cette page est réservée aux responsables des organisations destinataires de recommandations.")
        )
    recommendations = (
        Recommendation.objects.filter(addressee_id__in=organization_ids)
        .exclude(state=State.DRAFT)
        .select_related("addressee", "answer")
        .order_by("due_on", "-number")
    )
    return render(request, "recommendations/my_recommendations.html", {"recommendations": recommendations})


@require_safe
def recommendation_detail(request, number):
    recommendation = get_recommendation_for_user(request.user, number)
    abilities = rules.get_abilities(request.user, recommendation)
    answer = _answer_of(recommendation)
    show_answer = answer is not None and rules.can_read_answer(request.user, recommendation, answer)
    cases = recommendation.cases.order_by("reference")
    if not abilities["full"]:
        cases = cases.filter(summary_published=True)
    today = timezone.localdate()
    return render(
        request,
        "recommendations/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "abilities": abilities,
            "answer": answer if show_answer else None,
            "answer_attachments": answer.attachments.order_by("uploaded_at", "pk") if show_answer else [],
            "attachments": recommendation.attachments.order_by("uploaded_at", "pk"),
            "measures": recommendation.measures.select_related("plan").order_by("plan__slug", "number"),
            "cases": cases,
            "today": today,
            "date_form": DateForm(initial={"day": today}),
            "attachment_form": AttachmentForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def recommendation_create(request):
    if not rules.can_draft(request.user):
        raise PermissionDenied(_("Cette action est réservée à la coordination de l’Office."))
    form = RecommendationForm(request.POST or None, owners=rules.drafting_owners(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recommendation = services.create_recommendation(
                owner=form.chosen_owner(),
                number=data["number"],
                title=data["title"],
                text=data["text"],
                addressee=data["addressee"],
                measures=data["measures"],
                cases=data["cases"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Recommandation enregistrée comme brouillon."))
            return redirect("recommendation-detail", number=recommendation.number)
    return render(
        request,
        "recommendations/recommendation_form.html",
        {"form": form, "recommendation": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def recommendation_edit(request, number):
    recommendation = get_object_or_404(Recommendation, number=number)
    _coordination_only(request, recommendation)
    if recommendation.state != State.DRAFT:
        messages.error(request, _("Seul un brouillon peut être modifié."))
        return redirect("recommendation-detail", number=number)
    form = RecommendationForm(request.POST or None, instance=recommendation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_draft(
                recommendation=Recommendation.objects.get(pk=recommendation.pk),
                user=request.user,
                number=data["number"],
                title=data["title"],
                text=data["text"],
                addressee=data["addressee"],
                measures=data["measures"],
                cases=data["cases"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Brouillon enregistré."))
            return redirect("recommendation-detail", number=data["number"])
    return render(
        request,
        "recommendations/recommendation_form.html",
        {"form": form, "recommendation": recommendation},
        status=400 if form.errors else 200,
    )


def _posted_day(request) -> datetime.date | None:
    form = DateForm(request.POST)
    return form.cleaned_data["day"] if form.is_valid() else None


def _transition(request, number, action, success):
    recommendation = get_object_or_404(Recommendation, number=number)
    _coordination_only(request, recommendation)
    try:
        action(recommendation)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("recommendation-detail", number=number)


@require_POST
@login_required
def recommendation_send(request, number):
    day = _posted_day(request)
    return _transition(
        request,
        number,
        lambda r: services.send(recommendation=r, user=request.user, sent_on=day),
        _("Recommandation transmise."),
    )


@require_POST
@login_required
def recommendation_receive(request, number):
    day = _posted_day(request)
    return _transition(
        request,
        number,
        lambda r: services.mark_received(recommendation=r, user=request.user, received_on=day),
        _("Réception consignée : le délai de réponse de 60 jours court."),
    )


@require_POST
@login_required
def recommendation_close(request, number):
    return _transition(
        request,
        number,
        lambda r: services.close(recommendation=r, user=request.user),
        _("Recommandation fermée."),
    )


@require_POST
@login_required
def recommendation_publish(request, number):
    """``target`` = recommendation or answer; ``action`` = publish or unpublish."""
    published = request.POST.get("action") != "unpublish"
    if request.POST.get("target") == "answer":
        return _transition(
            request,
            number,
            lambda r: services.publish_answer(recommendation=r, user=request.user, published=published),
            _("Réponse publiée.") if published else _("Réponse retirée du registre public."),
        )
    return _transition(
        request,
        number,
        lambda r: services.publish(recommendation=r, user=request.user, published=published),
        _("Recommandation publiée.") if published else _("Recommandation retirée du registre public."),
    )


@require_POST
@login_required
def recommendation_attach(request, number):
    recommendation = get_object_or_404(Recommendation, number=number)
    _coordination_only(request, recommendation)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choisissez un document à joindre."))
        return redirect("recommendation-detail", number=number)
    try:
        services.add_attachment(
            recommendation=recommendation, user=request.user, file=form.cleaned_data["document"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Document joint."))
    return redirect("recommendation-detail", number=number)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def answer_file(request, number):
    """The addressee files its answer, with the letter."""
    recommendation = get_object_or_404(Recommendation.objects.select_related("addressee"), number=number)
    if not rules.can_read(request.user, recommendation):
        raise Http404(_("Aucune recommandation publiée ne porte ce numéro."))
    if not (
        rules.may_coordinate(request.user, recommendation)
        or rules.is_addressee_member(request.user, recommendation)
    ):
        raise PermissionDenied(
            _("Seuls les responsables de l’organisation destinataire peuvent déposer la réponse.")
        )
    if not rules.can_file_answer(request.user, recommendation):
        messages.error(request, _("Cette recommandation n’attend pas de réponse."))
        return redirect("recommendation-detail", number=number)
    form = AnswerForm(
        request.POST or None, request.FILES or None, initial={"answered_on": timezone.localdate()}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.file_answer(
                    recommendation=recommendation,
                    user=request.user,
                    kind=data["kind"],
                    text=data["text"],
                    answered_on=data["answered_on"],
                    document=data["document"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("Réponse déposée. Merci."))
                return redirect("recommendation-detail", number=number)
        status = 400
    return render(
        request,
        "recommendations/answer_form.html",
        {"recommendation": recommendation, "form": form},
        status=status,
    )


@require_safe
def attachment_download(request, pk):
    """A document, to whoever may read it; 404 to anyone else (its existence is not revealed)."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("recommendation", "answer__recommendation"), pk=pk
    )
    if not rules.can_read_attachment(request.user, attachment):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404(_("Document introuvable."))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Document introuvable.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def recommendation_search(request):
    query = request.GET.get("q", "").strip()[:200]
    recommendations = list(search_recommendations(request.user, query)) if query else []
    cases = search_cases(request.user, query) if query else []
    return render(
        request,
        "recommendations/search.html",
        {"query": query, "recommendations": recommendations, "cases": cases},
    )
