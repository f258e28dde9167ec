from django.contrib import admin

from concerto.core.admin import ArchivableAdmin, ArchivedListFilter

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(ArchivableAdmin):
    list_display = ["name", "acronym", "kind", "order_number", "code", "archived_at"]
    list_filter = ["kind", "practice", ArchivedListFilter]
    readonly_fields = ["archived_at"]
    search_fields = ["name", "acronym", "code"]
    ordering = ["name"]
