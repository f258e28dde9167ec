from django.contrib import admin

from concerto.accounts.admin_scoping import OwnerScopedAdmin
from concerto.core.admin import ReadOnlyAdmin

from .models import Publication, PublishedDocument, WorkingDocument


@admin.register(Publication)
class PublicationAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = ("plan__owner",)
    list_display = ["plan", "as_of", "version", "published_at", "published_by", "superseded_by"]
    list_filter = ["plan", "as_of"]
    list_select_related = ["plan", "published_by", "superseded_by"]


@admin.register(PublishedDocument)
class PublishedDocumentAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = ("publication__plan__owner",)
    list_display = ["__str__", "format", "size", "sha256"]
    list_select_related = ["publication__plan"]
    exclude = ["content"]


@admin.register(WorkingDocument)
class WorkingDocumentAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = ("plan__owner",)
    """Working reports made by background jobs: a cache, remade when asked for again."""

    list_display = ["__str__", "language", "size", "created_at"]
    list_select_related = ["plan"]
    exclude = ["content"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
