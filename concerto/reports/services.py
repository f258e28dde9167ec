"""Business operations on published reports."""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from concerto.jobs.models import Job
from concerto.jobs.services import enqueue, job
from concerto.plans.cache import plan_data_fingerprint
from concerto.plans.models import Plan, PublishedDate
from concerto.plans.publication import publish_reporting_date

from .formats import render_all, render_one
from .models import Format, Publication, PublishedDocument, WorkingDocument

logger = logging.getLogger(__name__)

PUBLISHED_FORMATS = [Format.PDF, Format.DOCX, Format.XLSX, Format.CSV, Format.JSON]
# Working documents that take long enough to be made by a background job;
# CSV and JSON are written at once, in the request.
BACKGROUND_FORMATS = [Format.PDF, Format.DOCX, Format.XLSX]


def publish_report(*, plan: Plan, as_of: datetime.date, user=None) -> Publication:
    """Freeze the report of ``plan`` at ``as_of`` in every format.

    One transaction: the new version and all its documents are stored, and
    the previous version of the same date, if any, is marked as replaced,
    and the reporting date becomes public (``publish_reporting_date``) —
    or nothing is. Later edits to the data never change these documents.
    """
    documents = render_all(plan, as_of, PUBLISHED_FORMATS)  # slow part, outside the lock
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)  # serializes version numbers
        previous = (
            Publication.objects.filter(plan=plan, as_of=as_of, superseded_by__isnull=True)
            .order_by("-version")
            .first()
        )
        last_version = (
            Publication.objects.filter(plan=plan, as_of=as_of)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        )
        publication = Publication.objects.create(
            plan=plan, as_of=as_of, version=last_version + 1, published_by=user
        )
        for document in documents:
            PublishedDocument.objects.create(
                publication=publication, format=document.format, content=document.content
            )
        if previous is not None:
            previous.superseded_by = publication
            previous.save(update_fields=["superseded_by"])
        publish_reporting_date(plan=plan, as_of=as_of, user=user, via=PublishedDate.Via.REPORT)
    logger.info(
        "Rapport publié : %s au %s, version %s, par %s",
        plan.slug,
        as_of,
        publication.version,
        getattr(user, "username", "—"),
    )
    return publication


# --- working documents, made by a background job --------------------------------


def data_fingerprint() -> str:
    """The hash of the plans' data fingerprint: it changes with every committed edit."""
    return hashlib.sha256(plan_data_fingerprint().encode()).hexdigest()


def working_jobs_subject(plan: Plan) -> str:
    return f"reports.plan:{plan.pk}"


def find_working_document(
    *, plan: Plan, as_of: datetime.date, fmt: str, language: str, fingerprint: str
) -> WorkingDocument | None:
    return WorkingDocument.objects.filter(
        plan=plan, as_of=as_of, format=fmt, language=language, data_fingerprint=fingerprint
    ).first()


def prepare_working_document(
    *, plan: Plan, as_of: datetime.date, fmt: str, language: str, fingerprint: str, user=None
) -> Job:
    """Queue the making of a working report for the current data (once per data state).

    Publishing stays synchronous (``publish_report``): it is rare, done by
    the coordination, and must be all-or-nothing in one transaction.
    """
    if fmt not in BACKGROUND_FORMATS:
        raise ValueError(f"Format fait sans travail en arrière-plan : {fmt}")
    with translation.override(settings.LANGUAGE_CODE):
        label = _("Rapport de travail %(format)s au %(date)s — %(plan)s") % {
            "format": Format(fmt).label,
            "date": as_of.isoformat(),
            "plan": plan.slug,
        }
    return enqueue(
        generate_working_document,
        # Asked for because it is not there: a finished job whose document was
        # removed (a newer state replaced it, an administrator deleted it) runs again.
        redo=find_working_document(
            plan=plan, as_of=as_of, fmt=fmt, language=language, fingerprint=fingerprint
        )
        is None,
        plan_id=plan.pk,
        as_of=as_of,
        fmt=fmt,
        language=language,
        fingerprint=fingerprint,
        label=label,
        subject=working_jobs_subject(plan),
        requested_by=user,
    )


@job
def generate_working_document(*, plan_id: int, as_of: str, fmt: str, language: str, fingerprint: str) -> dict:
    """Render a working report and keep it under the data fingerprint it was asked for.

    The data may change while it renders: the document is then at least as
    recent as its fingerprint, and the next request, under a new
    fingerprint, makes another.
    """
    plan = Plan.objects.get(pk=plan_id)
    date = datetime.date.fromisoformat(as_of)
    kept = find_working_document(plan=plan, as_of=date, fmt=fmt, language=language, fingerprint=fingerprint)
    if kept is not None:  # made by an attempt that failed afterwards
        return {"document": kept.pk, "size": kept.size, "sha256": kept.sha256}
    with translation.override(language):
        rendered = render_one(plan, date, fmt)
    content = rendered.content
    with transaction.atomic():
        document, _created = WorkingDocument.objects.get_or_create(
            plan=plan,
            as_of=date,
            format=fmt,
            language=language,
            data_fingerprint=fingerprint,
            defaults={
                "content": content,
                "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content),
            },
        )
        # Other states of the same document will never be asked for again, if
        # this one is the current state (a slow job of an older state removes nothing).
        if fingerprint == data_fingerprint():
            WorkingDocument.objects.filter(plan=plan, as_of=date, format=fmt, language=language).exclude(
                data_fingerprint=fingerprint
            ).delete()
    logger.info("Rapport de travail produit : %s", document.filename)
    return {"document": document.pk, "size": document.size, "sha256": document.sha256}
