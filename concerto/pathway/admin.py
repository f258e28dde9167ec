"""The admission pathway in the admin: its registers, read only.

- The registers (CAI agreements, confidentiality incidents, destructions,
  releases with their tables and frozen files) belong to the Office: staff
  who coordinate the Office see them, read only (they are kept through the
  registers' pages, with their history; destructions and releases are
  frozen). Staff of another body see nothing (``admin_scoping``).
- The record-level data is never shown to someone who is not an analyst:
  submissions and uploads (their counts, dates and states only — not the
  error values an upload quotes) are for superusers only; the applications,
  which carry the pseudonyms, are not in the admin at all.
"""

from django.contrib import admin

from concerto.accounts.admin_scoping import OwnerScopedAdmin
from concerto.core.admin import ReadOnlyAdmin, SuperuserOnlyAdmin

from .models import Agreement, Destruction, Incident, Submission, Upload
from .release_models import Release, ReleaseFile, ReleaseTable


class OfficeRegisterAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    """Rows owned by the Office as a whole (no ``owner`` field): all of them for whoever
    coordinates the Office (``owner_lookups`` names the Office through its code), none
    for staff of another body."""

    owner_lookups = ()

    def get_queryset(self, request):
        from concerto.accounts.rules import coordinated_owner_ids

        from .rules import pathway_owner

        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        owner = pathway_owner()
        if owner is None or owner.pk not in coordinated_owner_ids(request.user):
            return queryset.none()
        return queryset


@admin.register(Agreement)
class AgreementAdmin(OfficeRegisterAdmin):
    list_display = ["reference", "signed_on", "ends_on", "retention_months", "impact_assessment_reference"]


@admin.register(Incident)
class IncidentAdmin(OfficeRegisterAdmin):
    list_display = ["occurred_on", "discovered_on", "serious_risk", "cai_notified_on", "closed_on"]


@admin.register(Destruction)
class DestructionAdmin(OfficeRegisterAdmin):
    list_display = ["order", "period", "destroyed_at", "row_count", "retention_end", "agreement"]
    list_select_related = ["order", "agreement"]


@admin.register(Release)
class ReleaseAdmin(OfficeRegisterAdmin):
    list_display = ["title", "prepared_at", "state", "audience", "threshold", "synthetic"]
    list_filter = ["state", "synthetic"]


@admin.register(ReleaseTable)
class ReleaseTableAdmin(OfficeRegisterAdmin):
    list_display = ["title", "release", "position", "kind", "suppressed"]
    list_select_related = ["release"]


@admin.register(ReleaseFile)
class ReleaseFileAdmin(OfficeRegisterAdmin):
    list_display = ["__str__", "format", "size", "sha256"]
    list_select_related = ["table"]
    exclude = ["content"]


@admin.register(Submission)
class SubmissionAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    list_display = ["order", "period", "synthetic", "received_at", "row_count"]
    list_select_related = ["order"]
    exclude = ["quality"]


@admin.register(Upload)
class UploadAdmin(SuperuserOnlyAdmin, ReadOnlyAdmin):
    list_display = ["order", "period", "state", "created_at", "row_count", "error_total"]
    list_select_related = ["order"]
    exclude = ["errors", "stored_name"]
