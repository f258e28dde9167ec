"""The state of a plan at a reporting date, as pages, exports and checks see it.

One function loads everything a plan page needs in a fixed number of
queries, whatever the number of measures; the views, the JSON/CSV exports
and the consistency checks all read from it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects

from concerto.core.search import Folded, search_words
from concerto.organizations.models import Organization

from .models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    Status,
    Theme,
)


@dataclass
class IndicatorState:
    indicator: object
    value: IndicatorProgress | None
    deadline_passed: bool

    @property
    def actual(self):
        return self.value.actual if self.value else None

    @property
    def percent(self) -> int | None:
        return self.value.effective_percent if self.value else None

    @property
    def note(self) -> str:
        return self.value.note if self.value else ""


@dataclass
class MeasureState:
    measure: Measure
    leads: list[Organization]
    collaborators: list[Collaborator]
    report: ProgressReport | None
    indicators: list[IndicatorState]
    components: list[ComponentProgress]
    percent: int | None
    percent_source: str | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else Status.UNKNOWN

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def narrative(self) -> str:
        return self.report.narrative if self.report else ""

    @property
    def narrative_html(self):
        """The narrative as sanitized HTML, rendered when it was saved."""
        return self.report.narrative_as_html if self.report else ""


@dataclass
class ThemeState:
    theme: Theme
    measures: list[MeasureState] = field(default_factory=list)


@dataclass
class PlanState:
    plan: Plan
    as_of: datetime.date | None
    themes: list[ThemeState]

    @property
    def measures(self) -> list[MeasureState]:
        return [m for t in self.themes for m in t.measures]


_REPORT_PARTS = (
    Prefetch(
        "components", queryset=ComponentProgress.objects.select_related("organization").order_by("position")
    ),
    Prefetch(
        "indicator_values", queryset=IndicatorProgress.objects.select_related("indicator").order_by("pk")
    ),
)


def _measure_parts() -> tuple:
    return (
        Prefetch(
            "lead_links", queryset=MeasureLead.objects.select_related("organization").order_by("position")
        ),
        Prefetch(
            "collaborators", queryset=Collaborator.objects.select_related("organization").order_by("position")
        ),
        Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
    )


def _measure_state(measure: Measure, report: ProgressReport | None, as_of) -> MeasureState:
    """One measure's state from its prefetched parts (see ``_measure_parts``, ``_REPORT_PARTS``)."""
    indicators = measure.indicators.all()
    values = {v.indicator_id: v for v in report.indicator_values.all()} if report and indicators else {}
    indicator_states = [
        IndicatorState(
            indicator=i,
            value=values.get(i.pk),
            deadline_passed=bool(as_of and i.deadline_latest and i.deadline_latest < as_of),
        )
        for i in indicators
    ]
    percent, source = report.effective_percent(list(values.values())) if report else (None, None)
    return MeasureState(
        measure=measure,
        leads=[link.organization for link in measure.lead_links.all()],
        collaborators=list(measure.collaborators.all()),
        report=report,
        indicators=indicator_states,
        components=list(report.components.all()) if report else [],
        percent=percent,
        percent_source=source,
    )


def load_measure_state(
    measure: Measure, as_of: datetime.date | None
) -> tuple[MeasureState, list[ProgressReport]]:
    """One measure's state at ``as_of`` and its current states at every date, newest first.

    For the measure page: only this measure's rows are read (at most six queries), never the plan's.
    """
    prefetch_related_objects([measure], *_measure_parts())
    reports = list(ProgressReport.objects.filter(measure=measure, is_current=True).order_by("-as_of"))
    report = next((r for r in reports if r.as_of == as_of), None)
    if report is not None:
        # Indicator values only if the measure has indicators: one query less otherwise.
        prefetch_related_objects(
            [report], *(_REPORT_PARTS if measure.indicators.all() else _REPORT_PARTS[:1])
        )
    return _measure_state(measure, report, as_of), reports


def reporting_dates(plan: Plan) -> list[datetime.date]:
    """The dates at which the plan has progress, newest first."""
    return list(
        ProgressReport.objects.filter(measure__plan=plan, is_current=True)
        .values_list("as_of", flat=True)
        .distinct()
        .order_by("-as_of")
    )


def load_plan_state(
    plan: Plan,
    as_of: datetime.date | None,
    *,
    theme: int | None = None,
    lead: str | None = None,
    status: str | None = None,
    numbers: list[int] | None = None,
    search: str | None = None,
    keep_empty_themes: bool = False,
) -> PlanState:
    """The plan's measures with their progress at ``as_of``, filtered.

    ``theme`` is a theme number, ``lead`` an organization code, ``status``
    a status code (``unknown`` also matches measures with no progress at
    that date), ``search`` words that each must appear, accents and case
    aside, in the measure's number or title, the name of an organization in
    charge, or the narrative at ``as_of``.
    """
    measures = Measure.objects.filter(plan=plan)
    if theme is not None:
        measures = measures.filter(theme__number=theme)
    if lead:
        measures = measures.filter(lead_links__organization__code=lead)
    if numbers is not None:
        measures = measures.filter(number__in=numbers)
    if status:
        with_status = ProgressReport.objects.filter(as_of=as_of, status=status, is_current=True)
        if status == Status.UNKNOWN:
            reported = ProgressReport.objects.filter(as_of=as_of, is_current=True).values("measure_id")
            measures = measures.filter(pk__in=with_status.values("measure_id")) | measures.exclude(
                pk__in=reported
            )
        else:
            measures = measures.filter(pk__in=with_status.values("measure_id"))

    if search:
        measures = measures.alias(folded_title=Folded("title")).filter(_search_condition(search, as_of))

    # Explicit orderings without joins: the models' default orderings go through the plan.
    reports = (
        ProgressReport.objects.filter(as_of=as_of, is_current=True)
        .order_by("measure_id")
        .prefetch_related(*_REPORT_PARTS)
    )
    measures = (
        measures.select_related("theme")
        .prefetch_related(
            *_measure_parts(), Prefetch("progress_reports", queryset=reports, to_attr="reports_at_date")
        )
        .order_by("number")
        .distinct()
    )

    by_theme: dict[int, ThemeState] = {}
    if keep_empty_themes:
        for t in plan.themes.order_by("number"):
            by_theme[t.pk] = ThemeState(theme=t)
    for measure in measures:
        report = measure.reports_at_date[0] if measure.reports_at_date else None
        state = _measure_state(measure, report, as_of)
        by_theme.setdefault(measure.theme_id, ThemeState(theme=measure.theme)).measures.append(state)
    themes = sorted(by_theme.values(), key=lambda t: t.theme.number)
    return PlanState(plan=plan, as_of=as_of, themes=themes)


def _search_condition(text: str, as_of: datetime.date | None) -> Q:
    condition = Q()
    for word in search_words(text):
        leads = MeasureLead.objects.filter(measure=OuterRef("pk")).alias(
            name=Folded("organization__name"), acronym=Folded("organization__acronym")
        )
        narratives = ProgressReport.objects.filter(
            measure=OuterRef("pk"), as_of=as_of, is_current=True
        ).alias(text=Folded("narrative"))
        matches = (
            Q(folded_title__contains=word)
            | Exists(leads.filter(Q(name__contains=word) | Q(acronym=word)))
            | Exists(narratives.filter(text__contains=word))
        )
        if word.isdigit():
            matches |= Q(number=int(word))
        condition &= matches
    return condition
