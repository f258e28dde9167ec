"""The open-data export of a plan's state: ``concerto.plan-status/1``.

The format is documented in the README and described by the JSON Schema
``schemas/plan-status-1.schema.json`` beside this file.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from concerto.core.markdown import plain_text
from concerto.core.spreadsheets import append_row, csv_writer, workbook_bytes

from .checks import check_plan_state
from .state import PlanState, load_plan_state

SCHEMA = "concerto.plan-status/1"


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _organization(org) -> dict:
    return {"code": org.code, "acronym": org.acronym or None, "name": org.name}


def _collaborator(collaborator) -> dict:
    if collaborator.organization_id:
        data = _organization(collaborator.organization)
    else:
        data = {"name": collaborator.text}
    if collaborator.note:
        data["note"] = collaborator.note
    return data


def status_document(state: PlanState) -> dict:
    """The plan's state as a JSON-ready dict, checks included."""
    plan = state.plan
    themes = []
    for theme_state in state.themes:
        measures = []
        for m in theme_state.measures:
            progress = None
            if m.report is not None:
                progress = {
                    "percent": m.percent,
                    "percent_source": m.percent_source,
                    "status": m.status,
                    "completed_in": m.report.completed_in or None,
                    "narrative": m.report.narrative,
                    "components": [
                        {
                            "label": c.label,
                            "organization": _organization(c.organization) if c.organization_id else None,
                            "percent": c.percent,
                            "narrative": c.narrative,
                        }
                        for c in m.components
                    ],
                }
            measures.append(
                {
                    "number": m.measure.number,
                    "title": m.measure.title,
                    "lead": [_organization(o) for o in m.leads],
                    "lead_note": m.measure.lead_note or None,
                    "collaborators": [_collaborator(c) for c in m.collaborators],
                    "indicators": [
                        {
                            "label": i.indicator.label,
                            "target": {
                                "text": i.indicator.target_text or None,
                                "value": _number(i.indicator.target_value),
                                "unit": i.indicator.target_unit or None,
                            },
                            "deadline": {
                                "text": i.indicator.deadline_text,
                                "latest": i.indicator.deadline_latest.isoformat()
                                if i.indicator.deadline_latest
                                else None,
                            },
                            "actual": _number(i.actual),
                            "percent": i.percent,
                        }
                        for i in m.indicators
                    ],
                    "progress": progress,
                }
            )
        themes.append(
            {
                "number": theme_state.theme.number,
                "title": theme_state.theme.title,
                "objective": theme_state.theme.objective or None,
                "measures": measures,
            }
        )
    return {
        "schema": SCHEMA,
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "period": plan.period,
            "declared_measure_count": plan.declared_measure_count,
        },
        "as_of": state.as_of.isoformat() if state.as_of else None,
        "themes": themes,
        "checks": [f.as_dict() for f in check_plan_state(state)],
    }


def plan_status(plan, as_of) -> dict:
    return status_document(load_plan_state(plan, as_of, keep_empty_themes=True))


CSV_COLUMNS = [
    "theme_number",
    "theme_title",
    "measure_number",
    "measure_title",
    "lead",
    "collaborators",
    "indicators",
    "component",
    "percent",
    "status",
    "completed_in",
    "narrative",
]


def status_rows(state: PlanState):
    """One row per measure, then one per component of that measure (``CSV_COLUMNS``)."""
    for theme_state in state.themes:
        for m in theme_state.measures:
            base = [
                theme_state.theme.number,
                theme_state.theme.title,
                m.measure.number,
                m.measure.title,
                "; ".join(o.label for o in m.leads),
                "; ".join(c.label for c in m.collaborators),
                "; ".join(f"{i.indicator.label} ({i.indicator.deadline_text})" for i in m.indicators),
            ]
            yield base + [
                "",
                "" if m.percent is None else m.percent,
                m.status,
                m.report.completed_in if m.report else "",
                plain_text(m.narrative),
            ]
            for c in m.components:
                yield base + [
                    c.label,
                    "" if c.percent is None else c.percent,
                    "",
                    "",
                    plain_text(c.narrative),
                ]


def write_status_csv(state: PlanState, stream) -> None:
    writer = csv_writer(stream)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(status_rows(state))


def status_workbook(state: PlanState) -> bytes:
    """The rows of the CSV in an Excel workbook (numbers typed, never a formula)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "État"
    append_row(sheet, CSV_COLUMNS, font=Font(bold=True))
    for row in status_rows(state):
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook, day=state.as_of or datetime.date(2000, 1, 1))
