"""Accent-insensitive search in the public library of opinions.

The query is folded (lowercase, no accents) like ``Opinion.search_text``,
which ``save()`` and each saved version keep up to date (reference, title,
summary, the file and the latest text), as the recommendations' register
does:

- PostgreSQL: French full-text search (stemming: « règlements » finds
  « règlement ») or a substring of the folded text, so that a reference
  (AVIS-2025-01) or a word fragment is found too;
- SQLite: every word of the folded query must occur in the folded text.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from .models import fold


def matching(queryset, query: str):
    folded = fold(query)
    if not folded:
        return queryset
    substring = Q()
    for word in folded.split():
        substring &= Q(search_text__contains=word)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return queryset.annotate(_search=SearchVector("search_text", config="french")).filter(
            Q(_search=SearchQuery(folded, config="french")) | substring
        )
    return queryset.filter(substring)
