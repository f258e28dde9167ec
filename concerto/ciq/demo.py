"""The CIQ's part of ``load_demo``: one file on a draft regulation, a closed
consultation of every order, and the answers of most of them.

Everything is fictitious and says so: each title starts with
« Démonstration », the file is flagged ``is_demo`` (its pages show the
banner). The dates are fixed so that a second run changes nothing: a draft
regulation published in the Gazette on 5 March 2025, whose 45-day period
ends on Saturday 19 April 2025 and so, across Easter Monday, on Tuesday
22 April 2025; the orders' deadline was 2 April 2025. The file is looked up
by its reference before anything is created. No e-mail is sent.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from concerto.core.demo import demo_title
from concerto.organizations.models import Organization

from .models import (
    CIQ_CODE,
    GAZETTE_DAYS,
    GAZETTE_DAYS_SOURCE,
    Answer,
    AnswerVersion,
    Article,
    ArticleComment,
    Authority,
    Consultation,
    DeadlineBasis,
    Dossier,
    OrderGroup,
    Position,
    Subject,
)

REFERENCE = "DEMO-CIQ-2025-001"
PUBLISHED_ON = datetime.date(2025, 3, 5)
INTERNAL_DEADLINE = datetime.date(2025, 4, 2)
SILENT_ORDERS = 6
"""How many orders (the last by number) have not answered."""
LATE_ORDERS = 3

ARTICLES = [
    ("Article 1 — Objet", "Le présent règlement précise les conditions de délivrance d’un permis."),
    ("Article 2 — Définitions", "Dans le présent règlement, on entend par « candidat » toute personne…"),
    ("Article 3 — Demande d’équivalence", "La demande est présentée à l’ordre avec les documents requis."),
    ("Article 4 — Délai d’analyse", "L’ordre rend sa décision dans les 60 jours de la demande complète."),
    ("Article 5 — Formation d’appoint", "L’ordre peut prescrire une formation d’appoint."),
    ("Article 6 — Stage", "L’ordre peut prescrire un stage d’une durée maximale de six mois."),
    ("Article 7 — Examen", "L’ordre peut exiger la réussite d’un examen."),
    ("Article 8 — Révision", "Le candidat peut demander la révision de la décision."),
    (
        "Article 9 — Connaissance du français",
        "Le permis est délivré sous réserve de la Charte de la langue française.",
    ),
    ("Article 10 — Rapport annuel", "L’ordre rend compte des demandes reçues dans son rapport annuel."),
    (
        "Article 11 — Dispositions transitoires",
        "Les demandes en cours sont traitées selon les règles antérieures.",
    ),
    (
        "Article 12 — Entrée en vigueur",
        "Le présent règlement entre en vigueur le quinzième jour de sa publication.",
    ),
]

POSITIONS = [
    Position.FAVOURABLE,
    Position.WITH_RESERVATIONS,
    Position.FAVOURABLE,
    Position.UNFAVOURABLE,
    Position.NO_POSITION,
]

COMMENTS = {
    Position.FAVOURABLE: "Démonstration — L’ordre appuie le projet, qui clarifie les étapes de la demande.",
    Position.WITH_RESERVATIONS: "Démonstration — L’ordre appuie l’objectif mais s’inquiète des délais imposés.",
    Position.UNFAVOURABLE: "Démonstration — L’ordre estime que le projet ne tient pas compte de ses ressources.",
    Position.NO_POSITION: "Démonstration — L’ordre n’est pas visé directement et ne se prononce pas.",
}


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load_ciq_demo(*, out) -> str:
    ciq = Organization.objects.filter(code=CIQ_CODE).first()
    orders = list(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).order_by(
            "order_number", "name", "pk"
        )
    )
    if ciq is None or not orders:
        return "rien chargé : importez d’abord les organisations (make load)"
    if Dossier.objects.filter(reference=REFERENCE).exists():
        return f"dossier {REFERENCE} déjà présent, rien de changé"

    group, _created = OrderGroup.objects.get_or_create(
        owner=ciq, name=demo_title("Ordres à titre réservé"), defaults={"is_demo": True}
    )
    group.organizations.set([o for o in orders if o.practice == Organization.Practice.RESERVED_TITLE])

    dossier = Dossier(
        reference=REFERENCE,
        title=demo_title(
            "Projet de règlement sur la délivrance des permis aux personnes formées hors du Québec"
        ),
        subject=Subject.BILL_OR_REGULATION,
        summary="Démonstration — Projet fictif, publié pour montrer une consultation des ordres dans Concerto.",
        owner=ciq,
        authority=Authority.OFFICE,
        authority_organization=Organization.objects.filter(code="office-des-professions-du-quebec").first(),
        deadline_basis=DeadlineBasis.GAZETTE,
        gazette_published_on=PUBLISHED_ON,
        gazette_days=GAZETTE_DAYS,
        gazette_days_source=GAZETTE_DAYS_SOURCE,
        is_demo=True,
        created_at=_moment(PUBLISHED_ON, 9),
    )
    dossier.save()
    consultation = Consultation.objects.create(
        dossier=dossier,
        kind=Consultation.Kind.CONSULTATION,
        title=demo_title("Consultation des ordres sur le projet de règlement"),
        instructions="Démonstration — Indiquez la position de votre ordre et commentez les articles qui le concernent.",
        internal_deadline=INTERNAL_DEADLINE,
        state=Consultation.State.CLOSED,
        opened_at=_moment(datetime.date(2025, 3, 7), 10),
        closed_at=_moment(datetime.date(2025, 4, 7), 17),
        created_at=_moment(datetime.date(2025, 3, 6), 14),
    )
    consultation.audience.set(orders)
    articles = Article.objects.bulk_create(
        Article(consultation=consultation, position=n, heading=heading, text=text)
        for n, (heading, text) in enumerate(ARTICLES, start=1)
    )

    answering = orders[: len(orders) - SILENT_ORDERS]
    answers, versions, comments = [], [], []
    for index, order in enumerate(answering):
        position = POSITIONS[index % len(POSITIONS)]
        late = index >= len(answering) - LATE_ORDERS
        day = (
            INTERNAL_DEADLINE + datetime.timedelta(days=1 + index % 2)
            if late
            else datetime.date(2025, 3, 10) + datetime.timedelta(days=index % 23)
        )
        submitted_at = _moment(day, 9 + index % 8)
        answers.append(
            Answer(
                consultation=consultation,
                organization=order,
                state=Answer.State.SUBMITTED,
                position=position,
                comments=COMMENTS[position],
                version=2,
                submitted_at=submitted_at,
                late=late,
                updated_at=submitted_at,
            )
        )
    answers = Answer.objects.bulk_create(answers)
    for index, answer in enumerate(answers):
        texts = []
        for article in articles:
            if (index + article.position) % 3 == 0:
                text = (
                    f"Démonstration — Commentaire de l’ordre sur l’{article.heading.split(' — ')[0].lower()}."
                )
                comments.append(ArticleComment(answer=answer, article=article, text=text))
                texts.append(
                    {
                        "article": article.pk,
                        "position": article.position,
                        "heading": article.heading,
                        "text": text,
                    }
                )
        versions.append(
            AnswerVersion(
                answer=answer,
                number=1,
                position=answer.position,
                comments=answer.comments,
                article_comments=texts,
                submitted_at=answer.submitted_at,
                late=answer.late,
            )
        )
    ArticleComment.objects.bulk_create(comments)
    AnswerVersion.objects.bulk_create(versions)
    out(f"Dossier {REFERENCE} : {len(orders)} ordres consultés, {len(answers)} réponses.")
    return f"1 dossier, 1 consultation de {len(orders)} ordres, {len(answers)} réponses, {len(comments)} commentaires d’articles"
