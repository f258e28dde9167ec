"""Registrations and attendance as CSV or Excel, for the CIQ's staff only (names and orders).

Both through ``concerto.core.spreadsheets``, the only writer: no cell is ever a formula.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from concerto.core.demo import DEMO_MARK
from concerto.core.spreadsheets import XLSX_CONTENT_TYPE, append_row, csv_writer, workbook_bytes

HEADERS = [
    "Activité",
    "Type",
    "Début de la séance",
    "Ordre",
    "Personne",
    "Courriel",
    "Statut",
    "Rang d’arrivée en liste d’attente",
    "Reçue le",
    "Confirmée depuis la liste d’attente le",
    "Annulée le",
    "Présence",
    "Heures reconnues",
]


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def rows(registrations) -> list[list]:
    out = []
    with translation.override("fr"):
        for r in registrations.order_by(
            "session__starts_at", "session_id", "status", "position", "created_at", "pk"
        ):
            activity = r.session.activity
            title = activity.title
            out.append(
                [
                    title,
                    str(activity.get_kind_display()),
                    _when(r.session.starts_at),
                    r.organization.name,
                    r.user.get_full_name() or r.user.username,
                    r.user.email,
                    str(r.get_status_display()),
                    r.position or "",
                    _when(r.created_at),
                    _when(r.promoted_at),
                    _when(r.cancelled_at),
                    str(r.get_attendance_display()),
                    float(activity.hours)
                    if activity.hours is not None and r.attendance == "attended"
                    else "",
                ]
            )
    return out


def response(registrations, *, fmt: str, stem: str) -> HttpResponse:
    data = rows(registrations)
    demo = any(DEMO_MARK in row[0] for row in data)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        if demo:
            writer.writerow([f"{DEMO_MARK} — données fictives"])
        writer.writerow(HEADERS)
        writer.writerows(data)
        reply = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Inscriptions"
        if demo:
            append_row(sheet, [f"{DEMO_MARK} — données fictives"], font=Font(bold=True))
        append_row(sheet, HEADERS, font=Font(bold=True))
        for row in data:
            append_row(sheet, row)
        reply = HttpResponse(
            workbook_bytes(workbook, day=timezone.localdate()), content_type=XLSX_CONTENT_TYPE
        )
    reply["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    reply["Cache-Control"] = "private, no-store"
    return reply
