"""The CIQ's files in the admin: a staff member sees only what the bodies it
coordinates own (``OwnerScopedAdmin``, through the file's owner), so the
CIQ's staff see the CIQ's files and the Office's staff none of them.

The orders' answers, their versions, comments, attachments and consents are
shown read-only: they are written by the orders in Concerto (optimistic
locking, a version kept at each submission), never retyped here; documents
are uploaded through Concerto, where their content is checked.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from concerto.accounts.admin_scoping import OwnerScopedAdmin

from .models import (
    Answer,
    AnswerAttachment,
    AnswerVersion,
    Article,
    ArticleComment,
    Consultation,
    Dossier,
    OrderGroup,
    PublicationConsent,
    SourceDocument,
)

DOSSIER_OWNER = ("dossier__owner",)
CONSULTATION_OWNER = ("consultation__dossier__owner",)
ANSWER_OWNER = ("answer__consultation__dossier__owner",)


class ReadOnlyAdmin(OwnerScopedAdmin):
    """Shown, never added or changed here (written through Concerto's own pages)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StoredFileAdmin(ReadOnlyAdmin):
    """A stored document: its content only through Concerto's view that checks access
    (the private storage has no public address)."""

    exclude = ["file"]
    readonly_fields = ["download"]

    @admin.display(description=_("document"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name)


class ArticleInline(admin.TabularInline):
    model = Article
    extra = 0
    fields = ["position", "heading", "text"]


@admin.register(OrderGroup)
class OrderGroupAdmin(OwnerScopedAdmin):
    list_display = ["name", "owner", "is_demo"]
    list_select_related = ["owner"]
    search_fields = ["name"]
    filter_horizontal = ["organizations"]


@admin.register(Dossier)
class DossierAdmin(OwnerScopedAdmin):
    list_display = ["reference", "title", "subject", "authority", "authority_deadline", "is_demo"]
    list_filter = ["subject", "authority", "deadline_basis", "is_demo"]
    list_select_related = ["owner"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["measures", "recommendations"]
    readonly_fields = ["created_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["reference", "title", "subject", "summary", "owner", "is_demo"]}),
        (
            _("Autorité et échéance"),
            {
                "fields": [
                    "authority",
                    "authority_name",
                    "authority_organization",
                    "deadline_basis",
                    "gazette_published_on",
                    "gazette_days",
                    "gazette_days_source",
                    "authority_deadline",
                    "authority_deadline_source",
                ],
                "description": _(
                    "Pour un projet publié à la Gazette officielle, l’échéance est calculée "
                    "à partir de la date de publication et du délai."
                ),
            },
        ),
        (_("Liens"), {"fields": ["measures", "recommendations"]}),
        (_("Création"), {"fields": ["created_by", "created_at"]}),
    ]


@admin.register(SourceDocument)
class SourceDocumentAdmin(StoredFileAdmin):
    owner_lookups = DOSSIER_OWNER
    list_display = ["original_name", "dossier", "kind", "content_type", "size", "uploaded_at"]
    list_select_related = ["dossier"]
    list_filter = ["kind"]


@admin.register(Consultation)
class ConsultationAdmin(OwnerScopedAdmin):
    owner_lookups = DOSSIER_OWNER
    list_display = ["title", "dossier", "kind", "state", "internal_deadline"]
    list_select_related = ["dossier"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "dossier__reference"]
    filter_horizontal = ["audience"]
    readonly_fields = ["state", "opened_at", "closed_at", "created_by", "created_at"]
    inlines = [ArticleInline]


@admin.register(Article)
class ArticleAdmin(OwnerScopedAdmin):
    owner_lookups = CONSULTATION_OWNER
    list_display = ["heading", "consultation", "position"]
    list_select_related = ["consultation__dossier"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    owner_lookups = CONSULTATION_OWNER
    list_display = ["consultation", "organization", "state", "position", "late", "submitted_at"]
    list_select_related = ["consultation__dossier", "organization"]
    list_filter = ["state", "position", "late"]


@admin.register(AnswerVersion)
class AnswerVersionAdmin(ReadOnlyAdmin):
    owner_lookups = ANSWER_OWNER
    list_display = ["answer", "number", "position", "late", "submitted_at"]
    list_select_related = ["answer__consultation__dossier", "answer__organization"]


@admin.register(ArticleComment)
class ArticleCommentAdmin(ReadOnlyAdmin):
    owner_lookups = ANSWER_OWNER
    list_display = ["answer", "article"]
    list_select_related = ["answer__consultation__dossier", "answer__organization", "article"]


@admin.register(AnswerAttachment)
class AnswerAttachmentAdmin(StoredFileAdmin):
    owner_lookups = ANSWER_OWNER
    list_display = ["original_name", "answer", "content_type", "size", "uploaded_at"]
    list_select_related = ["answer__consultation__dossier", "answer__organization"]


@admin.register(PublicationConsent)
class PublicationConsentAdmin(ReadOnlyAdmin):
    owner_lookups = ANSWER_OWNER
    list_display = ["answer", "agreed_on", "agreed_by", "withdrawn_at"]
    list_select_related = ["answer__consultation__dossier", "answer__organization"]
