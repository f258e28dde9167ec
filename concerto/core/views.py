"""Monitoring endpoints, outside the language prefixes and the HTTPS redirect;
« Mes tâches » and the pages of the footer (accessibility, privacy, contact),
under the language prefixes.

- ``/sante/vivant``: the process answers (a constant response; liveness).
- ``/sante/``: the database answers and every migration is applied
  (readiness): 200 with ``"status": "ok"``, else 503 naming what is wrong.
"""

import logging
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .inbox import Task, tasks_for

logger = logging.getLogger(__name__)

# Once every migration is seen applied, a process does not look again:
# migrations are applied before new code starts, never undone under it.
_migrations_applied = False


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


@require_safe
@never_cache
def alive(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def health(request):
    global _migrations_applied
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        checks["database"] = "injoignable"
    if checks["database"] == "ok":
        if _migrations_applied:
            checks["migrations"] = "ok"
        else:
            try:
                pending = pending_migrations()
            except DatabaseError:
                logger.exception("Health check: cannot read the applied migrations")
                pending = None
            if pending is None:
                checks["migrations"] = "illisibles"
            elif pending:
                checks["migrations"] = f"{len(pending)} non appliquée(s) : {', '.join(pending[:5])}"
            else:
                _migrations_applied = True
                checks["migrations"] = "ok"
    else:
        checks["migrations"] = "non vérifiées"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "erreur", "checks": checks}, status=200 if healthy else 503
    )


@dataclass(frozen=True)
class _TaskRow:
    task: Task
    days_left: int | None
    late: bool

    @property
    def days_late(self) -> int:
        return -self.days_left if self.late else 0


@require_safe
@login_required
def my_tasks(request):
    """« Mes tâches »: what this person must do, from every app's registered source
    (``concerto.core.inbox``); the page each person lands on after signing in."""
    today = timezone.localdate()
    groups = [
        (group, [_TaskRow(task, task.days_left(today), task.is_late(today)) for task in group.tasks])
        for group in tasks_for(request.user, today=today)
    ]
    return render(request, "core/my_tasks.html", {"groups": groups, "today": today})


# --- Pages linked from every page's footer ---------------------------------

# The accessibility standard the pages are held to, named once.
ACCESSIBILITY_STANDARD = "SGQRI 008 2.0"


@require_safe
def accessibility(request):
    return render(request, "core/accessibility.html", {"standard": ACCESSIBILITY_STANDARD})


@require_safe
def privacy(request):
    return render(request, "core/privacy.html", {"contact_email": contact_email()})


@require_safe
def contact(request):
    return render(request, "core/contact.html", {"contact_email": contact_email()})


def contact_email() -> str:
    """Where people write: ``CONCERTO_CONTACT_EMAIL``, else the sender address of Concerto's e-mails."""
    if settings.CONCERTO_CONTACT_EMAIL:
        return settings.CONCERTO_CONTACT_EMAIL
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
