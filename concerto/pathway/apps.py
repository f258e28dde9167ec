from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwayConfig(AppConfig):
    name = "concerto.pathway"
    verbose_name = _("Parcours d’admission")

    def ready(self):
        from . import diag_registry

        diag_registry.register()
