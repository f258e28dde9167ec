"""What an annual status report says, independent of its format.

``build_report`` reads the plan's state at a reporting date (and at the
previous one, for year-over-year changes) and returns plain data that the
PDF, Word and Excel writers lay out. Nothing here knows about a format.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import formats, translation

from concerto.core.typography import NBSP, Block, french_spacing, markdown_blocks, percent_text
from concerto.plans.checks import Finding, check_plan_state
from concerto.plans.models import Plan, Status
from concerto.plans.state import MeasureState, load_plan_state, reporting_dates


def long_date(day: datetime.date) -> str:
    """ "31 mars 2023", "1er avril 2022" (French writes the first day as an ordinal)."""
    with translation.override("fr"):
        text = formats.date_format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


@dataclass
class IndicatorRow:
    label: str
    target: str
    deadline: str
    actual: str
    percent: int | None


@dataclass
class ComponentRow:
    label: str
    percent: int | None
    previous_percent: int | None
    previous_as_of: datetime.date | None
    blocks: list[Block]

    @property
    def percent_display(self) -> str:
        return change_text(self.percent, self.previous_percent, self.previous_as_of)


@dataclass
class MeasureRow:
    number: int
    title: str
    leads: str
    collaborators: str
    indicators: list[IndicatorRow]
    percent: int | None
    previous_percent: int | None
    previous_as_of: datetime.date | None
    had_previous: bool
    status: str
    status_label: str
    completed_in: str
    blocks: list[Block]
    components: list[ComponentRow]
    has_progress: bool

    @property
    def moved(self) -> bool | None:
        """Did the percentage change since the previous reporting date?"""
        if self.previous_as_of is None or not self.has_progress:
            return None
        return not self.had_previous or self.percent != self.previous_percent

    @property
    def percent_display(self) -> str:
        return change_text(self.percent, self.previous_percent, self.previous_as_of)

    @property
    def text_length(self) -> int:
        """Roughly how much text the row holds, to let very long rows break across pages."""
        blocks = self.blocks + [b for c in self.components for b in c.blocks]
        return sum(len(b.text) + sum(len(i) for i in b.items) for b in blocks)

    @property
    def is_long(self) -> bool:
        return self.text_length > 1800


@dataclass
class ThemeSection:
    number: int
    title: str
    objective: str
    measures: list[MeasureRow] = field(default_factory=list)

    @property
    def average_percent(self) -> int | None:
        values = [m.percent for m in self.measures if m.percent is not None]
        return round(sum(values) / len(values)) if values else None


@dataclass
class Report:
    plan: Plan
    as_of: datetime.date
    previous_as_of: datetime.date | None
    themes: list[ThemeSection]
    checks: list[Finding]
    author: str

    @property
    def title(self) -> str:
        return self.plan.title

    @property
    def subtitle(self) -> str:
        return french_spacing(f"État d’avancement des mesures au {long_date(self.as_of)}")

    @property
    def as_of_text(self) -> str:
        return long_date(self.as_of)

    @property
    def previous_as_of_text(self) -> str:
        return long_date(self.previous_as_of) if self.previous_as_of else ""

    @property
    def measures(self) -> list[MeasureRow]:
        return [m for t in self.themes for m in t.measures]

    @property
    def is_empty(self) -> bool:
        """No measure has any progress at this date."""
        return not any(m.has_progress for m in self.measures)

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        counts: dict[str, int] = {}
        for m in self.measures:
            counts[m.status] = counts.get(m.status, 0) + 1
        with translation.override("fr"):
            return [(s.value, str(s.label), counts[s.value]) for s in Status if s.value in counts]

    @property
    def moved(self) -> list[MeasureRow]:
        return [m for m in self.measures if m.moved is True]

    @property
    def unchanged(self) -> list[MeasureRow]:
        return [m for m in self.measures if m.moved is False]

    @property
    def filename_stem(self) -> str:
        return f"{self.plan.slug}_etat-{self.as_of:%Y-%m-%d}"


def change_text(percent, previous, previous_as_of) -> str:
    """ "60 %" or "60 % (40 % au 31 mars 2022)" when it changed since then."""
    current = percent_text(percent) if percent is not None else ""
    if previous_as_of is None or previous == percent:
        return current
    before = percent_text(previous) if previous is not None else "non chiffré"
    return f"{current or 'non chiffré'} ({before} au {long_date(previous_as_of)})"


def _join_organizations(state: MeasureState) -> str:
    leads = ", ".join(o.label for o in state.leads)
    if state.measure.lead_note:
        leads += f" ({state.measure.lead_note})"
    return leads


def _collaborators(state: MeasureState) -> str:
    parts = []
    for c in state.collaborators:
        label = c.organization.label if c.organization_id else c.text
        parts.append(f"{label} ({c.note})" if c.note else label)
    return ", ".join(parts)


def _number(value) -> str:
    """2115 -> "2 115" with a non-breaking space; decimals with a comma."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return text.replace(",", NBSP).replace(".", ",")


def build_report(plan: Plan, as_of: datetime.date, *, author: str | None = None) -> Report:
    """The report's content at ``as_of``, with changes since the previous date."""
    state = load_plan_state(plan, as_of, keep_empty_themes=True)
    earlier = [d for d in reporting_dates(plan) if d < as_of]
    # Nothing to compare when nothing was reported at this date.
    has_progress = any(m.report is not None for m in state.measures)
    previous_as_of = earlier[0] if earlier and has_progress else None
    previous = (
        {m.measure.pk: m for m in load_plan_state(plan, previous_as_of).measures} if previous_as_of else {}
    )
    themes = []
    with translation.override("fr"):
        for theme_state in state.themes:
            section = ThemeSection(
                theme_state.theme.number,
                french_spacing(theme_state.theme.title),
                french_spacing(theme_state.theme.objective),
            )
            for m in theme_state.measures:
                before = previous.get(m.measure.pk)
                before_components = (
                    {c.label: c.percent for c in before.components} if before and before.report else {}
                )
                section.measures.append(
                    MeasureRow(
                        number=m.measure.number,
                        title=french_spacing(m.measure.title),
                        leads=_join_organizations(m),
                        collaborators=_collaborators(m),
                        indicators=[
                            IndicatorRow(
                                label=french_spacing(i.indicator.label),
                                target=french_spacing(i.indicator.target_text)
                                if i.indicator.target_text != i.indicator.label
                                else "",
                                deadline=i.indicator.deadline_text,
                                actual=_number(i.actual),
                                percent=i.percent,
                            )
                            for i in m.indicators
                        ],
                        percent=m.percent,
                        previous_percent=before.percent if before and before.report else None,
                        previous_as_of=previous_as_of,
                        had_previous=bool(before and before.report),
                        status=m.status,
                        status_label=str(Status(m.status).label),
                        completed_in=m.report.completed_in if m.report else "",
                        blocks=markdown_blocks(m.narrative)
                        + [
                            Block(
                                "p",
                                french_spacing(
                                    f"{percent_text(i.percent)} — {i.note}"
                                    if i.percent is not None
                                    else i.note
                                ),
                            )
                            for i in m.indicators
                            if i.note
                        ],
                        components=[
                            ComponentRow(
                                label=french_spacing(c.label),
                                percent=c.percent,
                                previous_percent=before_components.get(c.label),
                                previous_as_of=previous_as_of if c.label in before_components else None,
                                blocks=markdown_blocks(c.narrative),
                            )
                            for c in m.components
                        ],
                        has_progress=m.report is not None,
                    )
                )
            themes.append(section)
        checks = check_plan_state(state)
    owner = plan.owner.name if plan.owner else ""
    return Report(
        plan=plan,
        as_of=as_of,
        previous_as_of=previous_as_of,
        themes=themes,
        checks=checks,
        author=author or owner,
    )
