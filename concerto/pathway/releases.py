"""Releases of protected tables: prepared by an analyst, approved by the privacy officer.

``protected_rows`` is the one way a table is built for publication — the
release, the command ``pathway_tables`` and the public page's files all go
through it: counts by two dimensions (``disclosure.crosstab``), primary and
secondary suppression, then the linear-programming audit of exactly what
would be published (``disclosure.release_rows``), which refuses a table that
fails. ``time_to_permit_rows`` is the Kaplan–Meier curve of time to permit,
published only while the number at risk stays at or above the threshold.

``prepare_release`` computes and freezes every table and its CSV and Excel
files (SHA-256) in one transaction; ``approve_release`` and
``return_release`` record the privacy officer's decision on those frozen
bytes. Operations check permission first, lock the row, and explain a
refusal in French.
"""

from __future__ import annotations

import dataclasses
import datetime
import io

import numpy as np
import polars as pl
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from concerto.core.spreadsheets import append_row, csv_writer, workbook_bytes
from concerto.organizations.models import Organization

from . import diagnosis, disclosure, rules, survival
from .release_models import Release, ReleaseFile, ReleaseTable

TABLE_DIMENSIONS = tuple(disclosure.DIMENSIONS)  # order, profession, country, route, decision, year
DIMENSION_TITLES = {name: title for name, (_column, title) in disclosure.DIMENSIONS.items()}
CURVE_HEADER = [
    "Jours depuis la demande",
    "Part sans permis",
    "IC 95 % bas",
    "IC 95 % haut",
    "Nombre à risque",
]


class ReleaseRefused(Exception):
    """A release operation that may not be done; the message says why, in French."""


def order_names() -> dict[str, str]:
    return dict(
        Organization.objects.filter(kind=Organization.Kind.PROFESSIONAL_ORDER).values_list("code", "name")
    )


def table_title(rows: str, columns: str, *, synthetic: bool) -> str:
    title = f"Demandes par {DIMENSION_TITLES[rows].lower()} et {DIMENSION_TITLES[columns].lower()}"
    return f"{title} — {diagnosis.SYNTHETIC_LABEL}" if synthetic else title


def protected_table(
    frame: pl.DataFrame,
    *,
    rows: str,
    columns: str,
    threshold: int,
    synthetic: bool,
    names: dict[str, str] | None = None,
    secondary: bool = True,
) -> disclosure.ProtectedTable:
    """The table protected (primary, then secondary unless told not to), not yet audited."""
    table = disclosure.crosstab(frame, rows=rows, columns=columns, synthetic=synthetic)
    if names:
        if rows == "order":
            table = dataclasses.replace(table, row_labels=tuple(names.get(c, c) for c in table.row_labels))
        if columns == "order":
            table = dataclasses.replace(
                table, column_labels=tuple(names.get(c, c) for c in table.column_labels)
            )
    if secondary:
        return disclosure.protect(table, threshold=threshold)
    return disclosure.primary_suppression(table, threshold=threshold)


def protected_rows(frame: pl.DataFrame, **kwargs) -> tuple[list[list], disclosure.ProtectedTable]:
    """Rows ready to publish, after the audit; ``DisclosureRefused`` names the failing cells."""
    protected = protected_table(frame, **kwargs)
    return disclosure.release_rows(protected), protected


def time_to_permit_rows(frame: pl.DataFrame, *, threshold: int, as_of: datetime.date) -> list[list]:
    """Kaplan–Meier share of applications without a permit, cut where fewer than
    ``threshold`` remain at risk; one row per day the estimate changes."""
    folded = diagnosis._folded(frame.with_columns(pl.lit("").alias("group")), as_of).filter(
        pl.col("days") >= 0
    )
    if folded.height == 0:
        return [CURVE_HEADER]
    durations = folded.get_column("days").to_numpy().astype(float)
    events = folded.get_column("event").to_numpy().astype(int)
    weights = folded.get_column("count").to_numpy()
    curve = survival.kaplan_meier(durations, events, weights=weights)
    shown = survival.publishable(curve, durations, threshold=threshold, weights=weights)
    order = np.argsort(durations)
    sorted_days, sorted_weights = durations[order], weights[order]
    remaining = np.r_[np.cumsum(sorted_weights[::-1])[::-1], 0]
    rows = [CURVE_HEADER]
    for t, estimate, lower, upper in zip(
        shown.timeline, shown.estimate, shown.lower, shown.upper, strict=True
    ):
        at_risk = int(remaining[np.searchsorted(sorted_days, t, side="left")])
        rows.append([int(t), _round(estimate), _round(lower), _round(upper), at_risk])
    return rows


def _round(value: float):
    return None if value is None or np.isnan(value) else round(float(value), 4)


# --- Files --------------------------------------------------------------------------------------


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv_writer(buffer, lineterminator="\n").writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list], *, title: str, notes: list[str], day: datetime.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tableau"
    append_row(sheet, [title], font=Font(bold=True))
    for index, row in enumerate(rows):
        append_row(
            sheet, ["" if v is None else v for v in row], **({"font": Font(bold=True)} if index == 0 else {})
        )
    notes_sheet = workbook.create_sheet("Notes")
    for note in notes:
        append_row(notes_sheet, [note])
    return workbook_bytes(workbook, day=day)


def release_notes(release: Release) -> list[str]:
    notes = [
        release.title,
        f"Seuil de suppression : {release.threshold} (comptes de 1 à {release.threshold - 1} supprimés, « x »).",
        "Suppression complémentaire : aucune cellule supprimée ne peut être recalculée à partir des totaux publiés "
        "(audit par programmation linéaire).",
        "Courbes publiées seulement tant que le nombre à risque atteint le seuil.",
        f"Données au {release.data_as_of:%Y-%m-%d}.",
    ]
    if release.synthetic:
        notes.insert(0, diagnosis.SYNTHETIC_LABEL)
    return notes


# --- Operations ---------------------------------------------------------------------------------


def rules_applied(threshold: int) -> dict:
    return {
        "threshold": threshold,
        "primary": f"comptes de 1 à {threshold - 1} supprimés",
        "secondary": "suppression complémentaire (heuristique gloutonne guidée par l’audit)",
        "audit": "programmation linéaire (scipy HiGHS) : intervalle de chaque cellule supprimée ≥ seuil",
        "curves": "courbes coupées là où le nombre à risque est sous le seuil",
    }


def prepare_release(
    *,
    user,
    title: str,
    synthetic: bool,
    threshold: int,
    audience: str,
    tables: list[tuple[str, str]],
    curve: bool = False,
    as_of: datetime.date | None = None,
) -> Release:
    """Compute, protect, audit and freeze the tables; the release then awaits approval."""
    if not rules.is_analyst(user):
        raise ReleaseRefused("Seuls les analystes de l’Office préparent une diffusion.")
    if threshold < 2:
        raise ReleaseRefused("Le seuil de suppression doit être d’au moins 2.")
    if not tables and not curve:
        raise ReleaseRefused("Choisissez au moins un tableau ou la courbe de délai jusqu’au permis.")
    for rows, columns in tables:
        if rows not in TABLE_DIMENSIONS or columns not in TABLE_DIMENSIONS or rows == columns:
            raise ReleaseRefused(f"Tableau « {rows} × {columns} » : choisissez deux dimensions différentes.")
    as_of = as_of or timezone.localdate()
    frame = diagnosis.load_frame(synthetic=synthetic)
    if frame.height == 0:
        kind = "synthétiques" if synthetic else "réelles"
        raise ReleaseRefused(f"Aucune donnée {kind} n’est enregistrée : rien à diffuser.")
    names = order_names()
    built = []
    for rows_dimension, columns_dimension in tables:
        try:
            rows, protected = protected_rows(
                frame,
                rows=rows_dimension,
                columns=columns_dimension,
                threshold=threshold,
                synthetic=synthetic,
                names=names,
            )
        except disclosure.DisclosureRefused as exc:
            raise ReleaseRefused(
                f"{table_title(rows_dimension, columns_dimension, synthetic=synthetic)} : {exc}"
            ) from exc
        built.append(
            (
                ReleaseTable.Kind.TABLE,
                table_title(rows_dimension, columns_dimension, synthetic=synthetic),
                rows_dimension,
                columns_dimension,
                rows,
                int(protected.suppressed.sum()),
                {
                    "cells": len(protected.audit.intervals),
                    "narrowest": min((i.width for i in protected.audit.intervals), default=None),
                    "passed": protected.audit.passed,
                },
            )
        )
    if curve:
        curve_title = "Délai jusqu’au permis (Kaplan–Meier)"
        if synthetic:
            curve_title = f"{curve_title} — {diagnosis.SYNTHETIC_LABEL}"
        built.append(
            (
                ReleaseTable.Kind.CURVE,
                curve_title,
                "",
                "",
                time_to_permit_rows(frame, threshold=threshold, as_of=as_of),
                0,
                {"at_risk_at_least": threshold},
            )
        )
    with transaction.atomic():
        release = Release.objects.create(
            title=title,
            synthetic=synthetic,
            threshold=threshold,
            audience=audience,
            rules=rules_applied(threshold),
            data_as_of=as_of,
            prepared_by=user,
        )
        notes = release_notes(release)
        for position, (
            kind,
            table_name,
            rows_dimension,
            columns_dimension,
            rows,
            suppressed,
            audit,
        ) in enumerate(built, start=1):
            table = ReleaseTable.objects.create(
                release=release,
                position=position,
                kind=kind,
                title=table_name,
                rows_dimension=rows_dimension,
                columns_dimension=columns_dimension,
                rows=rows,
                suppressed=suppressed,
                audit=audit,
            )
            ReleaseFile.objects.create(table=table, format=ReleaseFile.Format.CSV, content=csv_bytes(rows))
            ReleaseFile.objects.create(
                table=table,
                format=ReleaseFile.Format.XLSX,
                content=xlsx_bytes(rows, title=table_name, notes=notes, day=as_of),
            )
    return release


def _locked_awaiting(release_id: int) -> Release:
    release = Release.objects.select_for_update().get(pk=release_id)
    if release.state != Release.State.AWAITING:
        raise ReleaseRefused("Cette diffusion a déjà été traitée.")
    return release


def approve_release(*, user, release: Release) -> Release:
    """The privacy officer approves the frozen tables as they are."""
    if not rules.is_privacy_officer(user):
        raise ReleaseRefused(
            "Seul le responsable de la protection des renseignements personnels approuve une diffusion."
        )
    with transaction.atomic():
        release = _locked_awaiting(release.pk)
        if release.prepared_by_id == user.pk:
            raise ReleaseRefused(
                "Une diffusion est approuvée par une autre personne que celle qui l’a préparée."
            )
        release.state = Release.State.APPROVED
        release.decided_by = user
        release.decided_at = timezone.now()
        release.save(update_fields=["state", "decided_by", "decided_at"])
    return release


def return_release(*, user, release: Release, note: str) -> Release:
    """The privacy officer returns the release to its analyst, saying why."""
    if not rules.is_privacy_officer(user):
        raise ReleaseRefused(
            "Seul le responsable de la protection des renseignements personnels retourne une diffusion."
        )
    note = (note or "").strip()
    if not note:
        raise ReleaseRefused("Motif : indiquez pourquoi la diffusion est retournée.")
    with transaction.atomic():
        release = _locked_awaiting(release.pk)
        release.state = Release.State.RETURNED
        release.decided_by = user
        release.decided_at = timezone.now()
        release.decision_note = note
        release.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return release


def public_releases():
    """Approved public releases, newest first, with their tables (two queries)."""
    return (
        Release.objects.filter(state=Release.State.APPROVED, audience=Release.PUBLIC)
        .prefetch_related("tables")
        .order_by("-decided_at", "-pk")
    )
