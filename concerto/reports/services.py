"""Business operations on published reports."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction

from concerto.plans.models import Plan

from .formats import render_all
from .models import Format, Publication, PublishedDocument

logger = logging.getLogger(__name__)

PUBLISHED_FORMATS = [Format.PDF, Format.DOCX, Format.XLSX, Format.CSV, Format.JSON]


def publish_report(*, plan: Plan, as_of: datetime.date, user=None) -> Publication:
    """Freeze the report of ``plan`` at ``as_of`` in every format.

    One transaction: the new version and all its documents are stored, and
    the previous version of the same date, if any, is marked as replaced —
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
    logger.info(
        "Rapport publié : %s au %s, version %s, par %s",
        plan.slug,
        as_of,
        publication.version,
        getattr(user, "username", "—"),
    )
    return publication
