from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "concerto.recommendations"
    verbose_name = _("Recommandations de l’Office")

    def ready(self):
        from concerto.accounts import participation
        from concerto.core.inbox import register_tasks
        from concerto.notifications.reminders import register_reminder

        from . import inbox, rules
        from .reminders import send_due_recommendation_reminders

        # 15 and 3 days before the due date, on it, and very late.
        register_reminder("recommendations", send_due_recommendation_reminders)
        participation.register(self.label, owners=rules.owners, participants=rules.participants)
        # « Mes tâches »: answers to give, answers received, late answers.
        register_tasks(self.label, inbox.tasks_for_user, label=_("Recommandations de l’Office"), order=20)
