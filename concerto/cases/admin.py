from django.contrib import admin

from concerto.accounts.admin_scoping import OwnerScopedAdmin

from .models import Case, Meeting, Solution, WorkingGroupMember


class WorkingGroupMemberInline(admin.TabularInline):
    model = WorkingGroupMember
    extra = 0
    autocomplete_fields = ["organization"]


class MeetingInline(admin.StackedInline):
    model = Meeting
    extra = 0


class SolutionInline(admin.TabularInline):
    model = Solution
    extra = 0


@admin.register(Case)
class CaseAdmin(OwnerScopedAdmin):
    list_display = ["reference", "title", "state", "percent", "component_label", "summary_published"]
    list_filter = ["state", "problem_kind", "summary_published", "owner"]
    search_fields = ["reference", "title", "profession", "description"]
    filter_horizontal = ["orders", "organizations", "measures"]
    autocomplete_fields = ["raised_by", "transferred_to"]
    readonly_fields = ["state", "state_changed_at", "state_changed_by", "published_at", "published_by"]
    inlines = [WorkingGroupMemberInline, MeetingInline, SolutionInline]


@admin.register(WorkingGroupMember)
class WorkingGroupMemberAdmin(OwnerScopedAdmin):
    owner_lookups = ("case__owner",)
    list_display = ["case", "organization", "person_name", "role"]
    list_select_related = ["case", "organization"]
    autocomplete_fields = ["organization"]


@admin.register(Meeting)
class MeetingAdmin(OwnerScopedAdmin):
    owner_lookups = ("case__owner",)
    list_display = ["case", "date"]
    list_select_related = ["case"]
    date_hierarchy = "date"


@admin.register(Solution)
class SolutionAdmin(OwnerScopedAdmin):
    owner_lookups = ("case__owner",)
    list_display = ["case", "position", "state", "text"]
    list_select_related = ["case"]
    list_filter = ["state"]
