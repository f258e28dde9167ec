from django.contrib import admin

from .models import Publication, PublishedDocument


class ReadOnlyAdmin(admin.ModelAdmin):
    """Published reports are frozen: visible in the admin, never edited there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["plan", "as_of", "version", "published_at", "published_by", "superseded_by"]
    list_filter = ["plan", "as_of"]
    list_select_related = ["plan", "published_by", "superseded_by"]


@admin.register(PublishedDocument)
class PublishedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "format", "size", "sha256"]
    list_select_related = ["publication__plan"]
    exclude = ["content"]
