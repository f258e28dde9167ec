from pathlib import Path

from concerto.core.audit import IMPORT
from concerto.core.management.base import ConcertoCommand
from concerto.organizations.domain import import_organizations


class Command(ConcertoCommand):
    help = "Importe le fichier de référence des organisations (tout ou rien, idempotent)."
    attribution = IMPORT

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def run(self, *args, path, verbosity, **options):
        result = import_organizations(path=path)
        if verbosity > 1:
            for line in result.details:
                self.stdout.write(f"  {line}")
        self.stdout.write(
            f"Organisations : {result.created} créées, {result.updated} mises à jour, "
            f"{result.unchanged} inchangées."
        )
