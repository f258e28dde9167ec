from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

TRACKED = (
    "plans.Plan",
    "plans.Theme",
    "plans.Measure",
    "plans.MeasureLead",
    "plans.Collaborator",
    "plans.Indicator",
    "plans.ProgressReport",
    "plans.ComponentProgress",
    "plans.IndicatorProgress",
    "campaigns.Campaign",
    "campaigns.Draft",
    "organizations.Organization",
    "cases.Case",
    "cases.WorkingGroupMember",
    "cases.Meeting",
    "cases.Solution",
    "recommendations.Recommendation",
    "recommendations.Answer",
    "recommendations.Attachment",
)


class AuditConfig(AppConfig):
    name = "concerto.audit"
    verbose_name = _("Journal des modifications")

    def ready(self):
        """Record every change of the models that matter, by one mechanism.

        Each model gets a ``history`` manager and a ``Historical…`` model in
        this app; every save, creation and deletion (and the bulk writes made
        with ``simple_history.utils.bulk_create_with_history``) adds a row.
        """
        import simple_history

        from concerto.core.audit import AuditHistoricalRecords, AuditHistoryManager, history_user

        for label in TRACKED:
            model = apps.get_model(label)
            if hasattr(model._meta, "simple_history_manager_attribute"):
                continue  # ready() may run twice (e.g. in some test runners)
            simple_history.register(
                model,
                app=self.name,
                records_class=AuditHistoricalRecords,
                history_manager=AuditHistoryManager,
                get_user=history_user,
                # Derived fields (HTML rendered from a narrative) are not what people changed.
                excluded_fields=getattr(model, "history_excluded_fields", ()),
            )
