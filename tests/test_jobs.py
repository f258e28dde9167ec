"""Background jobs (concerto.jobs): one run per input, bounded retries, French
errors, and the database queue run by its worker as on a production node."""

import datetime
import io
import signal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerto.jobs.models import Job
from concerto.jobs.services import JobError, enqueue, job

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

calls: list[tuple] = []


@job
def add(*, a: int, b: int) -> int:
    calls.append((a, b))
    return a + b


@job
def always_fails(*, reason: str) -> None:
    calls.append(reason)
    raise JobError(f"Le fichier « {reason} » est illisible.")


@job(max_attempts=2)
def breaks_unexpectedly() -> None:
    calls.append("boom")
    raise ZeroDivisionError("division by zero")


@job
def fails_once(*, key: str) -> str:
    calls.append(key)
    if calls.count(key) == 1:
        raise JobError("Première tentative manquée.")
    return "fait"


@job
def interrupted_once(*, key: str) -> str:
    calls.append(key)
    if calls.count(key) == 1:
        raise SystemExit(1)  # as when a worker is stopped in the middle of a job
    return "repris"


def not_a_job(*, a: int) -> int:
    return a


@pytest.fixture(autouse=True)
def _no_calls_yet():
    calls.clear()


@pytest.fixture
def database_queue(settings):
    """The production backend: tasks wait in the database for a worker."""
    settings.TASKS = DATABASE_QUEUE


def run_worker():
    """``manage.py db_worker`` as a node runs it, until the queue is empty."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0",
            stdout=io.StringIO(),
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def run_worker_in_test_transaction(max_tasks: int = 1):
    """One task of the database queue, run as the worker runs it, without the
    worker's loop (which would close the test's connection)."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="essai",
        excluded_queue_names=[],
    )
    task_result = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    task_result.claim(worker.worker_id)
    worker.run_task(task_result)


# --- immediate backend (as every other test runs jobs) --------------------------


def test_a_job_runs_and_records_its_result_and_times(db):
    done = enqueue(add, a=2, b=3, label="Addition")
    assert done.state == Job.State.DONE
    assert done.result == 5 and done.attempts == 1 and done.error == ""
    assert done.enqueued_at <= done.started_at <= done.finished_at


def test_the_same_work_for_the_same_inputs_runs_once(db):
    first = enqueue(add, a=2, b=3, label="Addition")
    second = enqueue(add, b=3, a=2, label="Addition encore")
    assert first.pk == second.pk
    assert calls == [(2, 3)] and Job.objects.count() == 1


def test_other_inputs_are_another_job(db):
    enqueue(add, a=2, b=3, label="Addition")
    enqueue(add, a=2, b=4, label="Addition")
    assert Job.objects.count() == 2 and calls == [(2, 3), (2, 4)]


def test_a_failing_job_is_tried_three_times_and_records_its_french_error(db):
    failed = enqueue(always_fails, reason="plan.csv", label="Lecture")
    assert failed.state == Job.State.FAILED
    assert failed.attempts == 3 and len(calls) == 3
    assert failed.error == "Le fichier « plan.csv » est illisible."
    assert failed.finished_at is not None


def test_an_unexpected_error_is_recorded_in_french_with_its_type(db):
    failed = enqueue(breaks_unexpectedly, label="Calcul")
    assert failed.state == Job.State.FAILED and failed.attempts == 2 == len(calls)
    assert failed.error == (
        "Erreur inattendue (ZeroDivisionError) : le détail est dans le journal du processus de travail."
    )
    assert "division by zero" not in failed.error  # an exception's text may quote the data read


def test_a_job_that_fails_once_succeeds_on_its_second_attempt(db):
    done = enqueue(fails_once, key="a", label="Essai")
    assert done.state == Job.State.DONE and done.attempts == 2 and done.result == "fait"
    assert done.error == ""


def test_a_job_cut_short_by_a_stopping_worker_is_queued_again(db, database_queue):
    queued = enqueue(interrupted_once, key="k", label="Long travail")
    run_worker_in_test_transaction()
    queued.refresh_from_db()
    assert queued.state == Job.State.QUEUED and queued.attempts == 1
    assert queued.error == "Interrompu : le processus de travail a été arrêté pendant ce travail."
    run_worker_in_test_transaction()
    queued.refresh_from_db()
    assert queued.state == Job.State.DONE and queued.result == "repris" and queued.attempts == 2


def test_a_failed_job_asked_again_runs_again_with_fresh_attempts(db):
    enqueue(always_fails, reason="x", label="Lecture")
    again = enqueue(always_fails, reason="x", label="Lecture")
    assert again.state == Job.State.FAILED and again.attempts == 3
    assert len(calls) == 6 and Job.objects.count() == 1


def test_a_job_whose_worker_was_lost_is_queued_again(db, database_queue, settings):
    lost = enqueue(add, a=1, b=1, label="Addition")
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.CONCERTO_JOB_TIMEOUT + 1)
    Job.objects.filter(pk=lost.pk).update(state=Job.State.RUNNING, attempts=1, started_at=long_ago)
    assert enqueue(add, a=1, b=1, label="Addition").state == Job.State.QUEUED
    assert DBTaskResult.objects.count() == 2


def test_a_running_job_is_not_queued_twice(db, database_queue):
    running = enqueue(add, a=1, b=1, label="Addition")
    Job.objects.filter(pk=running.pk).update(state=Job.State.RUNNING, attempts=1, started_at=timezone.now())
    assert enqueue(add, a=1, b=1, label="Addition").state == Job.State.RUNNING
    assert DBTaskResult.objects.count() == 1


def test_a_function_not_declared_as_a_job_is_refused(db):
    with pytest.raises(TypeError, match="@job"):
        enqueue(not_a_job, a=1, label="Non")
    assert Job.objects.count() == 0


# --- the database queue and its worker ------------------------------------------


def test_enqueueing_twice_on_the_database_queue_stores_one_task(db, database_queue):
    first = enqueue(add, a=2, b=3, label="Addition")
    second = enqueue(add, a=2, b=3, label="Addition")
    assert first.pk == second.pk and first.state == Job.State.QUEUED
    assert DBTaskResult.objects.get().status == "READY"
    assert str(DBTaskResult.objects.get().id) == first.task_id
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_job_to_completion(database_queue):
    queued = enqueue(add, a=20, b=22, label="Addition")
    run_worker()
    queued.refresh_from_db()
    assert queued.state == Job.State.DONE and queued.result == 42 and queued.attempts == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_failing_job_at_most_three_times(database_queue):
    queued = enqueue(always_fails, reason="plan.csv", label="Lecture")
    run_worker()
    queued.refresh_from_db()
    assert queued.state == Job.State.FAILED and queued.attempts == 3 and len(calls) == 3
    assert queued.error == "Le fichier « plan.csv » est illisible."
    # Each attempt is a task of the framework, which keeps its traceback.
    tasks = DBTaskResult.objects.all()
    assert [t.status for t in tasks] == ["FAILED"] * 3
    assert all("JobError" in t.traceback for t in tasks)


@pytest.mark.django_db(transaction=True)
def test_the_worker_claims_tasks_so_that_several_nodes_never_share_one(database_queue):
    enqueue(add, a=1, b=2, label="Addition")
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    claims = [q["sql"] for q in queries if 'FROM "django_tasks_database_dbtaskresult"' in q["sql"]]
    if connection.vendor == "postgresql":
        assert any("FOR UPDATE SKIP LOCKED" in sql for sql in claims)
    else:  # SQLite has no row locks: the claim runs in an exclusive transaction.
        assert "BEGIN EXCLUSIVE" in [q["sql"] for q in queries]


# --- staff see the jobs ---------------------------------------------------------


def test_staff_see_jobs_in_french_in_the_admin(client, django_user_model, db):
    enqueue(always_fails, reason="plan.csv", label="Lecture du fichier")
    client.force_login(django_user_model.objects.create_superuser("admin", "a@example.org", "x"))
    page = client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "Lecture du fichier" in page and "Échoué" in page
    assert "Le fichier « plan.csv » est illisible." in page
    assert "Travaux en arrière-plan" in page
