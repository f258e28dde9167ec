# ruff: noqa: F811 - fixtures imported from tests.support.pathway are redefined as arguments
"""The pathway in the admin: registers read only for the Office's staff, record-level data
for superusers only and never a pseudonym."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from concerto.pathway.models import Agreement, Application, Destruction, Incident, Submission, Upload
from concerto.pathway.release_models import Release, ReleaseFile, ReleaseTable
from tests.factories import UserFactory
from tests.support.pathway import MARKER, ciq, make_agreement, office, order  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
REGISTERS = [Agreement, Incident, Destruction, Release, ReleaseTable, ReleaseFile]
RECORDS = [Submission, Upload]


def _url(model, action="changelist", *args):
    return reverse(f"admin:pathway_{model._meta.model_name}_{action}", args=args)


def _staff(**roles):
    user = UserFactory(is_staff=True, **roles)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="pathway"))
    return user


@pytest.fixture
def agreement(office):
    return make_agreement()


@pytest.fixture
def records(order):
    submission = Submission.objects.create(
        order=order,
        period="2024-2025",
        received_at=timezone.now(),
        row_count=1,
        file_format="csv",
        file_sha256="a" * 64,
    )
    Application.objects.create(
        submission=submission,
        line=2,
        pseudonym=MARKER,
        profession="chimiste",
        country="FR",
        route="diploma_equivalence",
        received_on=datetime.date(2024, 5, 1),
    )
    Upload.objects.create(
        order=order,
        period="2024-2025",
        original_name="depot.csv",
        state=Upload.State.REFUSED,
        errors=[[2, "pseudonyme", MARKER, "pseudonyme mal formé"]],
        error_total=1,
    )
    return submission


@pytest.mark.parametrize("model", REGISTERS + RECORDS, ids=lambda m: m.__name__)
def test_superuser_opens_each_pathway_list_in_french(admin_client, model):
    response = admin_client.get(_url(model))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


def test_applications_with_their_pseudonyms_are_not_in_the_admin():
    assert not admin.site.is_registered(Application)


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_superuser_pages_of_records_show_no_pseudonym(admin_client, records, model):
    instance = model.objects.get()
    for url in (_url(model), _url(model, "change", instance.pk)):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert MARKER not in response.content.decode()


def test_office_staff_read_the_agreement_without_changing_it(client, agreement, office):
    client.force_login(_staff(coordinator_of=office))
    assert agreement.reference in client.get(_url(Agreement)).content.decode()
    page = client.get(_url(Agreement, "change", agreement.pk)).content.decode()
    assert 'name="_save"' not in page
    response = client.post(_url(Agreement, "change", agreement.pk), {"reference": "MODIFIEE"})
    assert response.status_code == 403
    assert client.get(_url(Agreement, "add")).status_code == 403
    agreement.refresh_from_db()
    assert agreement.reference == "CAI-2025-001"


def test_staff_of_another_body_see_no_register_entry(client, agreement, ciq):
    client.force_login(_staff(coordinator_of=ciq))
    assert agreement.reference not in client.get(_url(Agreement)).content.decode()
    assert client.get(_url(Agreement, "change", agreement.pk)).status_code == 302  # « not found », sent back


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_office_staff_cannot_open_record_level_data(client, office, records, model):
    client.force_login(_staff(coordinator_of=office))
    assert client.get(_url(model)).status_code == 403
