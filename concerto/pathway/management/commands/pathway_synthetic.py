from pathlib import Path

from django.core.management.base import CommandError

from concerto.core.management.base import ConcertoCommand
from concerto.pathway.synthetic import generate, write_csv


class Command(ConcertoCommand):
    help = (
        "Écrit un dépôt synthétique du parcours d’admission au format du dictionnaire "
        "(UTF-8, virgule, dates ISO). Chaque ligne porte donnees_synthetiques = oui."
    )

    def add_arguments(self, parser):
        parser.add_argument("--order", required=True, help="code de l’ordre")
        parser.add_argument("--applications", type=int, required=True, help="nombre de demandes")
        parser.add_argument("--seed", type=int, default=0, help="graine (même graine, même fichier)")
        parser.add_argument("-o", "--output", type=Path, required=True, help="fichier CSV à écrire")

    def run(self, *args, order, applications, seed, output, **options):
        if applications < 1:
            raise CommandError("--applications doit être au moins 1.")
        rows = generate(order=order, applications=applications, seed=seed)
        write_csv(output, rows)
        self.stdout.write(f"Données synthétiques : {len(rows)} demande(s) écrite(s) dans {output}.")
        if "synthetique" not in output.name.lower():
            self.stdout.write(
                "Conseil : nommez le fichier « …-synthetique.csv » pour qu’il se reconnaisse aussi par son nom."
            )
