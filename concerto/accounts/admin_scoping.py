"""The admin, for staff who are not superusers.

A staff account with model permissions is still a coordinator of one body:
in the admin it sees and changes only what the bodies it coordinates own
(``accounts.rules.coordinated_owner_ids``), can give a new object only one of
those bodies as owner, and can hang an object only on a parent those bodies
own (a campaign on its own plan, a meeting on its own case). What belongs to
no single body — people's memberships and invitations, organizations, the
outbox, the job queue — is for superusers only
(``concerto.core.admin.SuperuserOnlyAdmin``). Superusers see everything.
"""

from django.contrib import admin
from django.db.models import Q

from .rules import coordinated_owner_ids


def _owned(queryset, lookups, user):
    if user.is_superuser:
        return queryset
    owner_ids = coordinated_owner_ids(user)
    condition = Q(pk__in=[])
    for lookup in lookups:
        condition |= Q(**{f"{lookup}__in": owner_ids})
    return queryset.filter(condition)


def _owner_lookups(model) -> tuple[str, ...] | None:
    """How ``model`` reaches its owning body, from its admin or its own ``owner`` field."""
    model_admin = admin.site._registry.get(model)
    if isinstance(model_admin, OwnerScopedAdmin):
        return model_admin.owner_lookups
    if any(field.name == "owner" for field in model._meta.get_fields()):
        return ("owner",)
    return None


class OwnerScopedAdmin(admin.ModelAdmin):
    """``owner_lookups``: the paths from the model to its owning organization
    (several when an object hangs on one of several parents)."""

    owner_lookups: tuple[str, ...] = ("owner",)

    def get_queryset(self, request):
        return _owned(super().get_queryset(request), self.owner_lookups, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            related = db_field.related_model
            if db_field.name == "owner" and "owner" in self.owner_lookups:
                kwargs["queryset"] = related.objects.filter(pk__in=coordinated_owner_ids(request.user))
            elif (lookups := _owner_lookups(related)) is not None:
                # A parent of another body's is not offered, and refused if posted.
                kwargs["queryset"] = _owned(related._default_manager.all(), lookups, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
