"""Forms of the groups' staff pages. Errors are French and name the field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.ciq.models import Consultation
from concerto.core.uploads import validate_upload
from concerto.opinions.models import Opinion
from concerto.organizations.models import Organization

from .models import RESERVED_SLUGS, ActionItem, Group, Meeting, Membership

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["kind", "name", "slug", "mandate", "started_on", "ended_on", "consultations", "opinions"]
        widgets = {
            "started_on": DATE_WIDGET,
            "ended_on": DATE_WIDGET,
            "mandate": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultations"].queryset = Consultation.objects.select_related("dossier").order_by(
            "dossier__reference", "pk"
        )
        self.fields["consultations"].required = False
        self.fields["opinions"].queryset = Opinion.objects.order_by("reference")
        self.fields["opinions"].required = False

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("Identifiant : « %(slug)s » est réservé, choisissez-en un autre.") % {"slug": slug}
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        kind, ended = cleaned.get("kind"), cleaned.get("ended_on")
        started = cleaned.get("started_on")
        if kind == Group.Kind.WORKING_GROUP and not ended:
            self.add_error("ended_on", _("Date de fin : un groupe de travail a une date de fin."))
        if kind == Group.Kind.COMMITTEE and ended:
            self.add_error(
                "ended_on", _("Date de fin : un comité est permanent ; laissez la date de fin vide.")
            )
        if started and ended and ended < started:
            self.add_error("ended_on", _("Date de fin : elle ne peut précéder la date de début."))
        return cleaned


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["name", "email", "user", "organization", "affiliation", "role", "term_start", "term_end"]
        widgets = {"term_start": DATE_WIDGET, "term_end": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            kind=Organization.Kind.PROFESSIONAL_ORDER, archived_at__isnull=True
        ).order_by("name", "code")
        self.fields["user"].queryset = (
            self.fields["user"].queryset.filter(is_active=True).order_by("username")
        )

    def clean(self):
        cleaned = super().clean()
        org, affiliation = cleaned.get("organization"), (cleaned.get("affiliation") or "").strip()
        if org and affiliation:
            self.add_error(
                "affiliation",
                _("Affiliation : une personne qui représente un ordre n’a pas d’affiliation d’expert."),
            )
        if not org and not affiliation:
            self.add_error(
                "organization",
                _("Ordre représenté : choisissez l’ordre, ou indiquez l’affiliation de l’expert externe."),
            )
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("Fin du mandat : elle ne peut précéder le début du mandat."))
        return cleaned


class EndTermForm(forms.Form):
    term_end = forms.DateField(label=gettext_lazy("Fin du mandat"), widget=DATE_WIDGET)


class MeetingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Début"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Fin"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    video_link = forms.URLField(
        label=gettext_lazy("Lien de visioconférence"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "video_link"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("Fin : la réunion doit finir après son début."))
        if not cleaned.get("place") and not cleaned.get("video_link"):
            self.add_error("place", _("Lieu : indiquez un lieu ou un lien de visioconférence."))
        return cleaned


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Point à l’ordre du jour"), max_length=300)


class DocumentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titre du document"), max_length=300, required=False)
    file = forms.FileField(label=gettext_lazy("Fichier (PDF, Word, Excel, PNG ou JPEG)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.content_type = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError(_("Fichier : %(reason)s") % {"reason": " ".join(exc.messages)}) from exc
        return upload


class MinutesForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Texte du procès-verbal (Markdown)"), widget=forms.Textarea(attrs={"rows": 14})
    )


class AdoptForm(forms.Form):
    at = forms.ModelChoiceField(label=gettext_lazy("Adopté à la réunion du"), queryset=Meeting.objects.none())

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # Every meeting of the group is offered; the service refuses one that is not later.
        self.fields["at"].queryset = meeting.group.meetings.exclude(pk=meeting.pk).order_by("starts_at", "pk")


class DecisionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Décision"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["text", "owner_membership", "due_on"]
        widgets = {"due_on": DATE_WIDGET, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        self.fields["owner_membership"].queryset = meeting.group.members.order_by("name", "pk")
        self.fields["owner_membership"].required = True
