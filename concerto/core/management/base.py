"""The base of Concerto's management commands.

A command says what its writes are, for the audit trail, and implements
``run()`` instead of ``handle()``::

    class Command(ConcertoCommand):
        attribution = IMPORT

        def run(self, *args, path, **options):
            result = import_cases(path=path)
            ...

The base gives every run an id and logs its start and its end (with the
duration and the outcome) on the ``concerto.commands`` logger, never on the
command's output, which scripts and tests read; it attributes what the run
writes to ``attribution`` (« Importation », « Restauration », « Tâche
planifiée ») in the audit trail; and it turns a ``DataError`` (a bad file) or
an ``InvalidDate`` (a bad ``--as-of``) into a ``CommandError`` with the same
French message.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.management.base import BaseCommand, CommandError

from concerto.core.audit import recorded_as
from concerto.core.dataload import DataError
from concerto.core.dates import InvalidDate, parse_reporting_date

logger = logging.getLogger("concerto.commands")


class ConcertoCommand(BaseCommand):
    attribution: str = ""
    """``IMPORT``, ``RESTORE`` or ``SCHEDULED`` (``concerto.core.audit``), or "" for a
    command whose writes are not attributed to a source (or that writes nothing)."""

    run_id: str = ""

    def run(self, *args, **options):
        raise NotImplementedError("a ConcertoCommand implements run()")

    def handle(self, *args, **options):
        self.run_id = uuid.uuid4().hex[:12]
        name = self.__module__.rsplit(".", 1)[-1]
        logger.info("%s: run %s started", name, self.run_id)
        started = time.monotonic()
        outcome = "failed"
        try:
            with recorded_as(source=self.attribution):
                result = self.run(*args, **options)
            outcome = "done"
            return result
        except (DataError, InvalidDate) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            logger.info("%s: run %s %s in %.3f s", name, self.run_id, outcome, time.monotonic() - started)


def parse_date_option(value: str | None):
    """A date option (``--as-of``, ``--today``) read by the one reporting-date parser;
    ``None`` when not given. A bad value becomes a ``CommandError`` in ``handle``."""
    return None if value is None else parse_reporting_date(value)
