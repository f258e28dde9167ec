from django.core.management.base import CommandError
from django.db import transaction

from concerto.core.audit import DEMO
from concerto.core.demo import DemoRefused, demo_enabled, registered_demos
from concerto.core.management.base import ConcertoCommand


class Command(ConcertoCommand):
    help = (
        "Charge les données de démonstration (étiquetées « Démonstration ») de chaque module. "
        "Idempotent ; refusé quand CONCERTO_DEMO_DATA est désactivé (production)."
    )
    attribution = DEMO

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="MODULE",
            help="Ne charger que ce module (répétable).",
        )

    def run(self, *args, only, **options):
        if not demo_enabled():
            raise CommandError(str(DemoRefused()))
        loaders = registered_demos()
        known = {loader.name for loader in loaders}
        unknown = sorted(set(only) - known)
        if unknown:
            names = ", ".join(sorted(known)) or "aucun"
            raise CommandError(f"Module de démonstration inconnu : {', '.join(unknown)} (connus : {names}).")
        for loader in loaders:
            if only and loader.name not in only:
                continue
            with transaction.atomic():
                summary = loader.load(out=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(f"Démonstration « {loader.name} » : {summary}"))
        if not loaders:
            self.stdout.write("Aucun module ne fournit de données de démonstration.")
