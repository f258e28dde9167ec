"""The hand-written SQL of the measure page (``concerto.core.sql``): prepared on
PostgreSQL, counted and logged like the ORM's queries, read into model instances
as the ORM reads them."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerto.core import sql
from concerto.plans.models import Indicator, ProgressReport

from .factories import IndicatorFactory, ProgressReportFactory

ROOT = Path(__file__).resolve().parent.parent
MODELS = {"report": ProgressReport, "indicator": Indicator}
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _report_rows(pk):
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            sql.statement("SELECT {report.columns r}, 41 + 1 FROM {report} r WHERE r.id = %s", MODELS), [pk]
        )
        return cursor.fetchall()


def test_statement_names_every_column_of_the_model_in_order():
    text = sql.statement("SELECT {indicator.columns i} FROM {indicator} i", MODELS)
    columns = [f.column for f in Indicator._meta.concrete_fields]
    assert text == "SELECT " + ", ".join(f'i."{c}"' for c in columns) + ' FROM "plans_indicator" i'
    assert sql.width(Indicator) == len(columns)


def test_instances_are_what_the_orm_reads_with_extra_values_as_attributes(db):
    report = ProgressReportFactory(validated_at=datetime.datetime(2023, 4, 2, 15, 30, tzinfo=datetime.UTC))
    expected = ProgressReport.objects.get(pk=report.pk)
    [read] = sql.instances(ProgressReport, _report_rows(report.pk), extra=("answer",))
    fields = [f.attname for f in ProgressReport._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(expected, f) for f in fields]
    # Converted as the ORM converts (SQLite hands back text and integers).
    assert type(read.as_of) is datetime.date and read.is_current is True
    assert read.validated_at == expected.validated_at
    assert read.answer == 42
    assert read._state.adding is False and read._state.db == "default"


def test_decimals_are_read_as_decimals(db):
    indicator = IndicatorFactory(target_value=Decimal("12.50"))
    with sql.prepared_cursor() as cursor:
        cursor.execute(
            sql.statement("SELECT {indicator.columns i} FROM {indicator} i WHERE i.id = %s", MODELS),
            [indicator.pk],
        )
        [read] = sql.instances(Indicator, cursor.fetchall())
    assert read.target_value == Decimal("12.50") and isinstance(read.target_value, Decimal)


def test_a_row_of_the_wrong_width_is_refused(db):
    report = ProgressReportFactory()
    with pytest.raises(ValueError):
        sql.instances(ProgressReport, _report_rows(report.pk))  # the extra value has no name


def test_statements_are_counted_and_logged_with_their_values(db):
    report = ProgressReportFactory()
    with CaptureQueriesContext(connection) as queries:
        _report_rows(report.pk)
        _report_rows(report.pk)
    assert len(queries.captured_queries) == 2
    assert all(f"r.id = {report.pk}" in q["sql"] for q in queries.captured_queries)


def _prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"]
        )
        return cursor.fetchone()[0]


@on_postgresql
def test_on_postgresql_a_statement_is_prepared_once_per_connection(db):
    report = ProgressReportFactory()
    for _ in range(3):
        _report_rows(report.pk)
    assert _prepared("41 + 1 FROM") == 1


@on_postgresql
def test_on_postgresql_the_orms_statements_are_never_prepared(db):
    for _ in range(6):
        list(ProgressReport.objects.filter(percent=77))
    assert _prepared("percent") == 0


@pytest.mark.parametrize(("value", "threshold"), [(None, "0"), ("false", "None")])
def test_prepared_statements_can_be_turned_off_for_a_pooler(value, threshold):
    environment = {k: v for k, v in os.environ.items() if k != "CONCERTO_DB_PREPARE"}
    environment.update(DEBUG="true", DATABASE_URL="postgres://u:p@127.0.0.1:5432/nothing")
    if value is not None:
        environment["CONCERTO_DB_PREPARE"] = value
    script = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "concerto.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == threshold
