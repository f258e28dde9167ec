from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concerto.core.admin import SuperuserOnlyAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(SuperuserOnlyAdmin):
    """Staff follow the background jobs here; jobs are written only by ``concerto.jobs.services``."""

    list_display = ["label", "state", "attempts", "enqueued_at", "started_at", "finished_at", "short_error"]
    list_filter = ["state"]
    search_fields = ["label", "subject", "function"]
    date_hierarchy = "enqueued_at"
    readonly_fields = [
        "label",
        "subject",
        "function",
        "arguments",
        "state",
        "attempts",
        "max_attempts",
        "requested_by",
        "enqueued_at",
        "started_at",
        "finished_at",
        "error",
        "result",
        "task_id",
        "key",
    ]
    fields = readonly_fields

    @admin.display(description=_("erreur"))
    def short_error(self, job):
        return job.error[:120] or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
