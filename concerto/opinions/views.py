"""Pages of the CIQ's opinions.

Public: the library of published opinions (``/ciq/avis/``), each published
opinion's page with its documents, sending and follow-up, the published
documents, and a file's story once its opinion is published. CIQ staff:
everything else — the opinions being written, the text and its versions,
the diff, citations of the orders' answers, adoption, sending, publication,
follow-up. Every staff view fetches its object through one helper that
checks access (``_opinion_for_staff``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Max, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.ciq.models import Answer, ArticleComment, Consultation, Dossier, PublicationConsent
from concerto.core.textdiff import compared_number
from concerto.jobs.models import Job

from . import rules, services
from .forms import (
    AdoptionForm,
    CitationForm,
    EventForm,
    LibraryFilterForm,
    OpinionForm,
    PointForm,
    SendingForm,
    TextForm,
)
from .models import (
    Citation,
    LegislativeEvent,
    Opinion,
    OpinionVersion,
    Paragraph,
    PointOutcome,
    Publication,
    PublishedAnswer,
    PublishedDocument,
)
from .search import matching
from .text import diff_versions

STAFF_ONLY = _("Cette page est réservée à la coordination du CIQ.")


def _opinion_for_staff(request, reference: str) -> Opinion:
    """The opinion, if the signed-in person is its CIQ staff; refused otherwise."""
    opinion = get_object_or_404(
        Opinion.objects.select_related("dossier", "consultation"), reference=reference
    )
    if not rules.can_manage(request.user, opinion):
        raise PermissionDenied(STAFF_ONLY)
    return opinion


def _readable_opinion(request, reference: str) -> Opinion:
    """A published opinion for everyone; before publication, only the CIQ's staff and the body it was
    sent to. 404 otherwise: an unpublished opinion's existence is not revealed."""
    opinion = get_object_or_404(
        Opinion.objects.select_related("dossier", "adopted_version"), reference=reference
    )
    if not rules.can_read(request.user, opinion):
        raise Http404(_("Aucun avis publié ne porte cette référence."))
    return opinion


def _documents_prefetch():
    return Prefetch("documents", queryset=PublishedDocument.objects.defer("content").order_by("format"))


def _current_publications():
    return Prefetch(
        "publications",
        queryset=Publication.objects.filter(superseded_by__isnull=True).prefetch_related(
            _documents_prefetch()
        ),
        to_attr="current_publications",
    )


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- public ---------------------------------------------------------------------


@require_safe
def library(request):
    """Published opinions, filterable by subject, authority and year; accent-insensitive search."""
    published = Opinion.objects.published()
    years = sorted(
        {
            d.year
            for d in published.exclude(adopted_on__isnull=True)
            .values_list("adopted_on", flat=True)
            .order_by()
        },
        reverse=True,
    )
    form = LibraryFilterForm(request.GET or None, years=years)
    opinions = published
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("objet"):
        opinions = opinions.filter(dossier__subject=filters["objet"])
    if filters.get("autorite"):
        opinions = opinions.filter(dossier__authority=filters["autorite"])
    if filters.get("annee"):
        opinions = opinions.filter(adopted_on__year=filters["annee"])
    if filters.get("q"):
        opinions = matching(opinions, filters["q"])
    opinions = (
        opinions.select_related("dossier")
        .prefetch_related(_current_publications())
        .order_by("-adopted_on", "-pk")
    )
    return render(
        request,
        "opinions/library.html",
        {
            "opinions": opinions,
            "form": form,
            "manager": rules.managed_opinions(request.user).exists() or _manages_ciq(request.user),
        },
    )


def _manages_ciq(user) -> bool:
    from concerto.ciq.models import ciq_organization

    ciq = ciq_organization()
    return ciq is not None and rules.coordinates(user, ciq)


@require_safe
def public_page(request, reference):
    """A published opinion: the file, the dates, the documents, the answers published with agreement, the follow-up."""
    opinion = _readable_opinion(request, reference)
    publications = list(
        opinion.publications.select_related("superseded_by", "text_version")
        .prefetch_related(_documents_prefetch())
        .order_by("-number")
    )
    current = next((p for p in publications if p.superseded_by_id is None), None)
    shown = current.text_version if current else opinion.adopted_version
    paragraphs = list(shown.paragraphs.order_by("position")) if shown else []
    outcomes = {o.paragraph_key: o for o in opinion.point_outcomes.order_by("pk")}
    points = [(p, outcomes.get(p.key)) for p in paragraphs if p.key in outcomes]
    published_answers = (
        opinion.published_answers.filter(consent__withdrawn_at__isnull=True)
        .select_related("consent__version", "consent__answer__organization")
        .order_by("consent__answer__organization__name")
    )
    return render(
        request,
        "opinions/public_page.html",
        {
            "opinion": opinion,
            "dossier": opinion.dossier,
            "current": current,
            "publications": publications,
            "sections": _sections(paragraphs),
            "events": opinion.events.order_by("happened_on", "pk"),
            "points": points,
            "outcome_counts": _outcome_counts(outcomes.values()),
            "published_answers": published_answers,
            "manager": rules.can_manage(request.user, opinion),
        },
    )


def _sections(paragraphs):
    """[(section title, [paragraph, ...]), ...] in order."""
    grouped = []
    for paragraph in paragraphs:
        if not grouped or grouped[-1][0] != paragraph.section:
            grouped.append((paragraph.section, []))
        grouped[-1][1].append(paragraph)
    return grouped


def _outcome_counts(outcomes):
    counts = dict.fromkeys(PointOutcome.Outcome.values, 0)
    for outcome in outcomes:
        counts[outcome.outcome] += 1
    return [(label, counts[value]) for value, label in PointOutcome.Outcome.choices]


@require_safe
def published_document(request, pk, fmt):
    """A published document: public, frozen, served as stored."""
    document = get_object_or_404(
        PublishedDocument.objects.select_related("publication__opinion"), publication_id=pk, format=fmt
    )
    etag = f'"{document.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@require_safe
def letter(request, reference):
    """The letter sent to the authority: whoever may read the opinion (``rules.can_read``)."""
    opinion = _readable_opinion(request, reference)
    if not opinion.letter:
        raise Http404(_("Aucune lettre n’a été jointe à la transmission de cet avis."))
    with opinion.letter.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=opinion.letter_content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{opinion.letter_name or "lettre"}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def dossier_story(request, reference):
    """The file's story, from start to end: file → consultation → synthesis → opinion → adoption →
    sending → publication → follow-up. CIQ staff always; the public once an opinion is published."""
    dossier = get_object_or_404(Dossier, reference=reference)
    staff = rules.can_manage_dossier(request.user, dossier)
    opinions = dossier.opinions.prefetch_related(_current_publications()).order_by("created_at", "pk")
    if not staff:
        opinions = opinions.filter(publications__isnull=False).distinct()
    opinions = list(opinions)
    if not staff and not opinions:
        raise Http404(_("Aucun avis publié ne porte sur ce dossier."))
    consultations = list(
        dossier.consultations.annotate(
            invited=Count("audience", distinct=True),
            answered=Count("answers", filter=Q(answers__state=Answer.State.SUBMITTED), distinct=True),
            late=Count(
                "answers", filter=Q(answers__state=Answer.State.SUBMITTED, answers__late=True), distinct=True
            ),
        )
        .exclude(state=Consultation.State.DRAFT)
        .order_by("created_at", "pk")
    )
    events = (
        LegislativeEvent.objects.filter(opinion__in=[o.pk for o in opinions])
        .select_related("opinion")
        .order_by("happened_on", "pk")
    )
    outcome_rows = PointOutcome.objects.filter(opinion__in=[o.pk for o in opinions]).order_by("pk")
    return render(
        request,
        "opinions/dossier_story.html",
        {
            "dossier": dossier,
            "staff": staff,
            "consultations": consultations,
            "opinions": opinions,
            "events": events,
            "outcome_counts": _outcome_counts(outcome_rows),
            "today": timezone.localdate(),
        },
    )


# --- CIQ staff ------------------------------------------------------------------


@require_safe
@login_required
def staff_list(request):
    """Every opinion of the files the person coordinates, with its state."""
    if not _manages_ciq(request.user):
        raise PermissionDenied(STAFF_ONLY)
    opinions = (
        rules.managed_opinions(request.user)
        .select_related("dossier")
        .annotate(
            versions_count=Count("versions", distinct=True),
            publications_count=Count("publications", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )
    dossiers = Dossier.objects.filter(owner__in=rules.coordinated_owner_ids(request.user)).order_by(
        "-created_at", "-pk"
    )
    return render(request, "opinions/staff_list.html", {"opinions": opinions, "dossiers": dossiers})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def create(request, dossier_reference):
    dossier = get_object_or_404(Dossier, reference=dossier_reference)
    if not rules.can_manage_dossier(request.user, dossier):
        raise PermissionDenied(STAFF_ONLY)
    form = OpinionForm(request.POST or None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        try:
            opinion = services.create_opinion(
                dossier=dossier,
                consultation=form.cleaned_data["consultation"],
                reference=form.cleaned_data["reference"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                user=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Avis ouvert : rédigez maintenant son texte."))
            return redirect("opinion-edit", reference=opinion.reference)
    return render(request, "opinions/opinion_form.html", {"form": form, "dossier": dossier})


@require_safe
@login_required
def workspace(request, reference):
    """The opinion's working page: its state, text, versions, adoption, sending, publication, follow-up."""
    opinion = _opinion_for_staff(request, reference)
    versions = list(opinion.versions.select_related("created_by").order_by("-number"))
    latest = versions[0] if versions else None
    paragraphs = list(latest.paragraphs.order_by("position")) if latest else []
    publications = list(
        opinion.publications.select_related("superseded_by")
        .prefetch_related(_documents_prefetch())
        .order_by("-number")
    )
    current = next((p for p in publications if p.superseded_by_id is None), None)
    point_paragraphs = list(current.text_version.paragraphs.order_by("position")) if current else []
    outcomes = {o.paragraph_key: o for o in opinion.point_outcomes.order_by("pk")}
    jobs = Job.objects.filter(subject=services.publication_jobs_subject(opinion)).order_by(
        "-enqueued_at", "-pk"
    )[:5]
    consents = (
        PublicationConsent.objects.filter(
            answer__consultation__dossier=opinion.dossier_id, withdrawn_at__isnull=True
        )
        .select_related("answer__organization", "version")
        .order_by("answer__organization__name")
    )
    published_consents = set(opinion.published_answers.values_list("consent_id", flat=True))
    initial_adoption = {
        "adopted_on": opinion.adopted_on,
        "deciding_body": opinion.deciding_body,
        "resolution_number": opinion.resolution_number,
        "votes_for": opinion.votes_for,
        "votes_against": opinion.votes_against,
        "votes_abstaining": opinion.votes_abstaining,
    }
    return render(
        request,
        "opinions/workspace.html",
        {
            "opinion": opinion,
            "dossier": opinion.dossier,
            "latest": latest,
            "versions": versions,
            "sections": _sections(paragraphs),
            "cited_keys": set(
                Citation.objects.filter(paragraph__version=latest).values_list("paragraph__key", flat=True)
            )
            if latest
            else set(),
            "publications": publications,
            "current": current,
            "jobs": jobs,
            "adoption_form": AdoptionForm(initial=initial_adoption),
            "sending_form": SendingForm(initial={"sent_on": timezone.localdate()}),
            "event_form": EventForm(),
            "events": opinion.events.order_by("happened_on", "pk"),
            "point_rows": [
                (
                    p,
                    PointForm(
                        initial={
                            "paragraph_key": p.key,
                            "outcome": getattr(outcomes.get(p.key), "outcome", ""),
                            "note": getattr(outcomes.get(p.key), "note", ""),
                        },
                        prefix=p.key,
                    ),
                )
                for p in point_paragraphs
            ],
            "consents": [(c, c.pk in published_consents) for c in consents],
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_text(request, reference):
    """Write the next version of the text (optimistic: a concurrent save is refused, the text kept)."""
    opinion = _opinion_for_staff(request, reference)
    latest = services.latest_version(opinion)
    if request.method == "POST":
        form = TextForm(request.POST)
        if form.is_valid():
            try:
                version = services.save_version(
                    opinion=opinion,
                    text=form.cleaned_data["text"],
                    note=form.cleaned_data["note"],
                    based_on=form.cleaned_data["based_on"],
                    user=request.user,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Version %(number)s enregistrée.") % {"number": version.number})
                return redirect("opinion-workspace", reference=opinion.reference)
    else:
        form = TextForm(
            initial={"text": latest.text if latest else "", "based_on": latest.number if latest else None}
        )
    return render(request, "opinions/text_form.html", {"form": form, "opinion": opinion, "latest": latest})


@require_safe
@login_required
def diff(request, reference, number):
    """What changed between two versions (by default, from the one before)."""
    opinion = _opinion_for_staff(request, reference)
    new = get_object_or_404(OpinionVersion, opinion=opinion, number=number)
    since = compared_number(request, number)
    old = OpinionVersion.objects.filter(opinion=opinion, number=since).first()
    rows = diff_versions(old.text if old else "", new.text)
    return render(
        request,
        "opinions/diff.html",
        {
            "opinion": opinion,
            "old": old,
            "new": new,
            "rows": rows,
            "versions": opinion.versions.order_by("-number").only("number", "created_at"),
            "changed": sum(1 for r in rows if r.kind != "equal"),
        },
    )


def _citation_context(opinion: Opinion, latest: OpinionVersion | None):
    """Answers of the file's consultations, cited or not yet reflected, in a constant number of queries."""
    answers = list(
        services.citable_answers(opinion)
        .select_related("organization", "consultation")
        .order_by("consultation__created_at", "consultation__pk", "organization__name", "pk")
    )
    comments = list(
        ArticleComment.objects.filter(answer__in=[a.pk for a in answers])
        .select_related("article", "answer__organization")
        .order_by("answer__organization__name", "article__position", "pk")
    )
    paragraphs = list(latest.paragraphs.order_by("position")) if latest else []
    citations = (
        list(
            Citation.objects.filter(paragraph__version=latest)
            .select_related("paragraph")
            .order_by("paragraph__position", "pk")
        )
        if latest
        else []
    )
    by_paragraph: dict[int, list[Citation]] = {}
    by_answer: dict[int, list[Paragraph]] = {}
    for citation in citations:
        by_paragraph.setdefault(citation.paragraph_id, []).append(citation)
        cited_in = by_answer.setdefault(citation.answer_id, [])
        if citation.paragraph not in cited_in:
            cited_in.append(citation.paragraph)
    answers_by_pk = {a.pk: a for a in answers}
    comments_by_pk = {c.pk: c for c in comments}
    rows = []
    for paragraph in paragraphs:
        cited = by_paragraph.get(paragraph.pk, [])
        rows.append(
            {
                "paragraph": paragraph,
                "cited": [
                    {
                        "answer": answers_by_pk.get(c.answer_id),
                        "comment": comments_by_pk.get(c.article_comment_id),
                    }
                    for c in cited
                ],
            }
        )
    reflected = [(a, by_answer[a.pk]) for a in answers if a.pk in by_answer]
    not_reflected = [a for a in answers if a.pk not in by_answer]
    return {
        "answers": answers,
        "comments": comments,
        "rows": rows,
        "reflected": reflected,
        "not_reflected": not_reflected,
    }


@require_safe
@login_required
def citations(request, reference):
    """Each paragraph with the answers it cites; which answers are cited and which are not yet reflected."""
    opinion = _opinion_for_staff(request, reference)
    latest = services.latest_version(opinion)
    context = _citation_context(opinion, latest)
    return render(request, "opinions/citations.html", {"opinion": opinion, "latest": latest, **context})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def paragraph_citations(request, reference, position):
    """Choose the answers and article comments one paragraph of the latest version cites."""
    opinion = _opinion_for_staff(request, reference)
    latest = services.latest_version(opinion)
    if latest is None:
        raise Http404(_("L’avis n’a pas encore de texte."))
    paragraph = get_object_or_404(Paragraph, version=latest, position=position)
    answers = list(
        services.citable_answers(opinion).select_related("organization").order_by("organization__name", "pk")
    )
    comments = list(
        ArticleComment.objects.filter(answer__in=[a.pk for a in answers])
        .select_related("article", "answer__organization")
        .order_by("article__position", "answer__organization__name", "pk")
    )
    cited = list(paragraph.citations.order_by("pk"))
    form = CitationForm(
        request.POST or None,
        initial={
            "paragraph": paragraph.pk,
            "answers": [str(c.answer_id) for c in cited if c.article_comment_id is None],
            "comments": [str(c.article_comment_id) for c in cited if c.article_comment_id],
        },
        answers=answers,
        comments=comments,
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.set_citations(
                paragraph=paragraph,
                answer_ids=form.cleaned_data["answers"],
                comment_ids=form.cleaned_data["comments"],
                user=request.user,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Paragraphe %(number)s : %(count)s citation(s) enregistrée(s).")
                % {"number": paragraph.position, "count": count},
            )
            return redirect(
                reverse("opinion-citations", args=[opinion.reference]) + f"#paragraphe-{paragraph.position}"
            )
    return render(
        request,
        "opinions/paragraph_citations.html",
        {"opinion": opinion, "paragraph": paragraph, "form": form, "has_comments": bool(comments)},
    )


@require_safe
@login_required
def consultation_reflection(request, pk):
    """For a consultation's synthesis: each submitted answer, cited by which opinion paragraphs, or not yet reflected."""
    consultation = get_object_or_404(Consultation.objects.select_related("dossier"), pk=pk)
    if not rules.can_manage_dossier(request.user, consultation.dossier):
        raise PermissionDenied(STAFF_ONLY)
    answers = list(
        consultation.answers.filter(state=Answer.State.SUBMITTED)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    # Only the latest version of each opinion counts: a citation removed since is no longer a reflection.
    opinions = list(consultation.dossier.opinions.order_by("created_at", "pk"))
    latest_ids = (
        OpinionVersion.objects.filter(opinion__dossier=consultation.dossier_id)
        .annotate(latest=Max("opinion__versions__number"))
        .filter(number=F("latest"))
        .values("pk")
    )
    citations = (
        Citation.objects.filter(paragraph__version__in=latest_ids, answer__consultation=consultation)
        .select_related("paragraph__version__opinion")
        .order_by("paragraph__version__opinion__pk", "paragraph__position", "pk")
    )
    by_answer: dict[int, list[Paragraph]] = {}
    for citation in citations:
        cited = by_answer.setdefault(citation.answer_id, [])
        if citation.paragraph not in cited:
            cited.append(citation.paragraph)
    return render(
        request,
        "opinions/consultation_reflection.html",
        {
            "consultation": consultation,
            "reflected": [(a, by_answer[a.pk]) for a in answers if a.pk in by_answer],
            "not_reflected": [a for a in answers if a.pk not in by_answer],
            "opinions": opinions,
        },
    )


@require_POST
@login_required
def adopt(request, reference):
    opinion = _opinion_for_staff(request, reference)
    form = AdoptionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
        return redirect("opinion-workspace", reference=opinion.reference)
    try:
        services.adopt(opinion=opinion, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Adoption enregistrée."))
    return redirect("opinion-workspace", reference=opinion.reference)


@require_POST
@login_required
def send(request, reference):
    opinion = _opinion_for_staff(request, reference)
    if not opinion.adopted:
        messages.error(request, _("L’avis ne peut pas être transmis avant d’avoir été adopté."))
        return redirect("opinion-workspace", reference=opinion.reference)
    form = SendingForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
        return redirect("opinion-workspace", reference=opinion.reference)
    try:
        services.send(
            opinion=opinion,
            sent_on=form.cleaned_data["sent_on"],
            letter=form.cleaned_data["letter"],
            user=request.user,
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Transmission enregistrée."))
    return redirect("opinion-workspace", reference=opinion.reference)


@require_POST
@login_required
def publish(request, reference):
    opinion = _opinion_for_staff(request, reference)
    try:
        queued = services.request_publication(opinion=opinion, user=request.user)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        if queued.state == Job.State.DONE:
            messages.success(request, _("Avis publié : les documents PDF et Word sont figés."))
        elif queued.state == Job.State.FAILED:
            messages.error(request, queued.error)
        else:
            messages.info(
                request,
                _("Publication en préparation : les documents seront en ligne dès qu’ils seront prêts."),
            )
    return redirect("opinion-workspace", reference=opinion.reference)


@require_POST
@login_required
def add_event(request, reference):
    opinion = _opinion_for_staff(request, reference)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            services.record_event(opinion=opinion, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Étape du suivi enregistrée."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
    return redirect("opinion-workspace", reference=opinion.reference)


@require_POST
@login_required
def delete_event(request, reference, pk):
    opinion = _opinion_for_staff(request, reference)
    event = get_object_or_404(LegislativeEvent, pk=pk, opinion=opinion)
    services.delete_event(event=event, user=request.user)
    messages.success(request, _("Étape du suivi supprimée."))
    return redirect("opinion-workspace", reference=opinion.reference)


@require_POST
@login_required
def set_point(request, reference):
    opinion = _opinion_for_staff(request, reference)
    key = request.POST.get("key", "")
    form = PointForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            services.set_point_outcome(
                opinion=opinion,
                paragraph_key=form.cleaned_data["paragraph_key"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _("Suite du point enregistrée."))
    else:
        messages.error(request, _("Suite du point : choix invalide."))
    return redirect("opinion-workspace", reference=opinion.reference)


@require_POST
@login_required
def publish_answer(request, reference):
    opinion = _opinion_for_staff(request, reference)
    consent = get_object_or_404(
        PublicationConsent.objects.select_related("answer__consultation"), pk=request.POST.get("consent")
    )
    try:
        if request.POST.get("action") == "retirer":
            published = PublishedAnswer.objects.filter(opinion=opinion, consent=consent).first()
            if published is not None:
                services.unpublish_answer(published=published, user=request.user)
            messages.success(request, _("La réponse n’est plus publiée."))
        else:
            services.publish_answer(opinion=opinion, consent=consent, user=request.user)
            messages.success(request, _("Réponse publiée avec l’accord de l’ordre."))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect("opinion-workspace", reference=opinion.reference)


def latest_for_home(request) -> dict:
    """The CIQ's public home's section: the five latest published opinions."""
    opinions = Opinion.objects.published().order_by("-adopted_on", "-pk")[:5]
    return {"opinions": list(opinions)}
