from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "concerto.activities"
    label = "activities"
    verbose_name = _("Activités et formations du CIQ")

    def ready(self):
        from concerto.ciq.sections import register_home_section, register_nav_link
        from concerto.core.demo import register_demo
        from concerto.core.inbox import register_tasks
        from concerto.notifications.reminders import register_reminder

        from . import api, inbox
        from .demo import load_activities_demo
        from .reminders import send_due_session_reminders
        from .views import latest_for_home

        register_tasks("activities-registrant", inbox.registrant_tasks, label=_("Activités du CIQ"), order=62)
        register_tasks(
            "activities-staff", inbox.staff_tasks, label=_("Activités du CIQ — présences à saisir"), order=63
        )
        # The day before each session, to the people registered.
        register_reminder("activities", send_due_session_reminders)
        # After the CIQ's loader (the CIQ and the orders exist).
        register_demo("activities", load_activities_demo, order=50)
        register_home_section("activities", "activities/_home_section.html", latest_for_home, order=20)
        register_nav_link("activities", _("Activités et formations"), "activity-list", order=30)
        api.register()
