from django import forms
from django.utils.translation import gettext_lazy as _

from concerto.ciq.models import Authority, Subject

from .models import LegislativeEvent, Opinion, PointOutcome


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OpinionForm(forms.ModelForm):
    class Meta:
        model = Opinion
        fields = ["consultation", "reference", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.dossier = dossier
        self.fields["consultation"].queryset = dossier.consultations.order_by("created_at", "pk")
        self.fields["consultation"].required = False


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Texte de l’avis (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 28}),
        help_text=_(
            "Une section commence par une ligne « ## Titre de la section ». Les paragraphes sont séparés "
            "par une ligne vide ; chacun peut citer les réponses des ordres sur lesquelles il s’appuie."
        ),
    )
    note = forms.CharField(label=_("Note de version"), max_length=300, required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CitationForm(forms.Form):
    paragraph = forms.IntegerField(widget=forms.HiddenInput)
    answers = forms.MultipleChoiceField(
        label=_("Réponses citées"), required=False, widget=forms.CheckboxSelectMultiple
    )
    comments = forms.MultipleChoiceField(
        label=_("Commentaires d’articles cités"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, answers=(), comments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].choices = [(str(a.pk), a.organization.name) for a in answers]
        self.fields["comments"].choices = [
            (str(c.pk), f"{c.article.heading} — {c.answer.organization.name} : {c.text[:120]}")
            for c in comments
        ]


class AdoptionForm(forms.Form):
    adopted_on = forms.DateField(label=_("Adopté le"), widget=DateInput())
    deciding_body = forms.CharField(
        label=_("Instance décisionnelle"),
        max_length=200,
        help_text=_("Par exemple le comité exécutif ou l’assemblée des membres du CIQ."),
    )
    resolution_number = forms.CharField(label=_("Numéro de résolution"), max_length=60)
    votes_for = forms.IntegerField(label=_("Voix pour"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Voix contre"), min_value=0, required=False)
    votes_abstaining = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False)


class SendingForm(forms.Form):
    sent_on = forms.DateField(label=_("Transmis à l’autorité le"), widget=DateInput())
    letter = forms.FileField(
        label=_("Lettre ou document transmis"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx), PNG ou JPEG."),
    )


class EventForm(forms.ModelForm):
    class Meta:
        model = LegislativeEvent
        fields = ["kind", "happened_on", "reference", "note"]
        widgets = {"happened_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}


class PointForm(forms.Form):
    paragraph_key = forms.CharField(widget=forms.HiddenInput, max_length=12)
    outcome = forms.ChoiceField(
        label=_("Suite donnée"),
        required=False,
        choices=[("", _("Non évalué"))] + list(PointOutcome.Outcome.choices),
    )
    note = forms.CharField(label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    objet = forms.ChoiceField(
        label=_("Objet"), required=False, choices=[("", _("Tous"))] + list(Subject.choices)
    )
    autorite = forms.ChoiceField(
        label=_("Autorité destinataire"),
        required=False,
        choices=[("", _("Toutes"))] + list(Authority.choices),
    )
    annee = forms.TypedChoiceField(label=_("Année d’adoption"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", _("Toutes"))] + [(str(y), str(y)) for y in years]
