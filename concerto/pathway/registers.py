"""The privacy officer's registers and the destruction schedule.

``destroy_expired`` is what ``pathway_destroy`` runs: every real submission
whose retention period (the agreement in force's, counted from the day the
submission was received) has ended is destroyed with its rows, the upload
records of that order and period with it (their error reports may quote
values), and each destruction is written in the register, in the same
transaction. Synthetic submissions hold nobody's information and are left
alone. Without an agreement in force nothing is destroyed: the retention
period is the agreement's, and guessing one would be worse than waiting.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .collect import forget_file
from .models import Agreement, Application, Destruction, Submission, Upload
from .models_collect import add_months

logger = logging.getLogger(__name__)

DESTRUCTION_NOTICE_DAYS = 30
"""How long before a submission's retention end the privacy officer is told."""
AGREEMENT_NOTICE_DAYS = 90
"""How long before the agreement's end the privacy officer is told."""


@dataclass(frozen=True)
class Expiring:
    submission: Submission
    retention_end: datetime.date


def retention_schedule(agreement: Agreement | None, *, today: datetime.date) -> list[Expiring]:
    """Every real submission with its retention end, earliest first (one query)."""
    if agreement is None:
        return []
    rows = Submission.objects.filter(synthetic=False).select_related("order").order_by("received_at", "pk")
    return [Expiring(s, agreement.retention_end(timezone.localdate(s.received_at))) for s in rows]


def due_for_destruction(agreement: Agreement | None, *, today: datetime.date) -> list[Expiring]:
    """The submissions whose retention period ended before ``today``."""
    return [e for e in retention_schedule(agreement, today=today) if e.retention_end < today]


@dataclass(frozen=True)
class DestructionPlan:
    submissions: list[Expiring]
    stale_uploads: int
    """Refused files' reports older than the retention period, in periods with no submission kept."""


def destroy_expired(
    *, agreement: Agreement | None, today: datetime.date, source: str, dry_run: bool = False
) -> DestructionPlan:
    """Destroy what is past its retention period and record each destruction; return what was
    (or, with ``dry_run``, would be) destroyed."""
    due = due_for_destruction(agreement, today=today)
    stale = uploads_past_retention(agreement, today=today)
    plan = DestructionPlan(due, stale.count())
    if dry_run:
        return plan
    with transaction.atomic():
        for upload in stale.exclude(stored_name=""):
            forget_file(upload)  # a file an interrupted ingest left
        stale.delete()
        for expiring in due:
            submission = Submission.objects.select_for_update().filter(pk=expiring.submission.pk).first()
            if submission is None:  # destroyed meanwhile by another run
                continue
            uploads = Upload.objects.filter(order=submission.order, period=submission.period)
            for upload in uploads.exclude(stored_name=""):
                forget_file(upload)
            upload_count = uploads.count()
            uploads.delete()
            Application.objects.filter(submission=submission)._raw_delete(connection.alias)
            Destruction.objects.create(
                order=submission.order,
                period=submission.period,
                received_at=submission.received_at,
                retention_end=expiring.retention_end,
                row_count=submission.row_count,
                uploads=upload_count,
                file_sha256=submission.file_sha256,
                agreement=agreement,
                source=source,
            )
            submission.delete()
            logger.info(
                "Dépôt détruit : %s %s (%s demande(s), conservation échue le %s)",
                submission.order.code,
                submission.period,
                submission.row_count,
                expiring.retention_end,
            )
    return plan


def uploads_past_retention(agreement: Agreement | None, *, today: datetime.date):
    """Upload records (refused files' reports) older than the retention period, whatever their period."""
    if agreement is None:
        return Upload.objects.none()
    # The retention end of an upload made on day D is D + months: made before today - months.
    limit = add_months(today, -agreement.retention_months)
    return Upload.objects.filter(created_at__date__lt=limit, submission__isnull=True)
