"""Search across recommendations and the intervention cell's cases.

Accents and case are ignored: the query is folded (lowercase, no accents)
like ``Recommendation.search_text``, which ``save()`` keeps up to date.

- PostgreSQL: full-text search with the French configuration
  (``SearchVector("search_text", config="french")`` against a
  ``SearchQuery(..., config="french")`` of the folded query: stemming makes
  « reconnaissances » find « reconnaissance »), or a substring of the folded
  text, so that a number (REC-2024-003) or a word fragment is found too;
- SQLite: every word of the folded query must occur in the folded text.

Cases have no folded column (their model belongs to ``concerto.cases``):
the visible cases are folded in Python — a few hundred rows at most.

The public sees published recommendations and cases whose summary is
published; coordinators see everything.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from concerto.cases.models import Case

from . import rules
from .models import Recommendation, fold


def _recommendation_matches(queryset, folded: str):
    words = folded.split()
    substring = Q()
    for word in words:
        substring &= Q(search_text__contains=word)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return queryset.annotate(_search=SearchVector("search_text", config="french")).filter(
            Q(_search=SearchQuery(folded, config="french")) | substring
        )
    return queryset.filter(substring)


def search_recommendations(user, query: str):
    folded = fold(query)
    if not folded:
        return Recommendation.objects.none()
    visible = rules.visible_to(user).select_related("addressee")
    return _recommendation_matches(visible, folded).order_by("-number")


def search_cases(user, query: str) -> list[Case]:
    words = fold(query).split()
    if not words:
        return []
    cases = Case.objects.order_by("reference").only(
        "reference", "title", "public_summary", "description", "state", "summary_published", "owner"
    )
    # The coordination of the body that owns a case searches it in full; others, published summaries.
    coordinated = Q(owner__in=rules.coordinated_owner_ids(user))
    cases = cases.filter(coordinated | Q(summary_published=True))
    found = []
    for case in cases:
        fields = [case.reference, case.title, case.public_summary]
        if rules.coordinates(user, case.owner_id):
            fields.append(case.description)
        text = fold(" ".join(f for f in fields if f))
        if all(word in text for word in words):
            found.append(case)
    return found
