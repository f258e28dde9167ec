"""Demonstration opinion (``load_demo``): on the CIQ's demonstration file, a
synthesis-based opinion citing the orders' answers, adopted, sent, published
and followed up — the whole story a newcomer should see.

Runs after the CIQ's own loader (files, the consultation of the 46 orders
and their answers). Idempotent: the opinion is looked up by its reference.
Every title says « Démonstration » and the pages show the banner.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerto.ciq.models import Answer, ArticleComment, Dossier, Position, PublicationConsent
from concerto.core.calendar import next_working_day
from concerto.core.demo import demo_title

from . import services
from .models import LegislativeEvent, Opinion, PointOutcome


def _actor():
    """The loader acts as the installation itself: a superuser that is never saved, so that the
    services' permission checks pass and no person is named as author."""
    actor = get_user_model()(username="demonstration", is_superuser=True, is_active=True)
    return actor


def _demo_dossier():
    """The CIQ's demonstration file with the most submitted answers (None before the CIQ's loader)."""
    dossiers = Dossier.objects.filter(is_demo=True).order_by("reference")
    best, best_count = None, 0
    for dossier in dossiers:
        count = Answer.objects.filter(consultation__dossier=dossier, state=Answer.State.SUBMITTED).count()
        if count > best_count:
            best, best_count = dossier, count
    return best


def _letter_pdf(title: str) -> bytes:
    from weasyprint import HTML

    html = (
        '<html lang="fr"><head><meta charset="utf-8"><title>Lettre de transmission</title></head><body>'
        "<p><strong>Démonstration</strong> — document fictif.</p>"
        "<p>Conseil interprofessionnel du Québec</p>"
        f"<p>Objet : transmission de l’avis « {title} ».</p>"
        "<p>Nous vous prions de trouver ci-joint l’avis adopté par le Conseil.</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _text(dossier, answers, comments_by_article) -> tuple[str, str, dict]:
    """Two versions of the text (the second adds and rewords), and the citation plan."""
    counts = dict.fromkeys(Position.values, 0)
    for answer in answers:
        counts[answer.position] = counts.get(answer.position, 0) + 1
    labels = dict(Position.choices)
    positions = " ; ".join(f"{labels[v]} : {counts[v]}" for v in Position.values if counts.get(v))
    article_paragraphs = []
    for article, comments in comments_by_article[:3]:
        article_paragraphs.append(
            f"Au sujet de « {article.heading} », {len(comments)} ordres ont formulé des commentaires. "
            "Le Conseil retient en particulier la nécessité de préciser la portée de la disposition "
            "et d’en mesurer les effets sur les ordres de petite taille."
        )
    intro = (
        f"Le Conseil interprofessionnel du Québec a consulté ses membres sur le dossier « {dossier.title} ». "
        f"{len(answers)} ordres ont transmis une réponse."
    )
    general = f"Les positions exprimées se répartissent ainsi : {positions}."
    v1 = "\n\n".join(
        [
            "## Contexte",
            intro,
            "## Position générale",
            general,
            "Le Conseil appuie les objectifs du projet, sous réserve des commentaires qui suivent.",
            "## Commentaires article par article",
            *article_paragraphs,
            "## Conclusion",
            "Le Conseil demeure disponible pour poursuivre les échanges.",
        ]
    )
    v2 = "\n\n".join(
        [
            "## Contexte",
            intro,
            "## Position générale",
            general,
            "Le Conseil appuie les objectifs du projet, sous réserve des commentaires et des recommandations qui suivent.",
            "## Commentaires article par article",
            *article_paragraphs,
            "## Recommandations",
            "Recommandation 1 : prévoir une période de transition d’au moins douze mois pour les ordres.",
            "Recommandation 2 : consulter de nouveau le Conseil sur le projet de règlement d’application.",
            "## Conclusion",
            "Le Conseil demeure disponible pour poursuivre les échanges avec l’autorité.",
        ]
    )
    return v1, v2, {"articles": list(range(4, 4 + len(article_paragraphs)))}  # §1-3: context, general


def load_opinions_demo(*, out) -> str:
    dossier = _demo_dossier()
    if dossier is None:
        out("Aucun dossier de démonstration du CIQ avec des réponses : aucun avis de démonstration chargé.")
        return "aucun avis (pas de dossier de démonstration)"
    reference = f"AVIS-{dossier.reference}"[:40]
    if Opinion.objects.filter(reference=reference).exists():
        return f"avis {reference} déjà chargé"
    actor = _actor()
    answers = list(
        Answer.objects.filter(consultation__dossier=dossier, state=Answer.State.SUBMITTED)
        .select_related("consultation", "organization")
        .order_by("organization__name", "pk")
    )
    consultation = answers[0].consultation
    comments = list(
        ArticleComment.objects.filter(answer__in=answers)
        .select_related("article")
        .order_by("article__position", "pk")
    )
    by_article: dict = {}
    for comment in comments:
        by_article.setdefault(comment.article, []).append(comment)
    comments_by_article = sorted(by_article.items(), key=lambda item: (-len(item[1]), item[0].position))
    v1, v2, plan = _text(dossier, answers, comments_by_article)

    opinion = services.create_opinion(
        dossier=dossier,
        consultation=consultation,
        reference=reference,
        title=demo_title(f"Avis du CIQ — {dossier.title.removeprefix('Démonstration — ')}"),
        summary="Démonstration — avis fictif fondé sur la consultation de démonstration des ordres.",
        user=actor,
        is_demo=True,
    )
    first = services.save_version(opinion=opinion, text=v1, note="Premier projet", user=actor, based_on=None)
    paragraphs = {p.position: p for p in first.paragraphs.all()}
    # The general position rests on the favourable answers; each article paragraph on its comments.
    favourable = [a.pk for a in answers if a.position in (Position.FAVOURABLE, Position.WITH_RESERVATIONS)]
    services.set_citations(
        paragraph=paragraphs[3],
        answer_ids=favourable[: max(1, len(favourable) * 2 // 3)],
        comment_ids=[],
        user=actor,
    )
    for position, (_article, article_comments) in zip(plan["articles"], comments_by_article, strict=False):
        paragraph = paragraphs.get(position)
        if paragraph is not None:
            services.set_citations(
                paragraph=paragraph,
                answer_ids=[],
                comment_ids=[c.pk for c in article_comments[:8]],
                user=actor,
            )
    second = services.save_version(
        opinion=opinion, text=v2, note="Ajout des recommandations", user=actor, based_on=first.number
    )

    today = timezone.localdate()
    adopted_on = min(next_working_day(consultation.internal_deadline + datetime.timedelta(days=7)), today)
    opinion = services.adopt(
        opinion=opinion,
        adopted_on=adopted_on,
        deciding_body="Comité exécutif du CIQ (Démonstration)",
        resolution_number="CE-DEMO-01",
        votes_for=7,
        votes_against=0,
        votes_abstaining=1,
        user=actor,
    )
    sent_on = min(next_working_day(adopted_on + datetime.timedelta(days=1)), today)
    letter = SimpleUploadedFile(
        "lettre-transmission.pdf", _letter_pdf(opinion.title), content_type="application/pdf"
    )
    opinion = services.send(opinion=opinion, sent_on=sent_on, letter=letter, user=actor)
    # Synchronously: the documents are there when the loader returns (no worker needed).
    services.publish_opinion(
        opinion_id=opinion.pk,
        version_id=second.pk,
        requested_at=timezone.now().isoformat(),
        user_id=None,
    )
    for consent in PublicationConsent.objects.filter(
        answer__consultation__dossier=dossier, withdrawn_at__isnull=True
    ).order_by("pk"):
        services.publish_answer(opinion=opinion, consent=consent, user=actor)

    followed = min(sent_on + datetime.timedelta(days=60), today)
    services.record_event(
        opinion=opinion,
        kind=LegislativeEvent.Kind.MADE,
        happened_on=followed,
        reference="Démonstration — référence fictive à la Gazette officielle",
        note="Le texte final tient compte d’une partie des recommandations du Conseil.",
        user=actor,
    )
    published_paragraphs = list(second.paragraphs.order_by("position"))
    recommendations = [p for p in published_paragraphs if p.text.startswith("Recommandation")]
    outcomes = [PointOutcome.Outcome.RETAINED, PointOutcome.Outcome.NOT_RETAINED]
    for paragraph, outcome in zip(recommendations, outcomes, strict=False):
        services.set_point_outcome(
            opinion=opinion, paragraph_key=paragraph.key, outcome=outcome, note="Démonstration.", user=actor
        )
    for paragraph in published_paragraphs:
        if paragraph.section == "Commentaires article par article":
            services.set_point_outcome(
                opinion=opinion, paragraph_key=paragraph.key, outcome=PointOutcome.Outcome.PARTLY, user=actor
            )
            break
    out(f"Avis de démonstration {reference} : adopté, transmis, publié et suivi.")
    return f"avis {reference} (2 versions, adopté, transmis, publié, suivi)"
