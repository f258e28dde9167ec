from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "concerto.campaigns"
    verbose_name = _("Campagnes de mise à jour")

    def ready(self):
        from concerto.notifications.reminders import register_reminder

        from .reminders import send_due_reminders

        # Reminders before the deadline and the deadline-passed notice.
        register_reminder("campaigns", send_due_reminders)
