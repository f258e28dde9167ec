from pathlib import Path

from concerto.cases.importer import import_cases
from concerto.core.audit import IMPORT
from concerto.core.management.base import ConcertoCommand


class Command(ConcertoCommand):
    help = "Importe les cas de la cellule d’intervention (tout ou rien, idempotent)."
    attribution = IMPORT

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def run(self, *args, path, verbosity, **options):
        result = import_cases(path=path)
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
