"""Background jobs: long work run by a worker, not inside a web request.

Every app uses this module for work that takes more than a moment (report
documents, signed opinion PDFs, file ingests). It is built on Django's task
framework (``django-tasks`` on Django 5.2, ``django.tasks`` from Django 6)
with its database queue (``django-tasks-db``): the queue is a table of the
same database, so a job asked for inside a transaction that rolls back is
never run, and ``manage.py db_worker`` may run on any number of nodes (each
worker claims a task with ``SELECT ... FOR UPDATE SKIP LOCKED`` on
PostgreSQL, in an exclusive transaction on SQLite).

What it adds to the framework, which has none of it:

- **One run per input.** A job is known by a key, the hash of its function
  and arguments. Asking again for the same work returns the job already
  queued, running or done; a failed job, or one whose worker was lost
  (running for longer than ``CONCERTO_JOB_TIMEOUT``), is queued again.
- **Bounded retries.** A job that raises is tried again, at most
  ``max_attempts`` times in all (3 by default), each attempt
  ``CONCERTO_JOB_RETRY_DELAY`` × attempt seconds after the last. A worker
  stopped in the middle of a job (SIGTERM twice, Ctrl-C twice) records the
  attempt as interrupted and queues the job again for another worker.
- **Visibility.** Each ``Job`` row holds its state, start, end, number of
  attempts and last error in French: the admin lists them ("Travaux en
  arrière-plan"), and the page that asked for one shows it (``subject``).

Usage::

    @job  # or @job(max_attempts=1)
    def render_opinion(*, opinion_id: int) -> dict: ...

    job = enqueue(render_opinion, opinion_id=7, label=_("Avis 7 (PDF)"),
                  subject="opinions.opinion:7", requested_by=request.user)

The function takes keyword arguments that JSON can carry (a date arrives
as its ISO string) and returns a JSON value (kept in ``Job.result``). It
runs outside any transaction and commits its own writes, one transaction
each, as a service does; it must be safe to run again after a failed
attempt. Raise ``JobError`` with a French message for an error the person
who asked should read; any other exception is recorded as an unexpected
error naming its type, and its traceback goes to the worker's log and to
the framework's task result.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Job

try:  # Django 6 ships the framework itself.
    from django.tasks import task
except ImportError:
    from django_tasks import task

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 3


class JobError(Exception):
    """A failure to tell the person who asked for the job, in French."""


def job(function: Callable | None = None, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS):
    """Mark a module-level function as work that ``enqueue`` may queue."""

    def mark(f: Callable) -> Callable:
        f.job_max_attempts = max_attempts
        return f

    return mark(function) if function is not None else mark


def enqueue(
    function: Callable,
    /,
    *,
    label: str,
    subject: str = "",
    requested_by=None,
    redo: bool = False,
    **arguments,
) -> Job:
    """Queue ``function(**arguments)`` unless the same work is already queued, running or done.

    ``redo``: run a finished job again (its result is gone). Returns the job
    (already finished when the backend runs tasks at once, as in tests).
    """
    path = _path_of(function)
    requester = requested_by if getattr(requested_by, "pk", None) else None
    arguments = json.loads(json.dumps(arguments, cls=DjangoJSONEncoder))
    key = hashlib.sha256(json.dumps([path, arguments], sort_keys=True).encode()).hexdigest()
    with transaction.atomic():
        found, created = Job.objects.get_or_create(
            key=key,
            defaults={
                "function": path,
                "arguments": arguments,
                "label": str(label)[:300],
                "subject": subject,
                "requested_by": requester,
                "max_attempts": function.job_max_attempts,
            },
        )
        if not created:
            found = Job.objects.select_for_update().get(pk=found.pk)
            if not (_needs_another_run(found) or (redo and found.state == Job.State.DONE)):
                return found
            found.state = Job.State.QUEUED
            found.attempts = 0
            found.enqueued_at = timezone.now()
            found.started_at = found.finished_at = None
            found.requested_by = requester or found.requested_by
            found.save()
        _dispatch(found)
    found.refresh_from_db()
    return found


def _needs_another_run(found: Job) -> bool:
    if found.state == Job.State.FAILED:
        return True
    if found.state == Job.State.RUNNING:
        lost_before = timezone.now() - datetime.timedelta(seconds=settings.CONCERTO_JOB_TIMEOUT)
        return found.started_at is not None and found.started_at < lost_before
    return False


def _path_of(function: Callable) -> str:
    if not hasattr(function, "job_max_attempts"):
        raise TypeError(f"{function!r} n’est pas déclarée comme travail (@job).")
    return f"{function.__module__}.{function.__qualname__}"


def _function(path: str) -> Callable:
    function = import_string(path)
    if not hasattr(function, "job_max_attempts"):
        raise SuspiciousOperation(f"{path} n’est pas déclarée comme travail (@job).")
    return function


def _dispatch(queued: Job, delay: float = 0) -> None:
    """Hand the job to the framework's queue (in the caller's transaction)."""
    runner = run_job
    if delay and runner.get_backend().supports_defer:
        runner = runner.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    result = runner.enqueue(queued.pk)
    # Unless the backend has run it already (tests run tasks at once).
    Job.objects.filter(pk=queued.pk, attempts=queued.attempts).update(task_id=str(result.id))


@task()
def run_job(job_id: int) -> None:
    """The framework's task: run one attempt of a job, record how it went."""
    claimed = _claim(job_id)
    if claimed is None:
        return  # already run, or queued again meanwhile: that run will do it
    try:
        result = _function(claimed.function)(**claimed.arguments)
    except BaseException as exc:  # a worker stopped mid-job, too: the job is queued again
        _record_failure(claimed, exc)
        raise  # the framework keeps the traceback with its task result
    # Only this run's outcome: a run taken for lost and queued again has another start.
    Job.objects.filter(pk=claimed.pk, state=Job.State.RUNNING, started_at=claimed.started_at).update(
        state=Job.State.DONE, result=result, error="", finished_at=timezone.now()
    )
    logger.info("Travail terminé : %s (tentative %s)", claimed.label, claimed.attempts)


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        claimed = Job.objects.select_for_update().filter(pk=job_id, state=Job.State.QUEUED).first()
        if claimed is None:
            return None
        claimed.state = Job.State.RUNNING
        claimed.attempts += 1
        claimed.started_at = timezone.now()
        claimed.finished_at = None
        claimed.save(update_fields=["state", "attempts", "started_at", "finished_at"])
    return claimed


def _record_failure(failed: Job, exc: BaseException) -> None:
    again = failed.attempts < failed.max_attempts
    # The start of this run guards against one that was taken for lost and queued again.
    updated = Job.objects.filter(pk=failed.pk, state=Job.State.RUNNING, started_at=failed.started_at).update(
        state=Job.State.QUEUED if again else Job.State.FAILED,
        error=french_error(exc),
        finished_at=None if again else timezone.now(),
    )
    # The exception's type only: its text may quote the data the job read
    # (a record of a submitted file); the framework keeps the traceback.
    logger.warning(
        "Travail en échec : %s (tentative %s sur %s) : %s",
        failed.label,
        failed.attempts,
        failed.max_attempts,
        type(exc).__name__,
    )
    if updated and again:
        _dispatch(failed, delay=settings.CONCERTO_JOB_RETRY_DELAY * failed.attempts)


def french_error(exc: BaseException) -> str:
    """What the person who asked reads: a ``JobError``'s own message, else a
    generic one naming the exception's type, never its text (which may quote
    the data the job read)."""
    with translation.override(settings.LANGUAGE_CODE):
        if isinstance(exc, JobError):
            return str(exc)
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            return _("Interrompu : le processus de travail a été arrêté pendant ce travail.")
        return _("Erreur inattendue (%(type)s) : le détail est dans le journal du processus de travail.") % {
            "type": type(exc).__name__
        }
