"""The intervention cell's case register (measure 1 of the plan).

A case is a circumscribed, one-off problem of access to bridging training or
internships raised for one or more professional orders. The source's fuzzy
wording of dates ("automne 2021", "Hiver 2023") is kept as text beside an
optional exact date, which is never invented.

State changes go through ``concerto.cases.services.change_state``, which
enforces the allowed transitions.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerto.organizations.models import Organization
from concerto.plans.models import Measure


class ProblemKind(models.TextChoices):
    BRIDGING_TRAINING = "bridging_training", _("Formation d’appoint")
    INTERNSHIP = "internship", _("Stage")
    FRENCH_TRAINING = "french_training", _("Francisation")
    OTHER = "other", _("Autre")


class CaseState(models.TextChoices):
    OPENED = "opened", _("Ouvert")
    ANALYSIS = "analysis", _("En analyse")
    SOLUTIONS_PROPOSED = "solutions_proposed", _("Solutions proposées")
    IN_IMPLEMENTATION = "in_implementation", _("En mise en œuvre")
    RESOLVED = "resolved", _("Résolu")
    TRANSFERRED = "transferred", _("Transféré à une autre organisation")


class Case(models.Model):
    reference = models.CharField(
        _("référence"),
        max_length=30,
        unique=True,
        help_text=_("Par exemple CAS-2021-001."),
    )
    title = models.CharField(_("titre"), max_length=300)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organisation responsable"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
        help_text=_(
            "L’organisation dont la coordination gère le cas (l’Office, pour la cellule d’intervention)."
        ),
    )
    orders = models.ManyToManyField(
        Organization, verbose_name=_("ordres concernés"), related_name="cases_as_order", blank=True
    )
    profession = models.CharField(_("profession"), max_length=200, blank=True)
    raised_by = models.ForeignKey(
        Organization,
        verbose_name=_("soulevé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_raised",
    )
    raised_by_text = models.CharField(_("soulevé par (texte)"), max_length=300, blank=True)
    raised_on = models.DateField(_("soulevé le"), null=True, blank=True)
    raised_on_text = models.CharField(
        _("soulevé le (texte de la source)"),
        max_length=200,
        blank=True,
        help_text=_("La formulation de la source quand elle ne donne pas de date exacte."),
    )
    problem_kind = models.CharField(_("nature du problème"), max_length=30, choices=ProblemKind.choices)
    description = models.TextField(_("description du problème"), blank=True)
    organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("organisations interpellées"),
        related_name="cases_involved",
        blank=True,
    )
    state = models.CharField(_("état"), max_length=30, choices=CaseState.choices, default=CaseState.OPENED)
    state_changed_at = models.DateTimeField(_("état modifié le"), null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("état modifié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    transferred_to = models.ForeignKey(
        Organization,
        verbose_name=_("transféré à"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_received",
    )
    transferred_on = models.DateField(_("transféré le"), null=True, blank=True)
    transferred_on_text = models.CharField(_("transféré le (texte de la source)"), max_length=100, blank=True)
    transfer_reason = models.TextField(_("motif du transfert"), blank=True)
    percent = models.PositiveSmallIntegerField(
        _("avancement (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("mesures liées"), related_name="cases", blank=True
    )
    component_label = models.CharField(
        _("composante de mesure alimentée"),
        max_length=200,
        blank=True,
        help_text=_("Libellé de la composante d’une mesure liée (par exemple « OPTMQ »)."),
    )
    source = models.TextField(_("source"), blank=True)
    public_summary = models.TextField(_("résumé public"), blank=True)
    summary_published = models.BooleanField(_("résumé publié"), default=False)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cas")
        verbose_name_plural = _("cas")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="case_percent_range"
            ),
            models.CheckConstraint(
                condition=~Q(state="transferred") | Q(transferred_to__isnull=False),
                name="case_transfer_has_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(summary_published=True) | ~Q(public_summary=""),
                name="case_published_summary_not_empty",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self):
        return reverse("case-detail", kwargs={"reference": self.reference})


class WorkingGroupMember(models.Model):
    """A member of a case's working group: an organization, or text when the source names none."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="working_group")
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_working_groups",
    )
    person_name = models.CharField(_("nom de la personne"), max_length=200, blank=True)
    role = models.CharField(_("rôle"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("membre du groupe de travail")
        verbose_name_plural = _("membres du groupe de travail")
        ordering = ["case", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | ~Q(role=""),
                name="working_group_member_org_or_role",
            )
        ]

    def __str__(self):
        who = self.organization.label if self.organization_id else self.role
        return f"{who} ({self.person_name})" if self.person_name else who


class Meeting(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    participants = models.TextField(_("participants"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)

    class Meta:
        verbose_name = _("rencontre")
        verbose_name_plural = _("rencontres")
        ordering = ["case", "date", "pk"]

    def __str__(self):
        return f"{self.case.reference} — {self.date:%Y-%m-%d}"


class Solution(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposée")
        RETAINED = "retained", _("Retenue")
        REJECTED = "rejected", _("Écartée")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="solutions")
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    text = models.TextField(_("solution"))
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.PROPOSED)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["case", "position", "pk"]

    def __str__(self):
        return self.text[:80]
