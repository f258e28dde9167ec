"""The CIQ's public information in the admin, scoped to the bodies a staff
member coordinates (``OwnerScopedAdmin``): the CIQ's staff see the CIQ's
documents and pages, the Office's staff none of them.

Documents are added and their files replaced through Concerto's pages,
where the content of a file is checked (``concerto.core.uploads``); here
their description can be corrected. Pages are written through Concerto too,
so that every save keeps a version: here they and their versions are shown
read-only.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concerto.accounts.admin_scoping import OwnerScopedAdmin

from .models import Document, Page, PageVersion


@admin.register(Document)
class DocumentAdmin(OwnerScopedAdmin):
    list_display = ["title", "kind", "date", "published_at", "is_demo"]
    list_filter = ["kind", "is_demo"]
    list_select_related = ["owner"]
    search_fields = ["title", "summary"]
    date_hierarchy = "date"
    fields = [
        "owner",
        "title",
        "kind",
        "date",
        "summary",
        "download",
        "published_at",
        "is_demo",
        "created_by",
    ]
    readonly_fields = ["owner", "download", "published_at", "is_demo", "created_by"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("fichier"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_file_url(), obj.original_name)


class PageVersionInline(admin.TabularInline):
    model = PageVersion
    extra = 0
    fields = ["number", "title", "note", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Page)
class PageAdmin(OwnerScopedAdmin):
    list_display = ["title", "slug", "version", "updated_at"]
    list_select_related = ["owner"]
    search_fields = ["title", "slug"]
    fields = ["owner", "slug", "title", "body", "version", "updated_at", "updated_by"]
    inlines = [PageVersionInline]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PageVersion)
class PageVersionAdmin(OwnerScopedAdmin):
    owner_lookups = ("page__owner",)
    list_display = ["page", "number", "note", "created_at"]
    list_select_related = ["page"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
