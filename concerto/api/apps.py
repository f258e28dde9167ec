from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "concerto.api"
    verbose_name = _("Données ouvertes (API)")

    def ready(self):
        # Concerto's own public lists; later apps register theirs from their
        # own ready() through concerto.api.registry.
        from . import endpoints

        endpoints.register()
