from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "concerto.recommendations"
    verbose_name = _("Recommandations de l’Office")

    def ready(self):
        from concerto.accounts import participation
        from concerto.notifications.reminders import register_reminder

        from . import rules
        from .reminders import send_due_recommendation_reminders

        # 15 and 3 days before the due date, on it, and very late.
        register_reminder("recommendations", send_due_recommendation_reminders)
        participation.register(self.label, owners=rules.owners, participants=rules.participants)
