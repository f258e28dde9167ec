"""Public pages: content, filters, refusal of wrong methods, SQL query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.plans.models import Status

from .factories import build_clean_plan

PLAN = "pole-2019-2024"
PAGES = [
    ("home", {}),
    ("plan-detail", {"slug": PLAN}),
    ("measure-detail", {"slug": PLAN, "number": 13}),
    ("organization-list", {}),
    ("organization-detail", {"code": "ministere-de-l-emploi-et-de-la-solidarite-sociale"}),
    ("api-plan-status", {"slug": PLAN}),
    ("plan-status-csv", {"slug": PLAN}),
    ("plan-status-xlsx", {"slug": PLAN}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_page_is_public(client, real_plan, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_page_refuses_post(client, real_plan, name, kwargs):
    response = client.post(reverse(name, kwargs=kwargs))
    assert response.status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/plans/inconnu/",
        "/plans/pole-2019-2024/mesures/6/",
        "/organisations/inconnue/",
        "/api/plans/inconnu/status",
    ],
)
def test_unknown_objects_are_404(client, real_plan, path):
    assert client.get(path).status_code == 404


def test_home_shows_the_real_plan_in_french(client, real_plan):
    response = client.get("/")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Plan d’action 2019-2024 du Pôle de coordination pour l’accès à la formation" in html
    assert "État d’avancement des mesures au 31 mars 2023" in html
    for title in [
        "0. Mesures transversales",
        "1. Information",
        "2. Reconnaissance des compétences",
        "3. Conditions d’obtention d’un permis d’exercice",
        "4. Intégration au marché du travail",
    ]:
        assert title in html
    assert html.count('class="measure"') == 15


def test_home_without_any_plan_explains_how_to_load_one(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "import_plan" in response.content.decode()


def test_plan_page_shows_components_of_measure_1(client, real_plan):
    html = client.get(reverse("plan-detail", kwargs={"slug": PLAN})).content.decode()
    article = html[html.index('id="mesure-1"') : html.index('id="mesure-2"')]
    assert "OPTMQ" in article and "50\u00a0%" in article
    assert "OIIAQ" in article and "100\u00a0%" in article


def test_english_version_translates_the_interface_not_the_data(client, real_plan):
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "Search and filter measures" in html
    assert "Mettre sur pied une cellule d’intervention agile" in html
    assert 'href="/plans/pole-2019-2024/"' not in html or 'href="/en/plans/pole-2019-2024/' in html


def test_language_switch_links_to_the_same_page_in_the_other_language(client, real_plan):
    html = client.get("/plans/pole-2019-2024/mesures/13/").content.decode()
    assert 'href="/en/plans/pole-2019-2024/mesures/13/"' in html
    html = client.get("/en/plans/pole-2019-2024/mesures/13/").content.decode()
    assert 'href="/plans/pole-2019-2024/mesures/13/"' in html


def _measure_numbers(response) -> list[int]:
    return [m.measure.number for m in response.context["state"].measures]


def test_filter_by_theme(client, real_plan):
    response = client.get(reverse("plan-detail", kwargs={"slug": PLAN}), {"theme": 4})
    assert _measure_numbers(response) == [11, 12, 13, 14, 15, 16]


def test_filter_by_lead_organization(client, real_plan):
    response = client.get(
        reverse("plan-detail", kwargs={"slug": PLAN}),
        {"lead": "ministere-de-la-sante-et-des-services-sociaux"},
    )
    assert _measure_numbers(response) == [4, 14, 15]


def test_filter_by_status(client, real_plan):
    response = client.get(reverse("plan-detail", kwargs={"slug": PLAN}), {"status": Status.COMPLETED})
    assert _measure_numbers(response) == [3, 4, 8, 9, 10, 12, 14, 15]


def test_filters_combine(client, real_plan):
    response = client.get(
        reverse("plan-detail", kwargs={"slug": PLAN}),
        {"theme": 4, "status": Status.IN_PROGRESS},
    )
    assert _measure_numbers(response) == [13]


def test_invalid_filter_is_reported_in_french_and_ignored(client, real_plan):
    response = client.get(reverse("plan-detail", kwargs={"slug": PLAN}), {"theme": 99})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Certains filtres sont invalides" in html
    assert len(_measure_numbers(response)) == 15


def test_measure_page_shows_derivable_percentage(client, real_plan):
    html = client.get(reverse("measure-detail", kwargs={"slug": PLAN, "number": 13})).content.decode()
    assert "93\u00a0%" in html
    assert "56 / 60" in html


def test_organization_page_lists_led_and_collaborated_measures(client, real_plan):
    response = client.get(
        reverse("organization-detail", kwargs={"code": "conseil-interprofessionnel-du-quebec"})
    )
    html = response.content.decode()
    assert [m.number for m in response.context["led"]] == []
    assert sorted(c.measure.number for c in response.context["collaborations"]) == [2, 3, 7, 8, 16]
    assert "Mesure 16" in html


def test_organization_page_lists_components(client, real_plan):
    response = client.get(
        reverse(
            "organization-detail",
            kwargs={"code": "ordre-professionnel-des-technologistes-medicaux-du-quebec"},
        )
    )
    assert [c.percent for c in response.context["components"]] == [50]


def test_checks_panel_is_shown_to_staff_only(client, staff_client, real_plan):
    url = reverse("plan-detail", kwargs={"slug": PLAN})
    assert "Contrôles de cohérence" not in client.get(url).content.decode()
    html = staff_client.get(url).content.decode()
    assert "Contrôles de cohérence" in html
    assert "measure_missing" in html


def test_api_rejects_a_malformed_date_with_a_french_message(client, real_plan):
    response = client.get(reverse("api-plan-status", kwargs={"slug": PLAN}), {"as_of": "31/03/2023"})
    assert response.status_code == 400
    assert "31/03/2023" in response.json()["error"]


def test_api_refuses_a_day_that_does_not_exist_naming_it(client, real_plan):
    response = client.get(reverse("api-plan-status", kwargs={"slug": PLAN}), {"as_of": "2023-02-30"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_date",
        "error": "Date invalide « 2023-02-30 » : une date existante au format AAAA-MM-JJ est attendue "
        "(par exemple 2023-03-31).",
    }


def test_measure_page_refuses_a_bad_date_instead_of_showing_another(client, real_plan):
    # It used to show the latest state silently.
    response = client.get(
        reverse("measure-detail", kwargs={"slug": PLAN, "number": 13}), {"as_of": "31/03/2024"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Date invalide « 31/03/2024 » : une date existante au format AAAA-MM-JJ est attendue" in html
    assert "État d’avancement au" not in html
    assert "Aucun état d’avancement à cette date." in html


def test_measure_page_shows_the_requested_date(client, real_plan):
    response = client.get(
        reverse("measure-detail", kwargs={"slug": PLAN, "number": 13}), {"as_of": "2023-03-31"}
    )
    assert response.status_code == 200
    assert "État d’avancement au 31 mars 2023" in response.content.decode()


def test_plan_page_refuses_a_bad_date_with_a_form_error(client, real_plan):
    response = client.get(reverse("plan-detail", kwargs={"slug": PLAN}), {"as_of": "2023-02-30"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Date invalide « 2023-02-30 » : une date existante au format AAAA-MM-JJ est attendue" in html


def test_plan_page_refuses_a_date_without_progress(client, real_plan):
    response = client.get(reverse("plan-detail", kwargs={"slug": PLAN}), {"as_of": "2020-01-01"})
    assert response.status_code == 400
    assert "Certains filtres sont invalides" in response.content.decode()


def test_api_returns_the_status_at_the_requested_date(client, real_plan):
    response = client.get(reverse("api-plan-status", kwargs={"slug": PLAN}), {"as_of": "2023-03-31"})
    data = response.json()
    assert data["schema"] == "concerto.plan-status/1"
    assert data["as_of"] == "2023-03-31"
    assert response["Content-Type"] == "application/json"


def test_pages_carry_a_strict_content_security_policy(client, real_plan):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("staff", [False, True])
def test_plan_page_queries_do_not_grow_with_measures(client, django_user_model, db, staff):
    if staff:
        client.force_login(django_user_model.objects.create_user("c", is_staff=True))
    small = build_clean_plan(5, components=2)
    large = build_clean_plan(200, components=2)
    small_count = _count_queries(client, reverse("plan-detail", kwargs={"slug": small.slug}))
    large_count = _count_queries(client, reverse("plan-detail", kwargs={"slug": large.slug}))
    assert small_count == large_count


def test_api_queries_do_not_grow_with_measures(client, db, settings):
    # The rate limit's counter costs one more query on the first request of a
    # window (it forgets the ended windows); it is tested on its own.
    settings.CONCERTO_API_RATE_LIMIT = 0
    small = build_clean_plan(5)
    large = build_clean_plan(200)
    assert _count_queries(client, reverse("api-plan-status", kwargs={"slug": small.slug})) == _count_queries(
        client, reverse("api-plan-status", kwargs={"slug": large.slug})
    )


def test_organization_pages_queries_do_not_grow_with_measures(client, db):
    small = build_clean_plan(5)
    large = build_clean_plan(60)
    small_lead = small.measures.first().lead_links.first().organization
    large_lead = large.measures.first().lead_links.first().organization
    assert _count_queries(
        client, reverse("organization-detail", kwargs={"code": small_lead.code})
    ) == _count_queries(client, reverse("organization-detail", kwargs={"code": large_lead.code}))


def test_organization_list_queries_do_not_grow_with_organizations(client, db):
    from .factories import OrganizationFactory

    OrganizationFactory.create_batch(3)
    few = _count_queries(client, reverse("organization-list"))
    OrganizationFactory.create_batch(50)
    assert _count_queries(client, reverse("organization-list")) == few
