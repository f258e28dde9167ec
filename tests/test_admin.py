"""The Django admin covers every model, in French, for staff only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

CONCERTO_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"organizations", "plans"}]


def test_every_concerto_model_is_registered_in_the_admin():
    missing = [m.__name__ for m in CONCERTO_MODELS if not admin.site.is_registered(m)]
    assert missing == []


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", CONCERTO_MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_opens_in_french(superuser_client, real_plan, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.parametrize("model", CONCERTO_MODELS, ids=lambda m: m.__name__)
def test_admin_change_page_opens(superuser_client, real_plan, model):
    instance = model.objects.order_by("pk").first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk])
    assert superuser_client.get(url).status_code == 200


def test_admin_refuses_anonymous_users(client, db):
    response = client.get(reverse("admin:plans_measure_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_refuses_signed_in_non_staff(client, django_user_model, db):
    client.force_login(django_user_model.objects.create_user("lecteur", password="x"))
    response = client.get(reverse("admin:plans_measure_changelist"))
    assert response.status_code == 302


def test_admin_rejects_an_unreadable_deadline_with_a_french_message(superuser_client, real_plan):
    from concerto.plans.models import Indicator

    indicator = Indicator.objects.order_by("pk").first()
    url = reverse("admin:plans_indicator_change", args=[indicator.pk])
    response = superuser_client.post(
        url,
        {"measure": indicator.measure_id, "position": 0, "label": "x", "deadline_text": "Bientôt"},
    )
    assert response.status_code == 200
    assert "Échéance « Bientôt » non reconnue" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.deadline_text != "Bientôt"
