"""The library of the CIQ's documents and studies, with its published opinions.

One loader for the page ``/ciq/documents/``, its JSON twin and the CIQ's
home: the published documents and the published opinions (entries of kind
« avis », linking to their page in ``/ciq/avis/``), merged by date, the most
recent first. Two queries whatever the number of entries. The search is the
opinions library's for the opinions (``concerto.opinions.search``) and the
shared one of ``concerto.core.search`` for the documents: accent-insensitive
everywhere, French full-text on PostgreSQL.

An opinion's date is its adoption date, as in ``/ciq/avis/`` (its first
publication's date when no adoption date was recorded).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.search import full_text_matching
from concerto.opinions.models import Opinion
from concerto.opinions.search import matching as opinion_matching

from .models import Document

OPINION = "opinion"
"""The kind of the library's entries that are the CIQ's published opinions."""

KIND_CHOICES = [*Document.Kind.choices, (OPINION, _("Avis du CIQ"))]
KIND_LABELS = dict(KIND_CHOICES)


@dataclass(frozen=True)
class Entry:
    kind: str
    title: str
    date: datetime.date | None
    summary: str
    url: str
    reference: str = ""
    file_url: str = ""
    file_size: int | None = None
    content_type: str = ""
    is_demo: bool = False
    document: Document | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_opinion(self) -> bool:
        return self.kind == OPINION


def published_opinions():
    """Published opinions with the date of their first publication (one query)."""
    return Opinion.objects.annotate(first_published=Min("publications__published_at")).filter(
        first_published__isnull=False
    )


def _opinion_date(opinion) -> datetime.date:
    return opinion.adopted_on or timezone.localdate(opinion.first_published)


def document_entry(document: Document) -> Entry:
    return Entry(
        kind=document.kind,
        title=document.title,
        date=document.date,
        summary=document.summary,
        url=document.get_file_url(),
        file_url=document.get_file_url(),
        file_size=document.size,
        content_type=document.content_type,
        is_demo=document.is_demo,
        document=document,
    )


def opinion_entry(opinion) -> Entry:
    return Entry(
        kind=OPINION,
        title=opinion.title,
        date=_opinion_date(opinion),
        summary=opinion.summary,
        url=reverse("opinion-public", args=[opinion.reference]),
        reference=opinion.reference,
        is_demo=opinion.is_demo,
    )


def load_entries(*, kind: str = "", year: int | None = None, query: str = "", limit: int | None = None):
    """The library's public entries (published only), filtered, the most recent first."""
    entries: list[Entry] = []
    if kind != OPINION:
        documents = Document.objects.published().defer("search_text")
        if kind:
            documents = documents.filter(kind=kind)
        if year:
            documents = documents.filter(date__year=year)
        if query:
            documents = full_text_matching(documents, query)
        documents = documents.order_by("-date", "-pk")
        if limit:
            documents = documents[:limit]
        entries += [document_entry(d) for d in documents]
    if not kind or kind == OPINION:
        opinions = published_opinions().only("reference", "title", "summary", "adopted_on", "is_demo")
        if query:
            opinions = opinion_matching(opinions, query)
        opinions = [opinion_entry(o) for o in opinions.order_by("-adopted_on", "-pk")]
        if year:
            opinions = [e for e in opinions if e.date.year == year]
        entries += opinions
    # Stable sorts: the most recent first, then on a same date documents before opinions, by title.
    entries.sort(key=lambda e: (e.kind == OPINION, e.title))
    entries.sort(key=lambda e: e.date or datetime.date.min, reverse=True)
    return entries[:limit] if limit else entries


def years() -> list[int]:
    """The years that have a published document or opinion, the most recent first."""
    found = {
        d.year for d in Document.objects.published().values_list("date", flat=True).order_by().distinct()
    }
    for adopted_on, first_published in (
        published_opinions().values_list("adopted_on", "first_published").order_by()
    ):
        found.add((adopted_on or timezone.localdate(first_published)).year)
    return sorted(found, reverse=True)
