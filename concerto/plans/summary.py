"""The plan at a glance: counts by status and average progress, from a loaded state.

Computed from the ``PlanState`` the page already holds, so it costs no query.
The average is the one of the annual report: the mean of the percentages of
the measures that have one (measures without a percentage are not counted,
and the page says how many were).
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Status
from .state import MeasureState, PlanState


@dataclass
class Progress:
    label: str
    total: int
    counted: int  # measures with a percentage
    average: int | None


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


@dataclass
class Glance:
    total: int
    statuses: list[StatusCount]
    overall: Progress
    themes: list[Progress]


def _progress(label: str, measures: list[MeasureState]) -> Progress:
    values = [m.percent for m in measures if m.percent is not None]
    return Progress(
        label=label,
        total=len(measures),
        counted=len(values),
        average=round(sum(values) / len(values)) if values else None,
    )


def plan_glance(state: PlanState) -> Glance:
    measures = state.measures
    counts: dict[str, int] = {}
    for m in measures:
        counts[m.status] = counts.get(m.status, 0) + 1
    return Glance(
        total=len(measures),
        statuses=[StatusCount(s.value, s.label, counts[s.value]) for s in Status if s.value in counts],
        overall=_progress("", measures),
        themes=[
            _progress(f"{t.theme.number}. {t.theme.title}", t.measures) for t in state.themes if t.measures
        ],
    )
