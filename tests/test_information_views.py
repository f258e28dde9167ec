"""The CIQ's public information: the library of documents (with the published
opinions), the directory of the orders and their pages, the content pages
with their versions, the CIQ's public home; who may do what with them."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.accounts.models import Role
from concerto.ciq.models import Answer
from concerto.information import services
from concerto.information.models import Document, Page, PageVersion
from concerto.organizations.models import Organization

from .factories import (
    INFORMATION_PDF,
    ConsultationFactory,
    InformationDocumentFactory,
    InformationPageFactory,
    OrderAnswerFactory,
    OrderFactory,
    OwningBodyFactory,
    PublishedOpinionFactory,
    UserFactory,
    ciq_organization,
)

ROLES = ("anonymous", "order_staff", "respondent", "ciq_staff", "office_staff")
NOT_STAFF = ("anonymous", "order_staff", "respondent", "office_staff")
SIGNED_IN_NOT_STAFF = ("order_staff", "respondent", "office_staff")
DRAFT_MARK = "BROUILLON-SECRET"


@dataclass
class World:
    ciq: Organization
    office: Organization
    order: Organization
    people: dict

    def client_for(self, client, role):
        if role != "anonymous":
            client.force_login(self.people[role])
        return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    ciq = ciq_organization()
    office = OwningBodyFactory(
        code="office-des-professions-du-quebec", name="Office des professions du Québec"
    )
    order = OrderFactory(
        code="ordre-des-essais", name="Ordre des essais du Québec", acronym="OEQ", practice="exclusive"
    )
    people = {
        "order_staff": UserFactory(member_of=(order, Role.COORDINATOR)),
        "respondent": UserFactory(member_of=(order, Role.RESPONDENT)),
        "ciq_staff": UserFactory(coordinator_of=ciq),
        "office_staff": UserFactory(coordinator_of=office),
    }
    return World(ciq, office, order, people)


def _pdf(name="etude.pdf", content=INFORMATION_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the library ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_published_documents_in_the_library(client, world, role):
    InformationDocumentFactory(title="Étude publiée sur les permis")
    response = world.client_for(client, role).get(reverse("information-documents"))
    assert response.status_code == 200
    assert "Étude publiée sur les permis" in response.content.decode()


@pytest.mark.parametrize("role", NOT_STAFF)
def test_a_draft_is_never_in_the_library_but_for_ciq_staff(client, world, role):
    InformationDocumentFactory(title=f"Document {DRAFT_MARK}", summary=DRAFT_MARK, draft=True)
    page = world.client_for(client, role).get(reverse("information-documents")).content.decode()
    assert DRAFT_MARK not in page


def test_ciq_staff_see_their_drafts_apart_from_the_public_list(client, world):
    InformationDocumentFactory(title=f"Document {DRAFT_MARK}", draft=True)
    response = world.client_for(client, "ciq_staff").get(reverse("information-documents"))
    assert [e.title for e in response.context["entries"]] == []
    assert [d.title for d in response.context["drafts"]] == [f"Document {DRAFT_MARK}"]


@pytest.mark.parametrize("role", NOT_STAFF)
def test_a_drafts_file_is_a_404_but_for_ciq_staff(client, world, role):
    draft = InformationDocumentFactory(draft=True)
    response = world.client_for(client, role).get(reverse("information-document-file", args=[draft.pk]))
    assert response.status_code == 404


def test_ciq_staff_download_a_drafts_file(client, world):
    draft = InformationDocumentFactory(draft=True)
    response = world.client_for(client, "ciq_staff").get(
        reverse("information-document-file", args=[draft.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == INFORMATION_PDF
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_downloads_a_published_documents_file(client, world, role):
    document = InformationDocumentFactory()
    response = world.client_for(client, role).get(reverse("information-document-file", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_published_opinions_appear_in_the_library_and_unpublished_ones_do_not(client, world):
    PublishedOpinionFactory(reference="AVIS-2025-07", title="Avis publié sur la formation")
    PublishedOpinionFactory(reference="AVIS-2025-08", title=f"Avis {DRAFT_MARK}", published=False)
    page = client.get(reverse("information-documents")).content.decode()
    assert "Avis publié sur la formation" in page
    assert reverse("opinion-public", args=["AVIS-2025-07"]) in page
    assert DRAFT_MARK not in page


def test_documents_and_opinions_are_merged_by_date_most_recent_first(client, world):
    InformationDocumentFactory(title="Guide de 2024", kind="guide", date=datetime.date(2024, 6, 1))
    PublishedOpinionFactory(title="Avis de mars 2025", adopted_on=datetime.date(2025, 3, 1))
    InformationDocumentFactory(title="Étude de 2025", date=datetime.date(2025, 5, 1))
    entries = client.get(reverse("information-documents")).context["entries"]
    assert [(e.title, e.kind) for e in entries] == [
        ("Étude de 2025", "study"),
        ("Avis de mars 2025", "opinion"),
        ("Guide de 2024", "guide"),
    ]


def test_the_library_filters_by_kind_including_opinions(client, world):
    InformationDocumentFactory(title="Un guide", kind="guide")
    InformationDocumentFactory(title="Une étude", kind="study")
    PublishedOpinionFactory(title="Un avis")
    url = reverse("information-documents")
    assert [e.title for e in client.get(url, {"nature": "guide"}).context["entries"]] == ["Un guide"]
    assert [e.title for e in client.get(url, {"nature": "opinion"}).context["entries"]] == ["Un avis"]


def test_the_library_filters_by_year(client, world):
    InformationDocumentFactory(title="Document de 2023", date=datetime.date(2023, 4, 1))
    InformationDocumentFactory(title="Document de 2025", date=datetime.date(2025, 4, 1))
    PublishedOpinionFactory(title="Avis de 2023", adopted_on=datetime.date(2023, 9, 1))
    response = client.get(reverse("information-documents"), {"annee": "2023"})
    assert {e.title for e in response.context["entries"]} == {"Document de 2023", "Avis de 2023"}
    assert response.context["form"].fields["annee"].choices[1:] == [("2025", "2025"), ("2023", "2023")]


def test_the_library_search_ignores_accents_and_case(client, world):
    InformationDocumentFactory(
        title="Étude sur les ÉTUDIANTS étrangers", summary="Reconnaissance des acquis."
    )
    InformationDocumentFactory(title="Guide de l’ordre", kind="guide")
    PublishedOpinionFactory(title="Avis sur la délivrance des permis")
    url = reverse("information-documents")
    assert [e.title for e in client.get(url, {"q": "etudiants etrangers"}).context["entries"]] == [
        "Étude sur les ÉTUDIANTS étrangers"
    ]
    assert [e.title for e in client.get(url, {"q": "DELIVRANCE"}).context["entries"]] == [
        "Avis sur la délivrance des permis"
    ]


def test_a_draft_is_never_found_by_the_search(client, world):
    InformationDocumentFactory(title=f"Étude {DRAFT_MARK}", draft=True)
    response = client.get(reverse("information-documents"), {"q": DRAFT_MARK.lower()})
    assert response.context["entries"] == []
    assert DRAFT_MARK not in response.content.decode()


def test_library_queries_do_not_grow_with_documents_and_opinions(client, world):
    url = reverse("information-documents")
    InformationDocumentFactory()
    PublishedOpinionFactory()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        InformationDocumentFactory(date=datetime.date(2020 + i, 1, 1))
        PublishedOpinionFactory(adopted_on=datetime.date(2020 + i, 2, 1))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["entries"]) == 14
    assert len(many) == len(few)


# --- managing documents ---------------------------------------------------------------


def _document_data(**overrides):
    return {
        "title": "Guide des ordres professionnels",
        "kind": "guide",
        "date": "2025-04-01",
        "summary": "Un guide pour comprendre les ordres.",
        "upload": _pdf(),
        **overrides,
    }


def test_ciq_staff_add_a_document_as_a_draft(client, world):
    response = world.client_for(client, "ciq_staff").post(
        reverse("information-document-create"), _document_data()
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.title, document.owner, document.is_published) == (
        "Guide des ordres professionnels",
        world.ciq,
        False,
    )
    assert document.content_type == "application/pdf"
    assert document.file.name.startswith("information/")


def test_a_file_that_is_not_what_it_claims_is_refused_naming_the_field(client, world):
    response = world.client_for(client, "ciq_staff").post(
        reverse("information-document-create"),
        _document_data(upload=SimpleUploadedFile("etude.pdf", b"pas un PDF", content_type="application/pdf")),
    )
    assert response.status_code == 200
    assert "Fichier :" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize("role", SIGNED_IN_NOT_STAFF)
def test_only_ciq_staff_may_add_a_document(client, world, role):
    c = world.client_for(client, role)
    assert c.get(reverse("information-document-create")).status_code == 403
    assert c.post(reverse("information-document-create"), _document_data()).status_code == 403
    assert not Document.objects.exists()


def test_anonymous_is_sent_to_sign_in_to_add_a_document(client, world):
    response = client.get(reverse("information-document-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_ciq_staff_publish_then_unpublish_a_document(client, world):
    document = InformationDocumentFactory(draft=True, title="Étude à publier")
    c = world.client_for(client, "ciq_staff")
    c.post(reverse("information-document-publish", args=[document.pk]))
    document.refresh_from_db()
    assert document.is_published
    assert "Étude à publier" in client.get(reverse("information-documents")).content.decode()
    c.post(reverse("information-document-unpublish", args=[document.pk]))
    document.refresh_from_db()
    assert not document.is_published


@pytest.mark.parametrize("role", NOT_STAFF)
@pytest.mark.parametrize("name", ["information-document-publish", "information-document-unpublish"])
def test_only_ciq_staff_may_publish_or_unpublish(client, world, role, name):
    draft = InformationDocumentFactory(draft=True)
    published = InformationDocumentFactory()
    c = world.client_for(client, role)
    for document in (draft, published):
        response = c.post(reverse(name, args=[document.pk]))
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.is_published, published.is_published) == (False, True)


def test_ciq_staff_edit_a_document_and_keep_its_file(client, world):
    document = InformationDocumentFactory(title="Ancien titre")
    name = document.file.name
    response = world.client_for(client, "ciq_staff").post(
        reverse("information-document-edit", args=[document.pk]),
        _document_data(title="Nouveau titre", upload=""),
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.title, document.file.name) == ("Nouveau titre", name)
    assert "nouveau titre" in document.search_text


@pytest.mark.parametrize("role", SIGNED_IN_NOT_STAFF)
def test_another_role_cannot_edit_a_document(client, world, role):
    document = InformationDocumentFactory(title="Titre")
    c = world.client_for(client, role)
    assert c.get(reverse("information-document-edit", args=[document.pk])).status_code == 404
    c.post(reverse("information-document-edit", args=[document.pk]), _document_data(title="Changé"))
    document.refresh_from_db()
    assert document.title == "Titre"


def test_library_pages_refuse_a_wrong_method(client, world):
    document = InformationDocumentFactory()
    c = world.client_for(client, "ciq_staff")
    assert c.post(reverse("information-documents")).status_code == 405
    assert c.get(reverse("information-document-publish", args=[document.pk])).status_code == 405
    assert c.post(reverse("information-document-file", args=[document.pk])).status_code == 405


# --- the orders -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_directory_of_orders(client, world, role):
    OrderFactory(name="Ordre sans type connu", practice="")
    page = world.client_for(client, role).get(reverse("information-orders")).content.decode()
    assert "Ordre des essais du Québec" in page
    assert "Exercice exclusif" in page
    assert "non précisé" in page


def test_the_directory_lists_only_orders_not_archived(client, world):
    OrderFactory(name="Ordre archivé", archived_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    names = [o.name for o in client.get(reverse("information-orders")).context["orders"]]
    assert names == ["Ordre des essais du Québec"]


def test_the_directory_queries_do_not_grow_with_orders(client, world):
    url = reverse("information-orders")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    OrderFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["orders"]) == 11
    assert len(many) == len(few)


def _answered(order, *, state="submitted", published=True, title="Avis"):
    consultation = ConsultationFactory(audience=[order])
    OrderAnswerFactory(
        consultation=consultation,
        organization=order,
        state=state,
        position="favourable" if state == "submitted" else "",
        submitted_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC) if state == "submitted" else None,
    )
    return PublishedOpinionFactory(consultation=consultation, title=title, published=published)


@pytest.mark.parametrize("role", ROLES)
def test_an_orders_page_lists_the_published_opinions_it_took_part_in(client, world, role):
    _answered(world.order, title="Avis auquel l’ordre a répondu")
    _answered(world.order, title=f"Avis non publié {DRAFT_MARK}", published=False)
    _answered(world.order, title=f"Avis d’une réponse en brouillon {DRAFT_MARK}", state="draft")
    _answered(OrderFactory(), title=f"Avis d’un autre ordre {DRAFT_MARK}")
    response = world.client_for(client, role).get(reverse("information-order", args=[world.order.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Avis auquel l’ordre a répondu" in page
    assert DRAFT_MARK not in page


def test_an_orders_page_never_shows_its_answer(client, world):
    opinion = _answered(world.order)
    Answer.objects.filter(consultation=opinion.consultation).update(comments="Commentaire confidentiel")
    page = client.get(reverse("information-order", args=[world.order.code])).content.decode()
    assert "Commentaire confidentiel" not in page


def test_an_orders_page_queries_do_not_grow_with_its_opinions(client, world):
    url = reverse("information-order", args=[world.order.code])
    _answered(world.order)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        _answered(world.order)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_an_organization_that_is_not_an_order_has_no_page(client, world):
    assert client.get(reverse("information-order", args=[world.office.code])).status_code == 404
    assert client.get(reverse("information-order", args=["inconnu"])).status_code == 404


# --- content pages --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_a_content_page(client, world, role):
    InformationPageFactory(slug="le-systeme", title="Le système", body="Un *texte*.\n\n<script>x()</script>")
    response = world.client_for(client, role).get(reverse("information-page", args=["le-systeme"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<em>texte</em>" in page
    assert "<script>x()" not in page
    assert client.get(reverse("information-pages")).status_code == 200


def test_ciq_staff_create_a_page_as_its_first_version(client, world):
    c = world.client_for(client, "ciq_staff")
    response = c.post(
        reverse("information-page-create"),
        {
            "slug": "le-systeme-professionnel",
            "title": "Le système professionnel",
            "body": "Texte.",
            "note": "Création",
        },
    )
    assert response.status_code == 302
    page = Page.objects.get()
    assert (page.owner, page.version, page.body_html) == (world.ciq, 1, "<p>Texte.</p>")
    version = page.versions.get()
    assert (version.number, version.created_by, version.note) == (1, world.people["ciq_staff"], "Création")


def test_each_save_of_a_page_keeps_a_version_with_its_author(client, world):
    page = InformationPageFactory(slug="page", body="Premier texte.")
    c = world.client_for(client, "ciq_staff")
    c.post(
        reverse("information-page-edit", args=["page"]),
        {"title": page.title, "body": "Deuxième texte.", "based_on": "1"},
    )
    page.refresh_from_db()
    assert (page.version, page.body) == (2, "Deuxième texte.")
    versions = list(page.versions.order_by("number").values_list("number", "body", "created_by"))
    assert versions == [(1, "Premier texte.", None), (2, "Deuxième texte.", world.people["ciq_staff"].pk)]


def test_a_save_based_on_an_older_version_is_refused_and_the_text_kept(client, world):
    page = InformationPageFactory(slug="page", body="Premier texte.")
    c = world.client_for(client, "ciq_staff")
    c.post(
        reverse("information-page-edit", args=["page"]),
        {"title": page.title, "body": "Texte A.", "based_on": "1"},
    )
    response = c.post(
        reverse("information-page-edit", args=["page"]),
        {"title": page.title, "body": "Texte B.", "based_on": "1"},
    )
    assert response.status_code == 200
    assert "Texte B." in response.content.decode()
    assert PageVersion.objects.filter(page=page).count() == 2


def test_a_pages_address_must_be_unique_and_not_reserved(client, world):
    InformationPageFactory(slug="existe")
    c = world.client_for(client, "ciq_staff")
    for slug in ("existe", "nouvelle"):
        response = c.post(reverse("information-page-create"), {"slug": slug, "title": "T", "body": "Texte."})
        assert response.status_code == 200
    assert Page.objects.count() == 1


@pytest.mark.parametrize("role", SIGNED_IN_NOT_STAFF)
@pytest.mark.parametrize("name", ["information-page-edit", "information-page-history"])
def test_only_ciq_staff_edit_a_page_or_read_its_history(client, world, role, name):
    page = InformationPageFactory(slug="page", body="Texte.")
    c = world.client_for(client, role)
    assert c.get(reverse(name, args=["page"])).status_code == 403
    assert c.get(reverse("information-page-diff", args=["page", 1])).status_code == 403
    assert c.get(reverse("information-page-create")).status_code == 403
    c.post(
        reverse("information-page-edit", args=["page"]), {"title": "X", "body": "Changé.", "based_on": "1"}
    )
    page.refresh_from_db()
    assert page.body == "Texte."


def test_anonymous_is_sent_to_sign_in_for_a_pages_history(client, world):
    InformationPageFactory(slug="page")
    response = client.get(reverse("information-page-history", args=["page"]))
    assert response["Location"].startswith(reverse("login"))


def test_the_history_lists_versions_and_the_diff_shows_what_changed(client, world):
    page = InformationPageFactory(slug="page", body="Un paragraphe inchangé.\n\nLe CIQ regroupe les ordres.")
    staff = world.people["ciq_staff"]
    services.save_page(
        owner=world.ciq,
        page=page,
        slug="page",
        title=page.title,
        body="Un paragraphe inchangé.\n\nLe CIQ regroupe les 46 ordres.",
        based_on=1,
        note="Précision",
        user=staff,
    )
    c = world.client_for(client, "ciq_staff")
    history = c.get(reverse("information-page-history", args=["page"]))
    assert [v.number for v in history.context["versions"]] == [2, 1]
    assert "Précision" in history.content.decode()
    diff = c.get(reverse("information-page-diff", args=["page", 2]))
    assert [row.kind for row in diff.context["rows"]] == ["equal", "equal", "changed"]
    assert "<ins>" in diff.content.decode() and "46" in diff.content.decode()


# --- the CIQ's home -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_ciq_home_shows_its_mission_latest_documents_and_ways_in(client, world, role):
    InformationDocumentFactory(title="Dernière étude publiée")
    InformationDocumentFactory(title=f"Étude {DRAFT_MARK}", draft=True)
    page = world.client_for(client, role).get(reverse("ciq-home")).content.decode()
    assert "La mission" in page
    assert "documents et études concernant les professions réglementées" in page
    assert "Dernière étude publiée" in page
    assert DRAFT_MARK not in page
    assert reverse("information-documents") in page
    assert reverse("information-orders") in page


def test_the_ciq_home_queries_do_not_grow_with_documents(client, world):
    url = reverse("ciq-home")
    InformationDocumentFactory()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    InformationDocumentFactory.create_batch(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
