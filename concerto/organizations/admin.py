from django.contrib import admin

from concerto.core.admin import ArchivableAdmin, ArchivedListFilter

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(ArchivableAdmin):
    list_display = ["name", "acronym", "kind", "order_number", "code", "archived_at"]
    list_filter = ["kind", "practice", ArchivedListFilter]
    readonly_fields = ["archived_at"]

    # Shared by every body (the 46 orders, the ministries): staff read them,
    # for the lists and searches of the other screens; only superusers change them.
    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    search_fields = ["name", "acronym", "code"]
    ordering = ["name"]
