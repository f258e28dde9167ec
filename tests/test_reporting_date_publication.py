"""A reporting date is public only once the plan's coordination publishes it as a whole.

The plan below has its published state at 31 March 2023 and, for measure 1
only, a validated state at 31 March 2024 that nobody has published yet.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.accounts.models import Role
from concerto.plans.models import PublishedDate
from concerto.plans.publication import dates_for_user, public_dates, publish_reporting_date

from .factories import (
    AS_OF,
    ComponentProgressFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    OwningBodyFactory,
    ProgressReportFactory,
    ThemeFactory,
    UserFactory,
)

NEW = datetime.date(2024, 3, 31)
SECRET = "NOUVEL-ÉTAT-2024"


@pytest.fixture
def office(db):
    return OwningBodyFactory(code="office")


@pytest.fixture
def plan(office):
    plan = office.owned_plans.get()
    theme = ThemeFactory(plan=plan, number=1)
    lead, other = OrganizationFactory(code="ordre-a"), OrganizationFactory(code="ordre-b")
    for number, organization in ((1, lead), (2, other), (3, other)):
        measure = MeasureFactory(plan=plan, theme=theme, number=number)
        MeasureLeadFactory(measure=measure, organization=organization)
        ProgressReportFactory(measure=measure, as_of=AS_OF, narrative=f"État 2023 de la mesure {number}")
    report = ProgressReportFactory(
        measure=plan.measures.get(number=1), as_of=NEW, narrative=SECRET, published=False
    )
    ComponentProgressFactory(report=report, organization=lead, narrative=SECRET)
    return plan


@pytest.fixture
def people(office, plan):
    lead, other = OrganizationFactory(code="ordre-a"), OrganizationFactory(code="ordre-b")
    return {
        "coordinator": UserFactory(coordinator_of=office),
        "other_body": UserFactory(coordinator_of=OwningBodyFactory(code="autre-organisme")),
        "lead_editor": UserFactory(member_of=(lead, Role.EDITOR)),
        "other_editor": UserFactory(member_of=(other, Role.EDITOR)),
        "reader": UserFactory(member_of=(lead, Role.READER)),
    }


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _publish_url(plan, as_of=NEW):
    return reverse("plan-publish-date", args=[plan.slug, as_of.isoformat()])


# --- what the public sees -------------------------------------------------------------


@pytest.mark.parametrize("page", ["home", "plan-detail"])
def test_public_sees_the_latest_published_date_not_a_newer_validated_one(client, plan, page):
    url = reverse("home") if page == "home" else reverse("plan-detail", args=[plan.slug])
    html = client.get(url).content.decode()
    assert "au 31 mars 2023" in html
    assert "État 2023 de la mesure 2" in html
    assert SECRET not in html
    assert "2024-03-31" not in html


def test_public_cannot_choose_an_unpublished_date_on_the_plan_page(client, plan):
    response = client.get(reverse("plan-detail", args=[plan.slug]), {"as_of": NEW.isoformat()})
    assert response.status_code == 400
    assert SECRET not in response.content.decode()


def test_public_measure_page_refuses_an_unpublished_date(client, plan):
    response = client.get(reverse("measure-detail", args=[plan.slug, 1]), {"as_of": NEW.isoformat()})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Aucun état d’avancement publié au 31 mars 2024." in html
    assert SECRET not in html


def test_public_measure_page_shows_the_latest_published_state(client, plan):
    html = client.get(reverse("measure-detail", args=[plan.slug, 1])).content.decode()
    assert "État 2023 de la mesure 1" in html
    assert SECRET not in html


def test_api_serves_the_latest_published_date(client, plan):
    document = client.get(reverse("api-plan-status", args=[plan.slug])).json()
    assert document["as_of"] == "2023-03-31"
    assert SECRET not in str(document)


def test_api_refuses_an_unpublished_date_in_french_json(client, plan):
    response = client.get(reverse("api-plan-status", args=[plan.slug]), {"as_of": NEW.isoformat()})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "error": "Aucun état d’avancement publié au 2024-03-31."}


def test_api_serves_published_dates_only_even_to_the_coordination(plan, people):
    response = _as(people["coordinator"]).get(
        reverse("api-plan-status", args=[plan.slug]), {"as_of": NEW.isoformat()}
    )
    assert response.status_code == 404


def test_organization_page_lists_components_of_published_dates_only(client, plan):
    html = client.get(reverse("organization-detail", args=["ordre-a"])).content.decode()
    assert SECRET not in html


# --- what the coordination and the partners see ---------------------------------------------


def test_coordinator_sees_the_unpublished_date_by_default_marked_with_a_publish_link(plan, people):
    html = _as(people["coordinator"]).get(reverse("plan-detail", args=[plan.slug])).content.decode()
    assert "au 31 mars 2024" in html
    assert SECRET in html
    assert "L’état au 31 mars 2024 n’est pas publié" in html
    assert "Le public voit l’état au 31 mars 2023." in html
    assert _publish_url(plan) in html
    assert "31 mars 2024 (non publié)" in html


def test_coordinator_previews_the_public_view(plan, people):
    response = _as(people["coordinator"]).get(reverse("plan-detail", args=[plan.slug]), {"vue": "public"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aperçu : cette page est affichée comme le public la voit" in html
    assert "au 31 mars 2023" in html
    assert SECRET not in html


def test_partner_sees_the_new_state_of_their_own_measure(plan, people):
    client = _as(people["lead_editor"])
    html = client.get(reverse("measure-detail", args=[plan.slug, 1]), {"as_of": NEW.isoformat()}).content
    assert SECRET in html.decode()
    assert "n’est pas encore publié" in html.decode()
    # The plan page stays the public one.
    assert SECRET not in client.get(reverse("plan-detail", args=[plan.slug])).content.decode()


@pytest.mark.parametrize("who", ["other_editor", "reader", "other_body"])
def test_others_do_not_see_the_unpublished_state_of_a_measure(plan, people, who):
    client = _as(people[who])
    response = client.get(reverse("measure-detail", args=[plan.slug, 1]), {"as_of": NEW.isoformat()})
    assert response.status_code == 400
    assert SECRET not in response.content.decode()
    assert SECRET not in client.get(reverse("plan-detail", args=[plan.slug])).content.decode()


def test_dates_for_user_default_to_the_latest_published_for_everyone_but_the_coordination(plan, people):
    assert dates_for_user(people["coordinator"], plan).default == NEW
    assert dates_for_user(people["coordinator"], plan, public_view=True).default == AS_OF
    assert dates_for_user(people["other_body"], plan).default == AS_OF
    assert public_dates(plan).dates == [AS_OF]


# --- publishing -------------------------------------------------------------------------


def test_confirmation_page_says_how_many_measures_have_no_state(plan, people):
    response = _as(people["coordinator"]).get(_publish_url(plan))
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 mesure a un état validé à cette date." in html
    assert "2 mesures n’ont pas d’état validé à cette date" in html
    assert not PublishedDate.objects.filter(plan=plan, as_of=NEW).exists()


def test_publishing_makes_the_date_public_at_once_even_on_kept_pages(client, plan, people):
    url = reverse("plan-detail", args=[plan.slug])
    assert SECRET not in client.get(url).content.decode()  # now kept rendered
    response = _as(people["coordinator"]).post(_publish_url(plan))
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "au 31 mars 2024" in html
    assert SECRET in html
    assert client.get(reverse("api-plan-status", args=[plan.slug])).json()["as_of"] == "2024-03-31"
    record = PublishedDate.objects.get(plan=plan, as_of=NEW)
    assert (record.published_by, record.via) == (people["coordinator"], PublishedDate.Via.ACTION)


def test_publishing_twice_changes_nothing_and_keeps_the_first_record(plan, people):
    coordinator = people["coordinator"]
    first, created = publish_reporting_date(plan=plan, as_of=NEW, user=coordinator)
    assert created
    again = _as(UserFactory(coordinator_of=plan.owner)).post(_publish_url(plan), follow=True)
    assert "était déjà public : rien n’a changé" in again.content.decode()
    record = PublishedDate.objects.get(plan=plan, as_of=NEW)
    assert (record.pk, record.published_by, record.published_at) == (
        first.pk,
        coordinator,
        first.published_at,
    )


def test_confirmation_page_of_a_published_date_says_who_published_it(plan, people):
    publish_reporting_date(plan=plan, as_of=NEW, user=people["coordinator"])
    html = _as(people["coordinator"]).get(_publish_url(plan)).content.decode()
    assert "L’état au 31 mars 2024 est public depuis le" in html
    assert people["coordinator"].username in html
    assert "<form" not in html.split("<main")[1]


def test_publishing_a_date_without_any_validated_state_is_refused(plan, people):
    with pytest.raises(ValidationError, match="Aucun état d’avancement validé au 30 juin 2024"):
        publish_reporting_date(plan=plan, as_of=datetime.date(2024, 6, 30), user=people["coordinator"])
    assert not PublishedDate.objects.filter(plan=plan, as_of=datetime.date(2024, 6, 30)).exists()


def test_confirmation_page_of_a_date_without_state_is_404(plan, people):
    response = _as(people["coordinator"]).get(_publish_url(plan, datetime.date(2024, 6, 30)))
    assert response.status_code == 404


def test_only_the_plans_coordination_may_publish(plan, people):
    with pytest.raises(PermissionDenied):
        publish_reporting_date(plan=plan, as_of=NEW, user=people["other_body"])
    assert not PublishedDate.objects.filter(plan=plan, as_of=NEW).exists()


def test_publish_view_sends_anonymous_visitors_to_login(client, plan):
    for method in (client.get, client.post):
        response = method(_publish_url(plan))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert not PublishedDate.objects.filter(plan=plan, as_of=NEW).exists()


@pytest.mark.parametrize("who", ["other_body", "lead_editor", "other_editor", "reader"])
def test_publish_view_refuses_everyone_but_the_coordination(plan, people, who):
    client = _as(people[who])
    assert client.get(_publish_url(plan)).status_code == 403
    assert client.post(_publish_url(plan)).status_code == 403
    assert not PublishedDate.objects.filter(plan=plan, as_of=NEW).exists()


def test_publish_view_refuses_the_wrong_method(plan, people):
    assert _as(people["coordinator"]).put(_publish_url(plan)).status_code == 405


def test_publishing_the_annual_report_publishes_its_date(plan, people):
    from concerto.reports.services import publish_report

    publish_report(plan=plan, as_of=NEW, user=people["coordinator"])
    record = PublishedDate.objects.get(plan=plan, as_of=NEW)
    assert (record.via, record.published_by) == (PublishedDate.Via.REPORT, people["coordinator"])


def test_import_records_the_files_date_as_published(real_plan):
    record = PublishedDate.objects.get(plan=real_plan)
    assert (record.as_of, record.via) == (datetime.date(2023, 3, 31), PublishedDate.Via.IMPORT)


# --- speed ----------------------------------------------------------------------------------


def _plan_page_queries(client, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("plan-detail", args=[plan.slug])).status_code == 200
    return len(queries)


def test_coordinators_plan_page_queries_do_not_grow_with_measures(plan, people):
    client = _as(people["coordinator"])
    few = _plan_page_queries(client, plan)
    theme = plan.themes.get()
    for number in range(4, 24):
        measure = MeasureFactory(plan=plan, theme=theme, number=number)
        ProgressReportFactory(measure=measure, as_of=NEW, published=False)
    assert _plan_page_queries(client, plan) == few
