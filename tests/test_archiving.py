"""Plans, measures and organizations with history are archived, never deleted."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerto.accounts.models import Membership, Role
from concerto.campaigns.services import open_campaign
from concerto.core.archiving import DeletionRefused, archive
from concerto.organizations.models import Organization
from concerto.plans.models import Measure, MeasureLead, Plan
from concerto.plans.state import load_plan_state

from .factories import (
    IndicatorFactory,
    MeasureFactory,
    MeasureLeadFactory,
    OrganizationFactory,
    PlanFactory,
    ProgressReportFactory,
    build_clean_plan,
)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _measure_with_three_reports():
    measure = MeasureFactory(number=13)
    for year in (2021, 2022, 2023):
        ProgressReportFactory(measure=measure, as_of=datetime.date(year, 3, 31))
    return measure


# --- the model refuses ---------------------------------------------------------


@pytest.mark.django_db
def test_measure_with_progress_cannot_be_deleted():
    measure = _measure_with_three_reports()
    with pytest.raises(DeletionRefused) as refused:
        measure.delete()
    assert refused.value.message == (
        "La mesure 13 a un historique (3 états d’avancement) : elle ne peut pas être supprimée. "
        "Archivez-la plutôt."
    )
    assert Measure.objects.filter(pk=measure.pk).exists()


@pytest.mark.django_db
def test_plan_with_a_measure_with_history_cannot_be_deleted():
    measure = _measure_with_three_reports()
    plan = measure.plan
    with pytest.raises(DeletionRefused) as refused:
        plan.delete()
    assert refused.value.message == (
        f"Le plan « {plan.slug} » a un historique (3 états publiés, 1 mesure avec historique) : "
        "il ne peut pas être "
        "supprimé. Archivez-le plutôt."
    )
    assert Plan.objects.filter(pk=plan.pk).exists() and Measure.objects.filter(pk=measure.pk).exists()


@pytest.mark.django_db
def test_organization_leading_a_measure_cannot_be_deleted(django_user_model):
    organization = OrganizationFactory(name="Ordre des chimistes")
    MeasureLeadFactory(organization=organization)
    user = django_user_model.objects.create_user("chimiste")
    Membership.objects.create(user=user, organization=organization, role=Role.EDITOR)
    with pytest.raises(DeletionRefused) as refused:
        organization.delete()
    assert refused.value.message == (
        "L’organisation « Ordre des chimistes » a un historique (1 M/O en charge, 1 appartenance) : "
        "elle ne peut pas être supprimée. Archivez-la plutôt."
    )
    assert Organization.objects.filter(pk=organization.pk).exists()


@pytest.mark.django_db
def test_refusal_is_a_validation_error_with_its_code():
    with pytest.raises(ValidationError) as refused:
        _measure_with_three_reports().delete()
    assert refused.value.code == "has_history"


@pytest.mark.django_db
def test_measure_without_history_is_deleted_with_its_parts():
    measure = MeasureFactory()
    MeasureLeadFactory(measure=measure)
    IndicatorFactory(measure=measure)
    measure.delete()
    assert not Measure.objects.filter(pk=measure.pk).exists()
    assert not MeasureLead.objects.filter(measure_id=measure.pk).exists()


@pytest.mark.django_db
def test_plan_without_history_is_deleted_with_its_measures():
    plan = PlanFactory()
    MeasureFactory(theme__plan=plan)
    plan.delete()
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_organization_without_history_is_deleted():
    organization = OrganizationFactory()
    organization.delete()
    assert not Organization.objects.filter(pk=organization.pk).exists()


# --- the admin refuses and offers archiving -----------------------------------------


@pytest.mark.django_db
def test_admin_delete_page_shows_the_refusal_instead(admin_client):
    measure = _measure_with_three_reports()
    url = reverse("admin:plans_measure_delete", args=[measure.pk])
    page = admin_client.get(url).content.decode()
    assert "La mesure 13 a un historique (3 états d’avancement)" in page
    assert 'value="archive_selected"' in page
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Measure.objects.filter(pk=measure.pk).exists()


@pytest.mark.django_db
def test_admin_delete_action_refuses_when_one_object_has_history(admin_client):
    kept = OrganizationFactory(name="Ordre des chimistes")
    MeasureLeadFactory(organization=kept)
    free = OrganizationFactory()
    url = reverse("admin:organizations_organization_changelist")
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [kept.pk, free.pk], "post": "yes"}
    )
    assert "L’organisation « Ordre des chimistes » a un historique" in response.content.decode()
    assert Organization.objects.filter(pk__in=[kept.pk, free.pk]).count() == 2


@pytest.mark.django_db
def test_admin_delete_action_deletes_objects_without_history(admin_client):
    free = OrganizationFactory()
    url = reverse("admin:organizations_organization_changelist")
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [free.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=free.pk).exists()


@pytest.mark.django_db
def test_admin_bulk_deletion_goes_through_each_refusal(superuser):
    organization = OrganizationFactory()
    MeasureLeadFactory(organization=organization)
    model_admin = admin.site._registry[Organization]
    request = RequestFactory().post("/")
    request.user = superuser
    with pytest.raises(DeletionRefused):
        model_admin.delete_queryset(request, Organization.objects.filter(pk=organization.pk))
    assert Organization.objects.filter(pk=organization.pk).exists()


@pytest.mark.django_db
def test_admin_archive_and_unarchive_actions(admin_client):
    measure = _measure_with_three_reports()
    url = reverse("admin:plans_measure_changelist")
    admin_client.post(url, {"action": "archive_selected", "_selected_action": [measure.pk], "index": "0"})
    measure.refresh_from_db()
    assert measure.archived_at is not None
    admin_client.post(url, {"action": "unarchive_selected", "_selected_action": [measure.pk], "index": "0"})
    measure.refresh_from_db()
    assert measure.archived_at is None


@pytest.mark.django_db
def test_admin_archive_action_is_recorded_in_the_audit_trail(admin_client, superuser):
    plan = PlanFactory()
    url = reverse("admin:plans_plan_changelist")
    admin_client.post(url, {"action": "archive_selected", "_selected_action": [plan.pk], "index": "0"})
    record = Plan.history.filter(id=plan.pk).latest("history_date")
    assert record.archived_at is not None and record.history_user == superuser


# --- public pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_archived_organization_is_hidden_from_the_list_but_its_page_stays(client):
    archived = OrganizationFactory(name="Ordre dissous")
    OrganizationFactory(name="Ordre actif")
    archive(instances=[archived])
    listing = client.get(reverse("organization-list")).content.decode()
    assert "Ordre actif" in listing and "Ordre dissous" not in listing
    page = client.get(reverse("organization-detail", args=[archived.code]))
    assert page.status_code == 200 and "Archivée" in page.content.decode()


@pytest.mark.django_db
def test_organization_list_queries_do_not_change_with_archived_organizations(client):
    OrganizationFactory.create_batch(3)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("organization-list"))
    archive(instances=OrganizationFactory.create_batch(20))
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("organization-list"))
    assert len(after) == len(before)


@pytest.mark.django_db
def test_home_page_skips_archived_plans_but_their_page_stays(client):
    older = build_clean_plan(1)
    newer = PlanFactory(start_year=2024, end_year=2029, title="Plan d’action 2024-2029")
    archive(instances=[newer])
    home = client.get(reverse("home")).content.decode()
    assert older.title in home and newer.title not in home
    page = client.get(reverse("plan-detail", args=[newer.slug]))
    assert page.status_code == 200 and "Archivé" in page.content.decode()


@pytest.mark.django_db
def test_archived_measure_stays_in_the_plan_state_and_its_page(client):
    plan = build_clean_plan(2)
    measure = plan.measures.get(number=2)
    archive(instances=[measure])
    state = load_plan_state(plan, datetime.date(2023, 3, 31))
    assert [m.measure.number for m in state.measures] == [1, 2]
    page = client.get(reverse("measure-detail", args=[plan.slug, 2]))
    assert page.status_code == 200 and "Archivée" in page.content.decode()


@pytest.mark.django_db
def test_open_campaign_skips_archived_measures(superuser):
    plan = build_clean_plan(3)
    archive(instances=[plan.measures.get(number=2)])
    campaign = open_campaign(
        plan=plan,
        as_of=datetime.date(2024, 3, 31),
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        opened_by=superuser,
    )
    assert sorted(campaign.drafts.values_list("measure__number", flat=True)) == [1, 3]


@pytest.mark.django_db
def test_admin_deletes_a_plan_whose_measures_have_no_history(admin_client):
    plan = PlanFactory()
    MeasureFactory(theme__plan=plan)
    url = reverse("admin:plans_plan_delete", args=[plan.pk])
    page = admin_client.get(url).content.decode()
    assert "objets liés protégés" not in page and 'name="post"' in page
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Plan.objects.filter(pk=plan.pk).exists() and not Measure.objects.exists()
