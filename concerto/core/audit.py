"""Who made a change, when no request says it.

Every save, creation and deletion of a tracked model is recorded by
django-simple-history's signals (see ``apps.py``); within a request the
signed-in user is taken from ``HistoryRequestMiddleware``. Outside a request
(an import, a management command, a test), wrap the work in
``recorded_as(user=…)`` or ``recorded_as(source=IMPORT)``::

    with recorded_as(source=IMPORT):
        import_plan(path=path)

Management commands say it once, with ``ConcertoCommand.attribution``
(``concerto.core.management.base``).

Writes that bypass ``save()`` — ``QuerySet.update()`` — send no signal:
call ``record_update(instance)`` after reloading the instance, so that the
trail has the new state too.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

IMPORT = "import"
"""Change reason of what an import of a data file wrote."""

RESTORE = "restore"
"""Change reason of what the restoration of a backup wrote (``concerto.backups``)."""

SCHEDULED = "scheduled"
"""Change reason of what a scheduled command (run by cron or a timer) wrote."""

DEMO = "demo"
"""Change reason of what ``load_demo`` wrote (labelled demonstration data)."""

SOURCE_LABELS = {
    IMPORT: _("Importation"),
    DEMO: _("Données de démonstration"),
    RESTORE: _("Restauration"),
    SCHEDULED: _("Tâche planifiée"),
}
"""How the audit pages name a change made by no one but a source."""

_user: ContextVar = ContextVar("concerto_audit_user", default=None)
_source: ContextVar = ContextVar("concerto_audit_source", default="")


@contextmanager
def recorded_as(*, user=None, source: str = ""):
    """Attribute the changes made inside the block to ``user`` and/or ``source``.

    What is not given is inherited from an enclosing ``recorded_as``, so that
    ``recorded_as(user=None)`` inside ``recorded_as(source=IMPORT)`` keeps the
    import. Usable as a decorator too.
    """
    tokens = []
    if user is not None:
        tokens.append((_user, _user.set(user)))
    if source:
        tokens.append((_source, _source.set(source)))
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def current_source() -> str:
    return _source.get()


def history_user(instance=None, request=None, **kwargs):
    """simple_history's ``get_user``: the request's user, else the one of ``recorded_as``."""
    if request is not None:
        return request.user
    return _user.get()


class AuditHistoryManager(HistoryManager):
    def bulk_history_create(self, objs, *args, default_change_reason="", **kwargs):
        return super().bulk_history_create(
            objs, *args, default_change_reason=default_change_reason or current_source(), **kwargs
        )


class AuditHistoricalRecords(HistoricalRecords):
    def get_change_reason_for_object(self, instance, history_type, using):
        return get_change_reason_from_object(instance) or current_source() or None


def record_update(*instances, user=None) -> None:
    """Record the current state of instances changed by ``QuerySet.update()``.

    ``user`` defaults to the request's or ``recorded_as``'s user.
    """
    by_model: dict = {}
    for instance in instances:
        by_model.setdefault(type(instance), []).append(instance)
    for model, objs in by_model.items():
        get_history_manager_for_model(model).bulk_history_create(objs, update=True, default_user=user)
