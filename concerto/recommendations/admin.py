from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concerto.accounts.admin_scoping import OwnerScopedAdmin

from .models import Answer, Attachment, Recommendation


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fk_name = "recommendation"
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # documents are uploaded through Concerto, where their content is checked


@admin.register(Recommendation)
class RecommendationAdmin(OwnerScopedAdmin):
    list_display = ["number", "title", "addressee", "state", "sent_on", "received_on", "due_on", "published"]
    list_filter = ["state", "published", "addressee__kind", "owner"]
    search_fields = ["number", "title", "search_text"]
    readonly_fields = [
        "state",
        "sent_on",
        "received_on",
        "due_on",
        "published",
        "published_at",
        "closed_at",
        "created_by",
        "created_at",
    ]
    autocomplete_fields = ["addressee"]
    filter_horizontal = ["measures", "cases"]
    inlines = [AttachmentInline]
    fieldsets = [
        (None, {"fields": ["number", "title", "text", "owner", "addressee", "measures", "cases"]}),
        (
            _("Suivi (modifié seulement par les actions de Concerto)"),
            {
                "fields": [
                    "state",
                    "sent_on",
                    "received_on",
                    "due_on",
                    "published",
                    "published_at",
                    "closed_at",
                    "created_by",
                    "created_at",
                ]
            },
        ),
    ]


@admin.register(Answer)
class AnswerAdmin(OwnerScopedAdmin):
    owner_lookups = ("recommendation__owner",)
    list_display = ["recommendation", "kind", "answered_on", "published"]
    list_filter = ["kind", "published"]
    readonly_fields = ["recommendation", "filed_by", "filed_at", "published", "published_at"]


@admin.register(Attachment)
class AttachmentAdmin(OwnerScopedAdmin):
    owner_lookups = ("recommendation__owner", "answer__recommendation__owner")
    list_display = ["original_name", "recommendation", "answer", "content_type", "size", "uploaded_at"]
    readonly_fields = [
        "recommendation",
        "answer",
        "file",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False
