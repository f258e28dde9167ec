"""The admin of owned objects, for staff who are not superusers.

A staff account with model permissions is still a coordinator of one body:
in the admin it sees and changes only what the bodies it coordinates own
(``accounts.rules.coordinated_owner_ids``), and can give a new object only
one of those bodies as owner. Superusers see everything.
"""

from django.contrib import admin
from django.db.models import Q

from .rules import coordinated_owner_ids


class OwnerScopedAdmin(admin.ModelAdmin):
    """``owner_lookups``: the paths from the model to its owning organization
    (several when an object hangs on one of several parents)."""

    owner_lookups: tuple[str, ...] = ("owner",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        owner_ids = coordinated_owner_ids(request.user)
        condition = Q(pk__in=[])
        for lookup in self.owner_lookups:
            condition |= Q(**{f"{lookup}__in": owner_ids})
        return queryset.filter(condition)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner" and "owner" in self.owner_lookups and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                pk__in=coordinated_owner_ids(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
