from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "concerto.plans"
    verbose_name = _("Plans d’action")

    def ready(self):
        from concerto.accounts import participation

        from . import rules

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
