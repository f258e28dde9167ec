"""``python manage.py import_plan FICHIER``: a plan data file (YAML, ``concerto.plan/1``),
imported or updated as before; or a backup written by ``export_plan`` (JSON,
``concerto.plan-export/1``), restored into a database that does not have the plan."""

import json
from pathlib import Path

from django.core.management.base import CommandError

from concerto.backups.services import restore_plan, summary
from concerto.core.dataload import DataError
from concerto.core.management.base import ConcertoCommand
from concerto.plans.importer import import_plan


def read_backup(path: Path):
    """The JSON document in ``path``, or None when it is a plan data file for the importer."""
    if path.suffix.lower() != ".json":
        try:
            with open(path, "rb") as handle:
                head = handle.read(64)
        except OSError:
            return None  # the importer says what is wrong, as it always did
        if not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
            return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"{path} : fichier introuvable.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} : le fichier n’est pas en UTF-8 ({exc.reason}).") from exc
    except OSError as exc:
        raise CommandError(f"{path} : lecture impossible ({exc.strerror}).") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path}, ligne {exc.lineno}, colonne {exc.colno} : JSON malformé ({exc.msg}) ; rien n’a été écrit."
        ) from exc
    if isinstance(document, dict) and "format" not in document and "schema" in document:
        return None  # a plan data file written in JSON, which is YAML too
    return document


class Command(ConcertoCommand):
    # The importer attributes its writes to « Importation », the restoration to
    # « Restauration » (each in its own service), whichever file this is.
    help = (
        "Importe un plan d’action et ses états d’avancement (tout ou rien, idempotent), "
        "ou restaure la sauvegarde JSON d’un plan écrite par « export_plan » (tout ou rien, "
        "dans une base qui ne contient pas ce plan)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def run(self, *args, path, verbosity, **options):
        document = read_backup(path)
        if document is not None:
            return self._restore(path, document, verbosity)
        result = import_plan(path=path)
        if verbosity > 1:
            for line in result.details:
                self.stdout.write(f"  {line}")
        if result.changed:
            self.stdout.write(
                f"Plan « {result.subject.slug} » : {result.created} élément(s) créé(s), "
                f"{result.updated} modifié(s), {result.deleted} supprimé(s)."
            )
        else:
            self.stdout.write(f"Plan « {result.subject.slug} » : déjà à jour, rien n’a changé.")

    def _restore(self, path, document, verbosity):
        notes: list[str] = []
        try:
            plan = restore_plan(data=document, notes=notes)
        except DataError as exc:
            raise CommandError(f"{path} : {exc}") from exc
        if verbosity > 0:
            for note in notes:
                self.stdout.write(f"  Remarque : {note}")
        self.stdout.write(f"Plan « {plan.slug} » restauré depuis {path} : {summary(document)}.")
