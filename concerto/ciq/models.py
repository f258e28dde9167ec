"""The CIQ's files (dossiers), its consultations of the orders and their answers.

The Conseil interprofessionnel du Québec (CIQ) consults its member orders on
a file (a draft regulation, a bill, an appointment...) and turns their
positions into one opinion (``concerto.opinions``). What is here:

- ``Dossier``: the file, owned by the CIQ (``owner``, as
  ``Recommendation.owner``), with its subject, the authority addressed and
  the authority's deadline. For a draft regulation published in the
  *Gazette officielle du Québec* the deadline is computed from the
  publication date and a number of days kept as data with its source (Loi
  sur les règlements, RLRQ c. R-18.1: at least 45 days); otherwise it is
  typed with its source.
- ``Consultation``: a closed consultation of an audience of orders, with an
  internal deadline; its draft text split into ``Article`` rows.
- ``Answer``: one per order per consultation. ``version`` is the optimistic
  lock (every save increments it, a save based on an older version is
  refused); each submission keeps an ``AnswerVersion`` snapshot.
- ``PublicationConsent``: an order's answer is never public unless the CIQ
  publishes it with that order's agreement, recorded here.

State changes go through ``concerto.ciq.services``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.calendar import legal_deadline
from concerto.core.uploads import generated_name, get_private_storage
from concerto.organizations.models import Organization

CIQ_CODE = "conseil-interprofessionnel-du-quebec"
"""The CIQ's organization code (data/organizations.yaml): the owner of every file."""

GAZETTE_DAYS = 45
"""Usual comment period of a draft regulation, from its publication in the Gazette."""

GAZETTE_DAYS_SOURCE = "Loi sur les règlements, RLRQ c. R-18.1, a. 8 et 11"
"""Where the usual period comes from; another law may set a different one."""


class Subject(models.TextChoices):
    """What the CIQ is called upon to give its opinion on (the CIQ's mission statement)."""

    BILL_OR_REGULATION = (
        "bill_or_regulation",
        _("Projet de loi ou de règlement touchant le système professionnel"),
    )
    OFFICE_APPOINTMENT = (
        "office_appointment",
        _("Nomination de certains dirigeants et membres de l’Office des professions du Québec"),
    )
    BOARD_APPOINTMENT = (
        "board_appointment",
        _(
            "Nomination des administrateurs non membres de l’ordre au sein des conseils d’administration des ordres"
        ),
    )
    OFFICE_FINANCING = (
        "office_financing",
        _("Contribution au financement de l’Office des professions du Québec"),
    )
    OFFICE_BUDGET = "office_budget", _("Prévisions budgétaires de l’Office des professions du Québec")
    NEW_ORDER = (
        "new_order",
        _("Constitution d’un nouvel ordre ou intégration d’un groupe de professionnels à un ordre existant"),
    )
    OWN_INITIATIVE = "own_initiative", _("Initiative du CIQ sur un projet gouvernemental ou législatif")
    PUBLIC_DEBATE = "public_debate", _("Contribution à un débat public")


class Authority(models.TextChoices):
    """The public authority the opinion is addressed to."""

    OFFICE = "office", _("Office des professions du Québec")
    MINISTER = "minister", _("Ministre responsable de l’application des lois professionnelles")
    PARLIAMENTARY_COMMITTEE = "parliamentary_committee", _("Commission parlementaire")
    OTHER = "other", _("Autre organisme")


class DeadlineBasis(models.TextChoices):
    GAZETTE = "gazette", _("Calculée à partir de la publication à la Gazette officielle du Québec")
    TYPED = "typed", _("Saisie, avec sa source")
    NONE = "none", _("Aucune échéance connue")


class Position(models.TextChoices):
    """An order's overall position on the file."""

    FAVOURABLE = "favourable", _("Favorable")
    WITH_RESERVATIONS = "with_reservations", _("Favorable avec réserves")
    UNFAVOURABLE = "unfavourable", _("Défavorable")
    NO_POSITION = "no_position", _("Aucune position")


REFERENCE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]*$",
    _("La référence ne contient que des lettres, des chiffres et des traits d’union (ex. CIQ-2025-004)."),
)


def ciq_organization() -> Organization | None:
    return Organization.objects.filter(code=CIQ_CODE).first()


class OrderGroup(models.Model):
    """A group of orders the CIQ names to choose an audience or filter a synthesis
    (for example the orders of the health sector)."""

    owner = models.ForeignKey(
        Organization, verbose_name=_("organisation responsable"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nom du groupe"), max_length=200)
    organizations = models.ManyToManyField(
        Organization, verbose_name=_("ordres du groupe"), related_name="ciq_groups", blank=True
    )
    is_demo = models.BooleanField(_("démonstration"), default=False)

    class Meta:
        verbose_name = _("groupe d’ordres")
        verbose_name_plural = _("groupes d’ordres")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="ciq_group_unique_name")]

    def __str__(self):
        return self.name


class Dossier(models.Model):
    """A file on which the CIQ consults the orders and gives its opinion."""

    Subject = Subject
    Authority = Authority
    DeadlineBasis = DeadlineBasis

    reference = models.CharField(
        _("référence"),
        max_length=40,
        unique=True,
        validators=[REFERENCE_VALIDATOR],
        help_text=_("Par exemple CIQ-2025-004."),
    )
    title = models.CharField(_("titre"), max_length=300)
    subject = models.CharField(_("objet"), max_length=40, choices=Subject.choices)
    summary = models.TextField(_("résumé"), blank=True)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("organisation responsable"),
        on_delete=models.PROTECT,
        related_name="owned_ciq_files",
        help_text=_("L’organisation dont la coordination gère le dossier (le CIQ)."),
    )
    authority = models.CharField(_("autorité destinataire"), max_length=30, choices=Authority.choices)
    authority_name = models.CharField(
        _("nom de l’autorité"),
        max_length=300,
        blank=True,
        help_text=_("Par exemple la commission parlementaire ou l’organisme visé."),
    )
    authority_organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation destinataire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ciq_files_addressed",
        help_text=_("L’organisation de Concerto à qui l’avis est adressé, s’il y a lieu (l’Office)."),
    )
    deadline_basis = models.CharField(
        _("échéance de l’autorité"), max_length=10, choices=DeadlineBasis.choices, default=DeadlineBasis.NONE
    )
    gazette_published_on = models.DateField(_("publié à la Gazette officielle le"), null=True, blank=True)
    gazette_days = models.PositiveSmallIntegerField(
        _("délai de commentaires (jours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Au moins 45 jours à compter de la publication, selon l’avis publié."),
    )
    gazette_days_source = models.CharField(_("source du délai"), max_length=300, blank=True)
    authority_deadline = models.DateField(
        _("échéance de l’autorité"),
        null=True,
        blank=True,
        help_text=_("Calculée pour un projet publié à la Gazette officielle ; sinon saisie avec sa source."),
    )
    authority_deadline_source = models.CharField(_("source de l’échéance"), max_length=300, blank=True)
    measures = models.ManyToManyField(
        "plans.Measure", verbose_name=_("mesures du Pôle liées"), related_name="ciq_files", blank=True
    )
    recommendations = models.ManyToManyField(
        "recommendations.Recommendation",
        verbose_name=_("recommandations liées"),
        related_name="ciq_files",
        blank=True,
    )
    is_demo = models.BooleanField(_("démonstration"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier du CIQ")
        verbose_name_plural = _("dossiers du CIQ")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(deadline_basis="gazette")
                | Q(gazette_published_on__isnull=False, gazette_days__isnull=False),
                name="ciq_dossier_gazette_has_date_and_days",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def save(self, *args, **kwargs):
        self.authority_deadline = self.compute_authority_deadline()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"authority_deadline"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("ciq-dossier", args=[self.reference])

    def compute_authority_deadline(self) -> datetime.date | None:
        """The Gazette deadline: ``gazette_days`` from publication, on a working day."""
        if self.deadline_basis == DeadlineBasis.GAZETTE and self.gazette_published_on and self.gazette_days:
            return legal_deadline(self.gazette_published_on, self.gazette_days)
        if self.deadline_basis == DeadlineBasis.NONE:
            return None
        return self.authority_deadline

    @property
    def authority_label(self) -> str:
        return self.authority_name or self.get_authority_display()


def _document_upload_to(instance, filename):
    return generated_name(instance.content_type, prefix="ciq")


class UploadedFile(models.Model):
    """What every stored document has: a generated name, served only by a view that checks access."""

    file = models.FileField(
        _("fichier"), upload_to=_document_upload_to, storage=get_private_storage, max_length=200
    )
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
        abstract = True

    def __str__(self):
        return self.original_name


class SourceDocument(UploadedFile):
    """A document of the file: the draft text, explanatory notes, the Gazette notice..."""

    class Kind(models.TextChoices):
        DRAFT_TEXT = "draft_text", _("Texte du projet")
        EXPLANATORY_NOTES = "explanatory_notes", _("Notes explicatives")
        NOTICE = "notice", _("Avis de publication")
        OTHER = "other", _("Autre document")

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("nature du document"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("titre du document"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("document source")
        verbose_name_plural = _("documents sources")
        ordering = ["uploaded_at", "pk"]

    def get_absolute_url(self):
        return reverse("ciq-document", args=[self.pk])


class Consultation(models.Model):
    """A closed consultation of an audience of orders on a file."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        DRAFT_OPINION = "draft_opinion", _("Validation du projet d’avis")

    class State(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Fermée")

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="consultations"
    )
    kind = models.CharField(
        _("type de consultation"), max_length=20, choices=Kind.choices, default=Kind.CONSULTATION
    )
    title = models.CharField(_("titre"), max_length=300)
    instructions = models.TextField(_("consignes aux ordres"), blank=True)
    audience = models.ManyToManyField(
        Organization, verbose_name=_("ordres consultés"), related_name="ciq_consultations", blank=True
    )
    internal_deadline = models.DateField(_("date limite des réponses des ordres"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("fermée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["dossier", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(opened_at__isnull=False),
                name="ciq_consultation_opened_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="ciq_consultation_closed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.dossier.reference} — {self.title}"

    def get_absolute_url(self):
        return reverse("ciq-consultation", args=[self.pk])

    def is_late_on(self, moment: datetime.datetime) -> bool:
        """Whether an answer submitted at ``moment`` is after the internal deadline (end of day, local time)."""
        return timezone.localdate(moment) > self.internal_deadline


class Article(models.Model):
    """One article of the draft text, commented on article by article."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="articles"
    )
    position = models.PositiveIntegerField(_("rang"))
    heading = models.CharField(_("intitulé de l’article"), max_length=300)
    text = models.TextField(_("texte de l’article"), blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "position"], name="ciq_article_unique_position")
        ]

    def __str__(self):
        return self.heading


class Answer(models.Model):
    """An order's answer to a consultation: one per order per consultation.

    Drafted, saved (``version`` is the optimistic lock: every save increments
    it and a save based on an older version is refused), submitted, amended
    until the deadline; every submission is kept as an ``AnswerVersion``.
    ``late``: the last submission came after the internal deadline.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Transmise")

    Position = Position

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("consultation"), on_delete=models.CASCADE, related_name="answers"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("ordre"), on_delete=models.PROTECT, related_name="ciq_answers"
    )
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    position = models.CharField(_("position de l’ordre"), max_length=20, choices=Position.choices, blank=True)
    comments = models.TextField(_("commentaires"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transmise par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    late = models.BooleanField(_("en retard"), default=False)
    updated_at = models.DateTimeField(_("modifiée le"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("réponse d’un ordre")
        verbose_name_plural = _("réponses des ordres")
        ordering = ["consultation", "organization__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "organization"], name="ciq_answer_one_per_order"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False, position__gt=""),
                name="ciq_answer_submitted_has_date_and_position",
            ),
        ]

    def __str__(self):
        return f"{self.consultation} — {self.organization.name}"

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED


class AnswerVersion(models.Model):
    """A submitted answer as it was sent: kept for every submission and amendment."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("réponse"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("numéro de la version transmise"))
    position = models.CharField(_("position de l’ordre"), max_length=20, choices=Position.choices)
    comments = models.TextField(_("commentaires"), blank=True)
    # [{"article": id, "position": rank, "heading": "...", "text": "comment"}] as submitted
    article_comments = models.JSONField(_("commentaires par article"), default=list, blank=True)
    submitted_at = models.DateTimeField(_("transmise le"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transmise par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    late = models.BooleanField(_("en retard"), default=False)

    class Meta:
        verbose_name = _("version transmise d’une réponse")
        verbose_name_plural = _("versions transmises des réponses")
        ordering = ["answer", "number"]
        constraints = [models.UniqueConstraint(fields=["answer", "number"], name="ciq_answer_version_unique")]

    def __str__(self):
        return f"{self.answer} — v{self.number}"


class ArticleComment(models.Model):
    """An order's comment on one article of the draft text (the current draft of its answer)."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("réponse"), on_delete=models.CASCADE, related_name="article_comments"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    text = models.TextField(_("commentaire sur l’article"))

    class Meta:
        verbose_name = _("commentaire sur un article")
        verbose_name_plural = _("commentaires sur les articles")
        ordering = ["answer", "article__position"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "article"], name="ciq_article_comment_unique")
        ]

    def __str__(self):
        return f"{self.answer} — {self.article}"


class AnswerAttachment(UploadedFile):
    """A document an order joins to its answer."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("réponse"), on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta:
        verbose_name = _("pièce jointe d’une réponse")
        verbose_name_plural = _("pièces jointes des réponses")
        ordering = ["uploaded_at", "pk"]

    def get_absolute_url(self):
        return reverse("ciq-answer-attachment", args=[self.pk])


class PublicationConsent(models.Model):
    """The order's agreement that the CIQ publish its answer (one given version).

    Without such a record, an order's answer is never public.
    """

    answer = models.OneToOneField(
        Answer, verbose_name=_("réponse"), on_delete=models.CASCADE, related_name="publication_consent"
    )
    version = models.ForeignKey(
        AnswerVersion,
        verbose_name=_("version dont la publication est autorisée"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_on = models.DateField(_("accord donné le"))
    agreed_by = models.CharField(
        _("accord donné par"),
        max_length=300,
        help_text=_("La personne ou l’instance de l’ordre qui a donné son accord."),
    )
    note = models.TextField(_("précisions"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consigné par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("consigné le"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("accord retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("accord de publication d’une réponse")
        verbose_name_plural = _("accords de publication des réponses")

    def __str__(self):
        return f"{self.answer} — {self.agreed_on:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
