from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.db import router

from concerto.accounts.admin_scoping import OwnerScopedAdmin
from concerto.core.admin import ArchivableAdmin, ArchivedListFilter, ReadOnlyAdmin

from .models import (
    Collaborator,
    ComponentProgress,
    Indicator,
    IndicatorProgress,
    Measure,
    MeasureLead,
    Plan,
    ProgressReport,
    PublishedDate,
    Theme,
)


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Plan)
class PlanAdmin(OwnerScopedAdmin, ArchivableAdmin):
    owner_lookups = ("owner",)
    list_display = ["title", "slug", "start_year", "end_year", "declared_measure_count", "archived_at"]
    list_filter = [ArchivedListFilter]
    search_fields = ["title", "slug"]
    readonly_fields = ["archived_at"]
    inlines = [ThemeInline]

    def get_deleted_objects(self, objs, request):
        """Plan.delete() deletes the measures before the themes that protect
        them: list them as deleted, not as protected."""
        objs = list(objs)
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        collector = NestedObjects(using=router.db_for_write(Plan))
        collector.collect(objs)
        plans = {plan.pk for plan in objs}
        measures = list(collector.protected)
        if not measures or not all(isinstance(m, Measure) and m.plan_id in plans for m in measures):
            return deleted, counts, perms, protected
        more, more_counts, more_perms, more_protected = super().get_deleted_objects(measures, request)
        for name, count in more_counts.items():
            counts[name] = counts.get(name, 0) + count
        return deleted + more, counts, perms | more_perms, more_protected


@admin.register(Theme)
class ThemeAdmin(OwnerScopedAdmin):
    owner_lookups = ("plan__owner",)
    list_display = ["__str__", "plan"]
    list_filter = ["plan"]


class MeasureLeadInline(admin.TabularInline):
    model = MeasureLead
    extra = 0
    autocomplete_fields = ["organization"]


class CollaboratorInline(admin.TabularInline):
    model = Collaborator
    extra = 0
    autocomplete_fields = ["organization"]


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0
    readonly_fields = ["deadline_kind", "deadline_latest"]


@admin.register(Measure)
class MeasureAdmin(OwnerScopedAdmin, ArchivableAdmin):
    owner_lookups = ("plan__owner",)
    list_display = ["number", "title", "theme", "plan", "follow_up", "archived_at"]
    list_display_links = ["number", "title"]
    list_filter = ["plan", "theme", "follow_up", ArchivedListFilter]
    readonly_fields = ["archived_at"]
    search_fields = ["title"]
    list_select_related = ["theme", "plan"]
    inlines = [MeasureLeadInline, CollaboratorInline, IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(OwnerScopedAdmin):
    owner_lookups = ("measure__plan__owner",)
    list_display = ["label", "measure", "deadline_text", "deadline_latest"]
    list_select_related = ["measure"]
    readonly_fields = ["deadline_kind", "deadline_latest"]
    search_fields = ["label"]


class ComponentInline(admin.StackedInline):
    model = ComponentProgress
    extra = 0
    can_delete = False
    autocomplete_fields = ["organization"]


class IndicatorProgressInline(admin.TabularInline):
    model = IndicatorProgress
    extra = 0


@admin.register(ProgressReport)
class ProgressReportAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = ("measure__plan__owner",)
    """A correction is a new version made through a campaign or an import, never an edit here."""

    list_display = ["measure", "as_of", "version", "is_current", "percent", "status", "validated_by"]
    list_filter = ["as_of", "status", "is_current", "measure__plan"]
    list_select_related = ["measure"]
    inlines = [ComponentInline, IndicatorProgressInline]


@admin.register(PublishedDate)
class PublishedDateAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    """The record of who published a reporting date, and how: published from the plan page."""

    owner_lookups = ("plan__owner",)
    list_display = ["plan", "as_of", "published_at", "published_by", "via"]
    list_filter = ["via", "plan"]
    list_select_related = ["plan", "published_by"]


@admin.register(MeasureLead)
class MeasureLeadAdmin(OwnerScopedAdmin):
    owner_lookups = ("measure__plan__owner",)
    list_display = ["measure", "organization", "position"]
    list_select_related = ["measure", "organization"]


@admin.register(Collaborator)
class CollaboratorAdmin(OwnerScopedAdmin):
    owner_lookups = ("measure__plan__owner",)
    list_display = ["measure", "__str__", "note"]
    list_select_related = ["measure", "organization"]


@admin.register(ComponentProgress)
class ComponentProgressAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = ("report__measure__plan__owner",)
    list_display = ["label", "report", "percent"]
    list_select_related = ["report__measure"]


@admin.register(IndicatorProgress)
class IndicatorProgressAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = ("report__measure__plan__owner",)
    list_display = ["indicator", "report", "actual", "percent"]
    list_select_related = ["indicator", "report__measure"]
