"""Business operations on the CIQ's opinions.

Each operation is a keyword-only function: permission first, one
transaction, the opinion's row locked while its state changes, French
errors naming the field. Views, the demonstration loader and the
background job all call these.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.ciq.models import Answer, ArticleComment, PublicationConsent
from concerto.core.uploads import generated_name, sanitized_name, validate_upload
from concerto.jobs.models import Job
from concerto.jobs.services import JobError, enqueue, job

from . import rules
from .documents import build_document, render_docx, render_pdf
from .models import (
    Citation,
    Format,
    LegislativeEvent,
    Opinion,
    OpinionVersion,
    Paragraph,
    PointOutcome,
    Publication,
    PublishedAnswer,
    PublishedDocument,
)
from .text import Block, carry_keys, split_paragraphs

logger = logging.getLogger(__name__)


def _require_manager(user, opinion: Opinion) -> None:
    if not rules.can_manage(user, opinion):
        raise PermissionDenied(_("Cette action est réservée à la coordination du CIQ."))


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("dossier").get(pk=opinion.pk)


def latest_version(opinion: Opinion) -> OpinionVersion | None:
    return opinion.versions.order_by("-number").first()


def create_opinion(
    *,
    dossier,
    reference: str,
    title: str,
    consultation=None,
    summary: str = "",
    user=None,
    is_demo: bool = False,
) -> Opinion:
    """Open the opinion of ``dossier`` (CIQ staff), with no text yet."""
    if not rules.can_manage_dossier(user, dossier):
        raise PermissionDenied(_("Cette action est réservée à la coordination du CIQ."))
    if consultation is not None and consultation.dossier_id != dossier.pk:
        raise ValidationError({"consultation": _("La consultation choisie ne porte pas sur ce dossier.")})
    opinion = Opinion(
        dossier=dossier,
        consultation=consultation,
        reference=reference,
        title=title,
        summary=summary,
        created_by=user if getattr(user, "pk", None) else None,
        is_demo=is_demo,
    )
    opinion.full_clean()
    opinion.save()
    logger.info("Avis ouvert : %s", opinion.reference)
    return opinion


def save_version(
    *, opinion: Opinion, text: str, user, based_on: int | None, note: str = ""
) -> OpinionVersion:
    """Keep ``text`` as the opinion's next version.

    ``based_on`` is the number of the version the person was editing (None
    for the first): if someone saved another version meanwhile, the save is
    refused and nothing is lost — the person's text comes back in the form.
    Paragraphs keep their key when unchanged or close (``text.carry_keys``),
    and with it their citations.
    """
    _require_manager(user, opinion)
    if not (text or "").strip():
        raise ValidationError({"text": _("Le texte de l’avis est vide.")})
    blocks = split_paragraphs(text)
    if not blocks:
        raise ValidationError(
            {"text": _("Le texte de l’avis ne contient aucun paragraphe, seulement des titres.")}
        )
    with transaction.atomic():
        opinion = _locked(opinion)
        previous = latest_version(opinion)
        current_number = previous.number if previous else None
        if based_on != current_number:
            raise ValidationError(
                {
                    "text": _(
                        "La version %(number)s a été enregistrée par une autre personne pendant votre "
                        "modification : votre texte n’a pas été enregistré. Copiez-le, rechargez la page et "
                        "reportez vos changements."
                    )
                    % {"number": current_number}
                }
            )
        old_paragraphs = list(previous.paragraphs.order_by("position")) if previous else []
        old_blocks = [Block(p.position, p.section, p.text, p.key) for p in old_paragraphs]
        carry_keys(old_blocks, blocks)
        version = OpinionVersion.objects.create(
            opinion=opinion,
            number=(current_number or 0) + 1,
            text=text,
            note=note,
            created_by=user if getattr(user, "pk", None) else None,
        )
        created = Paragraph.objects.bulk_create(
            Paragraph(version=version, position=b.position, key=b.key, section=b.section[:300], text=b.text)
            for b in blocks
        )
        by_key = {p.key: p for p in created}
        if old_paragraphs:
            carried = [
                Citation(
                    paragraph=by_key[c.paragraph.key],
                    answer_id=c.answer_id,
                    article_comment_id=c.article_comment_id,
                )
                for c in Citation.objects.filter(paragraph__version=previous).select_related("paragraph")
                if c.paragraph.key in by_key
            ]
            Citation.objects.bulk_create(carried)
    logger.info("Avis %s : version %s enregistrée", opinion.reference, version.number)
    return version


def citable_answers(opinion: Opinion):
    """The submitted answers of the consultations of the opinion's file."""
    return Answer.objects.filter(consultation__dossier=opinion.dossier_id, state=Answer.State.SUBMITTED)


def set_citations(*, paragraph: Paragraph, answer_ids, comment_ids, user) -> int:
    """Say which answers (and article comments) a paragraph of the latest version rests on.

    Replaces the paragraph's citations. Only submitted answers of the
    file's consultations may be cited."""
    opinion = paragraph.version.opinion
    _require_manager(user, opinion)
    answer_ids = {int(a) for a in answer_ids}
    comment_ids = {int(c) for c in comment_ids}
    with transaction.atomic():
        opinion = _locked(opinion)
        latest = latest_version(opinion)
        if latest is None or paragraph.version_id != latest.pk:
            raise ValidationError(
                {"answers": _("Ce paragraphe n’est plus celui de la dernière version : rechargez la page.")}
            )
        answers = set(citable_answers(opinion).filter(pk__in=answer_ids).values_list("pk", flat=True))
        if answers != answer_ids:
            raise ValidationError(
                {
                    "answers": _(
                        "Seules les réponses transmises des consultations de ce dossier peuvent être citées."
                    )
                }
            )
        comments = dict(
            ArticleComment.objects.filter(
                pk__in=comment_ids, answer__in=citable_answers(opinion)
            ).values_list("pk", "answer_id")
        )
        if set(comments) != comment_ids:
            raise ValidationError(
                {
                    "comments": _(
                        "Seuls les commentaires d’articles des réponses transmises de ce dossier peuvent être cités."
                    )
                }
            )
        paragraph.citations.all().delete()
        rows = [Citation(paragraph=paragraph, answer_id=a) for a in sorted(answers)]
        rows += [
            Citation(paragraph=paragraph, answer_id=comments[c], article_comment_id=c)
            for c in sorted(comments)
        ]
        Citation.objects.bulk_create(rows)
    return len(rows)


def adopt(
    *,
    opinion: Opinion,
    adopted_on: datetime.date,
    deciding_body: str,
    resolution_number: str,
    user,
    votes_for=None,
    votes_against=None,
    votes_abstaining=None,
) -> Opinion:
    """Record the deciding body's adoption of the latest version.

    May be corrected until the opinion is sent; refused after."""
    _require_manager(user, opinion)
    errors = {}
    if not adopted_on:
        errors["adopted_on"] = _("Indiquez la date d’adoption.")
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = _("La date d’adoption ne peut pas être dans le futur.")
    if not (deciding_body or "").strip():
        errors["deciding_body"] = _("Indiquez l’instance qui a adopté l’avis.")
    if not (resolution_number or "").strip():
        errors["resolution_number"] = _("Indiquez le numéro de la résolution.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opinion = _locked(opinion)
        version = latest_version(opinion)
        if version is None:
            raise ValidationError(
                {"adopted_on": _("L’avis n’a pas encore de texte : il ne peut pas être adopté.")}
            )
        if opinion.sent_on is not None:
            raise ValidationError(
                {"adopted_on": _("L’avis a déjà été transmis : son adoption ne peut plus être modifiée.")}
            )
        opinion.adopted_on = adopted_on
        opinion.deciding_body = deciding_body.strip()
        opinion.resolution_number = resolution_number.strip()
        opinion.votes_for, opinion.votes_against, opinion.votes_abstaining = (
            votes_for,
            votes_against,
            votes_abstaining,
        )
        opinion.adopted_version = version
        opinion.save()
    logger.info("Avis %s adopté (version %s)", opinion.reference, version.number)
    return opinion


def send(*, opinion: Opinion, sent_on: datetime.date, letter, user) -> Opinion:
    """Record the sending to the authority, with the letter or document sent.

    Refused before adoption. Whether the authority's deadline was met is
    computed from the file's deadline (none known: not computed)."""
    _require_manager(user, opinion)
    if not opinion.adopted:
        raise ValidationError({"sent_on": _("L’avis ne peut pas être transmis avant d’avoir été adopté.")})
    errors = {}
    if not sent_on:
        errors["sent_on"] = _("Indiquez la date de transmission.")
    elif opinion.adopted_on and sent_on < opinion.adopted_on:
        errors["sent_on"] = _("La date de transmission précède la date d’adoption.")
    elif sent_on > timezone.localdate():
        errors["sent_on"] = _("La date de transmission ne peut pas être dans le futur.")
    content_type = None
    if letter is None:
        errors["letter"] = _("Joignez la lettre ou le document transmis.")
    else:
        try:
            content_type = validate_upload(letter)
        except ValidationError as exc:
            errors["letter"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opinion = _locked(opinion)
        if opinion.adopted_on is None:
            raise ValidationError(
                {"sent_on": _("L’avis ne peut pas être transmis avant d’avoir été adopté.")}
            )
        if opinion.sent_on is not None:
            raise ValidationError(
                {"sent_on": _("L’avis a déjà été transmis le %(date)s.") % {"date": opinion.sent_on}}
            )
        deadline = opinion.dossier.authority_deadline
        opinion.sent_on = sent_on
        opinion.authority_deadline = deadline
        opinion.deadline_met = None if deadline is None else sent_on <= deadline
        opinion.letter_name = sanitized_name(letter.name)
        opinion.letter_content_type = content_type
        opinion.letter.save(generated_name(content_type, prefix="opinions"), letter, save=False)
        opinion.save()
    logger.info("Avis %s transmis le %s", opinion.reference, sent_on)
    return opinion


# --- publication ------------------------------------------------------------------


def publication_jobs_subject(opinion: Opinion) -> str:
    return f"opinions.opinion:{opinion.pk}"


def request_publication(*, opinion: Opinion, user) -> Job:
    """Queue the publication of the adopted text (a background job makes the documents).

    Each request is a new publication: republishing adds a version."""
    _require_manager(user, opinion)
    if not opinion.adopted or opinion.adopted_version_id is None:
        raise ValidationError({"publication": _("L’avis ne peut pas être publié avant d’avoir été adopté.")})
    pending = (
        Job.objects.filter(
            subject=publication_jobs_subject(opinion), state__in=[Job.State.QUEUED, Job.State.RUNNING]
        )
        .order_by("-enqueued_at", "-pk")
        .first()
    )
    if pending is not None:  # a second click while the first is being made publishes once
        return pending
    return enqueue(
        publish_opinion,
        opinion_id=opinion.pk,
        version_id=opinion.adopted_version_id,
        requested_at=timezone.now().isoformat(),
        user_id=getattr(user, "pk", None),
        label=_("Publication de l’avis %(reference)s (PDF et Word)") % {"reference": opinion.reference},
        subject=publication_jobs_subject(opinion),
        requested_by=user,
    )


@job
def publish_opinion(
    *, opinion_id: int, version_id: int, requested_at: str, user_id: int | None = None
) -> dict:
    """Render the PDF and Word documents, then store the publication in one transaction.

    Safe to run again: a publication already made for this request is returned."""
    opinion = Opinion.objects.select_related("dossier").get(pk=opinion_id)
    version = OpinionVersion.objects.get(pk=version_id, opinion=opinion)
    requested = datetime.datetime.fromisoformat(requested_at)
    done = opinion.publications.filter(published_at=requested).first()
    if done is not None:
        return {"publication": done.pk, "version": done.number}
    document = build_document(opinion, version)
    try:
        pdf = render_pdf(document)
        docx = render_docx(document)
    except OSError as exc:
        raise JobError(
            _("Les documents de l’avis n’ont pas pu être produits (%(type)s).") % {"type": type(exc).__name__}
        ) from exc
    with transaction.atomic():
        opinion = _locked(opinion)
        previous = opinion.publications.filter(superseded_by__isnull=True).order_by("-number").first()
        last = opinion.publications.order_by("-number").values_list("number", flat=True).first() or 0
        publication = Publication.objects.create(
            opinion=opinion,
            number=last + 1,
            text_version=version,
            published_at=requested,
            published_by_id=user_id,
        )
        PublishedDocument.objects.create(publication=publication, format=Format.PDF, content=pdf)
        PublishedDocument.objects.create(publication=publication, format=Format.DOCX, content=docx)
        if previous is not None:
            previous.superseded_by = publication
            previous.save(update_fields=["superseded_by"])
        opinion.search_text = opinion.build_search_text(body=version.text)
        opinion.save(update_fields=["search_text"])
    logger.info("Avis %s publié (version publiée %s)", opinion.reference, publication.number)
    return {"publication": publication.pk, "version": publication.number}


def publish_answer(*, opinion: Opinion, consent: PublicationConsent, user) -> PublishedAnswer:
    """Publish an order's answer beside the opinion, with that order's recorded agreement."""
    _require_manager(user, opinion)
    if consent.answer.consultation.dossier_id != opinion.dossier_id:
        raise ValidationError({"consent": _("Cette réponse ne porte pas sur le dossier de l’avis.")})
    if not consent.is_active:
        raise ValidationError(
            {"consent": _("L’ordre a retiré son accord : sa réponse ne peut pas être publiée.")}
        )
    published, _created = PublishedAnswer.objects.get_or_create(
        opinion=opinion,
        consent=consent,
        defaults={"published_by": user if getattr(user, "pk", None) else None},
    )
    return published


def unpublish_answer(*, published: PublishedAnswer, user) -> None:
    _require_manager(user, published.opinion)
    published.delete()


# --- follow-up ----------------------------------------------------------------------


def record_event(
    *, opinion: Opinion, kind: str, happened_on: datetime.date, reference: str = "", note: str = "", user
) -> LegislativeEvent:
    """Add a step of what became of the bill or regulation."""
    _require_manager(user, opinion)
    if not opinion.sent:
        raise ValidationError({"kind": _("Le suivi commence après la transmission de l’avis.")})
    event = LegislativeEvent(
        opinion=opinion, kind=kind, happened_on=happened_on, reference=reference, note=note
    )
    event.full_clean()
    event.save()
    return event


def delete_event(*, event: LegislativeEvent, user) -> None:
    _require_manager(user, event.opinion)
    event.delete()


def set_point_outcome(
    *, opinion: Opinion, paragraph_key: str, outcome: str, note: str = "", user
) -> PointOutcome | None:
    """Say whether the authority retained one point (paragraph) of the published text; empty clears it."""
    _require_manager(user, opinion)
    publication = (
        opinion.publications.filter(superseded_by__isnull=True).select_related("text_version").first()
    )
    if publication is None:
        raise ValidationError({"outcome": _("Le suivi des points se fait sur l’avis publié.")})
    if not publication.text_version.paragraphs.filter(key=paragraph_key).exists():
        raise ValidationError({"outcome": _("Ce point ne figure pas dans l’avis publié.")})
    if not outcome:
        PointOutcome.objects.filter(opinion=opinion, paragraph_key=paragraph_key).delete()
        return None
    if outcome not in PointOutcome.Outcome.values:
        raise ValidationError({"outcome": _("Choisissez retenu, retenu en partie ou non retenu.")})
    point, _created = PointOutcome.objects.update_or_create(
        opinion=opinion, paragraph_key=paragraph_key, defaults={"outcome": outcome, "note": note}
    )
    return point
