"""The CIQ's files in the admin: in French, and scoped by the file's owner — the
CIQ's staff see what the CIQ owns, the Office's staff none of it."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerto.ciq import services
from concerto.ciq.models import AnswerAttachment, OrderGroup, SourceDocument

from .support.ciq import answer_data, build_world

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CIQ_MODELS = list(apps.get_app_config("ciq").get_models())
READ_ONLY = [
    "answer",
    "answerversion",
    "articlecomment",
    "answerattachment",
    "publicationconsent",
    "sourcedocument",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()


@pytest.fixture
def world(db):
    """One object of every CIQ model: order A's submitted answer with an article comment,
    an attachment and a publication consent; a source document; a group of orders."""
    world = build_world()
    pdf = {"content_type": "application/pdf", "size": len(PDF_BYTES)}
    SourceDocument.objects.create(
        dossier=world.dossier, file=SimpleUploadedFile("p.pdf", PDF_BYTES), original_name="projet.pdf", **pdf
    )
    OrderGroup.objects.create(owner=world.ciq, name="Ordres de la santé").organizations.add(world.order_a)
    answer = services.answer_for(consultation=world.consultation, organization=world.order_a)
    services.save_answer(
        answer=answer,
        user=world.respondent_a,
        data=answer_data(world, a1="Préciser l’article 1."),
        expected_version=1,
        submit=True,
        now=datetime.datetime(2025, 5, 20, 14, tzinfo=datetime.UTC),
    )
    AnswerAttachment.objects.create(
        answer=answer, file=SimpleUploadedFile("m.pdf", PDF_BYTES), original_name="memoire.pdf", **pdf
    )
    services.record_publication_consent(
        user=world.staff, answer=answer, agreed_on=datetime.date(2025, 6, 5), agreed_by="Le conseil"
    )
    for user in (world.staff, world.office_coordinator):
        user.is_staff = True
        user.save()
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="ciq"))
    return world


def _changelist(model):
    return reverse(f"admin:ciq_{model._meta.model_name}_changelist")


def _change(model, pk):
    return reverse(f"admin:ciq_{model._meta.model_name}_change", args=[pk])


def test_every_ciq_model_is_registered_in_the_admin():
    assert [m.__name__ for m in CIQ_MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", CIQ_MODELS, ids=lambda m: m.__name__)
def test_superuser_opens_the_ciq_admin_pages_in_french(client, django_user_model, world, model):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    listed = client.get(_changelist(model))
    assert listed.status_code == 200 and '<html lang="fr"' in listed.content.decode()
    assert client.get(_change(model, model.objects.order_by("pk").first().pk)).status_code == 200


@pytest.mark.parametrize("model", CIQ_MODELS, ids=lambda m: m.__name__)
def test_ciq_staff_sees_in_the_admin_what_the_ciq_owns(client, world, model):
    client.force_login(world.staff)
    listed = client.get(_changelist(model))
    assert listed.status_code == 200
    assert {o.pk for o in listed.context["cl"].result_list} == set(model.objects.values_list("pk", flat=True))
    assert client.get(_change(model, model.objects.order_by("pk").first().pk)).status_code == 200


@pytest.mark.parametrize("model", CIQ_MODELS, ids=lambda m: m.__name__)
def test_office_staff_sees_nothing_of_the_ciq_in_the_admin(client, world, model):
    client.force_login(world.office_coordinator)
    listed = client.get(_changelist(model))
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []
    change = client.get(_change(model, model.objects.order_by("pk").first().pk))
    assert change.status_code == 302  # "does not exist": sent back to the admin index


@pytest.mark.parametrize("model_name", READ_ONLY)
def test_ciq_staff_cannot_add_an_answer_or_a_document_in_the_admin(client, world, model_name):
    client.force_login(world.staff)
    assert client.get(reverse(f"admin:ciq_{model_name}_add")).status_code == 403


def test_office_staff_cannot_hang_a_consultation_on_a_ciq_file(client, world):
    client.force_login(world.office_coordinator)
    form = client.get(reverse("admin:ciq_consultation_add")).context["adminform"].form
    assert list(form.fields["dossier"].queryset) == []
    client.force_login(world.staff)
    form = client.get(reverse("admin:ciq_consultation_add")).context["adminform"].form
    assert list(form.fields["dossier"].queryset) == [world.dossier]


def test_office_staff_cannot_give_a_new_file_to_the_ciq(client, world):
    client.force_login(world.office_coordinator)
    form = client.get(reverse("admin:ciq_dossier_add")).context["adminform"].form
    assert list(form.fields["owner"].queryset) == [world.office]


def test_a_document_in_the_admin_links_to_the_view_that_checks_access(client, django_user_model, world):
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    document = SourceDocument.objects.get()
    page = client.get(_change(SourceDocument, document.pk)).content.decode()
    assert f'href="{document.get_absolute_url()}"' in page
