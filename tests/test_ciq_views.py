"""The CIQ's pages, for every role: anonymous, another order's respondent, an
Office coordinator, a CIQ coordinator, a reader; and the answer page's
flows (draft, conflict, submit, late), imports and query counts."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.accounts.models import Role
from concerto.ciq import services
from concerto.ciq.models import Answer, Consultation, Dossier
from tests.factories import ArticleFactory, ConsultationFactory, DossierFactory, OrderFactory, UserFactory
from tests.support.ciq import answer_data, build_world, word_file
from tests.support.documents import pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

ROLES = ["anonymous", "respondent_b", "office_coordinator", "staff", "reader"]


@pytest.fixture
def world():
    return build_world(deadline=timezone.localdate() + datetime.timedelta(days=20))


def client_for(world, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _submitted(world, org="a", **articles):
    user = world.respondent_a if org == "a" else world.respondent_b
    organization = world.order_a if org == "a" else world.order_b
    answer = services.answer_for(consultation=world.consultation, organization=organization)
    services.save_answer(
        answer=answer,
        user=user,
        data=answer_data(world, comments=f"Commentaire confidentiel de l’ordre {org.upper()}", **articles),
        expected_version=answer.version,
        submit=True,
    )
    return answer


def staff_urls(world):
    c, d = world.consultation, world.dossier
    return [
        reverse("ciq-dossier-list"),
        reverse("ciq-dossier-create"),
        reverse("ciq-dossier", args=[d.reference]),
        reverse("ciq-dossier-edit", args=[d.reference]),
        reverse("ciq-consultation-create", args=[d.reference]),
        reverse("ciq-consultation", args=[c.pk]),
        reverse("ciq-consultation-edit", args=[c.pk]),
        reverse("ciq-synthesis-article", args=[c.pk, world.articles[0].pk]),
        reverse("ciq-synthesis-export", args=[c.pk, "xlsx"]),
        reverse("ciq-synthesis-export", args=[c.pk, "docx"]),
        reverse("ciq-synthesis-export", args=[c.pk, "json"]),
        reverse("ciq-staff-answer", args=[c.pk, world.order_a.code]),
    ]


# --- role matrix --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_staff_pages_only_for_the_ciq_coordination(world, role):
    _submitted(world, a1="Commentaire d’article confidentiel")
    client = client_for(world, role)
    for url in staff_urls(world):
        response = client.get(url)
        if role == "staff":
            assert response.status_code == 200, url
        elif role == "anonymous":
            assert response.status_code == 302 and "/compte/" in response["Location"], url
        else:
            assert response.status_code in (403, 404), url
            assert b"confidentiel" not in response.content, url


@pytest.mark.parametrize("role", ROLES)
def test_staff_actions_refused_to_everyone_else(world, role):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="draft", opened_at=None)
    client = client_for(world, role)
    c = world.consultation
    posts = [
        reverse("ciq-consultation-open", args=[c.pk]),
        reverse("ciq-consultation-close", args=[c.pk]),
        reverse("ciq-document-add", args=[world.dossier.reference]),
        reverse("ciq-answer-consent", args=[c.pk, world.order_a.code]),
    ]
    for url in posts:
        response = client.post(url, {})
        if role == "staff":
            assert response.status_code in (302, 404), url
        elif role == "anonymous":
            assert response.status_code == 302 and "/compte/" in response["Location"], url
        else:
            assert response.status_code in (403, 404), url
    c.refresh_from_db()
    # The coordination opened it, then closed it; nobody else changed anything.
    assert c.state == ("closed" if role == "staff" else "draft")


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("respondent_b", 200), ("office_coordinator", 404), ("staff", 404), ("reader", 404)],
)
def test_answer_page_for_the_orders_respondents_only(world, role, status):
    response = client_for(world, role).get(reverse("ciq-answer", args=[world.consultation.pk]))
    assert response.status_code == status


def test_another_orders_respondent_sees_only_its_own_answer(world):
    _submitted(world, a1="Article confidentiel de A")
    response = client_for(world, "respondent_b").get(reverse("ciq-answer", args=[world.consultation.pk]))
    assert response.status_code == 200
    assert "Ordre B" in response.content.decode()
    assert b"confidentiel" not in response.content
    forced = client_for(world, "respondent_b").get(
        reverse("ciq-answer", args=[world.consultation.pk]) + f"?ordre={world.order_a.code}"
    )
    assert forced.status_code == 404


def test_respondent_cannot_post_into_another_orders_answer(world):
    client = client_for(world, "respondent_b")
    url = reverse("ciq-answer", args=[world.consultation.pk])
    client.post(url, {**answer_data(world), "ordre": world.order_a.code, "submit": "1"})
    assert not Answer.objects.filter(organization=world.order_a).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("office_coordinator", 403), ("staff", 403), ("reader", 403), ("respondent_b", 200)],
)
def test_my_consultations_for_respondents(world, role, status):
    assert client_for(world, role).get(reverse("ciq-my-consultations")).status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_public_home_for_everyone(world, role):
    response = client_for(world, role).get(reverse("ciq-home"))
    assert response.status_code == 200
    assert "voix collective des ordres" in response.content.decode()


def test_draft_consultation_is_invisible_to_respondents(world):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="draft", opened_at=None)
    response = client_for(world, "respondent_b").get(reverse("ciq-answer", args=[world.consultation.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["ciq-consultation-open", "ciq-consultation-close", "ciq-document-add", "ciq-answer-attach"]
)
def test_post_only_views_refuse_get(world, name):
    arg = world.dossier.reference if name == "ciq-document-add" else world.consultation.pk
    assert client_for(world, "staff").get(reverse(name, args=[arg])).status_code == 405


def test_staff_pages_refuse_delete(world):
    assert (
        client_for(world, "staff")
        .delete(reverse("ciq-consultation", args=[world.consultation.pk]))
        .status_code
        == 405
    )


# --- documents ------------------------------------------------------------------------


def test_source_document_for_staff_and_audience_respondents_only(world):
    client_for(world, "staff").post(
        reverse("ciq-document-add", args=[world.dossier.reference]),
        {"kind": "draft_text", "file": pdf("projet.pdf")},
    )
    document = world.dossier.documents.get()
    url = reverse("ciq-document", args=[document.pk])
    assert client_for(world, "staff").get(url).status_code == 200
    assert client_for(world, "respondent_b").get(url).status_code == 200
    assert client_for(world, "office_coordinator").get(url).status_code == 404
    assert client_for(world, "reader").get(url).status_code == 404


def test_answer_attachment_for_its_order_and_staff_only(world):
    client_for(world, "respondent_a").post(
        reverse("ciq-answer-attach", args=[world.consultation.pk]), {"file": pdf()}
    )
    attachment = Answer.objects.get(organization=world.order_a).attachments.get()
    url = reverse("ciq-answer-attachment", args=[attachment.pk])
    assert client_for(world, "respondent_a").get(url).status_code == 200
    assert client_for(world, "staff").get(url).status_code == 200
    for role in ("respondent_b", "office_coordinator", "reader"):
        assert client_for(world, role).get(url).status_code == 404, role


# --- the answer page ---------------------------------------------------------------------


def test_saving_a_draft_keeps_it_private(world):
    client = client_for(world, "respondent_a")
    url = reverse("ciq-answer", args=[world.consultation.pk])
    response = client.post(url, {**answer_data(world, comments="Brouillon secret"), "save": "1"})
    assert response.status_code == 302
    synthesis = client_for(world, "staff").get(reverse("ciq-consultation", args=[world.consultation.pk]))
    assert b"Brouillon secret" not in synthesis.content


def test_conflicting_save_keeps_what_was_typed(world):
    client = client_for(world, "respondent_a")
    url = reverse("ciq-answer", args=[world.consultation.pk])
    client.post(url, {**answer_data(world, comments="Version de Marie"), "save": "1"})
    response = client.post(
        url, {**answer_data(world, comments="Version de Paul", a2="Ajout de Paul"), "save": "1"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Version de Paul" in page and "Ajout de Paul" in page
    assert "quelqu’un d’autre a modifié cette réponse" in page
    assert Answer.objects.get(organization=world.order_a).comments == "Version de Marie"


def test_invalid_position_is_shown_with_typed_text(world):
    client = client_for(world, "respondent_a")
    response = client.post(
        reverse("ciq-answer", args=[world.consultation.pk]),
        {**answer_data(world, position="", a1="Gardé"), "submit": "1"},
    )
    assert response.status_code == 400
    assert "Position de l’ordre" in response.content.decode()
    assert "Gardé" in response.content.decode()


def test_submit_then_amend_shows_both_versions_to_staff(world):
    client = client_for(world, "respondent_a")
    url = reverse("ciq-answer", args=[world.consultation.pk])
    client.post(url, {**answer_data(world, position="favourable"), "submit": "1"})
    client.post(url, {**answer_data(world, position="unfavourable", version=2), "submit": "1"})
    page = client_for(world, "staff").get(
        reverse("ciq-staff-answer", args=[world.consultation.pk, world.order_a.code])
    )
    assert "Version 1" in page.content.decode() and "Version 2" in page.content.decode()


def test_late_first_answer_is_accepted_and_marked(world):
    Consultation.objects.filter(pk=world.consultation.pk).update(
        internal_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = client_for(world, "respondent_a")
    page = client.get(reverse("ciq-answer", args=[world.consultation.pk])).content.decode()
    assert "marquée en retard" in page
    client.post(reverse("ciq-answer", args=[world.consultation.pk]), {**answer_data(world), "submit": "1"})
    assert Answer.objects.get(organization=world.order_a).late


def test_submitted_answer_is_read_only_after_the_deadline(world):
    _submitted(world)
    Consultation.objects.filter(pk=world.consultation.pk).update(
        internal_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = client_for(world, "respondent_a")
    response = client.post(
        reverse("ciq-answer", args=[world.consultation.pk]),
        {**answer_data(world, comments="Trop tard", version=2), "submit": "1"},
    )
    assert response.status_code == 409
    assert "Trop tard" in response.content.decode()
    assert Answer.objects.get(organization=world.order_a).versions.count() == 1


# --- staff forms ----------------------------------------------------------------------


def test_create_dossier_with_gazette_deadline(world):
    response = client_for(world, "staff").post(
        reverse("ciq-dossier-create"),
        {
            "reference": "CIQ-2025-099",
            "title": "Projet de règlement",
            "subject": "bill_or_regulation",
            "authority": "office",
            "deadline_basis": "gazette",
            "gazette_published_on": "2025-03-05",
            "gazette_days": "45",
            "gazette_days_source": "Avis publié à la Gazette officielle",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(reference="CIQ-2025-099")
    assert dossier.authority_deadline == datetime.date(2025, 4, 22)
    assert dossier.owner == world.ciq
    assert dossier.authority_organization == world.office


def test_gazette_period_shorter_than_45_days_is_refused(world):
    response = client_for(world, "staff").post(
        reverse("ciq-dossier-create"),
        {
            "reference": "CIQ-2025-098",
            "title": "X",
            "subject": "bill_or_regulation",
            "authority": "office",
            "deadline_basis": "gazette",
            "gazette_published_on": "2025-03-05",
            "gazette_days": "30",
            "gazette_days_source": "Avis",
        },
    )
    assert response.status_code == 200
    assert "au moins 45 jours" in response.content.decode()
    assert not Dossier.objects.filter(reference="CIQ-2025-098").exists()


def _consultation_post(**extra):
    return {
        "kind": "consultation",
        "title": "Consultation sur le projet",
        "internal_deadline": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "audience_mode": "all",
        **extra,
    }


def test_new_consultation_consults_every_order_by_default(world):
    others = OrderFactory.create_batch(3)
    response = client_for(world, "staff").post(
        reverse("ciq-consultation-create", args=[world.dossier.reference]), _consultation_post()
    )
    assert response.status_code == 302
    consultation = Consultation.objects.exclude(pk=world.consultation.pk).get()
    assert set(consultation.audience.all()) == {world.order_a, world.order_b, *others}
    assert consultation.state == "draft"


def test_new_consultation_for_chosen_orders(world):
    response = client_for(world, "staff").post(
        reverse("ciq-consultation-create", args=[world.dossier.reference]),
        _consultation_post(audience_mode="chosen", chosen=[world.order_b.pk]),
    )
    assert response.status_code == 302
    consultation = Consultation.objects.exclude(pk=world.consultation.pk).get()
    assert list(consultation.audience.all()) == [world.order_b]


def test_consultation_imports_articles_from_word(world):
    upload = word_file([("Heading 1", "Article 1"), ("Normal", "Texte un."), ("Heading 1", "Article 2")])
    response = client_for(world, "staff").post(
        reverse("ciq-consultation-create", args=[world.dossier.reference]),
        _consultation_post(articles_file=upload),
    )
    assert response.status_code == 302
    consultation = Consultation.objects.exclude(pk=world.consultation.pk).get()
    assert list(consultation.articles.values_list("heading", flat=True)) == ["Article 1", "Article 2"]


def test_word_file_without_headings_is_explained_and_nothing_is_created(world):
    upload = word_file([("Normal", "Article 1"), ("Normal", "Texte.")])
    response = client_for(world, "staff").post(
        reverse("ciq-consultation-create", args=[world.dossier.reference]),
        _consultation_post(articles_file=upload),
    )
    assert response.status_code == 400
    assert "aucun titre d’article" in response.content.decode()
    assert Consultation.objects.count() == 1


def test_consultation_form_warns_when_internal_deadline_is_too_close(world):
    Dossier.objects.filter(pk=world.dossier.pk).update(
        deadline_basis="typed", authority_deadline=datetime.date(2025, 4, 22)
    )
    response = client_for(world, "staff").get(reverse("ciq-consultation-edit", args=[world.consultation.pk]))
    Consultation.objects.filter(pk=world.consultation.pk).update(internal_deadline=datetime.date(2025, 4, 14))
    response = client_for(world, "staff").get(reverse("ciq-consultation-edit", args=[world.consultation.pk]))
    assert "4 jours ouvrables" in response.content.decode()


def test_opening_sends_invitations(world, mailoutbox):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="draft", opened_at=None)
    response = client_for(world, "staff").post(reverse("ciq-consultation-open", args=[world.consultation.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 2


def test_an_order_added_to_an_open_consultation_is_invited_and_the_others_are_not_again(world, mailoutbox):
    from concerto.ciq.notifications import send_invitations

    send_invitations(world.consultation)
    order_c = OrderFactory(name="Ordre C")
    respondent_c = UserFactory(member_of=(order_c, Role.RESPONDENT))
    mailoutbox.clear()
    response = client_for(world, "staff").post(
        reverse("ciq-consultation-edit", args=[world.consultation.pk]),
        _consultation_post(audience_mode="chosen", chosen=[world.order_a.pk, world.order_b.pk, order_c.pk]),
    )
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == [respondent_c.email]


def test_editing_a_consultation_in_preparation_invites_nobody(world, mailoutbox):
    Consultation.objects.filter(pk=world.consultation.pk).update(state="draft", opened_at=None)
    order_c = OrderFactory(name="Ordre C")
    UserFactory(member_of=(order_c, Role.RESPONDENT))
    client_for(world, "staff").post(
        reverse("ciq-consultation-edit", args=[world.consultation.pk]),
        _consultation_post(audience_mode="all"),
    )
    assert mailoutbox == []


# --- synthesis ----------------------------------------------------------------------------


def test_synthesis_shows_participation_positions_and_chart(world):
    _submitted(world, a1="Sur l’article un")
    page = (
        client_for(world, "staff")
        .get(reverse("ciq-consultation", args=[world.consultation.pk]))
        .content.decode()
    )
    assert "Réponses transmises : 1 sur 2 ordres consultés" in page
    assert "<svg" in page and "Ordre B" in page


def test_synthesis_filters_by_position(world):
    _submitted(world)
    url = reverse("ciq-consultation", args=[world.consultation.pk])
    page = client_for(world, "staff").get(url + "?position=unfavourable").content.decode()
    assert "Aucune réponse transmise ne correspond" in page


def test_article_view_lists_comments_with_their_order(world):
    _submitted(world, a1="Sur l’article un")
    page = (
        client_for(world, "staff")
        .get(reverse("ciq-synthesis-article", args=[world.consultation.pk, world.articles[0].pk]))
        .content.decode()
    )
    assert "Ordre A" in page and "Sur l’article un" in page


def _populate(world, orders: int, articles: int):
    consultation = world.consultation
    extra_orders = OrderFactory.create_batch(orders)
    consultation.audience.add(*extra_orders)
    for n in range(articles):
        ArticleFactory(consultation=consultation, position=100 + n)
    for order in extra_orders:
        answer = services.answer_for(consultation=consultation, organization=order)
        from concerto.accounts.models import Role
        from tests.factories import UserFactory

        user = UserFactory(member_of=(order, Role.RESPONDENT))
        data = {"position": "favourable", "comments": "c", "version": "1"}
        for article in consultation.articles.all():
            data[f"article-{article.pk}"] = "x"
        services.save_answer(answer=answer, user=user, data=data, expected_version=1, submit=True)


def test_synthesis_query_count_is_constant(world, django_assert_max_num_queries):
    client = client_for(world, "staff")
    url = reverse("ciq-consultation", args=[world.consultation.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _populate(world, orders=4, articles=5)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_dossier_list_query_count_is_constant(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "staff")
    url = reverse("ciq-dossier-list")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(4):
        ConsultationFactory(dossier=DossierFactory(owner=world.ciq), audience=[world.order_a])
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_my_consultations_query_count_is_constant(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "respondent_b")
    url = reverse("ciq-my-consultations")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(4):
        ConsultationFactory(dossier=DossierFactory(owner=world.ciq), audience=[world.order_b])
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_answer_page_query_count_is_constant_in_articles(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "respondent_a")
    url = reverse("ciq-answer", args=[world.consultation.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(10):
        ArticleFactory(consultation=world.consultation, position=200 + n)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_english_synthesis_page(world):
    _submitted(world)
    page = client_for(world, "staff").get("/en" + reverse("ciq-consultation", args=[world.consultation.pk]))
    assert page.status_code == 200
    assert "Participation" in page.content.decode()
