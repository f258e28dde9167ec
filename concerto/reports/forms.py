from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from concerto.core.dates import ReportingDateField

from .models import Format


class ReportForm(forms.Form):
    as_of = ReportingDateField(label=_("État au"))
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, initial=Format.PDF)

    def __init__(self, *args, dates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dates = list(dates)
        if dates:
            self.fields["as_of"].widget = forms.Select(
                choices=[(d.isoformat(), formats.date_format(d, "j F Y")) for d in dates]
            )
            self.fields["as_of"].initial = dates[0].isoformat()

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        if value not in self.dates:
            raise forms.ValidationError(
                _("Aucun état d’avancement n’existe au %(date)s."),
                params={"date": formats.date_format(value, "j F Y")},
            )
        return value


class PublishForm(forms.Form):
    as_of = ReportingDateField(label=_("État au"))

    def __init__(self, *args, dates=(), **kwargs):
        # Shown beside ReportForm on the same page: ids of its own, so that
        # each label points at its own field.
        kwargs.setdefault("auto_id", "id_publish_%s")
        super().__init__(*args, **kwargs)
        self.dates = list(dates)
        if dates:
            self.fields["as_of"].widget = forms.Select(
                choices=[(d.isoformat(), formats.date_format(d, "j F Y")) for d in dates]
            )

    def clean_as_of(self):
        value = self.cleaned_data["as_of"]
        if value not in self.dates:
            raise forms.ValidationError(
                _("Aucun état d’avancement n’existe au %(date)s : rien à publier."),
                params={"date": formats.date_format(value, "j F Y")},
            )
        return value
