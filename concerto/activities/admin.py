"""The CIQ's activities in the admin, scoped to the bodies the staff member coordinates
(``OwnerScopedAdmin``): the CIQ's staff see the CIQ's activities, the Office's none.

Registrations are shown read-only: they are made through Concerto's pages,
where the seat decision holds the session's lock and the e-mails leave once.
"""

from django.contrib import admin

from concerto.accounts.admin_scoping import OwnerScopedAdmin

from .models import Activity, Registration, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["starts_at", "ends_at", "place", "online_url", "capacity", "registration_deadline", "status"]


@admin.register(Activity)
class ActivityAdmin(OwnerScopedAdmin):
    list_display = ["title", "kind", "is_public", "hours", "is_demo"]
    list_filter = ["kind", "is_public", "is_demo"]
    list_select_related = ["owner"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(OwnerScopedAdmin):
    owner_lookups = ("activity__owner",)
    list_display = ["activity", "starts_at", "capacity", "status", "attendance_recorded_at"]
    list_filter = ["status"]
    list_select_related = ["activity"]
    search_fields = ["activity__title"]
    readonly_fields = ["attendance_recorded_at"]


@admin.register(Registration)
class RegistrationAdmin(OwnerScopedAdmin):
    owner_lookups = ("session__activity__owner",)
    list_display = ["session", "user", "organization", "status", "position", "attendance", "created_at"]
    list_filter = ["status", "attendance"]
    list_select_related = ["session", "session__activity", "user", "organization"]
    search_fields = ["session__activity__title", "user__username", "organization__name"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
