"""``python manage.py export_plan SLUG -o FICHIER``: the complete backup of a plan, in JSON."""

import json
from pathlib import Path

from django.core.management.base import CommandError

from concerto.backups.services import FORMAT, export_plan, missing_files, summary
from concerto.core.management.base import ConcertoCommand
from concerto.plans.management.commands._helpers import get_plan


class Command(ConcertoCommand):
    help = (
        f"Écrit la sauvegarde complète d’un plan (format {FORMAT}) : plan, mesures, tous les états "
        "d’avancement et leurs versions, campagnes, rapports publiés, recommandations, cas et dossiers du CIQ liés, "
        "avec les organisations et les personnes nommées (jamais de mot de passe). "
        "« import_plan FICHIER » la restaure."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="identifiant du plan (ex. pole-2019-2024)")
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            metavar="FICHIER",
            help="fichier JSON à écrire (défaut : la sortie standard)",
        )

    def run(self, *args, slug, output=None, **options):
        plan = get_plan(slug)
        data = export_plan(plan=plan)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        for warning in missing_files(data):
            self.stderr.write(self.style.WARNING(f"Attention — {warning}"))
        if output is None:
            self.stdout.write(text, ending="")
            return
        # Written beside, then renamed: an interrupted export never leaves half a file.
        partial = output.with_name(output.name + ".partiel")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{output} : écriture impossible ({exc.strerror}).") from exc
        self.stdout.write(f"Plan « {plan.slug} » sauvegardé dans {output} : {summary(data)}.")
