from django.contrib import admin

from concerto.core.admin import SuperuserOnlyAdmin

from .models import SentNotification


@admin.register(SentNotification)
class SentNotificationAdmin(SuperuserOnlyAdmin):
    """What was sent, never written by hand; deleting a row lets that e-mail go again."""

    list_display = ["key", "kind", "organization", "recipients", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["organization"]
    search_fields = ["key", "recipients"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
