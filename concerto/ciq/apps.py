from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CiqConfig(AppConfig):
    name = "concerto.ciq"
    label = "ciq"
    verbose_name = _("Consultations du CIQ")

    def ready(self):
        from concerto.accounts import participation
        from concerto.core.demo import register_demo
        from concerto.core.inbox import register_tasks
        from concerto.notifications.reminders import register_reminder

        from . import inbox, rules
        from .demo import load_ciq_demo
        from .reminders import send_due_consultation_reminders

        # The CIQ owns its files; the orders of a consultation's audience take part.
        participation.register(self.label, owners=rules.owners, participants=rules.participants)
        # Before the internal deadline and on it, to the orders that have not submitted.
        register_reminder("ciq", send_due_consultation_reminders)
        register_tasks("ciq-respondent", inbox.respondent_tasks, label=_("Consultations du CIQ"), order=40)
        register_tasks("ciq-staff", inbox.staff_tasks, label=_("Consultations du CIQ en cours"), order=41)
        register_demo("ciq", load_ciq_demo, order=20)
