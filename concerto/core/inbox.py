"""« Mes tâches »: what a signed-in person must do, gathered from every app.

Each app contributes its own list from its ``AppConfig.ready()``::

    from concerto.core.inbox import register_tasks

    register_tasks("campaigns", tasks_for_user, label=_("Campagnes de mise à jour"), order=10)

    def tasks_for_user(user, *, today) -> list[Task]: ...

A source returns the person's items with a constant number of queries
(whatever the number of items), reads only what that person may reach
(``concerto.accounts.rules``), and names no personal data of others. The page
shows each source's items under its label, late items first, then by due date.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Task:
    """One thing to do, with a direct link to where it is done."""

    title: str
    """What to do, in French, naming the object (« Mettre à jour la mesure 4 »)."""
    url: str
    due: datetime.date | None = None
    """The deadline, if there is one (a campaign's, the legal 60 days…)."""
    status: str = ""
    """A short French state (« À corriger », « Réponse reçue »)."""
    detail: str = ""
    """One more line of context (the organization, the plan…)."""
    kind: str = "todo"
    """``todo`` (this person must act) or ``info`` (received, for their information)."""
    sort_key: tuple = field(default=(), compare=False)

    def days_left(self, today: datetime.date) -> int | None:
        return None if self.due is None else (self.due - today).days

    def is_late(self, today: datetime.date) -> bool:
        return self.due is not None and self.due < today


TaskSource = Callable[..., Iterable[Task]]


@dataclass(frozen=True)
class SourceEntry:
    name: str
    fetch: TaskSource
    label: str | Promise
    order: int


_sources: dict[str, SourceEntry] = {}


def register_tasks(name: str, fetch: TaskSource, *, label: str | Promise, order: int = 50) -> None:
    """Have « Mes tâches » call ``fetch(user, today=…)``; registering a name again replaces it."""
    _sources[name] = SourceEntry(name=name, fetch=fetch, label=label, order=order)


def registered_sources() -> list[SourceEntry]:
    return sorted(_sources.values(), key=lambda source: (source.order, source.name))


@dataclass
class TaskGroup:
    name: str
    label: str | Promise
    tasks: list[Task]


def tasks_for(user, *, today: datetime.date) -> list[TaskGroup]:
    """Every source's items for ``user``, grouped by source; groups without items are left out.

    Within a group: late items first, then by due date (items without one last),
    then in the source's order."""
    groups = []
    for source in registered_sources():
        items = list(source.fetch(user, today=today))
        if not items:
            continue
        items.sort(
            key=lambda task: (
                not task.is_late(today),
                task.due is None,
                task.due or datetime.date.max,
            )
        )
        groups.append(TaskGroup(name=source.name, label=source.label, tasks=items))
    return groups


def french(value) -> SafeString:
    """French data (a title, an organization's name) marked ``lang="fr"`` for the English pages."""
    return format_html('<span lang="fr">{}</span>', value)


def compose(template: str, **values) -> SafeString:
    """A translated line with its values escaped (those already safe, such as
    :func:`french`, kept as they are): ``compose(_("%(plan)s — état au %(date)s"), plan=french(t), date=d)``."""
    return mark_safe(template % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308
