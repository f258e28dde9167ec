from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CiqConfig(AppConfig):
    name = "concerto.ciq"
    label = "ciq"
    verbose_name = _("Consultations du CIQ")

    def ready(self):
        from concerto.accounts import participation

        from . import rules

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
