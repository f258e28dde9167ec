from django.contrib import admin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "order_number", "code"]
    list_filter = ["kind", "practice"]
    search_fields = ["name", "acronym", "code"]
    ordering = ["name"]
