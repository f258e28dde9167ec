from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwayConfig(AppConfig):
    name = "concerto.pathway"
    verbose_name = _("Parcours d’admission")

    def ready(self):
        from . import diag_registry

        diag_registry.register()
        from concerto.accounts import participation
        from concerto.accounts.models import Role
        from concerto.core.inbox import register_tasks

        from . import inbox, rules

        participation.register(self.label, owners=rules.owners, participants=rules.participants)
        office_only = _(
            "Ce rôle n’est attribué que dans l’Office des professions du Québec, par sa coordination."
        )
        participation.register_role(Role.ANALYST, where=rules.office_roles_scope, explanation=office_only)
        participation.register_role(
            Role.PRIVACY_OFFICER, where=rules.office_roles_scope, explanation=office_only
        )
        participation.register_role(
            Role.DATA_SUBMITTER,
            where=rules.submitter_scope,
            explanation=_(
                "Le rôle « Transmission des données » n’est attribué que dans un ordre professionnel, "
                "par la coordination de l’Office des professions du Québec."
            ),
        )
        register_tasks(
            "pathway-submitters", inbox.submitter_tasks, label=_("Données du parcours d’admission"), order=60
        )
        register_tasks(
            "pathway-privacy",
            inbox.privacy_officer_tasks,
            label=_("Protection des renseignements personnels (parcours d’admission)"),
            order=61,
        )
