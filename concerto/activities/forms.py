"""Forms of the CIQ staff's pages for activities. Errors are French and name the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.accounts.models import Role

from .models import Activity, Session

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "title", "slug", "description", "is_public", "hours"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}


class SessionForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("Lien de la rencontre en ligne"), required=False, assume_scheme="https", max_length=200
    )
    audience = forms.MultipleChoiceField(
        label=_("Public visé"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Les rôles du personnel des ordres qui peuvent s’inscrire ; aucun : tout le personnel des ordres."
        ),
    )

    class Meta:
        model = Session
        fields = [
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "registration_deadline",
            "cancellation_cutoff",
            "audience",
            "per_order_cap",
            "status",
        ]
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "registration_deadline": DATETIME_WIDGET,
            "cancellation_cutoff": DATETIME_WIDGET,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "registration_deadline", "cancellation_cutoff"):
            self.fields[name].input_formats = DATETIME_FORMATS
