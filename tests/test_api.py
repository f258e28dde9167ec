"""The public API: JSON twins of the public lists, their OpenAPI 3.1
description (validated, and each endpoint's real answer validated against
it), JSON errors on API paths, only public items in every answer."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from concerto.accounts.models import Role
from concerto.api import registry
from concerto.api.registry import Endpoint, Parameter
from concerto.organizations.models import Organization

from .factories import (
    AnswerFactory,
    CaseFactory,
    DraftFactory,
    InformationDocumentFactory,
    OrganizationFactory,
    OwningBodyFactory,
    RecommendationFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    build_clean_plan,
)

PLAN = "pole-2019-2024"
HIDDEN = "MARQUEUR-PRIVÉ"


@pytest.fixture
def public_data(real_plan, settings, tmp_path):
    """Published items beside unpublished ones, each of the latter carrying the marker."""
    settings.MEDIA_ROOT = tmp_path / "media"
    office = Organization.objects.get(code="office-des-professions-du-quebec")
    order = OrganizationFactory(code="ordre-api", name="Ordre de l’API", kind="professional_order")
    published = RecommendationFactory(number="REC-2024-101", owner=office, addressee=order, published=True)
    published.published_at = timezone.now()
    published.save()
    answered = AnswerFactory(
        recommendation__number="REC-2024-102",
        recommendation__owner=office,
        recommendation__addressee=order,
        recommendation__published=True,
        text=f"Réponse non publiée {HIDDEN}",
        published=False,
    )
    AnswerFactory(
        recommendation__number="REC-2024-103",
        recommendation__owner=office,
        recommendation__addressee=order,
        recommendation__published=True,
        text="Réponse publiée",
        published=True,
    )
    RecommendationFactory(
        number="REC-2024-104", owner=office, addressee=order, title=f"Transmise {HIDDEN}", published=False
    )
    RecommendationFactory(number="REC-2024-105", owner=office, title=f"Brouillon {HIDDEN}", state="draft")
    measure = real_plan.measures.get(number=1)
    public_case = CaseFactory(
        reference="CAS-2024-101",
        owner=office,
        orders=[order],
        public_summary="Un résumé public.",
        summary_published=True,
        published_at=timezone.now(),
        description=f"Description interne {HIDDEN}",
        source=f"Source {HIDDEN}",
    )
    public_case.working_group.create(organization=order, person_name=f"Personne {HIDDEN}", role="Membre")
    public_case.meetings.create(date=datetime.date(2024, 5, 1), minutes=f"Compte rendu {HIDDEN}")
    private_case = CaseFactory(reference="CAS-2024-102", owner=office, title=f"Cas interne {HIDDEN}")
    published.measures.add(measure)
    published.cases.add(public_case, private_case)
    OrganizationFactory(code="archivee", name=f"Archivée {HIDDEN}", archived_at=timezone.now())
    DraftFactory(campaign__plan=real_plan, measure=measure, narrative=f"Brouillon de mise à jour {HIDDEN}")
    # A CIQ group: its members' orders and roles are public; names, addresses and minutes are not.
    from .factories import GroupMembershipFactory, GroupMinutesFactory

    membership = GroupMembershipFactory(
        organization=order, name=f"Personne {HIDDEN}", email="membre-api@example.org", role="chair"
    )
    GroupMinutesFactory(meeting__group=membership.group, body=f"Procès-verbal {HIDDEN}")
    session = SessionFactory(activity__title="Formation publique")
    RegistrationFactory(session=session, organization=order, user__last_name=f"Inscrite {HIDDEN}")
    SessionFactory(activity__title=f"Activité réservée {HIDDEN}", activity__is_public=False)
    InformationDocumentFactory(owner=Organization.objects.get(code="conseil-interprofessionnel-du-quebec"))
    InformationDocumentFactory(
        owner=Organization.objects.get(code="conseil-interprofessionnel-du-quebec"),
        title=f"Document en brouillon {HIDDEN}",
        draft=True,
    )
    return {"answered": answered, "order": order}


def _document(client):
    response = client.get(reverse("api-openapi"))
    assert response.status_code == 200
    return response.json()


def _validator(document, schema_ref):
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry_ = Registry().with_resource("urn:concerto-openapi", resource)
    return Draft202012Validator(
        {"$ref": f"urn:concerto-openapi{schema_ref}"}, registry=registry_, format_checker=FormatChecker()
    )


def _response_schema(document, path, status):
    response = document["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return "#" + response["content"]["application/json"]["schema"]["$ref"].removeprefix("#")


# --- the description ---------------------------------------------------------------


def test_openapi_document_is_a_valid_openapi_3_1_document(client, db):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    validate_openapi(document)


def test_openapi_document_describes_every_public_endpoint(client, db):
    paths = _document(client)["paths"]
    assert {
        "/api/plans/{slug}/status",
        "/api/recommendations",
        "/api/cases",
        "/api/organizations",
    } <= set(paths)


def test_every_described_path_is_a_route_of_the_site(client, db):
    for endpoint in registry.endpoints():
        parameters = {p.name: p.example or "x" for p in endpoint.parameters if p.location == "path"}
        assert reverse(endpoint.url_name, kwargs=parameters) == endpoint.example_path(query=False)


def test_openapi_document_names_the_server_actually_served(client, db):
    document = client.get(reverse("api-openapi"), HTTP_HOST="localhost:8101").json()
    assert document["servers"] == [{"url": "http://localhost:8101"}]


def test_openapi_document_is_french_by_default_and_english_on_request(client, db):
    french = _document(client)
    english = client.get(reverse("api-openapi"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert french["info"]["title"] == "Concerto — données ouvertes"
    assert english["info"]["title"] == "Concerto — open data"


ANSWERS = [
    ("/api/plans/{slug}/status", f"/api/plans/{PLAN}/status"),
    ("/api/plans/{slug}/status", f"/api/plans/{PLAN}/status?as_of=2023-03-31"),
    ("/api/recommendations", "/api/recommendations"),
    ("/api/recommendations", "/api/recommendations?state=answered"),
    ("/api/cases", "/api/cases"),
    ("/api/organizations", "/api/organizations"),
    ("/api/organizations", "/api/organizations?kind=professional_order"),
    ("/api/ciq/groups", "/api/ciq/groups"),
    ("/api/ciq/activities", "/api/ciq/activities"),
    ("/api/ciq/activities", "/api/ciq/activities?kind=training"),
    ("/api/ciq/documents", "/api/ciq/documents"),
    ("/api/ciq/documents", "/api/ciq/documents?kind=study&year=2025"),
    ("/api/ciq/orders", "/api/ciq/orders"),
]


def test_every_endpoint_is_tried_against_its_schema():
    assert {template for template, _url in ANSWERS} == {e.path for e in registry.endpoints()}


def test_real_answers_are_valid_against_their_schemas(client, public_data):
    document = _document(client)
    invalid = {}
    for template, url in ANSWERS:
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.json()
        if "items" in data:
            assert data["count"] == len(data["items"]) > 0, url
        validator = _validator(document, _response_schema(document, template, 200))
        errors = [error.message for error in validator.iter_errors(data)]
        if errors:
            invalid[url] = errors
    assert invalid == {}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/plans/{PLAN}/status?as_of=31/03/2023", 400),
        ("/api/plans/inconnu/status", 404),
        ("/api/recommendations?year=deux-mille", 400),
        ("/api/organizations?kind=club", 400),
    ],
)
def test_real_error_is_valid_against_the_declared_error_schema(client, db, path, status):
    document = _document(client)
    template = {
        "plans": "/api/plans/{slug}/status",
        "recommendations": "/api/recommendations",
        "organizations": "/api/organizations",
    }[path.split("/")[2].split("?")[0]]
    response = client.get(path)
    assert response.status_code == status
    assert (
        list(_validator(document, _response_schema(document, template, status)).iter_errors(response.json()))
        == []
    )


def test_rate_limited_answer_is_valid_against_the_declared_error_schema(client, db, settings):
    settings.CONCERTO_API_RATE_LIMIT = 1
    document = _document(client)
    refused = client.get(reverse("api-organizations"))
    assert refused.status_code == 429
    schema = _response_schema(document, "/api/organizations", 429)
    assert list(_validator(document, schema).iter_errors(refused.json())) == []
    assert refused.json()["code"] == "rate_limited"


# --- the registry, for later apps -----------------------------------------------------


@pytest.fixture
def restore_registry():
    schemas, endpoints = dict(registry._schemas), dict(registry._endpoints)
    yield
    registry._schemas.clear()
    registry._schemas.update(schemas)
    registry._endpoints.clear()
    registry._endpoints.update(endpoints)


def test_an_app_adds_its_endpoint_and_schema_to_the_document(client, db, restore_registry):
    registry.register_schema("Opinion", {"type": "object", "properties": {"title": {"type": "string"}}})
    registry.register_schema(
        "OpinionList", {"type": "array", "items": {"$ref": "#/components/schemas/Opinion"}}
    )
    registry.register_endpoint(
        Endpoint(
            path="/api/ciq/opinions",
            url_name="api-ciq-opinions",
            operation_id="listOpinions",
            tag="Avis du CIQ",
            summary="Avis publiés",
            description="Les avis publiés du CIQ.",
            schema="OpinionList",
            parameters=(Parameter("year", "Année", {"type": "integer"}),),
            errors=(400, 429),
        )
    )
    document = _document(client)
    validate_openapi(document)
    operation = document["paths"]["/api/ciq/opinions"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OpinionList"
    }
    assert operation["responses"]["400"] == {"$ref": "#/components/responses/BadRequest"}
    assert "Opinion" in document["components"]["schemas"]
    assert "Avis publiés" in client.get(reverse("api-docs")).content.decode()


def test_registering_another_schema_under_a_known_name_is_refused(restore_registry):
    with pytest.raises(ValueError, match="already registered"):
        registry.register_schema("Organization", {"type": "string"})


def test_an_endpoint_cannot_declare_an_error_without_a_common_answer(restore_registry):
    with pytest.raises(ValueError, match="no common error answer"):
        registry.register_endpoint(Endpoint("/api/x", "x", "x", "x", "x", "x", schema="Error", errors=(418,)))


# --- the documentation page -------------------------------------------------------------


def test_documentation_page_lists_every_endpoint_with_its_parameters_and_an_example(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Données ouvertes (API)" in html
    for endpoint in registry.endpoints():
        assert f"GET {endpoint.path}" in html
        for parameter in endpoint.parameters:
            assert f"<code>{parameter.name}</code>" in html
    assert "/api/plans/pole-2019-2024/status?as_of=2023-03-31" in html
    assert "http://testserver/api/openapi.json" in html
    assert "<script" not in html and "style=" not in html
    assert "cdn" not in html.lower()


def test_documentation_page_is_translated_into_english(client, db):
    html = client.get("/en/api/").content.decode()
    assert '<html lang="en">' in html
    assert "Open data (API)" in html and "Action plan status" in html


def test_documentation_page_refuses_post(client, db):
    assert client.post(reverse("api-docs")).status_code == 405


# --- errors as JSON on API paths -----------------------------------------------------------


def test_unknown_plan_is_a_json_404_in_french(client, db):
    response = client.get("/api/plans/inconnu/status")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "not_found",
        "error": "Aucun plan d’action ne porte l’identifiant « inconnu ».",
    }


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/inconnu")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_html_pages_keep_their_html_404(client, db):
    response = client.get("/plans/inconnu/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_malformed_date_is_a_json_400_naming_it(client, db):
    response = client.get(f"/api/plans/{PLAN}/status", {"as_of": "31/03/2023"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_date"
    assert "« 31/03/2023 »" in response.json()["error"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/recommendations?year=24", "year"),
        ("/api/recommendations?state=draft", "state"),
        ("/api/organizations?kind=club", "kind"),
    ],
)
def test_bad_parameter_is_a_json_400_naming_the_parameter(client, db, path, name):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert f"paramètre « {name} »" in response.json()["error"]


def test_post_to_an_api_path_is_a_json_405(client, db):
    response = client.post(reverse("api-organizations"))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"


def test_every_api_list_is_rate_limited_with_a_french_json_429(client, db, settings):
    settings.CONCERTO_API_RATE_LIMIT = 3
    urls = [reverse("api-organizations"), reverse("api-cases"), reverse("api-recommendations")]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    refused = client.get(reverse("api-openapi"))
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("Trop de requêtes : réessayez dans")
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_errors_are_in_english_when_asked(client, db):
    response = client.get("/api/plans/inconnu/status", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"code": "not_found", "error": "No action plan has the identifier “inconnu”."}


# --- only public items -------------------------------------------------------------------


PUBLIC_URLS = [
    f"/api/plans/{PLAN}/status",
    f"/api/plans/{PLAN}/status?as_of=2024-03-31",
    "/api/recommendations",
    "/api/cases",
    "/api/organizations",
    "/api/ciq/groups",
    "/api/ciq/activities",
    "/api/ciq/documents",
    "/api/ciq/orders",
]


@pytest.mark.parametrize("who", ["anonymous", "addressee_editor", "coordinator", "superuser"])
def test_no_unpublished_or_private_item_appears_whoever_asks(client, public_data, who):
    if who == "coordinator":
        client.force_login(
            UserFactory(coordinator_of=Organization.objects.get(code="office-des-professions-du-quebec"))
        )
    elif who == "addressee_editor":
        client.force_login(UserFactory(member_of=(public_data["order"], Role.EDITOR)))
    elif who == "superuser":
        client.force_login(UserFactory(is_superuser=True, is_staff=True))
    leaking = []
    for url in PUBLIC_URLS:
        response = client.get(url)
        # 31 March 2024 has a draft, no published state: not found, for everybody.
        assert response.status_code == (404 if "as_of=2024" in url else 200), url
        if HIDDEN in response.content.decode():
            leaking.append(url)
    assert leaking == []


def test_recommendations_are_the_published_ones_with_published_answers_only(client, public_data):
    items = client.get(reverse("api-recommendations")).json()["items"]
    by_number = {item["number"]: item for item in items}
    assert sorted(by_number) == ["REC-2024-101", "REC-2024-102", "REC-2024-103"]
    assert by_number["REC-2024-102"]["answer"] is None
    assert by_number["REC-2024-103"]["answer"]["text"] == "Réponse publiée"
    assert by_number["REC-2024-101"]["cases"] == ["CAS-2024-101"]
    assert by_number["REC-2024-101"]["measures"][0]["number"] == 1
    assert by_number["REC-2024-101"]["url"] == "http://testserver/recommandations/REC-2024-101/"


def test_recommendations_filter_by_addressee_state_and_year(client, public_data):
    def numbers(**query):
        return [i["number"] for i in client.get(reverse("api-recommendations"), query).json()["items"]]

    assert numbers(addressee="ordre-api", state="answered") == ["REC-2024-103", "REC-2024-102"]
    assert numbers(year="2023") == []
    assert len(numbers(year="2024")) == 3


def test_case_summaries_show_what_the_public_page_shows(client, public_data):
    (item,) = client.get(reverse("api-cases")).json()["items"]
    assert item["reference"] == "CAS-2024-101"
    assert item["summary"] == "Un résumé public."
    assert item["orders"] == [{"code": "ordre-api", "acronym": None, "name": "Ordre de l’API"}]
    assert set(item) == {
        "reference",
        "title",
        "orders",
        "state",
        "state_label",
        "percent",
        "published_on",
        "summary",
        "url",
    }


def test_organizations_leave_out_archived_ones_and_filter_by_kind(client, public_data):
    codes = [i["code"] for i in client.get(reverse("api-organizations")).json()["items"]]
    assert "archivee" not in codes and "ordre-api" in codes
    orders = client.get(reverse("api-organizations"), {"kind": "professional_order"}).json()["items"]
    assert orders and {i["kind"] for i in orders} == {"professional_order"}


def test_plan_status_keeps_its_path_and_format(client, real_plan):
    response = client.get(f"/api/plans/{PLAN}/status")
    assert response.status_code == 200
    assert response.json()["schema"] == "concerto.plan-status/1"
    assert response.json()["as_of"] == "2023-03-31"


# --- query counts ---------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _recommendations(count, office, measure, case):
    for _ in range(count):
        recommendation = AnswerFactory(
            recommendation__owner=office, recommendation__published=True, published=True
        ).recommendation
        recommendation.measures.add(measure)
        recommendation.cases.add(case)


@pytest.fixture
def no_rate_limit(settings):
    # The counter's first hit in a window also forgets ended windows: one more query.
    settings.CONCERTO_API_RATE_LIMIT = 0


def test_recommendations_queries_do_not_grow_with_items(client, db, no_rate_limit):
    office = OwningBodyFactory()
    measure = build_clean_plan(2).measures.first()
    case = CaseFactory(owner=office, public_summary="Résumé", summary_published=True)
    _recommendations(2, office, measure, case)
    few = _queries(client, reverse("api-recommendations"))
    _recommendations(20, office, measure, case)
    assert _queries(client, reverse("api-recommendations")) == few


def test_case_summaries_queries_do_not_grow_with_items(client, db, no_rate_limit):
    orders = [OrganizationFactory(kind="professional_order") for _ in range(3)]
    CaseFactory(public_summary="Résumé", summary_published=True, orders=orders)
    few = _queries(client, reverse("api-cases"))
    for _ in range(20):
        CaseFactory(public_summary="Résumé", summary_published=True, orders=orders)
    assert _queries(client, reverse("api-cases")) == few


def test_organizations_queries_do_not_grow_with_items(client, db, no_rate_limit):
    OrganizationFactory()
    few = _queries(client, reverse("api-organizations"))
    for _ in range(30):
        OrganizationFactory()
    assert _queries(client, reverse("api-organizations")) == few


def test_openapi_document_is_json_with_accents_as_themselves(client, db):
    response = client.get(reverse("api-openapi"))
    assert response["Content-Type"] == "application/json"
    assert "données ouvertes" in response.content.decode()
    assert json.loads(response.content)["info"]["version"]
