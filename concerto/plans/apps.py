from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "concerto.plans"
    verbose_name = _("Plans d’action")

    def ready(self):
        from concerto.accounts import participation

        from . import rules
        from .cache import register_table
        from .models import PublishedDate

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
        # Publishing a reporting date changes what every public plan page shows.
        register_table(PublishedDate)
