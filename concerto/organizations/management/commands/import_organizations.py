from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerto.core.dataload import DataError
from concerto.organizations.domain import import_organizations


class Command(BaseCommand):
    help = "Importe le fichier de référence des organisations (tout ou rien, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            counts = import_organizations(path=path)
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "Organisations : {created} créées, {updated} mises à jour, {unchanged} inchangées.".format(
                **counts
            )
        )
