"""Forms of the CIQ's staff pages. Errors are French and name the field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.uploads import DOCX, validate_upload
from concerto.organizations.models import Organization
from concerto.plans.models import Measure
from concerto.recommendations.models import Recommendation

from . import services
from .deadlines import gazette_deadline
from .models import (
    GAZETTE_DAYS,
    GAZETTE_DAYS_SOURCE,
    Consultation,
    DeadlineBasis,
    Dossier,
    OrderGroup,
    SourceDocument,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def orders() -> forms.QuerySet:
    return Organization.objects.filter(
        kind=Organization.Kind.PROFESSIONAL_ORDER, archived_at__isnull=True
    ).order_by("name", "code")


class DossierForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = [
            "reference",
            "title",
            "subject",
            "summary",
            "authority",
            "authority_name",
            "deadline_basis",
            "gazette_published_on",
            "gazette_days",
            "gazette_days_source",
            "authority_deadline",
            "authority_deadline_source",
            "measures",
            "recommendations",
        ]
        widgets = {
            "gazette_published_on": DATE_WIDGET,
            "authority_deadline": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the public sees may be linked: the Office's unpublished recommendations stay its own.
        self.fields["measures"].queryset = Measure.objects.select_related("plan").order_by(
            "plan__slug", "number"
        )
        self.fields["measures"].required = False
        self.fields["recommendations"].queryset = Recommendation.objects.published().order_by("number")
        self.fields["recommendations"].required = False
        if not self.instance.pk:
            self.initial.setdefault("gazette_days", GAZETTE_DAYS)
            self.initial.setdefault("gazette_days_source", GAZETTE_DAYS_SOURCE)

    def clean(self):
        cleaned = super().clean()
        basis = cleaned.get("deadline_basis")
        if basis == DeadlineBasis.GAZETTE:
            if not cleaned.get("gazette_published_on"):
                self.add_error(
                    "gazette_published_on",
                    _("Publié à la Gazette officielle le : date requise pour calculer l’échéance."),
                )
            if not cleaned.get("gazette_days"):
                self.add_error(
                    "gazette_days", _("Délai de commentaires : nombre de jours requis (au moins 45).")
                )
            elif cleaned["gazette_days"] < GAZETTE_DAYS:
                self.add_error(
                    "gazette_days",
                    _(
                        "Délai de commentaires : au moins %(days)d jours à compter de la publication (RLRQ c. R-18.1)."
                    )
                    % {"days": GAZETTE_DAYS},
                )
            if not (cleaned.get("gazette_days_source") or "").strip():
                self.add_error(
                    "gazette_days_source", _("Source du délai : indiquez d’où vient le nombre de jours.")
                )
        elif basis == DeadlineBasis.TYPED:
            if not cleaned.get("authority_deadline"):
                self.add_error("authority_deadline", _("Échéance de l’autorité : date requise."))
            if not (cleaned.get("authority_deadline_source") or "").strip():
                self.add_error(
                    "authority_deadline_source",
                    _("Source de l’échéance : indiquez d’où vient la date (lettre, avis, commission…)."),
                )
        return cleaned

    @property
    def computed_deadline(self):
        if (
            self.is_bound
            and self.is_valid()
            and self.cleaned_data.get("deadline_basis") == DeadlineBasis.GAZETTE
        ):
            return gazette_deadline(
                self.cleaned_data["gazette_published_on"], self.cleaned_data["gazette_days"]
            )
        return None


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Nature du document"), choices=SourceDocument.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Titre du document"), max_length=300, required=False)
    file = forms.FileField(label=gettext_lazy("Fichier (PDF, Word, Excel, PNG ou JPEG)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content_type = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError(_("Fichier : %(reason)s") % {"reason": " ".join(exc.messages)}) from exc
        return upload


class ConsultationForm(forms.ModelForm):
    AUDIENCE_ALL = "all"
    AUDIENCE_GROUP = "group"
    AUDIENCE_CHOSEN = "chosen"

    audience_mode = forms.ChoiceField(
        label=gettext_lazy("Ordres consultés"),
        choices=[
            (AUDIENCE_ALL, gettext_lazy("Tous les ordres professionnels")),
            (AUDIENCE_GROUP, gettext_lazy("Un groupe d’ordres")),
            (AUDIENCE_CHOSEN, gettext_lazy("Les ordres cochés ci-dessous")),
        ],
        initial=AUDIENCE_ALL,
        widget=forms.RadioSelect,
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Groupe d’ordres"), queryset=OrderGroup.objects.none(), required=False
    )
    chosen = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Ordres choisis"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    articles_text = forms.CharField(
        label=gettext_lazy("Articles du projet (texte collé)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Facultatif. Chaque article commence par une ligne « Article 1 », « Article 2 »… suivie de son texte. "
            "Remplace les articles existants."
        ),
    )
    articles_file = forms.FileField(
        label=gettext_lazy("Ou : fichier Word du projet (.docx)"),
        required=False,
        help_text=gettext_lazy(
            "Un titre (style « Titre 1 », « Titre 2 »…) par article, suivi du texte de l’article."
        ),
    )

    class Meta:
        model = Consultation
        fields = ["kind", "title", "instructions", "internal_deadline"]
        widgets = {"internal_deadline": DATE_WIDGET, "instructions": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = OrderGroup.objects.filter(owner=owner).order_by("name", "pk")
        self.fields["chosen"].queryset = orders()
        self.parsed_articles = None
        if self.instance.pk:
            chosen = list(self.instance.audience.values_list("pk", flat=True))
            self.initial["chosen"] = chosen
            all_orders = set(orders().values_list("pk", flat=True))
            self.initial["audience_mode"] = (
                self.AUDIENCE_ALL if set(chosen) == all_orders else self.AUDIENCE_CHOSEN
            )

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("audience_mode")
        if mode == self.AUDIENCE_GROUP and not cleaned.get("group"):
            self.add_error("group", _("Groupe d’ordres : choisissez un groupe."))
        if mode == self.AUDIENCE_CHOSEN and not cleaned.get("chosen"):
            self.add_error("chosen", _("Ordres choisis : cochez au moins un ordre."))
        text, upload = cleaned.get("articles_text"), cleaned.get("articles_file")
        if upload:
            try:
                kind = validate_upload(upload)
            except ValidationError as exc:
                self.add_error(
                    "articles_file", _("Fichier Word : %(reason)s") % {"reason": " ".join(exc.messages)}
                )
                return cleaned
            if kind != DOCX:
                self.add_error("articles_file", _("Fichier Word : un document .docx est attendu."))
                return cleaned
            upload.seek(0)
        if text and upload:
            self.add_error(
                "articles_file", _("Articles : collez le texte ou joignez un fichier Word, pas les deux.")
            )
        else:
            try:
                if upload:
                    self.parsed_articles = services.parse_docx_articles(upload)
                elif text:
                    self.parsed_articles = services.parse_pasted_articles(text)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned

    def audience(self):
        mode = self.cleaned_data["audience_mode"]
        if mode == self.AUDIENCE_ALL:
            return list(orders())
        if mode == self.AUDIENCE_GROUP:
            return list(self.cleaned_data["group"].organizations.all())
        return list(self.cleaned_data["chosen"])


class ConsentForm(forms.Form):
    agreed_on = forms.DateField(label=gettext_lazy("Accord donné le"), widget=DATE_WIDGET)
    agreed_by = forms.CharField(label=gettext_lazy("Accord donné par"), max_length=300)
    note = forms.CharField(
        label=gettext_lazy("Précisions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
