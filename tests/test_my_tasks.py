"""« Mes tâches »: what each signed-in person must do, from campaigns, recommendations and cases."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from concerto.accounts.models import Role
from concerto.campaigns import inbox as campaign_inbox
from concerto.cases import inbox as case_inbox
from concerto.recommendations import inbox as recommendation_inbox

from .factories import (
    PASSWORD,
    AnswerFactory,
    CampaignFactory,
    CaseFactory,
    DraftFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    OwningBodyFactory,
    ProgressReportFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)

AS_OF = datetime.date(2024, 3, 31)


@pytest.fixture
def office(db):
    return OwningBodyFactory(code="office", name="Office des professions")


@pytest.fixture
def orders(db):
    return {
        "a": OrganizationFactory(code="ordre-a", name="Ordre A"),
        "b": OrganizationFactory(code="ordre-b", name="Ordre B"),
    }


@pytest.fixture
def plan(office):
    return office.owned_plans.get()


@pytest.fixture
def people(office, orders):
    return {
        "coordinator": UserFactory(coordinator_of=office),
        "other_body": UserFactory(coordinator_of=OwningBodyFactory(code="autre-organisme")),
        "editor_a": UserFactory(member_of=(orders["a"], Role.EDITOR)),
        "editor_b": UserFactory(member_of=(orders["b"], Role.EDITOR)),
        "reader_a": UserFactory(member_of=(orders["a"], Role.READER)),
    }


def _measure(plan, number, organization):
    theme = plan.themes.first() or ThemeFactory(plan=plan, number=1)
    measure = MeasureFactory(plan=plan, theme=theme, number=number)
    MeasureLeadFactory(measure=measure, organization=organization)
    return measure


def _campaign(plan, *, deadline=None, as_of=AS_OF):
    return CampaignFactory(
        plan=plan, as_of=as_of, deadline=deadline or timezone.localdate() + datetime.timedelta(days=12)
    )


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user) -> str:
    response = _as(user).get(reverse("my-tasks"))
    assert response.status_code == 200
    return response.content.decode()


def _titles(fetch, user):
    return [strip_tags(task.title) for task in fetch(user, today=timezone.localdate())]


# --- access and landing -------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("my-tasks"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_page_refuses_post(people):
    assert _as(people["editor_a"]).post(reverse("my-tasks")).status_code == 405


def test_signing_in_lands_on_my_tasks(client, people):
    user = people["editor_a"]
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("my-tasks")


def test_next_parameter_still_wins_after_signing_in(client, people):
    user = people["editor_a"]
    url = reverse("login") + "?next=/organisations/"
    response = client.post(url, {"username": user.username, "password": PASSWORD, "next": "/organisations/"})
    assert response["Location"] == "/organisations/"


def test_nothing_to_do_says_so_in_a_friendly_sentence(people):
    html = _page(people["reader_a"])
    assert "Rien à faire pour le moment" in html


# --- campaigns --------------------------------------------------------------------------


def test_editor_sees_their_drafts_with_deadline_and_days_left(plan, people, orders):
    campaign = _campaign(plan)
    DraftFactory(campaign=campaign, measure=_measure(plan, 1, orders["a"]), state="draft")
    html = _page(people["editor_a"])
    assert "Mettre à jour la mesure 1" in html
    assert reverse("draft-detail", args=[plan.slug, "2024-03-31", 1]) in html
    assert "dans 12 jours" in html
    assert "Campagnes de mise à jour" in html


def test_returned_draft_is_to_correct(plan, people, orders):
    DraftFactory(campaign=_campaign(plan), measure=_measure(plan, 1, orders["a"]), state="returned")
    assert _titles(campaign_inbox.tasks_for_user, people["editor_a"]) == [
        "Corriger la mise à jour de la mesure 1"
    ]


def test_an_editor_never_sees_another_orders_drafts(plan, people, orders):
    campaign = _campaign(plan)
    DraftFactory(campaign=campaign, measure=_measure(plan, 1, orders["a"]), state="draft")
    DraftFactory(campaign=campaign, measure=_measure(plan, 2, orders["b"]), state="draft")
    assert _titles(campaign_inbox.tasks_for_user, people["editor_a"]) == ["Mettre à jour la mesure 1"]
    assert _titles(campaign_inbox.tasks_for_user, people["editor_b"]) == ["Mettre à jour la mesure 2"]


def test_submitted_validated_and_closed_drafts_are_not_the_editors_to_do(plan, people, orders):
    campaign = _campaign(plan)
    DraftFactory(campaign=campaign, measure=_measure(plan, 1, orders["a"]), state="submitted")
    DraftFactory(campaign=campaign, measure=_measure(plan, 2, orders["a"]), state="validated")
    closed = _campaign(plan, as_of=datetime.date(2023, 3, 31))
    closed.closed_at = timezone.now()
    closed.save()
    DraftFactory(campaign=closed, measure=plan.measures.get(number=1), state="draft")
    assert _titles(campaign_inbox.tasks_for_user, people["editor_a"]) == []


def test_coordinator_sees_submitted_drafts_to_validate(plan, people, orders):
    DraftFactory(campaign=_campaign(plan), measure=_measure(plan, 1, orders["a"]), state="submitted")
    html = _page(people["coordinator"])
    assert "Valider ou retourner la mise à jour de la mesure 1" in html
    assert reverse("draft-detail", args=[plan.slug, "2024-03-31", 1]) in html


def test_coordinator_sees_late_organizations_first(plan, people, orders):
    late = _campaign(plan, deadline=timezone.localdate() - datetime.timedelta(days=3))
    DraftFactory(campaign=late, measure=_measure(plan, 1, orders["a"]), state="draft")
    DraftFactory(campaign=late, measure=_measure(plan, 2, orders["a"]), state="not_started")
    DraftFactory(campaign=late, measure=_measure(plan, 3, orders["b"]), state="submitted")
    tasks = campaign_inbox.tasks_for_user(people["coordinator"], today=timezone.localdate())
    late_tasks = [task for task in tasks if task.title.startswith("Relancer")]
    assert [strip_tags(task.title) for task in late_tasks] == ["Relancer Ordre A"]
    assert "mesures non soumises : 1, 2" in late_tasks[0].detail
    html = _page(people["coordinator"])
    assert "en retard de 3 jours" in html
    assert html.index('Relancer <span lang="fr">Ordre A</span>') < html.index(
        "Valider ou retourner la mise à jour de la mesure 3"
    )


def test_coordinator_is_asked_to_publish_a_date_with_validated_updates(plan, people, orders):
    campaign = _campaign(plan)
    measure = _measure(plan, 1, orders["a"])
    DraftFactory(campaign=campaign, measure=measure, state="validated")
    ProgressReportFactory(measure=measure, as_of=AS_OF, published=False)
    html = _page(people["coordinator"])
    assert "Publier l’état au 31 mars 2024" in html
    assert reverse("plan-publish-date", args=[plan.slug, "2024-03-31"]) in html


def test_a_published_date_is_not_to_publish_again(plan, people, orders):
    campaign = _campaign(plan)
    measure = _measure(plan, 1, orders["a"])
    DraftFactory(campaign=campaign, measure=measure, state="validated")
    ProgressReportFactory(measure=measure, as_of=AS_OF)  # published
    assert _titles(campaign_inbox.tasks_for_user, people["coordinator"]) == []


# --- recommendations ---------------------------------------------------------------------


def test_partner_sees_recommendations_to_answer_with_the_legal_due_date(office, people, orders):
    mine = RecommendationFactory(owner=office, addressee=orders["a"], state="received")
    RecommendationFactory(owner=office, addressee=orders["b"], state="received")
    RecommendationFactory(owner=office, addressee=orders["a"], state="sent")
    (task,) = recommendation_inbox.tasks_for_user(people["editor_a"], today=datetime.date(2024, 5, 1))
    assert task.title == f"Répondre à la recommandation {mine.number}"
    assert task.due == mine.due_on == mine.compute_due_on()
    assert task.url == mine.get_absolute_url()
    assert "Répondre à la recommandation" in _page(people["editor_a"])


def test_readers_of_the_addressee_do_not_answer(office, people, orders):
    RecommendationFactory(owner=office, addressee=orders["a"], state="received")
    assert _titles(recommendation_inbox.tasks_for_user, people["reader_a"]) == []


def test_coordinator_sees_answers_received_and_late_answers(office, people, orders):
    answered = AnswerFactory(
        recommendation=RecommendationFactory(owner=office, addressee=orders["b"], state="received")
    )
    late = RecommendationFactory(owner=office, addressee=orders["a"], state="received")
    RecommendationFactory(owner=office, addressee=orders["a"], state="sent")
    tasks = recommendation_inbox.tasks_for_user(
        people["coordinator"], today=late.due_on + datetime.timedelta(days=1)
    )
    assert sorted(strip_tags(task.title) for task in tasks) == sorted(
        [
            f"Examiner la réponse à la recommandation {answered.recommendation.number}",
            f"Relancer Ordre A : réponse à la recommandation {late.number}",
        ]
    )


def test_answer_not_yet_due_is_not_late(office, people, orders):
    received = RecommendationFactory(owner=office, addressee=orders["a"], state="received")
    tasks = recommendation_inbox.coordinator_tasks(people["coordinator"], today=received.due_on)
    assert tasks == []


# --- cases ----------------------------------------------------------------------------------


def test_coordinator_sees_cases_to_analyse_and_summaries_to_publish(office, people, orders):
    opened = CaseFactory(owner=office, orders=[orders["a"]])
    resolved = CaseFactory(owner=office, state="resolved")
    CaseFactory(owner=office, state="analysis")
    CaseFactory(owner=office, state="resolved", summary_published=True, public_summary="Résumé.")
    assert _titles(case_inbox.tasks_for_user, people["coordinator"]) == [
        f"Analyser le cas {opened.reference}",
        f"Publier le résumé public du cas {resolved.reference}",
    ]


def test_organizations_involved_in_a_case_have_nothing_to_do(office, people, orders):
    CaseFactory(owner=office, orders=[orders["a"]])
    assert _titles(case_inbox.tasks_for_user, people["editor_a"]) == []


# --- another body sees none of the Office's items ---------------------------------------


def test_coordinator_of_another_body_sees_none_of_the_offices_items(plan, office, people, orders):
    campaign = _campaign(plan, deadline=timezone.localdate() - datetime.timedelta(days=1))
    DraftFactory(campaign=campaign, measure=_measure(plan, 1, orders["a"]), state="submitted")
    DraftFactory(campaign=campaign, measure=_measure(plan, 2, orders["a"]), state="draft")
    AnswerFactory(recommendation=RecommendationFactory(owner=office, addressee=orders["a"], state="received"))
    RecommendationFactory(owner=office, addressee=orders["a"], state="received")
    CaseFactory(owner=office)
    assert "Rien à faire pour le moment" in _page(people["other_body"])
    assert "Rien à faire pour le moment" not in _page(people["coordinator"])


# --- speed: a constant number of queries per source -----------------------------------------------


def _queries(user) -> int:
    client = _as(user)
    client.get(reverse("my-tasks"))  # the session and the memberships are read once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("my-tasks")).status_code == 200
    return len(queries)


def _add_items(plan, office, orders, start: int, count: int):
    open_campaign = plan.campaigns.get(as_of=AS_OF)
    late_campaign = plan.campaigns.get(as_of=datetime.date(2023, 3, 31))
    for number in range(start, start + count):
        measure = _measure(plan, number, orders["a"] if number % 2 else orders["b"])
        DraftFactory(campaign=open_campaign, measure=measure, state="returned" if number % 3 else "submitted")
        DraftFactory(campaign=late_campaign, measure=measure, state="draft")
        RecommendationFactory(owner=office, addressee=orders["a"], state="received")
        AnswerFactory(
            recommendation=RecommendationFactory(owner=office, addressee=orders["b"], state="received")
        )
        CaseFactory(owner=office)


@pytest.mark.parametrize("who", ["coordinator", "editor_a"])
def test_queries_do_not_grow_with_items(plan, office, people, orders, who):
    _campaign(plan)
    _campaign(
        plan, as_of=datetime.date(2023, 3, 31), deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    _add_items(plan, office, orders, 1, 2)
    few = _queries(people[who])
    _add_items(plan, office, orders, 3, 12)
    assert _queries(people[who]) == few


def test_french_data_in_an_item_is_marked_lang_fr_and_escaped():
    from concerto.core.inbox import compose, french

    line = compose("%(plan)s — état au %(date)s", plan=french("Plan <d’action>"), date="31 mars 2024")
    assert line == '<span lang="fr">Plan &lt;d’action&gt;</span> — état au 31 mars 2024'
