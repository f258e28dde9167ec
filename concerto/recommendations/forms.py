from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.cases.models import Case
from concerto.core.widgets import FrenchSelect, SearchableCheckboxList
from concerto.organizations.models import Organization
from concerto.plans.models import Measure

from .models import Answer, Recommendation


class RecommendationForm(forms.ModelForm):
    """What a coordinator types for a draft. Dates, state and due date are
    not here: they come from the transitions (the due date is computed)."""

    measures = forms.ModelMultipleChoiceField(
        label=_("Mesures liées"),
        queryset=Measure.objects.select_related("plan").order_by("plan__slug", "number"),
        required=False,
        widget=SearchableCheckboxList,
    )
    cases = forms.ModelMultipleChoiceField(
        label=_("Cas de la cellule liés"),
        queryset=Case.objects.order_by("reference"),
        required=False,
        widget=SearchableCheckboxList,
    )

    class Meta:
        model = Recommendation
        fields = ["number", "title", "text", "addressee", "measures", "cases"]
        # The title and text are written in French, like all the data.
        widgets = {
            "title": forms.TextInput(attrs={"lang": "fr"}),
            "text": forms.Textarea(attrs={"lang": "fr"}),
            "addressee": FrenchSelect,
        }

    def __init__(self, *args, owners=None, **kwargs):
        """``owners``: for a new draft, the bodies the author coordinates. The
        recommendation is theirs; a choice is offered only if there are several."""
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = Organization.objects.order_by("name", "code")
        self.owners = list(owners or [])
        if len(self.owners) > 1:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("Organisation responsable"),
                queryset=Organization.objects.filter(pk__in=[o.pk for o in self.owners]).order_by(
                    "name", "code"
                ),
                empty_label=_("— Choisir —"),
                widget=FrenchSelect,
            )
            self.order_fields(["owner", *self.Meta.fields])

    def chosen_owner(self):
        """The body the new draft belongs to (after ``is_valid()``)."""
        if "owner" in self.fields:
            return self.cleaned_data["owner"]
        return self.owners[0] if self.owners else None


class DateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nature de la réponse"), choices=Answer.Kind.choices)
    text = forms.CharField(
        label=_("Réponse (ou motifs du refus)"), widget=forms.Textarea(attrs={"lang": "fr"})
    )
    answered_on = forms.DateField(
        label=_("Date de la réponse"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("Lettre de réponse (PDF, Word, Excel, PNG ou JPEG ; 10 Mio au plus)"))


class AttachmentForm(forms.Form):
    document = forms.FileField(label=_("Document (PDF, Word, Excel, PNG ou JPEG ; 10 Mio au plus)"))
