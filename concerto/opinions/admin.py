"""The CIQ's opinions in the admin, scoped by the owner of their file.

Staff see only the opinions of files their body owns (the CIQ's, for the
CIQ's staff; none for the Office's). The admin is for corrections: an
opinion is opened, written, adopted, sent and published through the CIQ's
pages (``concerto.opinions.services``), which check each step; so here its
dates, versions, citations and publications are shown, never edited, and
publications are frozen.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concerto.accounts.admin_scoping import OwnerScopedAdmin
from concerto.core.admin import ReadOnlyAdmin

from .models import (
    Citation,
    LegislativeEvent,
    Opinion,
    OpinionVersion,
    Paragraph,
    PointOutcome,
    Publication,
    PublishedAnswer,
    PublishedDocument,
)

OWNER = "dossier__owner"


@admin.register(Opinion)
class OpinionAdmin(OwnerScopedAdmin):
    owner_lookups = (OWNER,)
    list_display = ["reference", "title", "dossier", "adopted_on", "sent_on", "is_demo"]
    list_select_related = ["dossier"]
    list_filter = ["dossier__subject", "is_demo"]
    search_fields = ["reference", "title", "dossier__reference"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "dossier",
        "consultation",
        "is_demo",
        "created_by",
        "created_at",
        "adopted_on",
        "adopted_version",
        "sent_on",
        "authority_deadline",
        "deadline_met",
        "letter_name",
        "letter_content_type",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "dossier", "consultation", "title", "summary", "is_demo"]}),
        (
            _("Adoption"),
            {
                "fields": [
                    "adopted_on",
                    "adopted_version",
                    "deciding_body",
                    "resolution_number",
                    "votes_for",
                    "votes_against",
                    "votes_abstaining",
                ]
            },
        ),
        (
            _("Transmission"),
            {
                "fields": [
                    "sent_on",
                    "authority_deadline",
                    "deadline_met",
                    "letter_name",  # the letter itself is served by the opinion's page, which checks access
                    "letter_content_type",
                ]
            },
        ),
        (_("Suivi"), {"fields": ["outcome_note"]}),
        (_("Historique"), {"fields": ["created_by", "created_at"]}),
    ]

    def has_add_permission(self, request):
        return False  # opened from the file's page, which checks the consultation and the reference


@admin.register(OpinionVersion)
class OpinionVersionAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = (f"opinion__{OWNER}",)
    list_display = ["__str__", "note", "created_by", "created_at"]
    list_select_related = ["opinion", "created_by"]
    search_fields = ["opinion__reference", "text"]


@admin.register(Paragraph)
class ParagraphAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = (f"version__opinion__{OWNER}",)
    list_display = ["__str__", "version", "section", "key"]
    list_select_related = ["version__opinion"]
    search_fields = ["version__opinion__reference", "text"]


@admin.register(Citation)
class CitationAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    """The trace from the orders' answers to the text: set on the opinion's page."""

    owner_lookups = (f"paragraph__version__opinion__{OWNER}",)
    list_display = ["paragraph", "answer", "article_comment"]
    list_select_related = [
        "paragraph",
        "answer__consultation__dossier",
        "answer__organization",
        "article_comment__article",
        "article_comment__answer__consultation__dossier",
        "article_comment__answer__organization",
    ]


@admin.register(Publication)
class PublicationAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = (f"opinion__{OWNER}",)
    list_display = ["__str__", "published_at", "published_by", "superseded_by"]
    list_select_related = ["opinion", "published_by", "superseded_by__opinion"]
    list_filter = ["published_at"]


@admin.register(PublishedDocument)
class PublishedDocumentAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    owner_lookups = (f"publication__opinion__{OWNER}",)
    list_display = ["__str__", "format", "size", "sha256"]
    list_select_related = ["publication__opinion"]
    exclude = ["content"]


@admin.register(PublishedAnswer)
class PublishedAnswerAdmin(OwnerScopedAdmin, ReadOnlyAdmin):
    """Published with the order's recorded agreement, withdrawn on the opinion's page."""

    owner_lookups = (f"opinion__{OWNER}",)
    list_display = ["opinion", "consent", "published_at", "published_by"]
    list_select_related = [
        "opinion",
        "published_by",
        "consent__answer__consultation__dossier",
        "consent__answer__organization",
    ]


@admin.register(LegislativeEvent)
class LegislativeEventAdmin(OwnerScopedAdmin):
    owner_lookups = (f"opinion__{OWNER}",)
    list_display = ["opinion", "kind", "happened_on", "reference"]
    list_select_related = ["opinion"]
    list_filter = ["kind"]
    date_hierarchy = "happened_on"


@admin.register(PointOutcome)
class PointOutcomeAdmin(OwnerScopedAdmin):
    owner_lookups = (f"opinion__{OWNER}",)
    list_display = ["opinion", "paragraph_key", "outcome", "recorded_on"]
    list_select_related = ["opinion"]
    list_filter = ["outcome"]
