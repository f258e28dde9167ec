"""The fingerprint of the data that the public plan pages show.

Every write to a plan, theme, measure, lead, collaborator, indicator,
progress report, component, indicator value or organization adds a row to
its audit trail (django-simple-history, see ``concerto.audit``); trails only
grow. The fingerprint is the number of rows and the last row of each trail:
the count changes with every committed write, even when, on PostgreSQL, a
transaction commits after another that took a later row number. One query.

Apps that build on plans and show their own rows on the plan pages register
their tables from their ``AppConfig.ready()`` (``register_table``), so that
plans need not know them (reports registers its publications). The
published reporting dates (``PublishedDate``) are registered the same way,
by plans itself: publishing a date changes what the public pages show.
"""

import functools

from django.apps import apps
from django.db import connection, models

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


# model -> the columns whose non-null count changes when its rows change.
_registered: dict[type[models.Model], tuple[str, ...]] = {}


def register_table(model: type[models.Model], *, columns: tuple[str, ...] = ()) -> None:
    """Count ``model``'s rows (and the non-null values of ``columns``) in the fingerprint.

    For a table whose rows are added, or whose listed columns are filled in,
    but never otherwise edited: published reports and their "remplacé par".
    Call it from the registering app's ``AppConfig.ready()``.
    """
    _registered[model] = tuple(columns)
    _sql.cache_clear()


@functools.cache
def _sql() -> str:
    # Only table names, from the models' metadata; nothing from a request.
    # Built once: each ``Model.history`` access builds a manager class.
    quote = connection.ops.quote_name
    organization = apps.get_model("organizations", "Organization")
    parts = []
    for model in (*TRACKED, organization):
        table = quote(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX(history_id) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
    for model in sorted(_registered, key=lambda m: m._meta.label):
        table = quote(model._meta.db_table)
        # The last key too: a row deleted (by an administrator) and another added still count.
        parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608
        for column in _registered[model]:
            parts.append(f"(SELECT COUNT({quote(model._meta.get_field(column).column)}) FROM {table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


def plan_data_fingerprint() -> str:
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        return ":".join("" if value is None else str(value) for value in cursor.fetchone())
