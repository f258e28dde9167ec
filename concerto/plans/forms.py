from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from concerto.core.dates import InvalidDate, parse_reporting_date
from concerto.core.widgets import FrenchSelect
from concerto.organizations.models import Organization

from .models import Status


class ReportingDateChoiceField(forms.ChoiceField):
    """One of the plan's reporting dates; a value that is no date at all is
    refused with the message of the one reporting-date parser."""

    def validate(self, value):
        if value:
            try:
                parse_reporting_date(value)
            except InvalidDate as exc:
                raise forms.ValidationError(exc.message, code="invalid") from exc
        super().validate(value)


class MeasureFilterForm(forms.Form):
    """Filters of the plan page; every field is optional (GET)."""

    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=200,
        help_text=_(
            "Numéro, titre, organisation en charge ou état d’avancement ; accents et majuscules ignorés."
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    theme = forms.TypedChoiceField(
        label=_("Thème"), required=False, coerce=int, empty_value=None, widget=FrenchSelect
    )
    lead = forms.ChoiceField(label=_("M/O en charge"), required=False, widget=FrenchSelect)
    status = forms.ChoiceField(label=_("État"), required=False)
    as_of = ReportingDateChoiceField(label=_("État au"), required=False)

    def __init__(self, data, *, plan, dates, unpublished=frozenset()):
        super().__init__(data)
        everything = [("", _("Tous"))]
        self.fields["theme"].choices = everything + [
            (t.number, f"{t.number}. {t.title}") for t in plan.themes.order_by("number")
        ]
        leads = Organization.objects.filter(led_measures__plan=plan).distinct().order_by("name")
        self.fields["lead"].choices = [("", _("Toutes"))] + [(o.code, o.name) for o in leads]
        self.fields["status"].choices = everything + list(Status.choices)
        self.fields["as_of"].choices = [
            (
                d.isoformat(),
                _("%(date)s (non publié)") % {"date": formats.date_format(d, "j F Y")}
                if d in unpublished
                else formats.date_format(d, "j F Y"),
            )
            for d in dates
        ]
        self.dates = {d.isoformat(): d for d in dates}

    def filters(self) -> dict:
        """The valid filters; invalid ones are reported by the form and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": data.get("q") or None,
            "theme": data.get("theme"),
            "lead": data.get("lead") or None,
            "status": data.get("status") or None,
        }

    def selected_date(self):
        value = self.cleaned_data.get("as_of") if self.is_bound and self.is_valid() else None
        return self.dates.get(value) if value else None
