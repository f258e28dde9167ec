"""Business operations on recommendations: keyword-only, one transaction each,
French ValidationErrors for forbidden transitions, PermissionDenied for
people who may not act.

draft → sent (``send``) → received (``mark_received``) → answered
(``file_answer``) → closed (``close``). Publication is separate: a
coordinator publishes the recommendation and, independently, its answer.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.uploads import sanitized_name, validate_upload

from . import rules
from .models import Answer, Attachment, Recommendation, State


def _lock(recommendation: Recommendation) -> Recommendation:
    """The recommendation reloaded under a row lock (state checks see the latest state)."""
    return Recommendation.objects.select_for_update().get(pk=recommendation.pk)


def _refresh(target: Recommendation, source: Recommendation) -> Recommendation:
    for field in Recommendation._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _require_coordination(user, recommendation: Recommendation, message: str) -> None:
    """Only the coordination of the body that owns the recommendation."""
    if not rules.may_coordinate(user, recommendation):
        raise PermissionDenied(message)


def _forbidden(recommendation: Recommendation, action: str) -> ValidationError:
    return ValidationError(
        _("Impossible de %(action)s la recommandation %(number)s : elle est à l’état « %(state)s ».")
        % {"action": action, "number": recommendation.number, "state": recommendation.get_state_display()},
        code="forbidden_transition",
    )


def create_recommendation(
    *, number: str, title: str, text: str, owner, addressee, created_by, measures=(), cases=()
) -> Recommendation:
    """A new draft recommendation of ``owner`` (the body it is made for), by its coordination."""
    recommendation = Recommendation(
        number=number.strip(),
        title=title.strip(),
        text=text,
        owner=owner,
        addressee=addressee,
        created_by=created_by,
    )
    _require_coordination(
        created_by, recommendation, _("Seule la coordination de l’Office rédige les recommandations.")
    )
    recommendation.full_clean()
    with transaction.atomic():
        recommendation.save()
        recommendation.measures.set(measures)
        recommendation.cases.set(cases)
    return recommendation


def update_draft(*, recommendation: Recommendation, user, **fields) -> Recommendation:
    """Change a draft's number, title, text, addressee, measures or cases."""
    _require_coordination(
        user, recommendation, _("Seule la coordination de l’Office modifie les recommandations.")
    )
    measures = fields.pop("measures", None)
    cases = fields.pop("cases", None)
    allowed = {"number", "title", "text", "addressee"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Champs non modifiables : {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = _lock(recommendation)
        if current.state != State.DRAFT:
            raise _forbidden(current, _("modifier"))
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        if measures is not None:
            current.measures.set(measures)
        if cases is not None:
            current.cases.set(cases)
    return _refresh(recommendation, current)


def send(*, recommendation: Recommendation, user, sent_on: datetime.date | None = None) -> Recommendation:
    """draft → sent, on ``sent_on`` (default: today)."""
    _require_coordination(
        user, recommendation, _("Seule la coordination de l’Office transmet les recommandations.")
    )
    sent_on = sent_on or timezone.localdate()
    if sent_on > timezone.localdate():
        raise ValidationError(_("La date de transmission ne peut pas être dans le futur."), code="future")
    with transaction.atomic():
        current = _lock(recommendation)
        if current.state != State.DRAFT:
            raise _forbidden(current, _("transmettre"))
        current.state = State.SENT
        current.sent_on = sent_on
        current.save()
    return _refresh(recommendation, current)


def mark_received(
    *, recommendation: Recommendation, user, received_on: datetime.date | None = None
) -> Recommendation:
    """sent → received on ``received_on``: the 60-day clock starts; ``due_on`` is computed."""
    _require_coordination(user, recommendation, _("Seule la coordination de l’Office consigne la réception."))
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        current = _lock(recommendation)
        if current.state != State.SENT:
            raise _forbidden(current, _("consigner la réception de"))
        if received_on > timezone.localdate():
            raise ValidationError(_("La date de réception ne peut pas être dans le futur."), code="future")
        if received_on < current.sent_on:
            raise ValidationError(
                _("La date de réception (%(received)s) précède la date de transmission (%(sent)s).")
                % {"received": received_on.isoformat(), "sent": current.sent_on.isoformat()},
                code="before_sent",
            )
        current.state = State.RECEIVED
        current.received_on = received_on
        current.save()
    return _refresh(recommendation, current)


def _store_attachment(*, file, content_type: str, user, recommendation=None, answer=None) -> Attachment:
    attachment = Attachment(
        recommendation=recommendation,
        answer=answer,
        original_name=sanitized_name(file.name),
        content_type=content_type,
        size=file.size,
        uploaded_by=user,
    )
    attachment.file.save(attachment.original_name, file, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def add_attachment(*, recommendation: Recommendation, user, file) -> Attachment:
    """A document of the recommendation itself (the letter, an annex), by a coordinator."""
    _require_coordination(
        user, recommendation, _("Seule la coordination de l’Office joint des documents à une recommandation.")
    )
    content_type = validate_upload(file)
    with transaction.atomic():
        return _store_attachment(
            file=file, content_type=content_type, user=user, recommendation=recommendation
        )


def file_answer(
    *,
    recommendation: Recommendation,
    user,
    kind: str,
    text: str,
    answered_on: datetime.date,
    document,
) -> Answer:
    """The addressee's answer, with its document: received → answered.

    The document is checked (type by content, size) before anything is
    written: a refused file leaves nothing behind.
    """
    if not (rules.may_coordinate(user, recommendation) or rules.is_addressee_member(user, recommendation)):
        raise PermissionDenied(
            _("Seuls les responsables de l’organisation destinataire peuvent déposer la réponse.")
        )
    errors = {}
    if kind not in Answer.Kind.values:
        errors["kind"] = _("Choisissez la nature de la réponse.")
    if not (text or "").strip():
        errors["text"] = (
            _("Les motifs du refus sont obligatoires.")
            if kind == Answer.Kind.REFUSAL
            else _("Le texte de la réponse est obligatoire.")
        )
    if answered_on is None:
        errors["answered_on"] = _("La date de la réponse est obligatoire.")
    elif answered_on > timezone.localdate():
        errors["answered_on"] = _("La date de la réponse ne peut pas être dans le futur.")
    elif recommendation.received_on and answered_on < recommendation.received_on:
        errors["answered_on"] = _("La date de la réponse précède la réception de la recommandation.")
    if document is None:
        errors["document"] = _("Joignez la lettre de réponse (PDF, Word, Excel, PNG ou JPEG).")
    else:
        try:
            content_type = validate_upload(document)
        except ValidationError as exc:
            errors["document"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    stored = None
    try:
        with transaction.atomic():
            current = _lock(recommendation)
            if current.state != State.RECEIVED:
                raise _forbidden(current, _("répondre à"))
            answer = Answer.objects.create(
                recommendation=current, kind=kind, text=text.strip(), answered_on=answered_on, filed_by=user
            )
            current.state = State.ANSWERED
            current.save()
            stored = _store_attachment(file=document, content_type=content_type, user=user, answer=answer)
    except Exception:
        if stored is not None:  # the rows were rolled back: the file must go too
            stored.file.storage.delete(stored.file.name)
        raise
    _refresh(recommendation, current)
    return answer


def close(*, recommendation: Recommendation, user) -> Recommendation:
    """answered → closed: the Office considers the follow-up done."""
    _require_coordination(
        user, recommendation, _("Seule la coordination de l’Office ferme une recommandation.")
    )
    with transaction.atomic():
        current = _lock(recommendation)
        if current.state != State.ANSWERED:
            raise _forbidden(current, _("fermer"))
        current.state = State.CLOSED
        current.closed_at = timezone.now()
        current.save()
    return _refresh(recommendation, current)


def publish(*, recommendation: Recommendation, user, published: bool = True) -> Recommendation:
    """Publish (or withdraw) the recommendation in the public register; never a draft."""
    _require_coordination(
        user, recommendation, _("Seule la coordination de l’Office décide de la publication.")
    )
    with transaction.atomic():
        current = _lock(recommendation)
        if published and current.state == State.DRAFT:
            raise _forbidden(current, _("publier"))
        current.published = published
        current.published_at = timezone.now() if published else None
        current.save()
    return _refresh(recommendation, current)


def publish_answer(*, recommendation: Recommendation, user, published: bool = True) -> Answer:
    """Publish (or withdraw) the answer; it shows only if the recommendation is published too."""
    _require_coordination(
        user, recommendation, _("Seule la coordination de l’Office décide de la publication.")
    )
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(recommendation=recommendation).first()
        if answer is None:
            raise ValidationError(
                _("La recommandation %(number)s n’a pas encore de réponse à publier.")
                % {"number": recommendation.number},
                code="no_answer",
            )
        answer.published = published
        answer.published_at = timezone.now() if published else None
        answer.save()
    return answer
