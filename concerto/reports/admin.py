from django.contrib import admin

from concerto.core.admin import ReadOnlyAdmin

from .models import Publication, PublishedDocument


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
