"""The Office's recommendations (Code des professions, C-26, a. 16.27).

A recommendation goes draft → sent → received → answered → closed. The
clock starts at receipt: the answer is due ``legal_deadline(received_on, 60)``
(computed in ``save()`` into ``due_on``, never typed). Lateness is derived,
never stored: received, not answered, and today after the due date; « très
en retard » 30 days after that.

State changes go through ``concerto.recommendations.services``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.calendar import legal_deadline
from concerto.core.uploads import get_private_storage
from concerto.organizations.models import Organization
from concerto.plans.models import Measure

ANSWER_DAYS = 60
"""Days the addressee has to answer, counted from receipt (C-26, a. 16.27)."""

VERY_LATE_DAYS = 30
"""Days after the due date from which an unanswered recommendation is « très en retard »."""


def fold(text: str) -> str:
    """Lowercase, without accents, white space collapsed: what search compares."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip().lower()


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SENT = "sent", _("Transmise")
    RECEIVED = "received", _("Reçue par le destinataire")
    ANSWERED = "answered", _("Répondue")
    CLOSED = "closed", _("Fermée")


class RecommendationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True).exclude(state=State.DRAFT)

    def late(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(state=State.RECEIVED, due_on__lt=today)

    def very_late(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(state=State.RECEIVED, due_on__lt=today - datetime.timedelta(days=VERY_LATE_DAYS))


class Recommendation(models.Model):
    State = State

    number = models.CharField(
        _("numéro"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                _(
                    "Le numéro ne contient que des lettres, des chiffres et des traits d’union (ex. REC-2024-003)."
                ),
            )
        ],
        help_text=_("Par exemple REC-2024-003."),
    )
    title = models.CharField(_("titre"), max_length=300)
    text = models.TextField(_("texte de la recommandation"))
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organisation responsable"),
        on_delete=models.PROTECT,
        related_name="owned_recommendations",
        help_text=_("L’organisation dont la coordination gère la recommandation (l’Office)."),
    )
    addressee = models.ForeignKey(
        Organization,
        verbose_name=_("destinataire"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    state = models.CharField(_("état"), max_length=20, choices=State.choices, default=State.DRAFT)
    sent_on = models.DateField(_("transmise le"), null=True, blank=True)
    received_on = models.DateField(_("reçue le"), null=True, blank=True)
    due_on = models.DateField(
        _("réponse attendue au plus tard le"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Calculée : 60 jours après la réception, reportée au jour ouvrable suivant."),
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("mesures liées"), related_name="recommendations", blank=True
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cas de la cellule liés"), related_name="recommendations", blank=True
    )
    published = models.BooleanField(_("recommandation publiée"), default=False)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    closed_at = models.DateTimeField(_("fermée le"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommandation")
        verbose_name_plural = _("recommandations")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(sent_on__isnull=False), name="recommendation_sent_has_date"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "sent"]) | Q(received_on__isnull=False, due_on__isnull=False),
                name="recommendation_received_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="draft") | Q(published=False), name="recommendation_draft_unpublished"
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}"

    def save(self, *args, **kwargs):
        self.due_on = self.compute_due_on()
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"due_on", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("recommendation-detail", args=[self.number])

    def compute_due_on(self) -> datetime.date | None:
        return legal_deadline(self.received_on, ANSWER_DAYS) if self.received_on else None

    @property
    def due_date(self) -> datetime.date | None:
        """The day the answer is due: 60 days after receipt, on a working day."""
        return self.compute_due_on()

    def build_search_text(self) -> str:
        addressee = self.addressee if self.addressee_id else None
        parts = [self.number, self.title, self.text]
        if addressee is not None:
            parts += [addressee.name, addressee.acronym]
        return fold(" ".join(p for p in parts if p))

    def is_late(self, today: datetime.date | None = None) -> bool:
        """Received, not answered, and ``today`` after the due date."""
        today = today or timezone.localdate()
        return self.state == State.RECEIVED and self.due_on is not None and today > self.due_on

    def is_very_late(self, today: datetime.date | None = None) -> bool:
        """Late for more than 30 days."""
        today = today or timezone.localdate()
        return self.is_late(today) and today > self.due_on + datetime.timedelta(days=VERY_LATE_DAYS)

    @property
    def late(self) -> bool:
        return self.is_late()

    @property
    def very_late(self) -> bool:
        return self.is_very_late()


class Answer(models.Model):
    """The addressee's written answer; one per recommendation."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Suite prévue")
        PARTIAL = "partial", _("Suite partielle")
        REFUSAL = "refusal", _("Refus motivé")

    recommendation = models.OneToOneField(
        Recommendation, verbose_name=_("recommandation"), on_delete=models.CASCADE, related_name="answer"
    )
    kind = models.CharField(_("nature de la réponse"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("réponse (ou motifs du refus)"))
    answered_on = models.DateField(_("date de la réponse"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("déposée le"), default=timezone.now)
    published = models.BooleanField(_("réponse publiée"), default=False)
    published_at = models.DateTimeField(_("réponse publiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["recommendation"]

    def __str__(self):
        return f"{self.recommendation.number} — {self.get_kind_display()}"

    @property
    def on_time(self) -> bool:
        due = self.recommendation.due_on
        return due is not None and self.answered_on <= due


def _upload_to(instance, filename):
    from concerto.core.uploads import generated_name

    return generated_name(instance.content_type, prefix="recommandations")


class Attachment(models.Model):
    """A document of a recommendation or of its answer, stored under MEDIA_ROOT
    with a generated name and served only by the ``recommendation-attachment`` view."""

    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name=_("recommandation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("réponse"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("fichier"), upload_to=_upload_to, storage=get_private_storage, max_length=200)
    original_name = models.CharField(_("nom d’origine"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        verbose_name = _("document joint")
        verbose_name_plural = _("documents joints")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation__isnull=False, answer__isnull=True)
                | Q(recommendation__isnull=True, answer__isnull=False),
                name="attachment_of_recommendation_or_answer",
            )
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("recommendation-attachment", args=[self.pk])

    @property
    def owner_recommendation(self) -> Recommendation:
        return self.recommendation if self.recommendation_id else self.answer.recommendation
