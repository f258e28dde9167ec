from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "concerto.recommendations"
    verbose_name = _("Recommandations de l’Office")

    def ready(self):
        from concerto.accounts import participation

        from . import rules

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
