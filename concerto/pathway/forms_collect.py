"""Forms of the collection (the order's upload) and of the privacy officer's registers."""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import dictionary as d
from .models import Agreement, Incident

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx")


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UploadForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Période"),
        help_text=_("L’année de déclaration de l’ordre, du 1er avril au 31 mars."),
    )
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "CSV (UTF-8 ou Windows-1252, virgule ou point-virgule) ou le modèle Excel (.xlsx) rempli."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        error_messages={"empty": _("Le fichier est vide : aucune demande à déposer.")},
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("— Choisir —")), *periods]

    def clean_file(self):
        file = self.cleaned_data["file"]
        extension = os.path.splitext(file.name or "")[1].lower()
        if extension not in ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(
                _("Seuls un fichier CSV (.csv ou .txt) et le modèle Excel (.xlsx) sont acceptés.")
            )
        limit = settings.CONCERTO_PATHWAY_UPLOAD_MAX_BYTES
        if file.size > limit:
            raise forms.ValidationError(
                _("Le fichier pèse %(size)s Mio ; la limite est de %(limit)s Mio.")
                % {"size": f"{file.size / 1048576:.1f}", "limit": f"{limit / 1048576:g}"}
            )
        return file


class AgreementForm(forms.ModelForm):
    data_elements = forms.MultipleChoiceField(
        label=_("Renseignements permis"),
        choices=[
            (f.name, f"{f.title} ({f.name})") for f in d.FIELDS if f.name not in ("ordre", d.SYNTHETIC_COLUMN)
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les champs du dictionnaire de données que l’entente permet de recevoir."),
    )

    class Meta:
        model = Agreement
        fields = [
            "reference",
            "signed_on",
            "ends_on",
            "parties",
            "purposes",
            "data_elements",
            "retention_months",
            "security_measures",
            "impact_assessment_reference",
            "impact_assessment_on",
        ]
        widgets = {
            "signed_on": _date_widget(),
            "ends_on": _date_widget(),
            "impact_assessment_on": _date_widget(),
            "parties": forms.Textarea(attrs={"rows": 3}),
            "purposes": forms.Textarea(attrs={"rows": 4}),
            "security_measures": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        signed, ends = cleaned.get("signed_on"), cleaned.get("ends_on")
        if signed and ends and ends < signed:
            self.add_error("ends_on", _("La fin de l’entente précède sa date."))
        if cleaned.get("retention_months") == 0:
            self.add_error("retention_months", _("La durée de conservation doit être d’au moins un mois."))
        required = [c for c in d.REQUIRED_COLUMNS if c != "ordre"]
        missing = [c for c in required if c not in (cleaned.get("data_elements") or [])]
        if cleaned.get("data_elements") is not None and missing:
            self.add_error(
                "data_elements",
                _("Les champs obligatoires du dictionnaire doivent être permis : %(fields)s.")
                % {"fields": ", ".join(missing)},
            )
        return cleaned


class IncidentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "occurred_on",
            "discovered_on",
            "description",
            "information_concerned",
            "people_concerned",
            "serious_risk",
            "risk_assessment",
            "cai_notified_on",
            "people_notified_on",
            "measures",
            "closed_on",
        ]
        widgets = {
            "occurred_on": _date_widget(),
            "discovered_on": _date_widget(),
            "cai_notified_on": _date_widget(),
            "people_notified_on": _date_widget(),
            "closed_on": _date_widget(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "information_concerned": forms.Textarea(attrs={"rows": 3}),
            "risk_assessment": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        occurred, discovered, closed = (cleaned.get(k) for k in ("occurred_on", "discovered_on", "closed_on"))
        if occurred and discovered and discovered < occurred:
            self.add_error(
                "discovered_on", _("L’Office ne peut en avoir pris connaissance avant l’incident.")
            )
        if closed and discovered and closed < discovered:
            self.add_error("closed_on", _("La fermeture précède la prise de connaissance."))
        if cleaned.get("serious_risk") and closed and not cleaned.get("cai_notified_on"):
            self.add_error(
                "cai_notified_on",
                _("Un incident à risque de préjudice sérieux ne se ferme pas sans l’avis à la Commission."),
            )
        return cleaned
