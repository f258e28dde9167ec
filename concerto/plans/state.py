"""The state of a plan at a reporting date, as pages, exports and checks see it.

One function loads everything a plan page needs in a fixed number of
queries, whatever the number of measures; the views, the JSON/CSV exports
and the consistency checks all read from it.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q

from concerto.core import sql
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
    PublishedDate,
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


# The tables the hand-written SQL below names, by the names it uses.
_TABLES = {
    "organization": Organization,
    "lead": MeasureLead,
    "collaborator": Collaborator,
    "indicator": Indicator,
    "report": ProgressReport,
    "component": ComponentProgress,
    "value": IndicatorProgress,
    "measure": Measure,
    "published": PublishedDate,
    "plan": Plan,
    "theme": Theme,
    # The link tables of the cases and recommendations that name measures.
    "case_link": Measure.cases.through,
    "recommendation_link": Measure.recommendations.through,
}


@functools.cache
def _sql(text: str) -> str:
    """``text`` written out by ``concerto.core.sql.statement`` with the tables above
    (names from the models, never from input), once per process."""
    return sql.statement(text, _TABLES)


def load_measure(slug: str, number: int) -> Measure | None:
    """The measure ``number`` of the plan ``slug``, with its plan and theme; ``has_cases``
    and ``has_recommendations`` say whether any case or recommendation names it.

    One prepared query (``concerto.core.sql``), for the measure page (see ``load_measure_state``).
    """
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            _sql(
                "SELECT {plan.columns p}, {measure.columns m}, {theme.columns t}, "
                "EXISTS(SELECT 1 FROM {case_link} c WHERE c.measure_id = m.id), "
                "EXISTS(SELECT 1 FROM {recommendation_link} r WHERE r.measure_id = m.id) "
                "FROM {plan} p INNER JOIN {measure} m ON m.plan_id = p.id "
                "INNER JOIN {theme} t ON t.id = m.theme_id "
                "WHERE p.slug = %s AND m.number = %s"
            ),
            [slug, number],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    plan_end = sql.width(Plan)
    theme_start = plan_end + sql.width(Measure)
    theme_end = theme_start + sql.width(Theme)
    measure = sql.instance(Measure, row[plan_end:theme_start])
    measure.plan = sql.instance(Plan, row[:plan_end])
    measure.theme = sql.instance(Theme, row[theme_start:theme_end])
    # SQLite answers EXISTS with 0 or 1.
    measure.has_cases, measure.has_recommendations = (bool(value) for value in row[theme_end:])
    return measure


def load_measure_state(
    measure: Measure, as_of: datetime.date | None
) -> tuple[MeasureState, list[ProgressReport]]:
    """One measure's state at ``as_of`` and its current states at every date, newest first.

    For the measure page, the most visited one: only this measure's rows are
    read, in at most six short prepared queries written in SQL
    (``concerto.core.sql``) rather than built by the ORM, whose query
    building cost several times the queries themselves (see
    benchmarks/http_load.py). What they return is what ``load_plan_state``
    returns for the measure (tests compare the two).
    """
    pk = measure.pk
    with sql.prepared_cursor() as cursor:

        def rows(text: str, parameters: list) -> list:
            cursor.execute(_sql(text), parameters)
            return cursor.fetchall()

        reports = sql.instances(
            ProgressReport,
            rows(
                "SELECT {report.columns r} FROM {report} r WHERE r.measure_id = %s AND r.is_current = %s "
                "ORDER BY r.as_of DESC",
                [pk, True],
            ),
        )
        report = next((r for r in reports if r.as_of == as_of), None)
        # The organizations named on the page (in charge, collaborating, per component) in one
        # query; ``lead_position`` is set on those in charge of the measure, and orders them.
        organizations = {
            o.pk: o
            for o in sql.instances(
                Organization,
                rows(
                    "SELECT {organization.columns o}, l.position, l.id FROM {organization} o "
                    "LEFT JOIN {lead} l ON l.organization_id = o.id AND l.measure_id = %s "
                    "WHERE o.id IN (SELECT organization_id FROM {lead} WHERE measure_id = %s "
                    "UNION SELECT organization_id FROM {collaborator} WHERE measure_id = %s "
                    "UNION SELECT organization_id FROM {component} WHERE report_id = %s)",
                    [pk, pk, pk, report.pk if report is not None else None],
                ),
                extra=("lead_position", "lead_id"),
            )
        }
        leads = sorted(
            (o for o in organizations.values() if o.lead_position is not None),
            key=lambda o: (o.lead_position, o.lead_id),
        )
        collaborators = sql.instances(
            Collaborator,
            rows(
                "SELECT {collaborator.columns c} FROM {collaborator} c WHERE c.measure_id = %s ORDER BY c.position, c.id",
                [pk],
            ),
        )
        indicators = sql.instances(
            Indicator,
            rows(
                "SELECT {indicator.columns i} FROM {indicator} i WHERE i.measure_id = %s ORDER BY i.position, i.id",
                [pk],
            ),
        )
        components, values = [], {}
        if report is not None:
            components = sql.instances(
                ComponentProgress,
                rows(
                    "SELECT {component.columns c} FROM {component} c WHERE c.report_id = %s ORDER BY c.position, c.id",
                    [report.pk],
                ),
            )
            if indicators:  # one query less otherwise
                by_id = {i.pk: i for i in indicators}
                for value in sql.instances(
                    IndicatorProgress,
                    rows(
                        "SELECT {value.columns v} FROM {value} v WHERE v.report_id = %s ORDER BY v.id",
                        [report.pk],
                    ),
                ):
                    value.indicator = by_id[value.indicator_id]
                    values[value.indicator_id] = value
    for row in (*collaborators, *components):
        row.organization = organizations.get(row.organization_id) if row.organization_id else None
    for row in (*collaborators, *indicators, *reports):
        row.measure = measure
    percent, source = report.effective_percent(list(values.values())) if report else (None, None)
    state = MeasureState(
        measure=measure,
        leads=leads,
        collaborators=collaborators,
        report=report,
        indicators=[
            IndicatorState(
                indicator=i,
                value=values.get(i.pk),
                deadline_passed=bool(as_of and i.deadline_latest and i.deadline_latest < as_of),
            )
            for i in indicators
        ],
        components=components,
        percent=percent,
        percent_source=source,
    )
    return state, reports


def published_dates(plan: Plan) -> list[datetime.date]:
    """The plan's published reporting dates at which it has a validated state, newest first.

    Read from the few published dates rather than from every state of the
    plan (which grows with its measures), in one prepared query: every public page asks for it.
    """
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            _sql(
                # A subquery that stops at the first state found for each (few) date;
                # EXISTS would be planned as a join over every state of the plan.
                "SELECT d.as_of FROM {published} d WHERE d.plan_id = %s AND ("
                "SELECT r.id FROM {report} r INNER JOIN {measure} m ON r.measure_id = m.id "
                "WHERE m.plan_id = d.plan_id AND r.as_of = d.as_of AND r.is_current = %s LIMIT 1) IS NOT NULL "
                "ORDER BY d.as_of DESC"
            ),
            [plan.pk, True],
        )
        return [PublishedDate._meta.get_field("as_of").to_python(as_of) for (as_of,) in cursor.fetchall()]


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
