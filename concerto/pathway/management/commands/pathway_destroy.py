from django.core.management.base import CommandError
from django.utils import timezone

from concerto.core.audit import SCHEDULED
from concerto.core.management.base import ConcertoCommand
from concerto.pathway.collect import agreement_in_force
from concerto.pathway.registers import destroy_expired


class Command(ConcertoCommand):
    attribution = SCHEDULED
    help = (
        "Détruit les dépôts du parcours d’admission dont la durée de conservation (celle de l’entente "
        "avec la Commission d’accès à l’information en vigueur) est échue, et inscrit chaque "
        "destruction au registre. Idempotent ; --dry-run montre sans rien détruire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="montrer ce qui serait détruit")

    def run(self, *args, dry_run, **options):
        today = timezone.localdate()
        agreement = agreement_in_force(today)
        if agreement is None:
            raise CommandError(
                "Aucune entente avec la Commission d’accès à l’information n’est en vigueur : la durée de "
                "conservation est inconnue, rien n’a été détruit."
            )
        plan = destroy_expired(agreement=agreement, today=today, source="pathway_destroy", dry_run=dry_run)
        verb = "serait détruit" if dry_run else "détruit"
        for expiring in plan.submissions:
            s = expiring.submission
            self.stdout.write(
                f"Dépôt {s.order.code} {s.period} ({s.row_count} demande(s), reçu le "
                f"{timezone.localdate(s.received_at):%Y-%m-%d}, conservation échue le "
                f"{expiring.retention_end:%Y-%m-%d}) : {verb}."
            )
        self.stdout.write(
            f"{len(plan.submissions)} dépôt(s) et {plan.stale_uploads} rapport(s) d’erreurs d’envois refusés "
            + (
                "seraient détruits (simulation : rien n’a été modifié)."
                if dry_run
                else "détruits et inscrits au registre."
            )
        )
