from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "concerto.cases"
    verbose_name = _("Cellule d’intervention")

    def ready(self):
        from concerto.accounts import participation
        from concerto.core.inbox import register_tasks

        from . import inbox, rules

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
        # « Mes tâches »: cases to analyse, summaries to publish.
        register_tasks(self.label, inbox.tasks_for_user, label=_("Cellule d’intervention"), order=30)
