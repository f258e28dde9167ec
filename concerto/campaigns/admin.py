from django.contrib import admin

from concerto.accounts.admin_scoping import OwnerScopedAdmin
from concerto.core.admin import ReadOnlyAdmin

from .models import Campaign, Draft, DraftComment


class DraftInline(admin.TabularInline):
    model = Draft
    fields = ["measure", "state", "percent", "status", "updated_at", "updated_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Campaign)
class CampaignAdmin(OwnerScopedAdmin):
    owner_lookups = ("plan__owner",)
    list_display = ["plan", "as_of", "deadline", "opened_at", "closed_at"]
    list_filter = ["plan"]
    inlines = [DraftInline]


@admin.register(Draft)
class DraftAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    """Drafts change only through the campaign workflow (with its version check)."""

    owner_lookups = ("campaign__plan__owner",)

    list_display = ["campaign", "measure", "state", "version", "updated_at"]
    list_filter = ["state", "campaign"]
    list_select_related = ["campaign__plan", "measure"]


@admin.register(DraftComment)
class DraftCommentAdmin(OwnerScopedAdmin):
    owner_lookups = ("draft__campaign__plan__owner",)
    list_display = ["draft", "author", "created_at"]
    list_select_related = ["draft__campaign__plan", "draft__measure", "author"]
