# ruff: noqa: F811 - fixtures imported from tests.support.pathway are redefined as arguments
"""The privacy officer's registers (CAI agreement, incidents, destructions), the destruction
schedule (``pathway_destroy``), « Mes tâches » items of the collection, and who the
Office's coordination may invite for the pathway."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto.accounts import rules as account_rules
from concerto.accounts.forms import InvitationForm
from concerto.accounts.models import Invitation, Role
from concerto.pathway import inbox
from concerto.pathway.collect import last_completed_period, period_choices
from concerto.pathway.models import Agreement, Application, Destruction, Incident, Submission, Upload
from concerto.pathway.models_collect import add_months
from concerto.pathway.registers import destroy_expired, due_for_destruction
from tests.support.pathway import (  # noqa: F401 - fixtures
    agreement,
    ciq,
    key_file,
    make_agreement,
    office,
    order,
    other_order,
    people,
)

ROLES = ["submitter", "other_submitter", "office_coordinator", "analyst", "ciq_coordinator"]
REGISTER_PAGES = [
    ("pathway-registers", []),
    ("pathway-agreement-new", []),
    ("pathway-incident-new", []),
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def received(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def submission(order, period="2019-2020", day=datetime.date(2020, 1, 15), rows=3, **values):
    s = Submission.objects.create(
        order=order,
        period=period,
        received_at=received(day),
        row_count=rows,
        file_format="csv",
        file_sha256="a" * 64,
        **values,
    )
    for line in range(2, rows + 2):
        Application.objects.create(
            submission=s,
            line=line,
            pseudonym="b" * 64,
            profession="chimiste",
            country="FR",
            route="diploma_equivalence",
            received_on=day,
        )
    return s


def agreement_data(**changes):
    data = {
        "reference": "CAI-2026-002",
        "signed_on": "2026-01-10",
        "ends_on": "",
        "parties": "Office ; ordres",
        "purposes": "Diagnostic",
        "data_elements": ["pseudonyme", "profession", "pays_formation", "voie", "date_reception"],
        "retention_months": "36",
        "security_measures": "Chiffrement",
        "impact_assessment_reference": "EFVP-1",
        "impact_assessment_on": "2025-12-01",
    }
    data.update(changes)
    return data


def incident_data(**changes):
    data = {
        "occurred_on": "2026-03-01",
        "discovered_on": "2026-03-02",
        "description": "Courriel envoyé au mauvais destinataire",
        "information_concerned": "Rapport d’erreurs d’un dépôt",
        "people_concerned": "",
        "risk_assessment": "",
        "cai_notified_on": "",
        "people_notified_on": "",
        "measures": "",
        "closed_on": "",
    }
    data.update(changes)
    return data


# --- who keeps the registers ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,args", REGISTER_PAGES)
def test_only_the_privacy_officer_reaches_the_registers(people, role, name, args):
    assert client_for(people[role]).get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize("name,args", REGISTER_PAGES)
def test_anonymous_person_is_sent_to_login_from_the_registers(client, db, name, args):
    assert client.get(reverse(name, args=args)).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_nobody_else_records_in_the_registers(people, role, agreement):
    client = client_for(people[role])
    assert client.post(reverse("pathway-agreement-new"), agreement_data()).status_code == 403
    assert client.post(reverse("pathway-incident-new"), incident_data()).status_code == 403
    assert (
        client.post(reverse("pathway-agreement-edit", args=[agreement.pk]), agreement_data()).status_code
        == 403
    )
    assert Agreement.objects.count() == 1 and not Incident.objects.exists()


def test_registers_page_refuses_post(people):
    assert client_for(people["privacy_officer"]).post(reverse("pathway-registers")).status_code == 405


def test_privacy_officer_records_the_agreement_with_its_audit_trail(people):
    client = client_for(people["privacy_officer"])
    response = client.post(reverse("pathway-agreement-new"), agreement_data())
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.retention_months == 36 and agreement.recorded_by == people["privacy_officer"]
    assert agreement.data_elements == ["pseudonyme", "profession", "pays_formation", "voie", "date_reception"]
    client.post(reverse("pathway-agreement-edit", args=[agreement.pk]), agreement_data(retention_months="24"))
    history = list(agreement.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == people["privacy_officer"]
    page = client.get(reverse("pathway-register-history", args=["entente", agreement.pk])).content.decode()
    assert "durée de conservation (mois)" in page and "rprp" in page
    page = client.get(reverse("pathway-registers")).content.decode()
    assert "CAI-2026-002" in page and "EFVP-1" in page and "24 mois" in page


def test_the_agreement_must_allow_the_required_fields(people):
    data = agreement_data(data_elements=["pseudonyme"])
    response = client_for(people["privacy_officer"]).post(reverse("pathway-agreement-new"), data)
    assert "Les champs obligatoires du dictionnaire doivent être permis" in response.content.decode()
    assert not Agreement.objects.exists()


def test_an_agreement_cannot_end_before_it_is_signed(people):
    response = client_for(people["privacy_officer"]).post(
        reverse("pathway-agreement-new"), agreement_data(ends_on="2025-01-01")
    )
    assert "La fin de l’entente précède sa date" in response.content.decode()


def test_privacy_officer_records_and_closes_an_incident(people):
    client = client_for(people["privacy_officer"])
    assert client.post(reverse("pathway-incident-new"), incident_data()).status_code == 302
    incident = Incident.objects.get()
    assert incident.is_open
    client.post(reverse("pathway-incident-edit", args=[incident.pk]), incident_data(closed_on="2026-03-10"))
    incident.refresh_from_db()
    assert incident.closed_on == datetime.date(2026, 3, 10)
    assert incident.history.count() == 2


def test_a_serious_incident_is_not_closed_without_notifying_the_commission(people):
    data = incident_data(serious_risk="on", closed_on="2026-03-10")
    response = client_for(people["privacy_officer"]).post(reverse("pathway-incident-new"), data)
    assert "ne se ferme pas sans l’avis à la Commission" in response.content.decode()
    assert not Incident.objects.exists()


def test_an_incident_cannot_be_known_before_it_occurs(people):
    data = incident_data(discovered_on="2026-02-01")
    response = client_for(people["privacy_officer"]).post(reverse("pathway-incident-new"), data)
    assert response.status_code == 200 and not Incident.objects.exists()


def test_history_page_of_an_unknown_register_is_not_found(people):
    assert (
        client_for(people["privacy_officer"])
        .get(reverse("pathway-register-history", args=["autre", 1]))
        .status_code
        == 404
    )


def test_registers_page_queries_do_not_grow_with_the_rows(people, order, agreement):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people["privacy_officer"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("pathway-registers"))
    for n in range(4):
        submission(order, period=f"201{n}-201{n + 1}", rows=1)
        Incident.objects.create(
            occurred_on=datetime.date(2026, 1, 1), discovered_on=datetime.date(2026, 1, 2), description="x"
        )
        Destruction.objects.create(
            order=order,
            period=f"200{n}",
            received_at=received(datetime.date(2010, 1, 1)),
            retention_end=datetime.date(2015, 1, 1),
            row_count=1,
            file_sha256="c" * 64,
            agreement=agreement,
            source="test",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("pathway-registers"))
    assert len(many.captured_queries) == len(few.captured_queries)


# --- retention and destruction -------------------------------------------------------------------------


def test_retention_end_counts_calendar_months():
    assert add_months(datetime.date(2020, 1, 31), 1) == datetime.date(2020, 2, 29)
    assert add_months(datetime.date(2020, 1, 15), 60) == datetime.date(2025, 1, 15)
    assert add_months(datetime.date(2020, 3, 15), -3) == datetime.date(2019, 12, 15)


def test_a_submission_is_kept_through_the_last_day_of_its_retention(order):
    agreement = make_agreement(retention_months=60)
    submission(order, day=datetime.date(2020, 1, 15))
    assert due_for_destruction(agreement, today=datetime.date(2025, 1, 15)) == []
    assert len(due_for_destruction(agreement, today=datetime.date(2025, 1, 16))) == 1


def test_destruction_removes_rows_and_uploads_and_records_it(order, other_order):
    agreement = make_agreement(retention_months=60)
    old = submission(order, day=datetime.date(2020, 1, 15))
    Upload.objects.create(order=order, period=old.period, original_name="a.csv", errors=[[2, "x", "y", "z"]])
    recent = submission(other_order, period="2024-2025", day=datetime.date(2024, 6, 1))
    plan = destroy_expired(agreement=agreement, today=datetime.date(2025, 2, 1), source="test")
    assert [e.submission.pk for e in plan.submissions] == [old.pk]
    assert list(Submission.objects.all()) == [recent]
    assert not Application.objects.filter(submission_id=old.pk).exists()
    assert not Upload.objects.filter(order=order).exists()
    record = Destruction.objects.get()
    assert (record.order, record.period, record.row_count, record.uploads) == (order, "2019-2020", 3, 1)
    assert record.retention_end == datetime.date(2025, 1, 15) and record.agreement == agreement


def test_synthetic_submissions_are_not_destroyed(order):
    agreement = make_agreement(retention_months=12)
    submission(order, day=datetime.date(2020, 1, 15), synthetic=True)
    assert (
        destroy_expired(agreement=agreement, today=datetime.date(2025, 1, 1), source="test").submissions == []
    )
    assert Submission.objects.count() == 1


def test_refused_uploads_older_than_the_retention_are_erased(order):
    agreement = make_agreement(retention_months=12)
    stale = Upload.objects.create(order=order, period="2019-2020", original_name="a.csv")
    Upload.objects.filter(pk=stale.pk).update(created_at=received(datetime.date(2020, 1, 1)))
    fresh = Upload.objects.create(order=order, period="2024-2025", original_name="b.csv")
    plan = destroy_expired(agreement=agreement, today=datetime.date(2025, 1, 1), source="test")
    assert plan.stale_uploads == 1
    assert list(Upload.objects.all()) == [fresh]


def test_destroy_command_dry_run_changes_nothing(order):
    make_agreement(retention_months=12, signed_on=datetime.date(2019, 1, 1))
    submission(order, day=datetime.date(2020, 1, 15))
    out = io.StringIO()
    call_command("pathway_destroy", "--dry-run", stdout=out)
    assert "serait détruit" in out.getvalue() and "conservation échue le 2021-01-15" in out.getvalue()
    assert Submission.objects.count() == 1 and not Destruction.objects.exists()


def test_destroy_command_destroys_and_records_and_is_idempotent(order):
    make_agreement(retention_months=12, signed_on=datetime.date(2019, 1, 1))
    submission(order, day=datetime.date(2020, 1, 15))
    kept = submission(order, period="2025-2026", day=timezone.localdate())
    out = io.StringIO()
    call_command("pathway_destroy", stdout=out)
    assert "1 dépôt(s)" in out.getvalue()
    assert list(Submission.objects.all()) == [kept]
    assert Destruction.objects.get().source == "pathway_destroy"
    call_command("pathway_destroy", stdout=io.StringIO())
    assert Destruction.objects.count() == 1


def test_destroy_command_without_agreement_destroys_nothing(order):
    submission(order, day=datetime.date(2000, 1, 15))
    with pytest.raises(CommandError, match="Aucune entente"):
        call_command("pathway_destroy")
    assert Submission.objects.count() == 1


def test_an_ended_agreement_is_not_in_force(order):
    from concerto.pathway.collect import agreement_in_force

    make_agreement(signed_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2024, 12, 31))
    assert agreement_in_force(datetime.date(2024, 12, 31)) is not None
    assert agreement_in_force(datetime.date(2025, 1, 1)) is None


# --- periods ---------------------------------------------------------------------------------------------


def test_reporting_years_run_from_april_to_march():
    assert last_completed_period(datetime.date(2025, 3, 31)) == "2023-2024"
    assert last_completed_period(datetime.date(2025, 4, 1)) == "2024-2025"
    assert period_choices(datetime.date(2025, 4, 1))[0] == ("2025-2026", "2025-2026")


# --- « Mes tâches » -------------------------------------------------------------------------------------

TODAY = datetime.date(2025, 6, 1)


def test_submitter_is_asked_for_the_period_expected(people, order, agreement):
    tasks = inbox.submitter_tasks(people["submitter"], today=TODAY)
    assert [t.title for t in tasks] == ["Déposer les données du parcours d’admission 2024-2025"]
    assert tasks[0].url == reverse("pathway-upload", args=[order.code])


def test_no_period_is_expected_without_an_agreement_in_force(people, agreement):
    agreement.delete()
    assert inbox.submitter_tasks(people["submitter"], today=TODAY) == []


def test_submitter_is_asked_to_fix_a_refused_file_until_one_is_accepted(people, order, agreement):
    refused = Upload.objects.create(
        order=order, period="2024-2025", original_name="a.csv", state=Upload.State.REFUSED
    )
    tasks = inbox.submitter_tasks(people["submitter"], today=TODAY)
    assert [t.status for t in tasks] == ["À corriger"]
    assert tasks[0].url == reverse("pathway-upload-detail", args=[refused.pk])
    kept = submission(order, period="2024-2025", day=TODAY)
    Upload.objects.create(
        order=order, period="2024-2025", original_name="b.csv", state=Upload.State.ACCEPTED, submission=kept
    )
    assert inbox.submitter_tasks(people["submitter"], today=TODAY) == []


@pytest.mark.parametrize(
    "role", ["other_submitter", "office_coordinator", "analyst", "privacy_officer", "ciq_coordinator"]
)
def test_other_people_get_no_submitter_items_for_the_order(people, order, role, agreement):
    Upload.objects.create(order=order, period="2024-2025", original_name="a.csv", state=Upload.State.REFUSED)
    titles = [t.title for t in inbox.submitter_tasks(people[role], today=TODAY)]
    assert not any("Corriger" in t for t in titles)


def test_submitter_items_take_a_fixed_number_of_queries(
    people, order, agreement, django_assert_max_num_queries
):
    for n in range(5):
        Upload.objects.create(
            order=order, period=f"201{n}-201{n + 1}", original_name="a.csv", state=Upload.State.REFUSED
        )
    user = people["submitter"]
    with django_assert_max_num_queries(6):
        assert len(inbox.submitter_tasks(user, today=TODAY)) == 6


def test_privacy_officer_sees_open_incidents_and_destructions_due(people, order):
    make_agreement(retention_months=60, ends_on=TODAY + datetime.timedelta(days=30))
    submission(order, day=datetime.date(2020, 1, 15))  # ended 2025-01-15
    submission(order, period="2020-2021", day=datetime.date(2020, 6, 20))  # ends 2025-06-20
    Incident.objects.create(
        occurred_on=datetime.date(2025, 5, 1), discovered_on=datetime.date(2025, 5, 2), description="x"
    )
    Incident.objects.create(
        occurred_on=datetime.date(2025, 1, 1),
        discovered_on=datetime.date(2025, 1, 2),
        description="y",
        closed_on=datetime.date(2025, 2, 1),
    )
    tasks = {t.status: t for t in inbox.privacy_officer_tasks(people["privacy_officer"], today=TODAY)}
    assert set(tasks) == {"Ouvert", "Fin prochaine", "Destruction due", "Destruction prochaine"}
    assert tasks["Destruction due"].due == datetime.date(2025, 1, 15)
    assert tasks["Destruction prochaine"].due == datetime.date(2025, 6, 20)
    assert "pathway_destroy" in tasks["Destruction due"].title


def test_privacy_officer_is_asked_for_an_agreement_when_none_is_in_force(people):
    tasks = inbox.privacy_officer_tasks(people["privacy_officer"], today=TODAY)
    assert [t.url for t in tasks] == [reverse("pathway-agreement-new")]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_privacy_officer_gets_register_items(people, role):
    Incident.objects.create(occurred_on=TODAY, discovered_on=TODAY, description="x")
    assert inbox.privacy_officer_tasks(people[role], today=TODAY) == []


def test_the_collection_registers_its_task_sources():
    from concerto.core.inbox import registered_sources

    names = {s.name for s in registered_sources()}
    assert {"pathway-submitters", "pathway-privacy"} <= names


# --- invitations ------------------------------------------------------------------------------------------


def test_office_coordinator_may_grant_data_submitter_in_any_order(people, order, other_order):
    coordinator = people["office_coordinator"]
    assert account_rules.can_grant_role(coordinator, order, Role.DATA_SUBMITTER)
    assert account_rules.can_grant_role(coordinator, other_order, Role.DATA_SUBMITTER)


def test_data_submitter_is_granted_only_in_a_professional_order(people, office, ciq):
    coordinator = people["office_coordinator"]
    assert not account_rules.can_grant_role(coordinator, office, Role.DATA_SUBMITTER)
    assert not account_rules.can_grant_role(coordinator, ciq, Role.DATA_SUBMITTER)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PRIVACY_OFFICER])
def test_office_roles_are_granted_only_in_the_office(people, office, order, ciq, role):
    coordinator = people["office_coordinator"]
    assert account_rules.can_grant_role(coordinator, office, role)
    assert not account_rules.can_grant_role(coordinator, order, role)
    assert not account_rules.can_grant_role(people["ciq_coordinator"], ciq, role)


@pytest.mark.parametrize("role", [Role.DATA_SUBMITTER, Role.ANALYST, Role.PRIVACY_OFFICER])
def test_another_bodys_coordinator_grants_no_pathway_role(people, order, office, role):
    coordinator = people["ciq_coordinator"]
    assert not account_rules.can_grant_role(coordinator, order, role)
    assert not account_rules.can_grant_role(coordinator, office, role)


@pytest.mark.parametrize("role", ["submitter", "analyst", "privacy_officer", "other_submitter"])
def test_pathway_roles_do_not_invite(people, order, role):
    assert not account_rules.can_grant_role(people[role], order, Role.DATA_SUBMITTER)


def test_invitation_form_lists_the_orders_for_the_office_coordinator(people, order, other_order):
    form = InvitationForm(inviter=people["office_coordinator"])
    codes = set(form.fields["organization"].queryset.values_list("code", flat=True))
    assert {order.code, other_order.code} <= codes


def test_invitation_form_refuses_an_analyst_in_an_order_saying_why(people, order):
    data = {"email": "x@example.org", "organization": order.pk, "role": Role.ANALYST}
    form = InvitationForm(data, inviter=people["office_coordinator"])
    assert not form.is_valid()
    assert "n’est attribué que dans l’Office des professions du Québec" in str(form.errors)


def test_office_coordinator_invites_a_data_submitter_from_the_page(people, order, settings):
    client = client_for(people["office_coordinator"])
    data = {"email": "depots@example.org", "organization": order.pk, "role": Role.DATA_SUBMITTER}
    response = client.post(reverse("invitation-create"), data)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.role) == (order, Role.DATA_SUBMITTER)
    assert len(mail.outbox) == 1


def test_office_coordinator_invites_an_analyst_in_the_office(people, office):
    client = client_for(people["office_coordinator"])
    data = {"email": "analyse2@example.org", "organization": office.pk, "role": Role.ANALYST}
    assert client.post(reverse("invitation-create"), data).status_code == 302
    assert Invitation.objects.get().role == Role.ANALYST
