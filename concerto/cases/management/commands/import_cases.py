from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerto.cases.importer import import_cases
from concerto.core.dataload import DataError


class Command(BaseCommand):
    help = "Importe les cas de la cellule d’intervention (tout ou rien, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, verbosity, **options):
        try:
            result = import_cases(path=path)
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 1:
            for line in result.details:
                self.stdout.write(f"  {line}")
        if result.changed:
            self.stdout.write(
                f"Cas : {result.created} élément(s) créé(s), {result.updated} modifié(s), "
                f"{result.deleted} supprimé(s)."
            )
        else:
            self.stdout.write("Cas : déjà à jour, rien n’a changé.")
