import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerto.plans.export import status_document, write_status_csv
from concerto.plans.state import load_plan_state

from ._helpers import get_plan, parse_as_of

FORMATS = ["json", "csv"]


class Command(BaseCommand):
    help = "Exporte l’état d’avancement d’un plan à une date (JSON concerto.plan-status/1 ou CSV)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--as-of", dest="as_of", help="date de suivi AAAA-MM-JJ")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("-o", "--output", type=Path, help="fichier de sortie (défaut : sortie standard)")

    def handle(self, *args, slug, as_of, format, output, **options):
        plan = get_plan(slug)
        date = parse_as_of(as_of, plan)
        state = load_plan_state(plan, date, keep_empty_themes=True)
        buffer = io.StringIO()
        if format == "json":
            json.dump(status_document(state), buffer, ensure_ascii=False, indent=2)
            buffer.write("\n")
        else:
            write_status_csv(state, buffer)
        if output is None:
            self.stdout.write(buffer.getvalue(), ending="")
            return
        try:
            # Written whole or not at all: a half-written export is never left behind.
            tmp = output.with_name(output.name + ".tmp")
            tmp.write_text(buffer.getvalue(), encoding="utf-8", newline="")
            tmp.replace(output)
        except OSError as exc:
            raise CommandError(f"Impossible d’écrire {output} : {exc}") from exc
        self.stderr.write(f"Écrit : {output}")
