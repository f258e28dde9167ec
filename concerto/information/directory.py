"""The CIQ's directory of the professional orders, from our data only.

The orders are the ``Organization`` rows of kind « ordre professionnel »
loaded from ``data/organizations.yaml``: name, acronym, number and type of
practice as transcribed there, and nothing else. What our data lacks stays
empty and is shown as « non précisé ».

An order's page lists the sections other apps register
(``concerto.ciq.sections.register_organization_section``): the groups it
sits on, and — registered here — the published opinions it took part in,
that is those whose consultation it answered. Nothing of the answer itself
is shown: only the public opinion.
"""

from __future__ import annotations

from django.db.models import QuerySet

from concerto.ciq.models import Answer
from concerto.organizations.models import Organization

from .library import opinion_entry, published_opinions


def orders() -> QuerySet[Organization]:
    """The orders of the directory (archived ones leave it), by number then name."""
    return Organization.objects.filter(
        kind=Organization.Kind.PROFESSIONAL_ORDER, archived_at__isnull=True
    ).order_by("order_number", "name", "code")


def opinions_taken_part_in(organization: Organization):
    """Published opinions whose consultation ``organization`` answered (a submitted answer)."""
    return (
        published_opinions()
        .filter(
            consultation__answers__organization=organization,
            consultation__answers__state=Answer.State.SUBMITTED,
        )
        .only("reference", "title", "summary", "adopted_on", "is_demo")
        .order_by("-adopted_on", "-pk")
    )


def opinions_section(request, organization) -> dict | None:
    """An order's page's section: the published opinions it took part in."""
    if organization.kind != Organization.Kind.PROFESSIONAL_ORDER:
        return None
    return {
        "organization": organization,
        "entries": [opinion_entry(o) for o in opinions_taken_part_in(organization)],
    }
