"""Which reporting dates of a plan the public sees.

Validating one measure's update makes it that measure's state at the
campaign's date; the public would then see a new date with every other
measure « Inconnu ». So a reporting date becomes public only when the plan's
coordination publishes it as a whole — by « Publier l’état au … », or by
publishing the annual report of that date (the reports app). Until
then the public keeps the last published picture; the coordination sees
every date (and may preview the public view), and the partners see the new
states of their own measures on the measure pages.

Pages, the API and the exports choose their dates with
:func:`dates_for_user` (or :func:`public_dates`): one query.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import formats
from django.utils.translation import gettext as _

from concerto.accounts.models import Role
from concerto.accounts.rules import coordinates, is_signed_in, organizations_with_role

from .models import Collaborator, MeasureLead, Plan, ProgressReport, PublishedDate
from .state import published_dates

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportingDates:
    """The dates a reader may choose, newest first, and which of them are not public yet."""

    dates: list[datetime.date]
    unpublished: frozenset[datetime.date] = field(default_factory=frozenset)

    @property
    def default(self) -> datetime.date | None:
        """The newest date this reader may see (the latest published one, for the public)."""
        return self.dates[0] if self.dates else None

    @property
    def latest_published(self) -> datetime.date | None:
        return next((d for d in self.dates if d not in self.unpublished), None)

    def is_published(self, as_of: datetime.date | None) -> bool:
        return as_of is not None and as_of not in self.unpublished


def _dates_with_publication(plan: Plan) -> list[tuple[datetime.date, bool]]:
    """(date, published) for each date at which the plan has a validated state, newest first."""
    published = PublishedDate.objects.filter(plan=plan, as_of=OuterRef("as_of"))
    return list(
        ProgressReport.objects.filter(measure__plan=plan, is_current=True)
        .annotate(published=Exists(published))
        .values_list("as_of", "published")
        .distinct()
        .order_by("-as_of")
    )


def public_dates(plan: Plan) -> ReportingDates:
    """The published reporting dates of ``plan``, newest first: what the public sees (one query)."""
    return ReportingDates(published_dates(plan))


def all_dates(plan: Plan) -> ReportingDates:
    rows = _dates_with_publication(plan)
    return ReportingDates(
        [as_of for as_of, _published in rows],
        frozenset(as_of for as_of, published in rows if not published),
    )


def can_see_unpublished(user, plan: Plan) -> bool:
    """The plan's coordination sees (and publishes) the dates not yet public."""
    return coordinates(user, plan.owner_id)


def takes_part_in_measure(user, measure_id: int) -> bool:
    """An editor or collaborator of an organization that leads or collaborates on the
    measure: sees its validated states before their date is published (one query)."""
    if not is_signed_in(user):
        return False
    organizations = organizations_with_role(user, Role.EDITOR, Role.COLLABORATOR)
    if not organizations:
        return False
    return (
        MeasureLead.objects.filter(measure_id=measure_id, organization_id__in=organizations).exists()
        or Collaborator.objects.filter(measure_id=measure_id, organization_id__in=organizations).exists()
    )


def dates_for_user(user, plan: Plan, *, public_view: bool = False) -> ReportingDates:
    """Every date for the plan's coordination (unless it asks for the public view), else the published ones."""
    if can_see_unpublished(user, plan) and not public_view:
        return all_dates(plan)
    return public_dates(plan)


def date_label(as_of: datetime.date) -> str:
    return formats.date_format(as_of, "j F Y")


def publish_reporting_date(
    *, plan: Plan, as_of: datetime.date, user, via: str = PublishedDate.Via.ACTION
) -> tuple[PublishedDate, bool]:
    """Make the plan's state at ``as_of`` public as a whole; ``(record, created)``.

    Idempotent: a date already published keeps its first record (who, when,
    how) and nothing is written. Refused for a date without any validated
    state. ``user`` must coordinate the plan; ``None`` is the system itself
    (an import of published data, a restoration, a report published by a
    command). The public pages follow at once: a new row changes the plans'
    data fingerprint (``concerto.plans.cache``).
    """
    if user is not None and not can_see_unpublished(user, plan):
        raise PermissionDenied(_("Seule la coordination du plan peut publier un état d’avancement."))
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)  # one publication of a date at a time
        existing = PublishedDate.objects.filter(plan=plan, as_of=as_of).select_related("published_by").first()
        if existing is not None:
            return existing, False
        if not ProgressReport.objects.filter(measure__plan=plan, as_of=as_of, is_current=True).exists():
            raise ValidationError(
                _("Aucun état d’avancement validé au %(date)s : il n’y a rien à publier.")
                % {"date": date_label(as_of)}
            )
        record = PublishedDate.objects.create(plan=plan, as_of=as_of, published_by=user, via=via)
    logger.info("État publié : %s au %s (%s), par %s", plan.slug, as_of, via, getattr(user, "username", "—"))
    return record, True


@dataclass(frozen=True)
class PublicationPreview:
    """What the confirmation page says before a date is published."""

    as_of: datetime.date
    measures: int
    validated: int
    record: PublishedDate | None

    @property
    def missing(self) -> int:
        return self.measures - self.validated


def publication_preview(plan: Plan, as_of: datetime.date) -> PublicationPreview:
    return PublicationPreview(
        as_of=as_of,
        measures=plan.measures.count(),
        validated=ProgressReport.objects.filter(measure__plan=plan, as_of=as_of, is_current=True).count(),
        record=PublishedDate.objects.filter(plan=plan, as_of=as_of).select_related("published_by").first(),
    )
