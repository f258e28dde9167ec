from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.plans.models import PERCENT_VALIDATORS, Measure, Plan, Status


def default_reminder_days() -> list[int]:
    return list(settings.CONCERTO_REMINDER_DAYS)


class Campaign(models.Model):
    """The yearly update of a plan's progress for one reporting date."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="campaigns")
    as_of = models.DateField(_("état au"))
    deadline = models.DateField(_("date limite"))
    reminder_days = models.JSONField(_("rappels (jours avant la date limite)"), default=default_reminder_days)
    opened_at = models.DateTimeField(_("ouverte le"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("fermée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("campagne de mise à jour")
        verbose_name_plural = _("campagnes de mise à jour")
        ordering = ["plan", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["plan", "as_of"], name="campaign_unique_per_date")]

    def __str__(self):
        return f"{self.plan.slug} — état au {self.as_of:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Draft(models.Model):
    """A lead organization's proposed update of one measure in a campaign.

    Prefilled from the last validated state. Only a validated draft becomes
    the measure's progress; drafts are never shown to the public.
    ``version`` implements optimistic locking: every save increments it, and
    a save based on an older version is refused.
    """

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Non commencée")
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumise")
        RETURNED = "returned", _("Retournée")
        VALIDATED = "validated", _("Validée")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="drafts")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="drafts")
    state = models.CharField(
        _("état de la mise à jour"), max_length=20, choices=State.choices, default=State.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    percent = models.PositiveSmallIntegerField(
        _("pourcentage"), null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    status = models.CharField(
        _("état de la mesure"), max_length=20, choices=Status.choices, default=Status.UNKNOWN
    )
    completed_in = models.CharField(_("réalisée en"), max_length=20, blank=True)
    narrative = models.TextField(_("état d’avancement"), blank=True)
    # [{"label", "organization" (code or null), "percent", "narrative"}]
    components = models.JSONField(_("composantes"), default=list, blank=True)
    # [{"indicator" (id), "actual" (text or null), "percent", "note"}]
    values = models.JSONField(_("valeurs des indicateurs"), default=list, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(_("motif du retour"), blank=True)

    class Meta:
        verbose_name = _("mise à jour de mesure")
        verbose_name_plural = _("mises à jour de mesures")
        ordering = ["campaign", "measure__number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "measure"], name="draft_unique_per_measure")
        ]

    def __str__(self):
        return f"{self.campaign} — mesure {self.measure.number}"

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.NOT_STARTED, self.State.DRAFT, self.State.RETURNED)


class DraftComment(models.Model):
    """A remark on a draft, by a collaborator or the coordination."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(_("écrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["draft", "created_at", "pk"]

    def __str__(self):
        return f"{self.author} — {self.created_at:%Y-%m-%d}"
