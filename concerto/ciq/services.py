"""Business operations on the CIQ's files, consultations and answers.

Keyword-only functions, permission first, one transaction each, then the
e-mails (the outbox must not run inside a transaction). Views, commands,
the demonstration loader and the benchmark all call them.

An answer is saved with optimistic locking, as the campaigns' drafts: the
save applies only if the answer still has the version the form was based
on; otherwise ``ConflictError`` carries the current answer, so that the view
shows what changed and keeps everything that was typed. Each submission
(and each amendment, until the internal deadline) is kept whole as an
``AnswerVersion``; a first submission after the deadline stays possible and
is marked late.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.organizations.models import Organization

from . import rules
from .models import (
    Answer,
    AnswerVersion,
    Article,
    ArticleComment,
    Consultation,
    Dossier,
    Position,
    PublicationConsent,
)

MAX_ARTICLES = 1000
MAX_COMMENT_CHARS = 20_000


class ConflictError(Exception):
    """Someone saved the answer since the form was shown; ``current`` is the answer as it is now."""

    def __init__(self, current: Answer):
        super().__init__(_("La réponse a été modifiée entre-temps."))
        self.current = current


class AnswerLocked(Exception):
    """The answer can no longer be changed (submitted and past the deadline, or the consultation is closed)."""


# --- files and consultations ----------------------------------------------------------


def _require_staff(user, dossier: Dossier) -> None:
    if not rules.is_staff_of(user, dossier):
        raise PermissionDenied(_("Cette action est réservée à la coordination du CIQ."))


def save_dossier(*, user, dossier: Dossier, measures=None, recommendations=None) -> Dossier:
    """Create or update a file (the owner is the CIQ, which ``user`` must coordinate)."""
    _require_staff(user, dossier)
    with transaction.atomic():
        if dossier.pk is None:
            dossier.created_by = user
        dossier.full_clean()
        dossier.save()
        if measures is not None:
            dossier.measures.set(measures)
        if recommendations is not None:
            dossier.recommendations.set(recommendations)
    return dossier


def save_consultation(*, user, consultation: Consultation, audience) -> Consultation:
    """Create or update a consultation with its audience (orders)."""
    _require_staff(user, consultation.dossier)
    audience = list(audience)
    if not audience:
        raise ValidationError({"audience": _("Ordres consultés : choisissez au moins un ordre.")})
    with transaction.atomic():
        if consultation.pk is None:
            consultation.created_by = user
        consultation.full_clean()
        consultation.save()
        consultation.audience.set(audience)
    return consultation


@dataclass(frozen=True)
class ParsedArticle:
    heading: str
    text: str


_PASTED_HEADING = re.compile(r"^\s*(?:article|art\.)\s+\S+", re.IGNORECASE)


def parse_pasted_articles(text: str) -> list[ParsedArticle]:
    """Articles from a pasted text: each line starting with « Article … » or « Art. … »
    begins an article (its heading); the lines that follow are its text."""
    articles: list[ParsedArticle] = []
    heading, body = None, []
    for line in (text or "").splitlines():
        if _PASTED_HEADING.match(line):
            if heading is not None:
                articles.append(ParsedArticle(heading, "\n".join(body).strip()))
            heading, body = line.strip(), []
        elif heading is not None:
            body.append(line.rstrip())
    if heading is not None:
        articles.append(ParsedArticle(heading, "\n".join(body).strip()))
    if not articles:
        raise ValidationError(
            {
                "articles_text": _(
                    "Texte des articles : aucun article trouvé. Chaque article doit commencer par une ligne "
                    "« Article 1 », « Article 2 »… (ou « Art. 1 »), suivie de son texte."
                )
            }
        )
    return _checked(articles, "articles_text")


def _is_heading_style(paragraph) -> bool:
    style = paragraph.style
    while style is not None:
        name = (style.name or "").lower()
        if name.startswith(("heading", "titre")):
            return True
        style = style.base_style
    return False


def parse_docx_articles(file) -> list[ParsedArticle]:
    """Articles from a Word file: each paragraph styled as a heading (« Titre 1 », « Heading 2 »…)
    begins an article; the paragraphs that follow are its text."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(file)
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ValidationError(
            {"articles_file": _("Fichier Word : ce fichier ne peut pas être lu comme un document .docx.")}
        ) from exc
    articles: list[ParsedArticle] = []
    heading, body = None, []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if _is_heading_style(paragraph):
            if heading is not None:
                articles.append(ParsedArticle(heading, "\n".join(body)))
            heading, body = text, []
        elif heading is not None:
            body.append(text)
    if heading is not None:
        articles.append(ParsedArticle(heading, "\n".join(body)))
    if not articles:
        raise ValidationError(
            {
                "articles_file": _(
                    "Fichier Word : aucun titre d’article trouvé. Le document doit contenir un titre par "
                    "article (un paragraphe de style « Titre 1 », « Titre 2 » ou « Titre 3 », par exemple "
                    "« Article 1 »), suivi du texte de l’article dans des paragraphes ordinaires."
                )
            }
        )
    return _checked(articles, "articles_file")


def _checked(articles: list[ParsedArticle], field: str) -> list[ParsedArticle]:
    if len(articles) > MAX_ARTICLES:
        raise ValidationError({field: _("Trop d’articles (au plus %(max)d).") % {"max": MAX_ARTICLES}})
    for number, article in enumerate(articles, start=1):
        if len(article.heading) > 300:
            raise ValidationError(
                {
                    field: _("Article %(number)d : l’intitulé dépasse 300 caractères (« %(start)s… »).")
                    % {"number": number, "start": article.heading[:40]}
                }
            )
    return articles


def replace_articles(*, user, consultation: Consultation, articles: list[ParsedArticle]) -> list[Article]:
    """Replace the consultation's articles, all at once; refused once an order has commented one."""
    _require_staff(user, consultation.dossier)
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        if ArticleComment.objects.filter(article__consultation=consultation).exists():
            raise ValidationError(
                {
                    "articles_text": _(
                        "Articles : des ordres ont déjà commenté les articles de cette consultation ; "
                        "ils ne peuvent plus être remplacés."
                    )
                }
            )
        consultation.articles.all().delete()
        return Article.objects.bulk_create(
            Article(consultation=consultation, position=position, heading=a.heading, text=a.text)
            for position, a in enumerate(articles, start=1)
        )


def open_consultation(*, user, consultation: Consultation) -> int:
    """Open the consultation to its audience and invite each order's respondents; returns the e-mails sent."""
    _require_staff(user, consultation.dossier)
    with transaction.atomic():
        updated = Consultation.objects.filter(pk=consultation.pk, state=Consultation.State.DRAFT).update(
            state=Consultation.State.OPEN, opened_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("Seule une consultation en préparation peut être ouverte."))
        if not consultation.audience.exists():
            raise ValidationError(_("Ordres consultés : choisissez au moins un ordre avant d’ouvrir."))
    consultation.refresh_from_db()
    from .notifications import send_invitations

    return send_invitations(consultation)


def invite_added_orders(*, user, consultation: Consultation) -> int:
    """An open consultation's audience was widened: invite the orders not invited yet.

    Each order's invitation is sent at most once (the outbox's key), so the
    orders already consulted hear nothing new. Nothing is sent for a
    consultation in preparation (opening invites everyone) or closed.
    Returns the e-mails sent now. Must run after the audience is committed.
    """
    _require_staff(user, consultation.dossier)
    if consultation.state != Consultation.State.OPEN:
        return 0
    from .notifications import send_invitations

    return send_invitations(consultation)


def close_consultation(*, user, consultation: Consultation) -> Consultation:
    """Close the consultation: no answer can be saved any more."""
    _require_staff(user, consultation.dossier)
    updated = Consultation.objects.filter(pk=consultation.pk, state=Consultation.State.OPEN).update(
        state=Consultation.State.CLOSED, closed_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Seule une consultation ouverte peut être fermée."))
    consultation.refresh_from_db()
    return consultation


# --- answers ----------------------------------------------------------------------------


def answer_for(*, consultation: Consultation, organization: Organization) -> Answer:
    """The order's answer (created empty on first access); safe when two requests create it at once."""
    try:
        return Answer.objects.get(consultation=consultation, organization=organization)
    except Answer.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Answer.objects.create(consultation=consultation, organization=organization)
    except IntegrityError:
        return Answer.objects.get(consultation=consultation, organization=organization)


def clean_answer_data(data: dict, *, articles: list[Article]) -> dict:
    """Typed values from the form: ``position``, ``comments``, ``article-<id>`` texts. French errors by field."""
    errors: dict[str, str] = {}
    position = (data.get("position") or "").strip()
    if position and position not in Position.values:
        errors["position"] = _("Position de l’ordre : choisissez une des positions proposées.")
    comments = (data.get("comments") or "").strip()
    if len(comments) > MAX_COMMENT_CHARS:
        errors["comments"] = _("Commentaires : %(max)d caractères au plus.") % {"max": MAX_COMMENT_CHARS}
    article_texts: dict[int, str] = {}
    for article in articles:
        text = (data.get(f"article-{article.pk}") or "").strip()
        if len(text) > MAX_COMMENT_CHARS:
            errors[f"article-{article.pk}"] = _("%(article)s : %(max)d caractères au plus.") % {
                "article": article.heading,
                "max": MAX_COMMENT_CHARS,
            }
        if text:
            article_texts[article.pk] = text
    if errors:
        raise ValidationError(errors)
    return {"position": position, "comments": comments, "articles": article_texts}


def save_answer(
    *,
    answer: Answer,
    user,
    data: dict,
    expected_version: int,
    submit: bool = False,
    now: datetime.datetime | None = None,
) -> Answer:
    """Save the order's answer (and submit it if ``submit``), if nobody saved it in between.

    Submitting needs a position; it keeps the answer as sent in a new
    ``AnswerVersion`` and marks it late when sent after the internal deadline.
    """
    now = now or timezone.now()
    consultation = answer.consultation
    if answer.organization_id not in rules.respondent_organization_ids(user):
        raise PermissionDenied(_("Vous ne répondez pas pour cet ordre."))
    articles = list(consultation.articles.order_by("position"))
    cleaned = clean_answer_data(data, articles=articles)
    if submit and not cleaned["position"]:
        raise ValidationError(
            {"position": _("Position de l’ordre : choisissez une position avant de transmettre.")}
        )
    with transaction.atomic():
        locked = Answer.objects.select_for_update().select_related("consultation").get(pk=answer.pk)
        if not rules.can_edit_answer(user, locked, today=timezone.localdate(now)):
            raise AnswerLocked(_("Cette réponse ne peut plus être modifiée."))
        changes = {
            "position": cleaned["position"],
            "comments": cleaned["comments"],
            "updated_at": now,
            "updated_by": user,
            "version": F("version") + 1,
        }
        late = consultation.is_late_on(now)
        if submit:
            changes.update(state=Answer.State.SUBMITTED, submitted_at=now, submitted_by=user, late=late)
        updated = Answer.objects.filter(pk=answer.pk, version=expected_version).update(**changes)
        if not updated:
            raise ConflictError(locked)
        _store_article_comments(answer, cleaned["articles"])
        if submit:
            number = (answer.versions.aggregate(last=Max("number"))["last"] or 0) + 1
            by_pk = {a.pk: a for a in articles}
            AnswerVersion.objects.create(
                answer=answer,
                number=number,
                position=cleaned["position"],
                comments=cleaned["comments"],
                article_comments=[
                    {
                        "article": pk,
                        "position": by_pk[pk].position,
                        "heading": by_pk[pk].heading,
                        "text": text,
                    }
                    for pk, text in sorted(
                        cleaned["articles"].items(), key=lambda item: by_pk[item[0]].position
                    )
                ],
                submitted_at=now,
                submitted_by=user,
                late=late,
            )
    answer.refresh_from_db()
    return answer


def _store_article_comments(answer: Answer, texts: dict[int, str]) -> None:
    """Make the answer's article comments exactly ``texts`` (three queries at most, whatever their number)."""
    existing = {c.article_id: c for c in ArticleComment.objects.filter(answer=answer)}
    gone = [c.pk for article_id, c in existing.items() if article_id not in texts]
    if gone:
        ArticleComment.objects.filter(pk__in=gone).delete()
    changed = []
    for article_id, text in texts.items():
        comment = existing.get(article_id)
        if comment is not None and comment.text != text:
            comment.text = text
            changed.append(comment)
    if changed:
        ArticleComment.objects.bulk_update(changed, ["text"])
    new = [
        ArticleComment(answer=answer, article_id=pk, text=t) for pk, t in texts.items() if pk not in existing
    ]
    if new:
        ArticleComment.objects.bulk_create(new)


def record_publication_consent(
    *, user, answer: Answer, agreed_on: datetime.date, agreed_by: str, note: str = ""
) -> PublicationConsent:
    """Record the order's agreement that the CIQ publish its last submitted answer."""
    _require_staff(user, answer.consultation.dossier)
    version = answer.versions.order_by("-number").first()
    if version is None:
        raise ValidationError(_("Seule une réponse transmise peut être publiée avec l’accord de l’ordre."))
    if not agreed_by.strip():
        raise ValidationError(
            {"agreed_by": _("Accord donné par : indiquez la personne ou l’instance de l’ordre.")}
        )
    consent, _created = PublicationConsent.objects.update_or_create(
        answer=answer,
        defaults={
            "version": version,
            "agreed_on": agreed_on,
            "agreed_by": agreed_by.strip(),
            "note": note,
            "recorded_by": user,
            "recorded_at": timezone.now(),
            "withdrawn_at": None,
        },
    )
    return consent
