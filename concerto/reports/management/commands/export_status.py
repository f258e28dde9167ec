from pathlib import Path

from django.core.management.base import CommandError

from concerto.core.management.base import ConcertoCommand
from concerto.plans.management.commands._helpers import get_plan, parse_as_of
from concerto.reports.formats import render_one
from concerto.reports.models import Format


class Command(ConcertoCommand):
    help = (
        "Exporte l’état d’avancement d’un plan à une date : JSON (concerto.plan-status/1), CSV, "
        "ou le rapport officiel en PDF, Word ou Excel."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--as-of", dest="as_of", help="date de suivi AAAA-MM-JJ (défaut : la plus récente)"
        )
        parser.add_argument("--format", choices=Format.values, default=Format.JSON)
        parser.add_argument("-o", "--output", type=Path, help="fichier de sortie (défaut : sortie standard)")

    def run(self, *args, slug, as_of, format, output, **options):
        plan = get_plan(slug)
        date = parse_as_of(as_of, plan)
        if date is None:
            raise CommandError(f"Le plan « {slug} » n’a aucun état d’avancement : précisez --as-of.")
        document = render_one(plan, date, format)
        if output is None:
            if format in (Format.PDF, Format.DOCX, Format.XLSX):
                raise CommandError(f"Le format {format} est binaire : précisez un fichier avec -o.")
            self.stdout.write(document.content.decode("utf-8"), ending="")
            return
        tmp = output.with_name(output.name + ".tmp")
        try:
            # Written whole or not at all: a half-written export is never left behind.
            tmp.write_bytes(document.content)
            tmp.replace(output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CommandError(f"Impossible d’écrire {output} : {exc}") from exc
        self.stderr.write(f"Écrit : {output} ({len(document.content)} octets)")
