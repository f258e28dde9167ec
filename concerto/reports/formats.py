"""Every document format of a status report, in one place."""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass

from concerto.plans.export import status_document, write_status_csv
from concerto.plans.models import Plan
from concerto.plans.state import load_plan_state

from .content import Report, build_report
from .models import CONTENT_TYPES, Format


@dataclass
class Rendered:
    format: str
    content: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _render_report_format(report: Report, fmt: str) -> bytes:
    if fmt == Format.PDF:
        from .pdf import render_pdf

        return render_pdf(report)
    if fmt == Format.DOCX:
        from .docx import render_docx

        return render_docx(report)
    if fmt == Format.XLSX:
        from .xlsx import render_xlsx

        return render_xlsx(report)
    raise ValueError(f"Format de rapport inconnu : {fmt}")


def render_all(plan: Plan, as_of: datetime.date, formats: list[str]) -> list[Rendered]:
    """Render several formats of the same state, reading the data once."""
    unknown = [f for f in formats if f not in Format.values]
    if unknown:
        raise ValueError(f"Format(s) inconnu(s) : {', '.join(unknown)}")
    rendered = []
    report = None
    state = None
    for fmt in formats:
        if fmt in (Format.CSV, Format.JSON):
            state = state or load_plan_state(plan, as_of, keep_empty_themes=True)
            if fmt == Format.CSV:
                buffer = io.StringIO()
                write_status_csv(state, buffer)
                content = buffer.getvalue().encode("utf-8")
            else:
                content = (json.dumps(status_document(state), ensure_ascii=False, indent=2) + "\n").encode()
        else:
            report = report or build_report(plan, as_of)
            content = _render_report_format(report, fmt)
        rendered.append(Rendered(fmt, content))
    return rendered


def render_one(plan: Plan, as_of: datetime.date, fmt: str) -> Rendered:
    return render_all(plan, as_of, [fmt])[0]
