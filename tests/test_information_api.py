"""The JSON twins of the CIQ's library and directory: what the public pages
show (published documents and opinions, the orders of our data), valid
against their OpenAPI schemas, in a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .factories import (
    InformationDocumentFactory,
    OrderFactory,
    PublishedOpinionFactory,
    UserFactory,
    ciq_organization,
)
from .test_api import _document, _response_schema, _validator

HIDDEN = "MARQUEUR-PRIVÉ"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_rate_limit(settings):
    settings.CONCERTO_API_RATE_LIMIT = 0


@pytest.fixture
def library(db):
    ciq_organization()
    InformationDocumentFactory(title="Étude publiée", date=datetime.date(2025, 2, 1))
    InformationDocumentFactory(title=f"Brouillon {HIDDEN}", summary=HIDDEN, draft=True)
    PublishedOpinionFactory(
        reference="AVIS-2025-31", title="Avis publié", adopted_on=datetime.date(2025, 3, 1)
    )
    PublishedOpinionFactory(reference="AVIS-2025-32", title=f"Avis {HIDDEN}", published=False)


@pytest.mark.parametrize("who", ["anonymous", "ciq_staff", "superuser"])
def test_the_documents_twin_has_published_entries_only_whoever_asks(client, library, who):
    if who == "ciq_staff":
        client.force_login(UserFactory(coordinator_of=ciq_organization()))
    elif who == "superuser":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("api-ciq-documents"))
    assert HIDDEN not in response.content.decode()
    assert [(i["kind"], i["title"]) for i in response.json()["items"]] == [
        ("opinion", "Avis publié"),
        ("study", "Étude publiée"),
    ]


def test_an_opinion_entry_links_to_its_public_page_and_a_document_to_its_file(client, library):
    items = {i["title"]: i for i in client.get(reverse("api-ciq-documents")).json()["items"]}
    assert items["Avis publié"]["url"] == "http://testserver/ciq/avis/AVIS-2025-31/"
    assert items["Avis publié"]["file"] is None
    assert items["Étude publiée"]["file"]["content_type"] == "application/pdf"
    assert items["Étude publiée"]["file"]["url"].endswith("/fichier/")


def test_the_documents_twin_filters_and_searches_like_the_page(client, library):
    url = reverse("api-ciq-documents")
    assert [i["title"] for i in client.get(url, {"kind": "opinion"}).json()["items"]] == ["Avis publié"]
    assert [i["title"] for i in client.get(url, {"q": "ETUDE"}).json()["items"]] == ["Étude publiée"]
    assert client.get(url, {"year": "2024"}).json()["items"] == []


@pytest.mark.parametrize(("query", "status"), [("kind=club", 400), ("year=deux", 400)])
def test_a_bad_parameter_is_a_json_400_valid_against_the_error_schema(client, library, query, status):
    document = _document(client)
    response = client.get(f"{reverse('api-ciq-documents')}?{query}")
    assert response.status_code == status
    validator = _validator(document, _response_schema(document, "/api/ciq/documents", status))
    assert list(validator.iter_errors(response.json())) == []


def test_the_orders_twin_gives_only_what_our_data_says(client, db):
    OrderFactory(code="ordre-a", name="Ordre A", acronym="OA", practice="exclusive", order_number=1)
    OrderFactory(code="ordre-b", name="Ordre B", acronym="", practice="", order_number=2)
    items = client.get(reverse("api-ciq-orders")).json()["items"]
    assert [(i["code"], i["acronym"], i["practice"], i["practice_label"]) for i in items] == [
        ("ordre-a", "OA", "exclusive", "Exercice exclusif"),
        ("ordre-b", None, None, None),
    ]
    assert items[0]["url"] == "http://testserver/ciq/ordres/ordre-a/"


def test_the_documents_twin_queries_do_not_grow_with_entries(client, library, no_rate_limit):
    url = reverse("api-ciq-documents")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    InformationDocumentFactory.create_batch(5)
    PublishedOpinionFactory.create_batch(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).json()["count"] == 12
    assert len(many) == len(few)


def test_the_orders_twin_queries_do_not_grow_with_orders(client, db, no_rate_limit):
    url = reverse("api-ciq-orders")
    OrderFactory()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    OrderFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).json()["count"] == 11
    assert len(many) == len(few)
