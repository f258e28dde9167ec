"""A small CIQ world for the opinions' tests: the CIQ, the Office, a few orders,
a file addressed to the Office with a consultation and submitted answers, and
one person per role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concerto.accounts.models import Role
from concerto.ciq.models import (
    CIQ_CODE,
    Answer,
    AnswerVersion,
    Article,
    ArticleComment,
    Consultation,
    Dossier,
    PublicationConsent,
)
from concerto.opinions import services
from concerto.organizations.models import Organization
from tests.factories import OrganizationFactory, OwningBodyFactory, UserFactory

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

TEXT = """## Contexte

Le Conseil a consulté les ordres sur le projet.

## Position

Le Conseil appuie le projet avec des réserves.

Le Conseil recommande une période de transition.
"""


def letter(name="lettre.pdf", content=MINIMAL_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class World:
    ciq: Organization
    office: Organization
    orders: list[Organization]
    dossier: Dossier
    consultation: Consultation
    answers: list[Answer]
    articles: list[Article]
    comments: list[ArticleComment]
    people: dict = field(default_factory=dict)


def build_world(*, orders=3, deadline=datetime.date(2025, 3, 14)) -> World:
    ciq = OrganizationFactory(
        code=CIQ_CODE, name="Conseil interprofessionnel du Québec", kind=Organization.Kind.FEDERATION
    )
    office = OwningBodyFactory(
        code="office-des-professions-du-quebec",
        name="Office des professions du Québec",
        kind=Organization.Kind.PUBLIC_BODY,
    )
    members = [
        OrganizationFactory(
            code=f"ordre-{i}", name=f"Ordre numéro {i} du Québec", kind=Organization.Kind.PROFESSIONAL_ORDER
        )
        for i in range(orders)
    ]
    dossier = Dossier.objects.create(
        reference="CIQ-2025-001",
        title="Projet de règlement sur la formation continue",
        subject=Dossier.Subject.BILL_OR_REGULATION,
        owner=ciq,
        authority=Dossier.Authority.OFFICE,
        authority_organization=office,
        deadline_basis=Dossier.DeadlineBasis.TYPED,
        authority_deadline=deadline,
        authority_deadline_source="Lettre de l’Office",
    )
    consultation = Consultation.objects.create(
        dossier=dossier,
        title="Consultation des ordres",
        internal_deadline=datetime.date(2025, 2, 14),
        state=Consultation.State.OPEN,
        opened_at=timezone.now(),
    )
    consultation.audience.set(members)
    articles = [
        Article.objects.create(consultation=consultation, position=i + 1, heading=f"Article {i + 1}")
        for i in range(2)
    ]
    answers, comments = [], []
    for i, order in enumerate(members):
        answer = Answer.objects.create(
            consultation=consultation,
            organization=order,
            state=Answer.State.SUBMITTED,
            position=Answer.Position.FAVOURABLE if i % 2 == 0 else Answer.Position.UNFAVOURABLE,
            comments=f"Commentaires confidentiels de l’ordre {i}.",
            submitted_at=timezone.now(),
        )
        answers.append(answer)
        comments.append(
            ArticleComment.objects.create(answer=answer, article=articles[0], text=f"Remarque {i}")
        )
    people = {
        "ciq": UserFactory(coordinator_of=ciq),
        "office": UserFactory(coordinator_of=office),
        "respondent": UserFactory(member_of=(members[0], Role.RESPONDENT)),
        "reader": UserFactory(member_of=(members[1], Role.READER)),
    }
    return World(ciq, office, members, dossier, consultation, answers, articles, comments, people)


def consent(answer, *, withdrawn=False) -> PublicationConsent:
    version = AnswerVersion.objects.create(
        answer=answer,
        number=1,
        position=answer.position,
        comments="Texte que l’ordre accepte de rendre public.",
        submitted_at=timezone.now(),
    )
    return PublicationConsent.objects.create(
        answer=answer,
        version=version,
        agreed_on=datetime.date(2025, 4, 1),
        agreed_by="Direction générale de l’ordre",
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def opinion_at(world: World, stage: str, *, reference="AVIS-2025-01", text=TEXT):
    """An opinion of ``world``'s file at ``stage``: open, written, adopted, sent or published."""
    user = world.people["ciq"]
    opinion = services.create_opinion(
        dossier=world.dossier,
        consultation=world.consultation,
        reference=reference,
        title="Avis sur la formation continue",
        user=user,
    )
    if stage == "open":
        return opinion
    services.save_version(opinion=opinion, text=text, based_on=None, user=user)
    if stage == "written":
        return opinion
    opinion = services.adopt(
        opinion=opinion,
        adopted_on=datetime.date(2025, 3, 1),
        deciding_body="Comité exécutif",
        resolution_number="CE-2025-12",
        user=user,
    )
    if stage == "adopted":
        return opinion
    opinion = services.send(opinion=opinion, sent_on=datetime.date(2025, 3, 10), letter=letter(), user=user)
    if stage == "sent":
        return opinion
    services.request_publication(opinion=opinion, user=user)
    opinion.refresh_from_db()
    return opinion
