"""The order's side: sending a file, its ingest as a background job, the periods expected.

``start_upload`` keeps the file under a generated name in the private
storage and queues ``ingest_upload``; the job validates it (``ingest``),
stores it (``storage``, replacing the order's previous file for the period),
records the outcome on the ``Upload`` and deletes the file, whatever the
outcome: Concerto keeps the validated rows, never the file.

What is personal stays out of every message: the job's result, its error
and the log lines name the order, the period and counts, never a value of
the file. The error report (line, column, value, reason) is kept on the
``Upload`` for the order's own submitters, who sent these values and need
them to find the line; the pseudonym column is never repeated, not even to
them (``ingest``: « valeur non conforme »), and the values are emptied once
a later file of the same period is accepted.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.jobs.services import JobError, enqueue, job

from . import dictionary as d
from .models import Agreement, Submission, Upload
from .rules import may_submit_for

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "pathway-uploads"
PERIODS_SHOWN = 6


# --- periods ------------------------------------------------------------------------------------


def period_label(start_year: int) -> str:
    """The orders' reporting year, 1 April to 31 March, as « 2024-2025 »."""
    return f"{start_year}-{start_year + 1}"


def last_completed_period(today: datetime.date) -> str:
    """The last reporting year that has ended on ``today`` (the one the orders now report on)."""
    start = today.year - 1 if today.month >= 4 else today.year - 2
    return period_label(start)


def period_choices(today: datetime.date) -> list[tuple[str, str]]:
    """The current reporting year and the previous ones, most recent first."""
    current = today.year if today.month >= 4 else today.year - 1
    return [(period_label(y), period_label(y)) for y in range(current, current - PERIODS_SHOWN, -1)]


# --- the agreement ------------------------------------------------------------------------------


def agreement_in_force(today: datetime.date | None = None) -> Agreement | None:
    return Agreement.objects.in_force(today or timezone.localdate()).first()


# --- upload -------------------------------------------------------------------------------------


def _storage():
    from concerto.core.uploads import get_private_storage

    return get_private_storage()


def start_upload(*, order, period: str, file, user) -> Upload:
    """Keep ``file`` until its ingest and queue the ingest (after the transaction commits).

    Permission first: only a data submitter of ``order``."""
    from concerto.core.uploads import sanitized_name

    if not may_submit_for(user, order):
        raise PermissionError(
            _("Seules les personnes qui transmettent les données de l’ordre peuvent déposer.")
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    name = sanitized_name(file.name)
    extension = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    stored = _storage().save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}{extension}", file)
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                order=order,
                period=period,
                submitted_by=user,
                original_name=name,
                stored_name=stored,
                file_size=file.size,
                file_sha256=digest.hexdigest(),
            )
            with translation.override(settings.LANGUAGE_CODE):
                label = _("Dépôt du parcours d’admission : %(order)s, %(period)s (envoi %(pk)s)") % {
                    "order": order.code,
                    "period": period,
                    "pk": upload.pk,
                }
            enqueue(
                ingest_upload, upload_id=upload.pk, label=label, subject=subject_of(upload), requested_by=user
            )
    except BaseException:
        _storage().delete(stored)
        raise
    upload.refresh_from_db()
    return upload


def subject_of(upload: Upload) -> str:
    return f"pathway.upload:{upload.pk}"


def give_up_if_lost(upload: Upload) -> Upload:
    """An ingest still unfinished after ``CONCERTO_JOB_TIMEOUT`` lost its worker (the job runs
    once): say so, and delete the file it left."""
    limit = timezone.now() - datetime.timedelta(seconds=settings.CONCERTO_JOB_TIMEOUT)
    if upload.finished or upload.created_at >= limit:
        return upload
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Traitement interrompu : rien n’a été enregistré ; envoyez le fichier de nouveau.")
    _finish(upload, state=Upload.State.FAILED, progress=100, message=message)
    forget_file(upload)
    return upload


def forget_file(upload: Upload) -> None:
    if upload.stored_name:
        _storage().delete(upload.stored_name)
        Upload.objects.filter(pk=upload.pk).update(stored_name="")
        upload.stored_name = ""


def _advance(upload: Upload, state: str, progress: int) -> None:
    upload.state, upload.progress = state, progress
    Upload.objects.filter(pk=upload.pk).update(state=state, progress=progress)


def _finish(upload: Upload, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    for name, value in fields.items():
        setattr(upload, name, value)
    Upload.objects.filter(pk=upload.pk).update(**fields)


def _refuse(upload: Upload, report) -> dict:
    _finish(
        upload,
        state=Upload.State.REFUSED,
        progress=100,
        error_total=report.total,
        errors=[[p.line, p.column, p.value, p.reason] for p in report.problems],
        message=_("Fichier refusé : %(count)s erreur(s) ; rien n’a été enregistré.")
        % {"count": report.total},
    )
    logger.info("Dépôt refusé : %s %s, %s erreur(s)", upload.order.code, upload.period, report.total)
    return {"state": Upload.State.REFUSED, "errors": report.total}


def _outside_agreement(accepted, agreement: Agreement):
    """Problems for the columns holding values the agreement does not allow (it may allow fewer
    fields than the dictionary has)."""
    from .ingest import Problem

    allowed = set(agreement.data_elements) | {"ordre", d.SYNTHETIC_COLUMN}
    quality = accepted.quality.completeness
    return [
        Problem(
            None, column, "renseignement non prévu par l’entente avec la Commission d’accès à l’information"
        )
        for column in d.COLUMNS
        if column not in allowed and quality.get(column, 0) > 0
    ]


@job(max_attempts=1)
def ingest_upload(*, upload_id: int) -> dict:
    """Validate, store and forget one uploaded file (one attempt: the file is deleted after it)."""
    upload = Upload.objects.select_related("order").get(pk=upload_id)
    if upload.state != Upload.State.QUEUED:
        return {"state": upload.state}
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return _ingest(upload)
    except Exception as exc:
        # Never the exception's text (a reader's message may quote the file): its type only.
        with translation.override(settings.LANGUAGE_CODE):
            if isinstance(exc, ImproperlyConfigured):
                message = _(
                    "Concerto n’est pas prêt à recevoir des données (clé de pseudonymisation absente) : "
                    "rien n’a été enregistré ; l’Office a été avisé."
                )
            else:
                message = _("Erreur inattendue (%(type)s) : rien n’a été enregistré.") % {
                    "type": type(exc).__name__
                }
        _finish(upload, state=Upload.State.FAILED, progress=100, message=message)
        logger.error("Dépôt en échec : %s %s (%s)", upload.order.code, upload.period, type(exc).__name__)
        raise JobError(message) from None
    finally:
        forget_file(upload)


def _ingest(upload: Upload) -> dict:
    # Polars is imported by the worker only, not by every web process.
    from .ingest import Problem, SubmissionRefused, ValidationReport, read_submission
    from .pseudonyms import concerto_key
    from .storage import store_submission

    _advance(upload, Upload.State.READING, 10)
    agreement = agreement_in_force()
    if agreement is None:
        return _refuse(
            upload,
            ValidationReport(
                [
                    Problem(
                        None, "", "aucune entente avec la Commission d’accès à l’information n’est en vigueur"
                    )
                ],
                1,
            ),
        )
    path = _storage().path(upload.stored_name)
    try:
        accepted = read_submission(path, key=concerto_key(), order=upload.order.code, allow_synthetic=False)
    except SubmissionRefused as exc:
        return _refuse(upload, exc.report)
    outside = _outside_agreement(accepted, agreement)
    if outside:
        return _refuse(upload, ValidationReport(outside, len(outside)))
    _advance(upload, Upload.State.STORING, 60)
    with transaction.atomic():
        submission = store_submission(
            accepted=accepted, order=upload.order, period=upload.period, sha256=upload.file_sha256
        )
        _finish(
            upload,
            state=Upload.State.ACCEPTED,
            progress=100,
            submission=submission,
            row_count=submission.row_count,
            message=_("Fichier accepté : %(count)s demande(s) enregistrée(s).")
            % {"count": submission.row_count},
        )
        # The values of earlier error reports of the period are no longer needed.
        Upload.objects.filter(
            order=upload.order, period=upload.period, created_at__lt=upload.created_at
        ).update(errors=[])
    logger.info(
        "Dépôt accepté : %s %s, %s demande(s)", upload.order.code, upload.period, submission.row_count
    )
    return {"state": Upload.State.ACCEPTED, "rows": submission.row_count, "submission": submission.pk}


def real_submissions(order_ids):
    return Submission.objects.filter(order_id__in=order_ids, synthetic=False)
