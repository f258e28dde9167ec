from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from concerto.core.admin import SuperuserOnlyAdmin

from .models import Invitation, Membership


@admin.register(Membership)
class MembershipAdmin(SuperuserOnlyAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "organization__name",
    ]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]
    ordering = ["organization__name", "user__username"]


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return Invitation.State.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == Invitation.State.PENDING:
            return queryset.usable()
        if value == Invitation.State.ACCEPTED:
            return queryset.filter(accepted_at__isnull=False)
        if value == Invitation.State.REVOKED:
            return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False)
        if value == Invitation.State.EXPIRED:
            return queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(SuperuserOnlyAdmin):
    """Invitations are sent from Concerto (the link is only in the e-mail): here they can only be revoked."""

    list_display = [
        "email",
        "organization",
        "role",
        "state_display",
        "invited_by",
        "created_at",
        "expires_at",
    ]
    list_filter = [InvitationStateFilter, "role"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization", "invited_by"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    fields = [
        "email",
        "organization",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "user",
        "revoked_at",
    ]
    readonly_fields = [f for f in fields if f != "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("état"))
    def state_display(self, obj):
        return obj.state.label

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Révoquer les invitations sélectionnées"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.usable().update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d invitation révoquée.", "%(count)d invitations révoquées.", count)
            % {"count": count},
            messages.SUCCESS,
        )
