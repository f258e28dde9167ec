from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.uploads import validate_upload

from .library import KIND_CHOICES
from .models import Document, Page


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Rechercher"), required=False, max_length=200)
    nature = forms.ChoiceField(
        label=gettext_lazy("Nature"), required=False, choices=[("", gettext_lazy("Toutes"))] + KIND_CHOICES
    )
    annee = forms.TypedChoiceField(label=gettext_lazy("Année"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", gettext_lazy("Toutes"))] + [(str(y), str(y)) for y in years]


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(
        label=gettext_lazy("Fichier (PDF, Word, Excel, PNG ou JPEG)"),
        required=False,
        help_text=gettext_lazy("Son contenu est vérifié : un fichier renommé est refusé."),
    )

    class Meta:
        model = Document
        fields = ["title", "kind", "date", "summary"]
        widgets = {"date": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].required = creating
        if not creating:
            self.fields["upload"].help_text = gettext_lazy(
                "Laissez vide pour garder le fichier actuel. Son contenu est vérifié : un fichier renommé "
                "est refusé."
            )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                raise ValidationError(_("Fichier : %(reason)s") % {"reason": " ".join(exc.messages)}) from exc
        return upload


RESERVED_SLUGS = {"nouvelle"}
"""Words of the pages' own addresses (``/ciq/pages/nouvelle/``)."""


class PageForm(forms.Form):
    slug = forms.SlugField(
        label=gettext_lazy("Adresse"),
        max_length=80,
        help_text=Page._meta.get_field("slug").help_text,
    )
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Texte (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=gettext_lazy(
            "Paragraphes séparés par une ligne vide ; listes, *italique*, **gras** et liens "
            "[texte](https://…). Le reste est affiché tel quel."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Note de version"), max_length=300, required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("Adresse : « %(slug)s » est réservée, choisissez-en une autre.") % {"slug": slug}
            )
        return slug
