"""The CIQ's opinions (avis) on a file, from the first draft to what became of it.

An opinion rests on a file (``ciq.Dossier``) and, usually, on the
consultation of the orders about it. It goes

    rédaction → adopté → transmis → publié

and is then followed up. The state is derived from the recorded dates,
never stored: adopted once ``adopted_on`` is set, sent once ``sent_on`` is,
published once a publication exists. Operations go through
``concerto.opinions.services``.

- **Text**: Markdown with sections (``## Titre``), kept as versions: each
  save adds an ``OpinionVersion`` and its ``Paragraph`` rows; nothing is
  ever overwritten. A paragraph keeps a stable ``key`` from one version to
  the next (matched by its text), so that its citations follow it.
- **Citations**: a paragraph cites the orders' answers it rests on (an
  answer as a whole, or one of its article comments). Citations are CIQ
  staff's working trace: never public.
- **Publication**: frozen PDF (PDF/UA) and Word documents with their
  SHA-256, made by a background job; republishing adds a version, the old
  one points to its replacement (« remplacé par »).
- **Follow-up**: what became of the bill or regulation (events with dates
  and references) and, per point of the opinion, whether it was retained.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.models import FrozenDocument
from concerto.core.uploads import get_private_storage


def fold(text: str) -> str:
    """Lowercase, without accents, white space collapsed: what search compares."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip().lower()


class State(models.TextChoices):
    DRAFT = "draft", _("En rédaction")
    ADOPTED = "adopted", _("Adopté")
    SENT = "sent", _("Transmis")
    PUBLISHED = "published", _("Publié")


class OpinionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publications__isnull=False).distinct()


class Opinion(models.Model):
    State = State

    dossier = models.ForeignKey(
        "ciq.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="opinions"
    )
    consultation = models.ForeignKey(
        "ciq.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
        help_text=_("La consultation des ordres sur laquelle l’avis s’appuie."),
    )
    reference = models.CharField(
        _("référence"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                _(
                    "La référence ne contient que des lettres, des chiffres et des traits d’union (ex. AVIS-2025-01)."
                ),
            )
        ],
        help_text=_("Par exemple AVIS-2025-01."),
    )
    title = models.CharField(_("titre"), max_length=300)
    summary = models.TextField(
        _("résumé"), blank=True, help_text=_("Quelques lignes pour la bibliothèque publique.")
    )
    is_demo = models.BooleanField(_("démonstration"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    # Adoption by the CIQ's deciding body (which body and how it votes are data).
    adopted_on = models.DateField(_("adopté le"), null=True, blank=True)
    deciding_body = models.CharField(_("instance décisionnelle"), max_length=200, blank=True)
    resolution_number = models.CharField(_("numéro de résolution"), max_length=60, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("voix pour"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("voix contre"), null=True, blank=True)
    votes_abstaining = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)
    adopted_version = models.ForeignKey(
        "OpinionVersion",
        verbose_name=_("version adoptée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Sending to the authority.
    sent_on = models.DateField(_("transmis le"), null=True, blank=True)
    authority_deadline = models.DateField(
        _("échéance de l’autorité"),
        null=True,
        blank=True,
        help_text=_("Recopiée du dossier au moment de la transmission."),
    )
    deadline_met = models.BooleanField(_("échéance respectée"), null=True, blank=True)
    letter = models.FileField(_("lettre transmise"), storage=get_private_storage, blank=True, max_length=200)
    letter_name = models.CharField(_("nom du fichier de la lettre"), max_length=200, blank=True)
    letter_content_type = models.CharField(_("type de la lettre"), max_length=100, blank=True)

    # Follow-up of the bill or regulation, as a whole.
    outcome_note = models.TextField(_("suivi — commentaire"), blank=True)

    search_text = models.TextField(_("texte de recherche"), editable=False, blank=True, default="")

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True) | Q(adopted_on__isnull=False),
                name="opinion_sent_after_adoption",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("opinion-public", args=[self.reference])

    def build_search_text(self, body: str = "") -> str:
        dossier = self.dossier if self.dossier_id else None
        parts = [self.reference, self.title, self.summary]
        if dossier is not None:
            parts += [getattr(dossier, "reference", ""), getattr(dossier, "title", "")]
        published = body or self._published_text()
        return fold(" ".join(p for p in [*parts, published] if p))

    def _published_text(self) -> str:
        """The text of the current publication: a draft is never searchable by the public."""
        if not self.pk:
            return ""
        publication = (
            self.publications.filter(superseded_by__isnull=True).select_related("text_version").first()
        )
        return publication.text_version.text if publication else ""

    def get_workspace_url(self):
        return reverse("opinion-workspace", args=[self.reference])

    @property
    def adopted(self) -> bool:
        return self.adopted_on is not None

    @property
    def sent(self) -> bool:
        return self.sent_on is not None

    @property
    def votes_recorded(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstaining))


class OpinionVersion(models.Model):
    """One saved state of the opinion's text: kept forever, never edited."""

    opinion = models.ForeignKey(
        Opinion, verbose_name=_("avis"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("texte (Markdown)"))
    note = models.CharField(_("note de version"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    class Meta:
        verbose_name = _("version d’avis")
        verbose_name_plural = _("versions d’avis")
        ordering = ["opinion", "-number"]
        constraints = [models.UniqueConstraint(fields=["opinion", "number"], name="opinion_version_unique")]

    def __str__(self):
        return f"{self.opinion.reference} v{self.number}"


class Paragraph(models.Model):
    """A paragraph of one version, in its section: what citations and follow-up point to."""

    version = models.ForeignKey(
        OpinionVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="paragraphs"
    )
    position = models.PositiveIntegerField(_("position"))
    key = models.CharField(_("repère"), max_length=12)
    section = models.CharField(_("section"), max_length=300, blank=True)
    text = models.TextField(_("texte"))

    class Meta:
        verbose_name = _("paragraphe")
        verbose_name_plural = _("paragraphes")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="paragraph_position_unique"),
            models.UniqueConstraint(fields=["version", "key"], name="paragraph_key_unique"),
        ]

    def __str__(self):
        return f"§{self.position} {self.text[:40]}"

    @property
    def number(self) -> int:
        return self.position


class Citation(models.Model):
    """A paragraph rests on an order's answer, or on one article comment of it."""

    paragraph = models.ForeignKey(
        Paragraph, verbose_name=_("paragraphe"), on_delete=models.CASCADE, related_name="citations"
    )
    answer = models.ForeignKey(
        "ciq.Answer",
        verbose_name=_("réponse citée"),
        on_delete=models.CASCADE,
        related_name="opinion_citations",
    )
    article_comment = models.ForeignKey(
        "ciq.ArticleComment",
        verbose_name=_("commentaire d’article cité"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opinion_citations",
    )

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["paragraph", "answer", "article_comment"]
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "answer"],
                condition=Q(article_comment__isnull=True),
                name="citation_answer_unique",
            ),
            models.UniqueConstraint(
                fields=["paragraph", "article_comment"],
                condition=Q(article_comment__isnull=False),
                name="citation_comment_unique",
            ),
        ]

    def __str__(self):
        return f"{self.paragraph} ← {self.answer_id}/{self.article_comment_id or '-'}"


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"


CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class Publication(models.Model):
    """A published state of the opinion: frozen documents, never edited.

    Republishing adds a version; the previous one stays downloadable and
    points to the version that replaced it.
    """

    opinion = models.ForeignKey(
        Opinion, verbose_name=_("avis"), on_delete=models.PROTECT, related_name="publications"
    )
    number = models.PositiveSmallIntegerField(_("version publiée"))
    text_version = models.ForeignKey(
        OpinionVersion, verbose_name=_("texte publié"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("publié le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publié par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("remplacé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    class Meta:
        verbose_name = _("avis publié")
        verbose_name_plural = _("avis publiés")
        ordering = ["opinion", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["opinion", "number"], name="opinion_publication_unique")
        ]

    def __str__(self):
        return f"{self.opinion.reference} — v{self.number}"

    @property
    def filename_stem(self) -> str:
        stem = self.opinion.reference.lower()
        return stem if self.number == 1 else f"{stem}_v{self.number}"


class PublishedDocument(FrozenDocument):
    """One frozen file of an opinion's publication (see ``FrozenDocument``)."""

    CONTENT_TYPES = CONTENT_TYPES

    publication = models.ForeignKey(
        Publication, verbose_name=_("avis publié"), on_delete=models.CASCADE, related_name="documents"
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)

    class Meta:
        verbose_name = _("document d’avis publié")
        verbose_name_plural = _("documents d’avis publiés")
        ordering = ["publication", "format"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "format"], name="opinion_document_unique")
        ]


class PublishedAnswer(models.Model):
    """An order's answer the CIQ publishes beside its opinion.

    Only with that order's recorded agreement (``ciq.PublicationConsent``):
    the version the order agreed to is what the public sees, and a withdrawn
    agreement takes it off the public page at once. Without such a row, an
    order's answer is never shown outside the CIQ's staff and the order."""

    opinion = models.ForeignKey(
        Opinion, verbose_name=_("avis"), on_delete=models.CASCADE, related_name="published_answers"
    )
    consent = models.ForeignKey(
        "ciq.PublicationConsent",
        verbose_name=_("accord de l’ordre"),
        on_delete=models.PROTECT,
        related_name="opinion_publications",
    )
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("réponse d’ordre publiée")
        verbose_name_plural = _("réponses d’ordres publiées")
        ordering = ["opinion", "pk"]
        constraints = [models.UniqueConstraint(fields=["opinion", "consent"], name="published_answer_unique")]

    def __str__(self):
        return f"{self.opinion.reference} — {self.consent_id}"


class LegislativeEvent(models.Model):
    """What became of the bill or regulation the opinion was about."""

    class Kind(models.TextChoices):
        TABLED = "tabled", _("Présenté")
        ADOPTED = "adopted", _("Adopté")
        ASSENTED = "assented", _("Sanctionné")
        MADE = "made", _("Édicté")
        IN_FORCE = "in_force", _("Entré en vigueur")
        AMENDED = "amended", _("Modifié")
        ABANDONED = "abandoned", _("Abandonné")
        OTHER = "other", _("Autre")

    opinion = models.ForeignKey(
        Opinion, verbose_name=_("avis"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("étape"), max_length=20, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    reference = models.CharField(
        _("référence"),
        max_length=300,
        blank=True,
        help_text=_("Par exemple L.Q. 2025, c. 12 ou G.O. II, 2025, p. 1234."),
    )
    note = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("étape du suivi")
        verbose_name_plural = _("étapes du suivi")
        ordering = ["opinion", "happened_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.happened_on}"


class PointOutcome(models.Model):
    """For one point (paragraph) of the opinion: was it retained by the authority?"""

    class Outcome(models.TextChoices):
        RETAINED = "retained", _("Retenu")
        PARTLY = "partly", _("Retenu en partie")
        NOT_RETAINED = "not_retained", _("Non retenu")

    opinion = models.ForeignKey(
        Opinion, verbose_name=_("avis"), on_delete=models.CASCADE, related_name="point_outcomes"
    )
    paragraph_key = models.CharField(_("repère du paragraphe"), max_length=12)
    outcome = models.CharField(_("suite donnée"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("commentaire"), blank=True)
    recorded_on = models.DateField(_("constaté le"), default=timezone.localdate)

    class Meta:
        verbose_name = _("suite d’un point")
        verbose_name_plural = _("suites des points")
        ordering = ["opinion", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["opinion", "paragraph_key"], name="point_outcome_unique")
        ]

    def __str__(self):
        return f"{self.paragraph_key}: {self.get_outcome_display()}"
