import datetime

from django.core.management.base import CommandError

from concerto.core.management.base import parse_date_option
from concerto.plans.models import Plan
from concerto.plans.state import reporting_dates


def get_plan(slug: str) -> Plan:
    plan = Plan.objects.filter(slug=slug).first()
    if plan is None:
        known = ", ".join(Plan.objects.values_list("slug", flat=True)) or "aucun"
        raise CommandError(f"Plan « {slug} » introuvable (plans connus : {known}).")
    return plan


def parse_as_of(value: str | None, plan: Plan) -> datetime.date | None:
    """The --as-of date, or the plan's latest reporting date by default.

    A bad date raises ``InvalidDate``, which ``ConcertoCommand`` reports."""
    if value is None:
        dates = reporting_dates(plan)
        return dates[0] if dates else None
    return parse_date_option(value)
