from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerto.core.dataload import DataError
from concerto.plans.importer import import_plan


class Command(BaseCommand):
    help = "Importe un plan d’action et ses états d’avancement (tout ou rien, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, verbosity, **options):
        try:
            result = import_plan(path=path)
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 1:
            for line in result.details:
                self.stdout.write(f"  {line}")
        if result.changed:
            self.stdout.write(
                f"Plan « {result.plan.slug} » : {result.created} élément(s) créé(s), "
                f"{result.updated} modifié(s), {result.deleted} supprimé(s)."
            )
        else:
            self.stdout.write(f"Plan « {result.plan.slug} » : déjà à jour, rien n’a changé.")
