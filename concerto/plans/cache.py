"""The fingerprint of the data that the public plan pages show.

Every write to a plan, theme, measure, lead, collaborator, indicator,
progress report, component, indicator value or organization adds a row to
its audit trail (django-simple-history, see ``concerto.audit``); trails only
grow. The fingerprint is the number of rows and the last row of each trail:
the count changes with every committed write, even when, on PostgreSQL, a
transaction commits after another that took a later row number. Published
reports, which the plan page lists, are counted too. One query.
"""

import functools

from django.apps import apps
from django.db import connection

from .models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    Theme,
)

TRACKED = (
    Plan,
    Theme,
    Measure,
    MeasureLead,
    Collaborator,
    Indicator,
    ProgressReport,
    ComponentProgress,
    IndicatorProgress,
)


@functools.cache
def _sql() -> str:
    # Only table names, from the models' metadata; nothing from a request.
    # Built once: each ``Model.history`` access builds a manager class.
    quote = connection.ops.quote_name
    # Looked up by name: reports build on plans, not the reverse.
    publication = apps.get_model("reports", "Publication")._meta.db_table
    organization = apps.get_model("organizations", "Organization")
    parts = []
    for model in (*TRACKED, organization):
        table = quote(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX(history_id) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
    parts.append(f"(SELECT COUNT(*) FROM {quote(publication)})")  # noqa: S608
    parts.append(f"(SELECT COUNT(superseded_by_id) FROM {quote(publication)})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def plan_data_fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        return ":".join("" if value is None else str(value) for value in cursor.fetchone())
