from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "concerto.core"
    verbose_name = _("Noyau")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="concerto_fold")
