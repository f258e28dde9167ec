"""Working reports (PDF, Word, Excel) are made by a background job and kept
for the state of the data: the report page shows the preparation and offers
the document; asking again for unchanged data serves it at once."""

import io
import signal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerto.accounts.models import Membership, Role
from concerto.jobs.models import Job
from concerto.plans.cache import plan_data_fingerprint
from concerto.plans.models import ProgressReport
from concerto.reports import formats
from concerto.reports.models import WorkingDocument
from concerto.reports.services import publish_report

from .factories import AS_OF, OrganizationFactory, build_clean_plan

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
ASK = {"as_of": AS_OF.isoformat(), "format": "pdf"}


@pytest.fixture
def plan(db):
    plan = build_clean_plan(3)
    plan.owner = OrganizationFactory(code="office-test", name="Office (essai)")
    plan.save()
    return plan


def _member(django_user_model, name, organization, role, **extra):
    user = django_user_model.objects.create_user(name, password="x", **extra)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def coordinator(django_user_model, plan):
    """A coordinator of the body that owns the plan (the Office)."""
    return _member(django_user_model, "coordo", plan.owner, Role.COORDINATOR, is_staff=True)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _lead(plan):
    return plan.measures.order_by("number").first().leads.get()


def _url(name, plan):
    return reverse(name, kwargs={"slug": plan.slug})


def _prepare(client, plan, **data):
    return client.post(_url("report-prepare", plan), {**ASK, **data})


# --- asking for a document --------------------------------------------------------


def test_preparing_a_pdf_runs_a_job_and_sends_the_reader_to_the_file(coordinator_client, plan):
    response = _prepare(coordinator_client, plan)
    assert response.status_code == 302
    assert response["Location"].startswith(_url("report-download", plan))
    job = Job.objects.get()
    assert job.state == Job.State.DONE and job.requested_by.username == "coordo"
    assert job.attempts == 1 and job.error == ""  # a retry must not hide a failure
    download = coordinator_client.get(response["Location"])
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert (
        download["Content-Disposition"] == f'attachment; filename="{plan.slug}_etat-2023-03-31_travail.pdf"'
    )


def test_an_already_made_document_is_served_without_rendering_again(coordinator_client, plan, monkeypatch):
    _prepare(coordinator_client, plan)

    def no_rendering(report, fmt):
        raise AssertionError("rendu de nouveau")

    monkeypatch.setattr(formats, "_render_report_format", no_rendering)
    response = _prepare(coordinator_client, plan)
    assert response["Location"].startswith(_url("report-download", plan))
    assert coordinator_client.get(response["Location"]).content.startswith(b"%PDF")
    assert Job.objects.count() == 1 and WorkingDocument.objects.count() == 1


def test_each_format_and_date_is_its_own_document(coordinator_client, plan):
    for fmt in ("pdf", "docx", "xlsx"):
        _prepare(coordinator_client, plan, format=fmt)
    assert sorted(WorkingDocument.objects.values_list("format", flat=True)) == ["docx", "pdf", "xlsx"]
    assert Job.objects.count() == 3


def test_a_change_of_the_data_makes_a_new_document_and_drops_the_old_one(coordinator_client, plan):
    _prepare(coordinator_client, plan)
    ProgressReport.objects.filter(measure__plan=plan).update(percent=77)
    report = ProgressReport.objects.filter(measure__plan=plan).first()
    report.narrative = "Nouvelles données."
    report.save()  # a tracked write: the data fingerprint changes
    stale = coordinator_client.get(_url("report-download", plan), ASK)
    assert stale.status_code == 302 and stale["Location"] == _url("report-page", plan)
    _prepare(coordinator_client, plan)
    assert Job.objects.count() == 2 and WorkingDocument.objects.count() == 1


def test_downloading_a_document_not_yet_made_sends_to_the_report_page(coordinator_client, plan):
    response = coordinator_client.get(_url("report-download", plan), ASK, follow=True)
    assert response.redirect_chain == [(_url("report-page", plan), 302)]
    assert "pas prêt pour les données actuelles" in response.content.decode()
    assert Job.objects.count() == 0


def test_csv_is_still_written_at_once_without_a_job(coordinator_client, plan):
    response = _prepare(coordinator_client, plan, format="csv")
    assert coordinator_client.get(response["Location"])["Content-Type"] == "text/csv; charset=utf-8"
    assert Job.objects.count() == 0


def test_a_bad_date_is_refused_in_french_and_queues_nothing(coordinator_client, plan):
    response = _prepare(coordinator_client, plan, as_of="31/03/2023")
    assert response.status_code == 400
    assert (
        "Date invalide « 31/03/2023 » : une date existante au format AAAA-MM-JJ" in response.content.decode()
    )
    assert Job.objects.count() == 0


# --- the page while the worker prepares it ----------------------------------------


def test_the_page_shows_a_queued_document_and_reloads_itself(coordinator_client, plan, settings):
    settings.TASKS = DATABASE_QUEUE  # no worker: the job waits
    response = _prepare(coordinator_client, plan)
    assert response["Location"] == _url("report-page", plan)
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Le document est en préparation" in page
    assert "En attente" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "<script" not in page and "style=" not in page


def test_the_reader_may_stop_the_page_reloading(coordinator_client, plan, settings):
    settings.TASKS = DATABASE_QUEUE
    _prepare(coordinator_client, plan)
    page = coordinator_client.get(_url("report-page", plan), {"actualiser": "non"}).content.decode()
    assert "En attente" in page and 'http-equiv="refresh"' not in page


def test_the_page_offers_the_ready_document_and_does_not_reload(coordinator_client, plan):
    _prepare(coordinator_client, plan)
    page = coordinator_client.get(_url("report-page", plan)).content.decode()
    assert "Terminé" in page
    assert f"{_url('report-download', plan)}?as_of=2023-03-31&amp;format=pdf" in page
    assert 'http-equiv="refresh"' not in page


def test_a_failed_preparation_shows_its_french_error_after_three_attempts(
    coordinator_client, plan, monkeypatch
):
    attempts = []

    def broken(report, fmt):
        attempts.append(fmt)
        raise RuntimeError("disque plein")

    monkeypatch.setattr(formats, "_render_report_format", broken)
    response = _prepare(coordinator_client, plan)
    page = coordinator_client.get(response["Location"]).content.decode()
    assert (
        "La préparation du document a échoué : Erreur inattendue (RuntimeError) : "
        "le détail est dans le journal du processus de travail." in page
    )
    assert "disque plein" not in page  # an exception's text may quote the data read
    assert "Échoué (tentative 3)" in page
    assert len(attempts) == 3 and WorkingDocument.objects.count() == 0


def test_the_report_page_queries_do_not_grow_with_jobs(coordinator_client, plan):
    _prepare(coordinator_client, plan)
    url = _url("report-page", plan)
    with CaptureQueriesContext(connection) as one:
        coordinator_client.get(url)
    for fmt in ("docx", "xlsx"):
        _prepare(coordinator_client, plan, format=fmt)
    with CaptureQueriesContext(connection) as three:
        coordinator_client.get(url)
    assert len(one) == len(three)


# --- through the database queue and its worker ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_prepares_the_pdf_that_the_page_then_offers(client, django_user_model, settings):
    settings.TASKS = DATABASE_QUEUE
    plan = build_clean_plan(3)
    plan.owner = OrganizationFactory(code="office-test")
    plan.save()
    client.force_login(_member(django_user_model, "coordo", plan.owner, Role.COORDINATOR, is_staff=True))
    assert _prepare(client, plan)["Location"] == _url("report-page", plan)
    assert Job.objects.get().state == Job.State.QUEUED
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", stdout=io.StringIO())
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    job = Job.objects.get()
    assert job.state == Job.State.DONE and job.attempts == 1
    assert client.get(_url("report-download", plan), ASK).content.startswith(b"%PDF")


# --- who may ask ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login_and_nothing_is_queued(client, plan):
    response = _prepare(client, plan)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", [Role.READER, Role.EDITOR, Role.COLLABORATOR])
def test_partners_of_the_plan_may_not_ask_for_a_working_report(client, django_user_model, plan, role):
    client.force_login(_member(django_user_model, "partenaire", _lead(plan), role))
    assert _prepare(client, plan).status_code == 403
    assert client.get(_url("report-download", plan), ASK).status_code == 403
    assert Job.objects.count() == 0


def test_a_coordinator_of_another_body_may_not_ask_for_a_working_report(client, django_user_model, plan):
    client.force_login(_member(django_user_model, "autre", OrganizationFactory(), Role.COORDINATOR))
    assert _prepare(client, plan).status_code == 403
    assert Job.objects.count() == 0


def test_office_staff_without_coordination_may_ask(client, django_user_model, plan):
    client.force_login(django_user_model.objects.create_user("agent", password="x", is_staff=True))
    assert _prepare(client, plan).status_code == 302
    assert Job.objects.get().state == Job.State.DONE


def test_preparing_refuses_get(coordinator_client, plan):
    assert coordinator_client.get(_url("report-prepare", plan), ASK).status_code == 405
    assert Job.objects.count() == 0


# --- the plans' page cache knows reports only through its registry -----------------


def test_publishing_changes_the_plan_data_fingerprint(plan, coordinator):
    before = plan_data_fingerprint()
    publish_report(plan=plan, as_of=AS_OF, user=coordinator)
    assert plan_data_fingerprint() != before


def test_the_plans_app_names_no_app_that_builds_on_it():
    source = Path(__file__).resolve().parent.parent / "concerto" / "plans"
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "concerto.reports" not in text and 'get_model("reports"' not in text, path
