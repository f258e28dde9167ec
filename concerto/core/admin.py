from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .archiving import archive, delete_one_by_one, unarchive


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are frozen once written (validated states, published
    reports): visible in the admin, never added, edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ArchivedListFilter(admin.SimpleListFilter):
    title = _("archivage")
    parameter_name = "archive"

    def lookups(self, request, model_admin):
        return [("active", _("En usage")), ("archived", _("Archivés"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def delete_selected_unless_history(modeladmin, request, queryset):
    """Django's deletion action, unless an object has history: then the
    explanation, with archiving offered instead."""
    refused = [(obj, refusal) for obj in queryset if (refusal := obj.deletion_refusal()) is not None]
    if refused:
        return modeladmin.deletion_refused_response(request, refused)
    return delete_selected(modeladmin, request, queryset)


class ArchivableAdmin(admin.ModelAdmin):
    """For models with ``archived_at`` and ``core.archiving.HistoryGuard``:
    deleting an object with history is refused with its explanation, and the
    « Archiver » / « Désarchiver » actions are offered instead."""

    deletion_refused_template = "core/admin/deletion_refused.html"
    actions = ["archive_selected", "unarchive_selected"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_unless_history, name, description)
        return actions

    @admin.action(permissions=["change"], description=_("Archiver"))
    def archive_selected(self, request, queryset):
        count = archive(instances=queryset)
        self.message_user(
            request,
            ngettext("%(count)d élément archivé.", "%(count)d éléments archivés.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(permissions=["change"], description=_("Désarchiver"))
    def unarchive_selected(self, request, queryset):
        count = unarchive(instances=queryset)
        self.message_user(
            request,
            ngettext("%(count)d élément désarchivé.", "%(count)d éléments désarchivés.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            refusal = obj.deletion_refusal()
            if refusal is not None:
                return self.deletion_refused_response(request, [(obj, refusal)])
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        # QuerySet.delete() would bypass each object's refusal.
        delete_one_by_one(queryset)

    def deletion_refused_response(self, request, refused):
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Suppression impossible"),
            "subtitle": None,
            "opts": opts,
            "refused": [(obj, refusal.message) for obj, refusal in refused],
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "can_archive": self.has_change_permission(request),
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.deletion_refused_template, context)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Models that belong to no single body: only superusers, whatever their permissions."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
