"""The CIQ's public information in the admin (in French, scoped by owner: the
CIQ's staff see the CIQ's documents and pages, the Office's staff none), and
its labelled demonstration documents."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from concerto.core.uploads import detect_content_type
from concerto.information.demo import load_information_demo
from concerto.information.models import Document

from .factories import InformationDocumentFactory, InformationPageFactory, OwningBodyFactory, UserFactory
from .factories import ciq_organization as make_ciq

MODELS = list(apps.get_app_config("information").get_models())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(db):
    ciq = make_ciq()
    office = OwningBodyFactory(
        code="office-des-professions-du-quebec", name="Office des professions du Québec"
    )
    InformationDocumentFactory(owner=ciq)
    InformationPageFactory(owner=ciq)
    staff = UserFactory(coordinator_of=ciq, is_staff=True)
    office_staff = UserFactory(coordinator_of=office, is_staff=True)
    for user in (staff, office_staff):
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="information"))
    return {"staff": staff, "office": office_staff}


def _changelist(model):
    return reverse(f"admin:information_{model._meta.model_name}_changelist")


def test_every_information_model_is_registered_in_the_admin():
    assert [m.__name__ for m in MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_ciq_staff_see_in_the_admin_what_the_ciq_owns_in_french(client, people, model):
    client.force_login(people["staff"])
    listed = client.get(_changelist(model))
    assert listed.status_code == 200 and '<html lang="fr"' in listed.content.decode()
    assert {o.pk for o in listed.context["cl"].result_list} == set(model.objects.values_list("pk", flat=True))
    first = model.objects.order_by("pk").first()
    assert (
        client.get(reverse(f"admin:information_{model._meta.model_name}_change", args=[first.pk])).status_code
        == 200
    )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_office_staff_see_nothing_of_the_ciqs_information_in_the_admin(client, people, model):
    client.force_login(people["office"])
    listed = client.get(_changelist(model))
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_nothing_is_added_in_the_admin_files_and_versions_go_through_concerto(client, people, model):
    client.force_login(people["staff"])
    assert client.get(reverse(f"admin:information_{model._meta.model_name}_add")).status_code == 403


def test_without_the_ciq_no_demonstration_document_is_loaded(db):
    assert "rien chargé" in load_information_demo(out=lambda line: None)
    assert not Document.objects.exists()


def test_demonstration_documents_are_labelled_valid_and_loaded_once(client, organizations, settings):
    settings.CONCERTO_DEMO_DATA = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # idempotent
    documents = list(Document.objects.order_by("pk"))
    assert len(documents) == 3
    assert all(d.is_demo and d.title.startswith("Démonstration — ") for d in documents)
    assert [d.is_published for d in documents] == [True, True, False]
    for document in documents:
        with document.file.open("rb") as handle:
            assert detect_content_type(handle) == "application/pdf"
    page = client.get(reverse("information-documents")).content.decode()
    assert "Données de démonstration" in page
    assert documents[2].title not in page
