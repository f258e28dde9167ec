"""The CIQ's opinions in the admin: in French, scoped by the owner of their file,
publications frozen."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from concerto.opinions import services
from concerto.opinions.models import LegislativeEvent, Opinion, Publication, PublishedDocument
from tests.support.opinions import MINIMAL_PDF, build_world, consent, opinion_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

OPINION_MODELS = list(apps.get_app_config("opinions").get_models())


def _url(model, view, *args):
    return reverse(f"admin:opinions_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def world():
    """A sent opinion of the CIQ with a citation, a frozen publication, an order's answer
    published with its agreement and its follow-up: one row of every model."""
    world = build_world()
    user = world.people["ciq"]
    opinion = opinion_at(world, "sent")
    paragraph = opinion.adopted_version.paragraphs.get(position=2)
    services.set_citations(paragraph=paragraph, answer_ids=[], comment_ids=[world.comments[0].pk], user=user)
    publication = Publication.objects.create(opinion=opinion, number=1, text_version=opinion.adopted_version)
    PublishedDocument.objects.create(publication=publication, format="pdf", content=MINIMAL_PDF)
    services.publish_answer(opinion=opinion, consent=consent(world.answers[0]), user=user)
    services.record_event(opinion=opinion, kind="made", happened_on=datetime.date(2025, 6, 4), user=user)
    services.set_point_outcome(opinion=opinion, paragraph_key=paragraph.key, outcome="retained", user=user)
    world.opinion = opinion
    return world


def _staff(user, django_user_model):
    """``user`` with admin access and every model permission: only the scoping holds them back."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def ciq_staff(world, django_user_model):
    return _staff(world.people["ciq"], django_user_model)


@pytest.fixture
def office_staff(world, django_user_model):
    return _staff(world.people["office"], django_user_model)


def test_every_opinions_model_is_registered_in_the_admin():
    assert [m.__name__ for m in OPINION_MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", OPINION_MODELS, ids=lambda m: m.__name__)
def test_ciq_staff_see_what_the_ciq_owns_in_french(client, world, ciq_staff, model):
    client.force_login(ciq_staff)
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
    assert response.context["cl"].result_count == model.objects.count() >= 1
    instance = model.objects.order_by("pk").first()
    assert client.get(_url(model, "change", instance.pk)).status_code == 200


@pytest.mark.parametrize("model", OPINION_MODELS, ids=lambda m: m.__name__)
def test_office_staff_see_none_of_the_ciqs_opinions(client, world, office_staff, model):
    client.force_login(office_staff)
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    instance = model.objects.order_by("pk").first()
    response = client.get(_url(model, "change", instance.pk))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_office_staff_cannot_change_the_ciqs_opinion(client, world, office_staff):
    client.force_login(office_staff)
    client.post(_url(Opinion, "change", world.opinion.pk), {"title": "Changé", "summary": ""})
    world.opinion.refresh_from_db()
    assert world.opinion.title == "Avis sur la formation continue"


def test_office_staff_cannot_hang_a_follow_up_step_on_the_ciqs_opinion(client, world, office_staff):
    client.force_login(office_staff)
    form = client.get(_url(LegislativeEvent, "add")).context["adminform"].form
    assert world.opinion not in form.fields["opinion"].queryset
    response = client.post(
        _url(LegislativeEvent, "add"),
        {"opinion": world.opinion.pk, "kind": "abandoned", "happened_on": "2025-07-01"},
    )
    assert response.status_code == 200  # the form again, the choice refused
    assert not LegislativeEvent.objects.filter(kind="abandoned").exists()


def test_ciq_staff_correct_the_opinions_title_but_not_its_dates(client, world, ciq_staff):
    client.force_login(ciq_staff)
    response = client.post(
        _url(Opinion, "change", world.opinion.pk),
        {
            "title": "Avis corrigé",
            "summary": "",
            "deciding_body": "Comité exécutif",
            "resolution_number": "CE-2025-12",
            "votes_for": "",
            "votes_against": "",
            "votes_abstaining": "",
            "outcome_note": "",
            "adopted_on": "2020-01-01",
            "sent_on": "2020-01-02",
        },
    )
    assert response.status_code == 302
    world.opinion.refresh_from_db()
    assert world.opinion.title == "Avis corrigé"
    assert (world.opinion.adopted_on, world.opinion.sent_on) == (
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 10),
    )


def test_opinions_are_not_opened_from_the_admin(client, world, ciq_staff):
    client.force_login(ciq_staff)
    assert client.get(_url(Opinion, "add")).status_code == 403


@pytest.mark.parametrize("model", [Publication, PublishedDocument], ids=lambda m: m.__name__)
def test_publications_are_frozen_in_the_admin(client, world, ciq_staff, model):
    client.force_login(ciq_staff)
    instance = model.objects.get()
    page = client.get(_url(model, "change", instance.pk))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(_url(model, "change", instance.pk), {}).status_code == 403
    assert client.post(_url(model, "delete", instance.pk), {"post": "yes"}).status_code == 403
    assert client.get(_url(model, "add")).status_code == 403
    assert model.objects.filter(pk=instance.pk).exists()


def test_a_published_document_is_listed_with_its_hash_not_its_content(client, world, ciq_staff):
    client.force_login(ciq_staff)
    document = PublishedDocument.objects.get()
    page = client.get(_url(PublishedDocument, "change", document.pk)).content.decode()
    assert document.sha256 in page and "%PDF" not in page
