from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "concerto.groups"
    label = "groups"
    verbose_name = _("Groupes du CIQ")

    def ready(self):
        from concerto.ciq.sections import (
            register_home_section,
            register_nav_link,
            register_organization_section,
        )
        from concerto.core.demo import register_demo
        from concerto.core.inbox import register_tasks
        from concerto.notifications.reminders import register_reminder

        from . import api, inbox
        from .demo import load_groups_demo
        from .reminders import send_due_action_reminders
        from .views import home_section, organization_section

        api.register()
        register_tasks("groups-actions", inbox.owner_tasks, label=_("Suivis des groupes du CIQ"), order=42)
        register_tasks("groups-staff", inbox.staff_tasks, label=_("Procès-verbaux à faire adopter"), order=43)
        register_reminder("groups", send_due_action_reminders)
        # After the CIQ's files and the opinions (their loaders), so a group can link them.
        register_demo("groups", load_groups_demo, order=50)
        register_home_section("groups", "groups/_home_section.html", home_section, order=30)
        register_organization_section(
            "groups", "groups/_organization_section.html", organization_section, order=20
        )
        register_nav_link("groups", _("Groupes de travail"), "groups-public-list", order=20)
