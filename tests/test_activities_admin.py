"""The activities in the admin (French, scoped by the activity's owner) and in ``load_demo``."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concerto.activities.demo import load_activities_demo
from concerto.activities.models import Activity, Registration, Session
from tests.factories import RegistrationFactory
from tests.support.activities import build_world

pytestmark = pytest.mark.django_db

MODELS = [
    m for m in apps.get_app_config("activities").get_models() if not m.__name__.startswith("Historical")
]


@pytest.fixture
def world():
    world = build_world()
    RegistrationFactory(session=world.session, user=world.person_a, organization=world.order_a)
    for user in (world.staff, world.office_coordinator):
        user.is_staff = True
        user.save()
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="activities"))
    return world


def _changelist(model):
    return reverse(f"admin:activities_{model._meta.model_name}_changelist")


def _change(model, pk):
    return reverse(f"admin:activities_{model._meta.model_name}_change", args=[pk])


def test_every_activities_model_is_registered_in_the_admin():
    assert [m.__name__ for m in MODELS if not admin.site.is_registered(m)] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_ciq_staff_see_in_the_admin_what_the_ciq_owns_in_french(client, world, model):
    client.force_login(world.staff)
    listed = client.get(_changelist(model))
    assert listed.status_code == 200 and '<html lang="fr"' in listed.content.decode()
    assert {o.pk for o in listed.context["cl"].result_list} == set(model.objects.values_list("pk", flat=True))
    assert client.get(_change(model, model.objects.order_by("pk").first().pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_office_staff_see_nothing_of_the_activities_in_the_admin(client, world, model):
    client.force_login(world.office_coordinator)
    listed = client.get(_changelist(model))
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []


def test_registrations_are_not_added_in_the_admin(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("admin:activities_registration_add")).status_code == 403


# --- demonstration data ---------------------------------------------------------------------


def test_without_organizations_the_demo_loads_nothing(db):
    assert "rien chargé" in load_activities_demo(out=lambda line: None)
    assert not Activity.objects.exists()


def test_the_demo_has_labelled_activities_one_full_with_a_waiting_list_once(organizations, settings):
    settings.CONCERTO_DEMO_DATA = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # idempotent
    activities = list(Activity.objects.all())
    assert len(activities) == 3
    assert all(a.is_demo and a.title.startswith("Démonstration") for a in activities)
    full = Session.objects.get(activity__slug="demo-formation-reconnaissance", capacity=6)
    assert full.registrations.filter(status="registered").count() == full.capacity
    assert list(
        full.registrations.filter(status="waitlisted").order_by("position").values_list("position", flat=True)
    ) == [1, 2, 3]
    assert Registration.objects.filter(attendance="attended").exists()
    page = Client().get(reverse("activity-detail", args=["demo-formation-reconnaissance"])).content.decode()
    assert "Données de démonstration" in page
    assert "Démonstration" in Client().get(reverse("activity-list")).content.decode()
