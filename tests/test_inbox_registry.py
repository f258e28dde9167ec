"""The « Mes tâches » registry: each app's items grouped, late first, then by due date."""

import datetime

import pytest

from concerto.core import inbox
from concerto.core.inbox import Task, tasks_for

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def isolated_sources(monkeypatch):
    monkeypatch.setattr(inbox, "_sources", {})
    return inbox


def test_tasks_are_grouped_by_source_in_order_and_empty_groups_left_out(isolated_sources):
    isolated_sources.register_tasks("b", lambda user, *, today: [Task("B", "/b")], label="B", order=20)
    isolated_sources.register_tasks("a", lambda user, *, today: [Task("A", "/a")], label="A", order=10)
    isolated_sources.register_tasks("empty", lambda user, *, today: [], label="Vide", order=5)
    groups = tasks_for(object(), today=TODAY)
    assert [group.name for group in groups] == ["a", "b"]


def test_late_items_come_first_then_by_due_date(isolated_sources):
    items = [
        Task("sans échéance", "/1"),
        Task("dans 10 jours", "/2", due=TODAY + datetime.timedelta(days=10)),
        Task("en retard", "/3", due=TODAY - datetime.timedelta(days=1)),
        Task("dans 2 jours", "/4", due=TODAY + datetime.timedelta(days=2)),
    ]
    isolated_sources.register_tasks("x", lambda user, *, today: items, label="X")
    (group,) = tasks_for(object(), today=TODAY)
    assert [task.title for task in group.tasks] == [
        "en retard",
        "dans 2 jours",
        "dans 10 jours",
        "sans échéance",
    ]
    assert group.tasks[0].is_late(TODAY)
    assert group.tasks[1].days_left(TODAY) == 2
