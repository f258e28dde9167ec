"""The register's statistics panel, by kind of addressee organization."""

from __future__ import annotations

import datetime
import statistics

from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.organizations.models import Organization

from .models import State


def answer_statistics(queryset, today: datetime.date | None = None) -> list[dict]:
    """Per kind of addressee (organizations.Organization.kind), then a total row:
    answers on time (answered on or before the due date), answers late,
    unanswered past the due date, and the median number of days between
    receipt and answer. One query."""
    today = today or timezone.localdate()
    rows = queryset.exclude(state__in=[State.DRAFT, State.SENT]).values_list(
        "addressee__kind", "state", "received_on", "due_on", "answer__answered_on"
    )
    labels = dict(Organization.Kind.choices)
    groups: dict[str, dict] = {}
    total = {
        "kind": "",
        "label": _("Toutes les organisations"),
        "on_time": 0,
        "late": 0,
        "pending_late": 0,
        "days": [],
    }
    for kind, state, received_on, due_on, answered_on in rows.order_by():
        group = groups.setdefault(
            kind,
            {
                "kind": kind,
                "label": labels.get(kind, kind),
                "on_time": 0,
                "late": 0,
                "pending_late": 0,
                "days": [],
            },
        )
        for target in (group, total):
            if answered_on is not None:
                target["on_time" if answered_on <= due_on else "late"] += 1
                target["days"].append((answered_on - received_on).days)
            elif state == State.RECEIVED and today > due_on:
                target["pending_late"] += 1
    result = [groups[k] for k in sorted(groups, key=lambda k: str(labels.get(k, k)))]
    if result:
        result.append(total)
    for row in result:
        row["answered"] = row["on_time"] + row["late"]
        row["median_days"] = statistics.median(row["days"]) if row["days"] else None
        del row["days"]
    return result
