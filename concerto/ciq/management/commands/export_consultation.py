"""``python manage.py export_consultation REF --format json|xlsx|docx -o FILE``.

Exports the synthesis of a file's consultation (every order's last submitted
answer) for offline work. REF is the file's reference; its most recent
consultation is exported unless ``--consultation ID`` names another one.
"""

from pathlib import Path

from django.core.management.base import CommandError

from concerto.ciq import exports
from concerto.ciq.models import Consultation, Dossier
from concerto.ciq.synthesis import load_synthesis
from concerto.core.management.base import ConcertoCommand


class Command(ConcertoCommand):
    help = "Exporte la synthèse d’une consultation du CIQ (JSON, Excel ou Word)."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="Référence du dossier (ex. CIQ-2025-004).")
        parser.add_argument("--format", choices=sorted(exports.FORMATS), required=True, dest="fmt")
        parser.add_argument("-o", "--output", required=True, help="Fichier à écrire.")
        parser.add_argument(
            "--consultation", type=int, help="Identifiant de la consultation (par défaut : la plus récente)."
        )

    def run(self, *args, reference, fmt, output, consultation=None, **options):
        dossier = Dossier.objects.filter(reference=reference).first()
        if dossier is None:
            raise CommandError(f"Aucun dossier du CIQ ne porte la référence « {reference} ».")
        consultations = Consultation.objects.filter(dossier=dossier).select_related("dossier")
        if consultation is not None:
            chosen = consultations.filter(pk=consultation).first()
        else:
            chosen = consultations.order_by("-created_at", "-pk").first()
        if chosen is None:
            raise CommandError(
                f"Le dossier « {reference} » n’a pas de consultation"
                + (f" n° {consultation}." if consultation else ".")
            )
        data = exports.render(load_synthesis(chosen), fmt)
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Impossible d’écrire « {output} » : {exc.strerror}.") from exc
        self.stdout.write(f"Synthèse de « {chosen.title} » écrite dans {path} ({len(data)} octets).")
