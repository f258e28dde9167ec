"""A CIQ consultation of two orders, with a person in each role the tests need."""

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from concerto.accounts.models import Role
from tests.factories import (
    ArticleFactory,
    ConsultationFactory,
    DossierFactory,
    OrderFactory,
    OwningBodyFactory,
    UserFactory,
    ciq_organization,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class World:
    ciq: object
    office: object
    order_a: object
    order_b: object
    dossier: object
    consultation: object
    articles: list
    staff: object  # the CIQ's coordination
    respondent_a: object
    respondent_b: object  # another order's respondent
    office_coordinator: object
    reader: object  # a reader of order A


def build_world(*, state="open", deadline=datetime.date(2025, 6, 2), articles=3) -> World:
    ciq = ciq_organization()
    office = OwningBodyFactory(
        code="office-des-professions-du-quebec", name="Office des professions du Québec"
    )
    order_a, order_b = OrderFactory(name="Ordre A"), OrderFactory(name="Ordre B")
    dossier = DossierFactory(owner=ciq)
    consultation = ConsultationFactory(
        dossier=dossier, state=state, internal_deadline=deadline, audience=[order_a, order_b]
    )
    rows = [ArticleFactory(consultation=consultation, position=n) for n in range(1, articles + 1)]
    return World(
        ciq=ciq,
        office=office,
        order_a=order_a,
        order_b=order_b,
        dossier=dossier,
        consultation=consultation,
        articles=rows,
        staff=UserFactory(coordinator_of=ciq),
        respondent_a=UserFactory(member_of=(order_a, Role.RESPONDENT)),
        respondent_b=UserFactory(member_of=(order_b, Role.RESPONDENT)),
        office_coordinator=UserFactory(coordinator_of=office),
        reader=UserFactory(member_of=(order_a, Role.READER)),
    )


def answer_data(
    world: World, *, position="favourable", comments="Nous appuyons.", version=1, **articles
) -> dict:
    """The answer form as a browser posts it; ``articles`` as ``a1="text"`` by article rank."""
    data = {"position": position, "comments": comments, "version": str(version)}
    by_rank = {a.position: a for a in world.articles}
    for key, text in articles.items():
        data[f"article-{by_rank[int(key[1:])].pk}"] = text
    return data


def word_file(paragraphs: list[tuple[str, str]], name="projet.docx") -> SimpleUploadedFile:
    """A .docx whose paragraphs are ``(style, text)``: ``("Heading 1", "Article 1")``, ``("Normal", "…")``."""
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=DOCX)
