"""Hand-written SQL for the pages read most often (the measure page).

Django's ORM builds every query in Python, and a raw queryset still
resolves its columns and converters on each run: for the measure page's
short queries this costs several times what PostgreSQL needs to answer
them (see benchmarks/http_load.py). This module is the one place that
offers the cheaper path:

- ``prepared_cursor()``: on PostgreSQL, a cursor that binds its parameters
  on the server, so that PostgreSQL parses and plans each statement once per
  connection and then only executes it (psycopg's ``prepare_threshold``, 0 in
  settings.py: from its first use). The ORM's cursors
  are unchanged: they bind on the client and psycopg never prepares them.
  On SQLite, the usual cursor. Either way the statements go through Django's
  cursor wrapper: they are counted by query-count tests and logged in DEBUG.
- ``statement(text, models)``: SQL written with ``{name}`` for a model's
  quoted table and ``{name.columns alias}`` for the list of its columns.
- ``instances(model, rows)``: model instances made from rows of those
  columns, with the database's converters applied as the ORM applies them.

Statements name their columns (never ``SELECT *``): the result of a prepared
statement must keep its shape for as long as the connection lives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Model


@contextmanager
def prepared_cursor():
    """A cursor on the default database whose statements PostgreSQL prepares (see above)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    # psycopg's own cursor class binds on the server; Django's wrapper keeps
    # its error translation, execute wrappers and query logging.
    raw = psycopg.Cursor(connection.connection)
    cursor = _LoggedCursor(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


class _LoggedCursor(CursorDebugWrapper):
    """Django's query log (DEBUG, query-count tests) for a cursor that binds on the
    server: Django reads the statement back from client-binding cursors only, so it
    is written out here with its values, as the ORM's statements are logged."""

    def execute(self, sql, params=None):
        logged = self.db.ops.compose_sql(sql, params) if params else sql
        with self.debug_sql(logged, params):
            return CursorWrapper.execute(self, sql, params)


def table(model: type[Model]) -> str:
    """The quoted table of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def columns(model: type[Model], alias: str) -> str:
    """``alias.col1, alias.col2, …``: every column of ``model``, in the order ``instances`` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def statement(text: str, models: dict[str, type[Model]]) -> str:
    """``text`` with ``{name}`` replaced by the quoted table of ``models[name]``, and
    ``{name.columns x}`` by ``columns(models[name], "x")``."""

    def written(match: re.Match) -> str:
        model = models[match[1]]
        return columns(model, match[2]) if match[2] else table(model)

    return re.sub(r"\{(\w+)(?:\.columns (\w+))?\}", written, text)


def width(model: type[Model]) -> int:
    """How many values ``columns(model, …)`` selects."""
    return len(model._meta.concrete_fields)


_converters: dict[tuple[type[Model], str], list] = {}


def _converters_of(model: type[Model]) -> list:
    key = (model, connection.vendor)
    if key not in _converters:
        found = []
        for position, field in enumerate(model._meta.concrete_fields):
            expression = field.get_col(model._meta.db_table)
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if functions:
                found.append((position, expression, functions))
        _converters[key] = found
    return _converters[key]


def instance(model: type[Model], values: Sequence, extra: Sequence[str] = ()):
    """The instance of ``model`` read from ``values`` (its columns, then one value per name of ``extra``)."""
    values = list(values)
    for position, expression, functions in _converters_of(model):
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    count = width(model)
    obj = model.from_db(connection.alias, None, values[:count])
    for name, value in zip(extra, values[count:], strict=True):
        setattr(obj, name, value)
    return obj


def instances(model: type[Model], rows: Iterable[Sequence], extra: Sequence[str] = ()) -> list:
    """``instance`` for each row."""
    return [instance(model, row, extra) for row in rows]
