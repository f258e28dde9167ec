"""``python manage.py send_reminders [--dry-run] [--today AAAA-MM-JJ]``, from cron every hour.

Runs the reminders every app declares (``concerto.notifications.reminders``).
Idempotent: a reminder is never sent twice, so running it again (or on several
nodes at once) only sends what is still due.
"""

from collections import Counter

from django.core.management.base import CommandError

from concerto.core.audit import SCHEDULED
from concerto.core.management.base import ConcertoCommand, parse_date_option
from concerto.notifications.reminders import run_reminders


class Command(ConcertoCommand):
    attribution = SCHEDULED
    help = (
        "Envoie les rappels et avis dus que déclare chaque application (campagnes de mise à jour, "
        "recommandations…) aux personnes concernées. Chaque courriel n’est envoyé qu’une fois : "
        "la commande peut être lancée toutes les heures par cron, sur plusieurs serveurs à la fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="affiche ce qui serait envoyé, sans rien envoyer ni enregistrer",
        )
        parser.add_argument(
            "--today",
            metavar="AAAA-MM-JJ",
            help="date du jour à utiliser (défaut : la date du jour, heure du Québec)",
        )

    def run(self, *args, dry_run=False, today=None, **options):
        day = parse_date_option(today)
        lines = run_reminders(today=day, dry_run=dry_run)
        counts = Counter(getattr(line, "status", "") for line in lines)
        verbose = options.get("verbosity", 1) >= 1
        for line in lines:
            if getattr(line, "status", "") == "failed":
                self.stderr.write(self.style.ERROR(line))
            elif verbose:
                self.stdout.write(line)
        if verbose:
            prefix = "Simulation — " if dry_run else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix}Résumé : {counts['sent']} courriel(s) envoyé(s), "
                    f"{counts['would_send']} à envoyer, "
                    f"{counts['already_sent']} déjà envoyé(s), "
                    f"{counts['no_editors']} sans responsable avec courriel, "
                    f"{counts['failed']} échec(s), "
                    f"{counts['skipped']} campagne(s) traitée(s) par un autre processus."
                )
            )
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} envoi(s) en échec : ils seront retentés au prochain passage."
            )
