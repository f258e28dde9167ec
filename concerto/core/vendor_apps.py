"""Third-party apps under French names in the admin.

Kept out of ``concerto/core/apps.py``: Django picks an app's configuration
automatically only when its ``apps`` module defines one, and the core's
``CoreConfig`` (which registers the SQLite search function) must stay that one.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


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
