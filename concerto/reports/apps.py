from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "concerto.reports"
    verbose_name = _("Rapports")

    def ready(self):
        from concerto.plans.cache import register_table

        from .models import Publication

        # The plan pages list the published reports and their replacements.
        register_table(Publication, columns=("superseded_by",))
