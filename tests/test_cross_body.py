"""What one coordinating body owns, another's staff never reach: the admin,
invitations and working reports; and the background jobs and outbox keep
people's data out of messages and logs."""

import logging

import pytest
from django.urls import reverse

from concerto.accounts import rules
from concerto.accounts.models import Role
from concerto.accounts.services import invite
from concerto.campaigns.models import Campaign
from concerto.jobs.models import Job
from concerto.reports.models import WorkingDocument
from concerto.reports.rules import can_generate_reports

from .factories import (
    AS_OF,
    MeasureLeadFactory,
    OrganizationFactory,
    OwningBodyFactory,
    PlanFactory,
    UserFactory,
    build_clean_plan,
)


@pytest.fixture
def bodies(db):
    """The Office and a second body, each owning a plan; the Office leads a measure of B's plan."""
    office, body_b = OwningBodyFactory(code="office"), OwningBodyFactory(code="body-b")
    plan_b = body_b.owned_plans.get()
    MeasureLeadFactory(measure__plan=plan_b, measure__theme__plan=plan_b, organization=office)
    return office, body_b


@pytest.fixture
def staff_of_b(bodies, django_user_model):
    """A staff coordinator of body B, with every model permission of the admin."""
    from django.contrib.auth.models import Permission

    _office, body_b = bodies
    user = UserFactory(coordinator_of=body_b, is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return django_user_model.objects.get(pk=user.pk)


@pytest.mark.parametrize(
    "model",
    ["accounts/membership", "accounts/invitation", "jobs/job", "notifications/sentnotification"],
)
def test_staff_of_a_body_cannot_open_the_admin_of_what_belongs_to_no_body(client, staff_of_b, model):
    client.force_login(staff_of_b)
    assert client.get(f"/admin/{model}/").status_code == 403


def test_staff_of_a_body_sees_only_its_own_plans_in_the_admin(client, bodies, staff_of_b):
    client.force_login(staff_of_b)
    page = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    office_plan, b_plan = bodies[0].owned_plans.get(), bodies[1].owned_plans.get()
    assert b_plan.title in page and office_plan.title not in page


def test_staff_of_a_body_cannot_hang_a_campaign_on_another_bodys_plan(client, bodies, staff_of_b):
    office_plan = bodies[0].owned_plans.get()
    client.force_login(staff_of_b)
    form = client.get(reverse("admin:campaigns_campaign_add")).context["adminform"].form
    assert office_plan not in form.fields["plan"].queryset
    response = client.post(
        reverse("admin:campaigns_campaign_add"),
        {"plan": office_plan.pk, "as_of": "2024-03-31", "deadline": "2024-06-30", "reminder_days": "[14, 3]"},
    )
    assert response.status_code == 200  # the form is shown again with the choice refused
    assert not Campaign.objects.exists()


def test_staff_of_a_body_cannot_change_an_organization(client, bodies, staff_of_b):
    client.force_login(staff_of_b)
    url = reverse("admin:organizations_organization_change", args=[bodies[0].pk])
    response = client.post(url, {"name": "Renommé", "code": "office", "kind": "public_body"})
    assert response.status_code == 403


def test_a_coordinator_cannot_invite_into_another_owning_body_that_takes_part_in_its_plan(bodies):
    office, body_b = bodies
    coordinator_b = UserFactory(coordinator_of=body_b)
    invitable = rules.invitable_organizations(coordinator_b)
    assert office not in invitable and body_b in invitable
    assert not rules.can_grant_role(coordinator_b, office, Role.EDITOR)


def test_a_partner_leading_a_measure_of_the_plan_stays_invitable(bodies):
    _office, body_b = bodies
    partner = OrganizationFactory(code="partenaire")
    plan_b = body_b.owned_plans.get()
    MeasureLeadFactory(measure__plan=plan_b, measure__theme__plan=plan_b, organization=partner)
    assert rules.can_grant_role(UserFactory(coordinator_of=body_b), partner, Role.EDITOR)


def test_a_staff_coordinator_of_a_body_that_owns_nothing_gets_no_working_report(db):
    plan = PlanFactory(owner=OrganizationFactory())
    newcomer = UserFactory(coordinator_of=OrganizationFactory(code="ciq"), is_staff=True)
    assert not rules.coordinated_owner_ids(newcomer)  # it owns nothing yet
    assert not can_generate_reports(newcomer, plan)
    assert can_generate_reports(UserFactory(is_staff=True), plan)  # the Office's staff without a role


def test_a_working_document_removed_after_its_job_is_made_again_when_asked(client, db):
    plan = build_clean_plan(2)
    plan.owner = OrganizationFactory()
    plan.save()
    client.force_login(UserFactory(coordinator_of=plan.owner))
    ask = {"as_of": AS_OF.isoformat(), "format": "pdf"}
    prepare = reverse("report-prepare", kwargs={"slug": plan.slug})
    client.post(prepare, ask)
    WorkingDocument.objects.all().delete()  # e.g. an administrator cleaned the table
    response = client.post(prepare, ask)
    assert client.get(response["Location"]).content.startswith(b"%PDF")
    assert Job.objects.get().state == Job.State.DONE and WorkingDocument.objects.count() == 1


def test_the_outbox_logs_the_key_and_the_count_not_the_addresses(db, caplog, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    office = OwningBodyFactory()
    with caplog.at_level(logging.INFO, logger="concerto.notifications"):
        invitation, _token = invite(
            email="marie.tremblay@example.org",
            organization=office,
            role=Role.EDITOR,
            invited_by=UserFactory(coordinator_of=office),
        )
    assert f"invitation:{invitation.pk}" in caplog.text and "1 destinataire(s)" in caplog.text
    assert "marie.tremblay" not in caplog.text
