"""The CIQ's groups in the admin: every model registered, in French, scoped by
the group's owner — the CIQ's staff see the CIQ's groups, the Office's staff
none; adopted minutes are frozen; calendar tokens are for superusers only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from concerto.groups import services
from concerto.groups.models import CalendarToken
from tests.support.groups import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

GROUP_MODELS = [
    m for m in apps.get_app_config("groups").get_models() if not m.__name__.startswith("Historical")
]
SCOPED = [m for m in GROUP_MODELS if m is not CalendarToken]


@pytest.fixture
def world():
    world = build_world()
    services.calendar_token(user=world.member)
    services.record_attendance(
        user=world.ciq_staff, meeting=world.meeting, statuses={world.membership.pk: "present"}
    )
    for user in (world.ciq_staff, world.office_staff):
        user.is_staff = True
        user.save()
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="groups"))
    return world


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_groups_model_is_registered_in_the_admin():
    assert [m.__name__ for m in GROUP_MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_ciq_staff_see_the_ciqs_rows_and_the_office_none(world, model):
    url = reverse(f"admin:groups_{model._meta.model_name}_changelist")
    ciq = _client(world.ciq_staff).get(url)
    office = _client(world.office_staff).get(url)
    assert ciq.status_code == office.status_code == 200
    assert len(ciq.context["cl"].result_list) == model.objects.count() > 0
    assert list(office.context["cl"].result_list) == []


def test_the_admin_is_in_french(world):
    page = _client(world.ciq_staff).get(reverse("admin:groups_meeting_changelist")).content.decode()
    assert "réunion" in page


def test_adopted_minutes_cannot_be_changed_in_the_admin(world):
    services.adopt_minutes(user=world.ciq_staff, minutes=world.minutes, at=world.later)
    response = _client(world.ciq_staff).post(
        reverse("admin:groups_minutes_change", args=[world.minutes.pk]), {"body": "Autre"}
    )
    assert response.status_code == 403
    world.minutes.refresh_from_db()
    assert world.minutes.body != "Autre"


def test_calendar_tokens_are_for_superusers_only(world):
    response = _client(world.ciq_staff).get(reverse("admin:groups_calendartoken_changelist"))
    assert response.status_code == 403
