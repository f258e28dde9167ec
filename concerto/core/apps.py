from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    name = "concerto.core"
    verbose_name = _("Noyau")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="concerto_fold")


class AxesConfig(AxesAppConfig):
    """django-axes (login lockout), named in French in the admin: the package
    gives its app no name, which the admin shows as « AXES »."""

    verbose_name = _("Verrouillage des connexions")


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks' database queue, named in French in the admin (the package
    names it in English only)."""

    verbose_name = _("File des tâches (technique)")

    def ready(self):
        super().ready()
        from django_tasks_db.models import DBTaskResult

        # Display names only: the migration state reads the model's own Meta.
        DBTaskResult._meta.verbose_name = _("résultat de tâche")
        DBTaskResult._meta.verbose_name_plural = _("résultats de tâches")
