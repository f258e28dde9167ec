"""The CIQ's deadlines: the authority's (Gazette) and the orders' internal one.

- A draft regulation published in the *Gazette officielle du Québec* may be
  made after the period stated in the notice, during which comments are
  received: at least 45 days from publication (Loi sur les règlements, RLRQ
  c. R-18.1). The number of days is data kept with its source
  (``Dossier.gazette_days``, default ``GAZETTE_DAYS``). The deadline follows
  the Québec counting rules of ``concerto.core.calendar.legal_deadline``: the
  day of publication is not counted, the last day is, and a last day that is
  a holiday or a Saturday moves to the next working day.
- The orders' internal deadline must leave the CIQ time to write the
  synthesis and have the opinion adopted before the authority's deadline:
  ``internal_deadline_warning`` says, in working days, how much time is left
  and warns below ``MIN_WORKING_DAYS_FOR_OPINION``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.calendar import is_working_day, legal_deadline

from .models import GAZETTE_DAYS

MIN_WORKING_DAYS_FOR_OPINION = 10
"""Working days the CIQ keeps between the orders' deadline and the authority's
for the synthesis, the opinion and its adoption (two working weeks); a
practice of ours, not a legal rule: change it here if the CIQ's differs."""


def gazette_deadline(published_on: datetime.date, days: int = GAZETTE_DAYS) -> datetime.date:
    """The last day to comment on a draft regulation published on ``published_on``."""
    return legal_deadline(published_on, days)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` is not after ``start``)."""
    count = 0
    day = start + datetime.timedelta(days=1)
    while day <= end:
        if is_working_day(day):
            count += 1
        day += datetime.timedelta(days=1)
    return count


@dataclass(frozen=True)
class DeadlineWarning:
    working_days: int
    message: str


def internal_deadline_warning(
    internal_deadline: datetime.date | None, authority_deadline: datetime.date | None
) -> DeadlineWarning | None:
    """A French warning when the orders' deadline leaves too little time before the authority's, else None."""
    if internal_deadline is None or authority_deadline is None:
        return None
    if internal_deadline >= authority_deadline:
        return DeadlineWarning(
            0,
            _(
                "La date limite des ordres tombe le jour de l’échéance de l’autorité ou après : "
                "il ne reste aucun jour ouvrable pour la synthèse et l’adoption de l’avis."
            ),
        )
    days = working_days_between(internal_deadline, authority_deadline)
    if days >= MIN_WORKING_DAYS_FOR_OPINION:
        return None
    return DeadlineWarning(
        days,
        ngettext(
            "Il ne restera que %(days)d jour ouvrable entre la date limite des ordres et l’échéance de "
            "l’autorité pour la synthèse et l’adoption de l’avis (au moins %(minimum)d recommandés).",
            "Il ne restera que %(days)d jours ouvrables entre la date limite des ordres et l’échéance de "
            "l’autorité pour la synthèse et l’adoption de l’avis (au moins %(minimum)d recommandés).",
            days,
        )
        % {"days": days, "minimum": MIN_WORKING_DAYS_FOR_OPINION},
    )
