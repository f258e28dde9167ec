from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "concerto.cases"
    verbose_name = _("Cellule d’intervention")

    def ready(self):
        from concerto.accounts import participation

        from . import rules

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
