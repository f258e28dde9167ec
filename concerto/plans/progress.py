"""Recording the validated progress of a measure at a reporting date.

A validated state is never edited in place: recording a different state for
a date that already has one creates a new version that replaces the old one
(which stays in the history); recording the same state changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from concerto.core.audit import recorded_as

from .models import ComponentProgress, IndicatorProgress, Measure, ProgressReport


@dataclass
class ComponentInput:
    label: str
    organization: object | None = None
    percent: int | None = None
    narrative: str = ""


@dataclass
class ValueInput:
    indicator: object
    actual: Decimal | None = None
    percent: int | None = None
    note: str = ""


@dataclass
class ProgressInput:
    percent: int | None
    status: str
    completed_in: str = ""
    narrative: str = ""
    components: list[ComponentInput] = field(default_factory=list)
    values: list[ValueInput] = field(default_factory=list)


def _fields(data: ProgressInput) -> dict:
    return {
        "percent": data.percent,
        "status": data.status,
        "completed_in": data.completed_in,
        "narrative": data.narrative,
    }


def _components(rows) -> list[tuple]:
    return [
        (
            c.label,
            getattr(c, "organization_id", None) or getattr(c.organization, "pk", None),
            c.percent,
            c.narrative,
        )
        for c in rows
    ]


def _values(rows) -> list[tuple]:
    result = []
    for v in rows:
        indicator_id = getattr(v, "indicator_id", None) or v.indicator.pk
        actual = None if v.actual is None else Decimal(v.actual).quantize(Decimal("0.01"))
        result.append((indicator_id, actual, v.percent, v.note))
    return sorted(result, key=lambda row: row[0])


def current_report(measure: Measure, as_of: datetime.date) -> ProgressReport | None:
    return ProgressReport.objects.filter(measure=measure, as_of=as_of, is_current=True).first()


def is_same(report: ProgressReport, data: ProgressInput) -> bool:
    if any(getattr(report, name) != value for name, value in _fields(data).items()):
        return False
    if _components(report.components.order_by("position")) != _components(data.components):
        return False
    return _values(report.indicator_values.all()) == _values(data.values)


@transaction.atomic
def record_progress(
    *, measure: Measure, as_of: datetime.date, data: ProgressInput, validated_by=None
) -> tuple[ProgressReport, bool]:
    """Make ``data`` the validated state of ``measure`` at ``as_of``.

    Returns (report, changed). An identical state changes nothing; a
    different one becomes a new version replacing the current one.
    """
    with recorded_as(user=validated_by):
        current = (
            ProgressReport.objects.select_for_update()
            .filter(measure=measure, as_of=as_of, is_current=True)
            .first()
        )
        if current is not None and is_same(current, data):
            return current, False
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        report = ProgressReport.objects.create(
            measure=measure,
            as_of=as_of,
            version=(current.version + 1) if current else 1,
            replaces=current,
            validated_at=timezone.now(),
            validated_by=validated_by,
            **_fields(data),
        )
        bulk_create_with_history(
            [
                ComponentProgress(
                    report=report,
                    position=position,
                    label=c.label,
                    organization=c.organization,
                    percent=c.percent,
                    narrative=c.narrative,
                ).render_narrative()
                for position, c in enumerate(data.components)
            ],
            ComponentProgress,
        )
        bulk_create_with_history(
            [
                IndicatorProgress(
                    report=report, indicator=v.indicator, actual=v.actual, percent=v.percent, note=v.note
                )
                for v in data.values
            ],
            IndicatorProgress,
        )
        return report, True
