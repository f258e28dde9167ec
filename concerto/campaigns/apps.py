from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "concerto.campaigns"
    verbose_name = _("Campagnes de mise à jour")

    def ready(self):
        from concerto.core.inbox import register_tasks
        from concerto.notifications.reminders import register_reminder

        from .inbox import tasks_for_user
        from .reminders import send_due_reminders

        # Reminders before the deadline and the deadline-passed notice.
        register_reminder("campaigns", send_due_reminders)
        # « Mes tâches »: drafts to update, correct or validate; late organizations; dates to publish.
        register_tasks("campaigns", tasks_for_user, label=_("Campagnes de mise à jour"), order=10)
