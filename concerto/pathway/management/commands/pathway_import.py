from pathlib import Path

from django.core.management.base import CommandError

from concerto.core.audit import IMPORT
from concerto.core.management.base import ConcertoCommand
from concerto.organizations.models import Organization
from concerto.pathway.ingest import SubmissionRefused, read_submission
from concerto.pathway.pseudonyms import concerto_key
from concerto.pathway.storage import file_sha256, store_submission


class Command(ConcertoCommand):
    attribution = IMPORT
    help = (
        "Valide et enregistre le dépôt d’un ordre (parcours d’admission), tout ou rien; "
        "remplace le dépôt précédent du même ordre pour la même période."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="fichier CSV ou modèle Excel")
        parser.add_argument("--order", required=True, help="code de l’ordre")
        parser.add_argument("--period", required=True, help="période, p. ex. 2024-2025")
        parser.add_argument(
            "--synthetic", action="store_true", help="accepter un fichier de données synthétiques"
        )
        parser.add_argument("--dry-run", action="store_true", help="valider sans rien enregistrer")

    def run(self, *args, path, order, period, synthetic, dry_run, **options):
        organization = Organization.objects.filter(
            code=order, kind=Organization.Kind.PROFESSIONAL_ORDER
        ).first()
        if organization is None:
            raise CommandError(f"Ordre professionnel « {order} » introuvable.")
        if not path.is_file():
            raise CommandError(f"{path} : fichier introuvable.")
        try:
            accepted = read_submission(path, key=concerto_key(), order=order, allow_synthetic=synthetic)
        except SubmissionRefused as exc:
            # Messages name line, column and reason; never a pseudonym.
            for message in exc.report.messages():
                self.stderr.write(message)
            raise CommandError(
                f"Fichier refusé : {exc.report.total} erreur(s); rien n’a été enregistré."
            ) from exc
        marker = " (données synthétiques)" if accepted.synthetic else ""
        quality = accepted.quality
        sequences = sum(c.count for c in quality.sequences)
        summary = (
            f"{accepted.frame.height} demande(s) valide(s){marker}; séquences impossibles : {sequences}; "
            f"doublons : {quality.duplicates}."
        )
        if dry_run:
            self.stdout.write(f"Validation seulement : {summary}")
            return
        submission = store_submission(
            accepted=accepted, order=organization, period=period, sha256=file_sha256(path)
        )
        self.stdout.write(f"Dépôt {organization.code} {submission.period} enregistré : {summary}")
