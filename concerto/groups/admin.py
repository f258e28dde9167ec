"""The CIQ's groups in the admin, scoped to the bodies a staff member
coordinates (``OwnerScopedAdmin``, through the group's owner): the CIQ's
staff see the CIQ's groups, the Office's staff none. Agenda documents are
shown read-only: they are uploaded through Concerto, where their content is
checked, and served only by its view that checks access. Calendar tokens are
for superusers only (``SuperuserOnlyAdmin``): they are secrets.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concerto.accounts.admin_scoping import OwnerScopedAdmin
from concerto.core.admin import SuperuserOnlyAdmin

from .models import (
    ActionItem,
    AgendaDocument,
    AgendaItem,
    Attendance,
    CalendarToken,
    Decision,
    Group,
    Meeting,
    Membership,
    Minutes,
)

GROUP_OWNER = ("group__owner",)
MEETING_OWNER = ("meeting__group__owner",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["name", "email", "user", "organization", "affiliation", "role", "term_start", "term_end"]
    autocomplete_fields = []


@admin.register(Group)
class GroupAdmin(OwnerScopedAdmin):
    list_display = ["name", "kind", "started_on", "ended_on", "is_demo"]
    list_filter = ["kind", "is_demo"]
    list_select_related = ["owner"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["consultations", "opinions"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(OwnerScopedAdmin):
    owner_lookups = GROUP_OWNER
    list_display = ["name", "group", "organization", "affiliation", "role", "term_start", "term_end"]
    list_select_related = ["group", "organization"]
    list_filter = ["role"]
    search_fields = ["name", "group__name"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title"]


@admin.register(Meeting)
class MeetingAdmin(OwnerScopedAdmin):
    owner_lookups = GROUP_OWNER
    list_display = ["group", "title", "starts_at", "status", "sequence"]
    list_select_related = ["group"]
    list_filter = ["status"]
    readonly_fields = ["sequence"]
    inlines = [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(OwnerScopedAdmin):
    owner_lookups = MEETING_OWNER
    list_display = ["title", "meeting", "position"]
    list_select_related = ["meeting__group"]


@admin.register(AgendaDocument)
class AgendaDocumentAdmin(OwnerScopedAdmin):
    owner_lookups = ("item__meeting__group__owner",)
    list_display = ["original_name", "item", "content_type", "size", "uploaded_at"]
    list_select_related = ["item__meeting__group"]
    exclude = ["file"]
    readonly_fields = ["download"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("document"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


@admin.register(Attendance)
class AttendanceAdmin(OwnerScopedAdmin):
    owner_lookups = MEETING_OWNER
    list_display = ["meeting", "membership", "status"]
    list_select_related = ["meeting__group", "membership"]


@admin.register(Minutes)
class MinutesAdmin(OwnerScopedAdmin):
    owner_lookups = MEETING_OWNER
    list_display = ["meeting", "state", "adopted_at"]
    list_select_related = ["meeting__group", "adopted_at__group"]
    readonly_fields = ["state", "adopted_at", "adopted_on"]

    def has_change_permission(self, request, obj=None):
        # An adopted text is frozen, here as in Concerto's pages.
        if obj is not None and obj.is_adopted:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Decision)
class DecisionAdmin(OwnerScopedAdmin):
    owner_lookups = MEETING_OWNER
    list_display = ["meeting", "text", "created_at"]
    list_select_related = ["meeting__group"]


@admin.register(ActionItem)
class ActionItemAdmin(OwnerScopedAdmin):
    owner_lookups = MEETING_OWNER
    list_display = ["text", "meeting", "due_on", "done_at"]
    list_select_related = ["meeting__group"]
    list_filter = ["done_at"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(SuperuserOnlyAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["token"]
